import { describe, expect, it } from 'vitest';
import { parseHash } from './routes';

describe('parseHash', () => {
  it('maps the contract routes', () => {
    expect(parseHash('')).toEqual({ name: 'home' });
    expect(parseHash('#/')).toEqual({ name: 'home' });
    expect(parseHash('#/lab')).toEqual({ name: 'lab' });
    expect(parseHash('#/chapters/layer-freezing')).toEqual({ name: 'chapter', id: 'layer-freezing' });
  });
  it('reports unknown paths instead of guessing', () => {
    expect(parseHash('#/labs')).toEqual({ name: 'not-found', path: '/labs' });
    expect(parseHash('#/chapters/<script>')).toEqual({ name: 'not-found', path: '/chapters/<script>' });
  });
});
