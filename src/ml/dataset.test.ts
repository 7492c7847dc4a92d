import { describe, expect, it } from 'vitest';
import { batches, randomView, stratifiedSplit } from './dataset';
import { evaluate, meanAbsDelta } from './metrics';
import { rng } from './random';
import type { Sample } from './types';

const pixels = { width: 40, height: 30, channels: 3 as const, data: new Uint8Array(40 * 30 * 3) };
const make = (counts: number[]): Sample[] => counts.flatMap((n, label) => Array.from({ length: n }, (_, i) => ({ id: `${label}-${i}`, label, pixels })));

describe('dataset', () => {
  it('splits each class separately: 15 % rounded, at least one, never the whole class', () => {
    const { train, validation } = stratifiedSplit(make([20, 2, 7]), 0.15, rng(1));
    const count = (set: Sample[], label: number) => set.filter((s) => s.label === label).length;
    expect([0, 1, 2].map((l) => count(validation, l))).toEqual([3, 1, 1]);
    expect([0, 1, 2].map((l) => count(train, l))).toEqual([17, 1, 6]);
    expect(stratifiedSplit(make([5, 5]), 0, rng(1)).validation).toEqual([]);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const ids = (seed: number) => stratifiedSplit(make([20, 20]), 0.15, rng(seed)).validation.map((s) => s.id);
    expect(ids(3)).toEqual(ids(3));
    expect(ids(3)).not.toEqual(ids(4));
  });

  it('batches every item once per epoch', () => {
    const out = batches([1, 2, 3, 4, 5], 2, rng(2));
    expect(out.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(out.flat().sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it('augments with a square view inside the photo', () => {
    const random = rng(5);
    for (let i = 0; i < 50; i++) {
      const v = randomView(pixels, random);
      expect(v.size).toBeGreaterThanOrEqual(30 * 0.85);
      expect(v.top).toBeGreaterThanOrEqual(0);
      expect(v.left + v.size).toBeLessThanOrEqual(40);
      expect(v.top + v.size).toBeLessThanOrEqual(30);
      expect(Math.abs(v.brightness)).toBeLessThanOrEqual(0.2);
    }
  });
});

describe('metrics', () => {
  it('builds the confusion matrix with the sample ids of each cell', () => {
    const e = evaluate([0, 0, 1, 1, 1], [0, 1, 1, 1, 0], ['a', 'b', 'c', 'd', 'e'], 3, 'validation');
    expect(e.confusion).toEqual([[1, 1, 0], [1, 2, 0], [0, 0, 0]]);
    expect(e.cellSamples[0][1]).toEqual(['b']);
    expect(e.cellSamples[1][1]).toEqual(['c', 'd']);
    expect(e.accuracy).toBeCloseTo(0.6);
    expect(e.perClass).toEqual([0.5, 2 / 3, 0]);
  });

  it('averages |Δw| over all values of a layer', () => {
    expect(meanAbsDelta([Float32Array.of(1, 2), Float32Array.of(0)], [Float32Array.of(2, 2), Float32Array.of(-2)])).toBeCloseTo(1);
  });
});
