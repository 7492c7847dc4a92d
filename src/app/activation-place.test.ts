import { describe, expect, it } from 'vitest';
import { centreSquareBox, onPhoto } from './activation-place';
import type { ClassActivationMap } from '../worker/insight-api';

const map = (peak: [number, number] | null): ClassActivationMap => ({
  from: 'trained',
  classIndex: 1,
  label: 'hat',
  choices: [],
  height: 7,
  width: 7,
  grid: new Float32Array(49),
  peakX: peak && peak[0],
  peakY: peak && peak[1],
  crop: { x: 0, y: 0, width: 1, height: 1 },
  probabilities: new Float32Array([0.2, 0.8]),
});

describe('a map on the whole photo', () => {
  it('finds the centre square of landscape, portrait and square photos', () => {
    expect(centreSquareBox(400, 200)).toEqual({ x: 0.25, y: 0, width: 0.5, height: 1 });
    expect(centreSquareBox(300, 600)).toEqual({ x: 0, y: 0.25, width: 1, height: 0.5 });
    expect(centreSquareBox(224, 224)).toEqual({ x: 0, y: 0, width: 1, height: 1 });
  });

  it('carries the peak from the square the engine saw into the photo it came from', () => {
    // A 400×200 photo: the engine saw x 100..300; its peak at (0.1, 0.9) of that square is at x 120 of 400, y 180 of 200.
    const shown = onPhoto(map([0.1, 0.9]), 400, 200);
    expect(shown.peakX).toBeCloseTo(120 / 400, 12);
    expect(shown.peakY).toBeCloseTo(0.9, 12);
    expect(shown.seen).toEqual({ x: 0.25, y: 0, width: 0.5, height: 1 });
    expect([shown.photoWidth, shown.photoHeight]).toEqual([400, 200]);
    expect(shown.label).toBe('hat');
  });

  it('keeps an empty map without a peak', () => {
    const shown = onPhoto(map(null), 300, 600);
    expect([shown.peakX, shown.peakY]).toEqual([null, null]);
    expect(shown.seen).toEqual({ x: 0, y: 0.25, width: 1, height: 0.5 });
  });
});
