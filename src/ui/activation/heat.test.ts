import { describe, expect, it } from 'vitest';
import { heatColour, heatGradient, region } from './heat';

describe('heat map colours and words', () => {
  it('is faintest where the model did not look and most opaque at the peak', () => {
    expect(heatColour(0)).toEqual([68, 1, 84, Math.round(255 * 0.2)]);
    expect(heatColour(1)).toEqual([253, 231, 37, Math.round(255 * 0.75)]);
    expect(heatColour(0.5)[3]).toBeLessThan(heatColour(0.9)[3]);
    expect(heatColour(2)).toEqual(heatColour(1));
    expect(heatGradient(2)).toBe('linear-gradient(to right, rgba(68, 1, 84, 0.200), rgba(253, 231, 37, 0.749))');
  });

  it('names the third of the photo a peak is in', () => {
    expect(region(0.1, 0.1)).toBe('top-left');
    expect(region(0.5, 0.1)).toBe('top-centre');
    expect(region(0.9, 0.5)).toBe('middle-right');
    expect(region(0.5, 0.5)).toBe('centre');
    expect(region(0.2, 0.95)).toBe('bottom-left');
    expect(region(1, 1)).toBe('bottom-right');
  });
});
