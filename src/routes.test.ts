import { describe, expect, it } from 'vitest';
import { parseHash } from './routes';

describe('parseHash', () => {
  it('maps the contract routes', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/lab')).toEqual({ name: 'lab' });
    expect(parseHash('#/chapters/layer-freezing')).toEqual({ name: 'chapter', id: 'layer-freezing' });
  });
  it('reads an instructor\'s project link on the lab route', () => {
    expect(parseHash('#/lab?project=projects/flowers.zip')).toEqual({ name: 'lab', project: 'projects/flowers.zip' });
    expect(parseHash('#/lab?project=projects%2Fa%20b.zip&x=1')).toEqual({ name: 'lab', project: 'projects/a b.zip' });
    expect(parseHash('#/lab?project=')).toEqual({ name: 'lab' });
    expect(parseHash('#/lab?other=1')).toEqual({ name: 'lab' });
  });
  it('reports unknown paths instead of guessing', () => {
    expect(parseHash('#/labs')).toEqual({ name: 'not-found', path: '/labs' });
    expect(parseHash('#/chapters/<script>')).toEqual({ name: 'not-found', path: '/chapters/<script>' });
  });
});
