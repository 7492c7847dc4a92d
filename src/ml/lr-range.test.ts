import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FoldedWeights } from './fold';
import { paramGroup } from './groups';
import { createHead } from './head';
import { trainStep } from './step';
import type { BaseSplit } from './suffix';
import type { Sample } from './types';
import { diverged, smoothLosses, suggestRate, sweep, sweepRates } from './lr-range';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('range test arithmetic', () => {
  it('raises the rate exponentially from the first to the last', () => {
    const rates = sweepRates(1e-6, 1, 7);
    expect(rates[0]).toBeCloseTo(1e-6, 12);
    expect(rates[6]).toBeCloseTo(1, 9);
    rates.slice(1).forEach((r, i) => expect(r / rates[i]).toBeCloseTo(10, 6));
  });

  it('smooths with a debiased average: a constant stays itself from the first step', () => {
    expect(smoothLosses([2, 2, 2, 2])).toEqual([2, 2, 2, 2].map(() => expect.closeTo(2, 12)));
    const noisy = smoothLosses([1, 3, 1, 3, 1, 3], 0.9);
    expect(Math.max(...noisy.slice(2)) - Math.min(...noisy.slice(2))).toBeLessThan(1);
  });

  it('suggests the steepest fall before the minimum, never a point past it', () => {
    // Loss falls fastest around 1e-3 (logistic in log η), bottoms out near 1e-1, then blows up.
    const rates = sweepRates(1e-6, 10, 71);
    const losses = rates.map((r) => 1 / (1 + Math.exp(3 * (Math.log10(r) + 3))) + (r > 0.1 ? (r - 0.1) * 10 : 0) + 0.1);
    const suggested = suggestRate(rates, losses)!;
    expect(Math.log10(suggested)).toBeCloseTo(-3, 0);
    // A curve that only rises has nothing to suggest.
    expect(suggestRate(rates, rates.map((r) => r))).toBeNull();
  });

  it('calls a blown-up sweep diverged: 4× its minimum, or a non-finite loss', () => {
    expect(diverged([1, 0.5, 1.9])).toBe(false);
    expect(diverged([1, 0.5, 2.1])).toBe(true);
    expect(diverged([1, NaN])).toBe(true);
  });
});

describe('range test on a problem whose good rates are known', () => {
  // The engine's own head and step on two overlapping Gaussian blobs (8-D, centres ±0.5 per axis, unit variance:
  // the best loss is ≈ 0.2): from a fresh head Adam fits it in tens of steps near 1e-2, barely moves it at 1e-5,
  // and near 1 throws the logits far past any sensible margin, so the loss blows up.
  const dim = 8;
  const n = 256;
  const labels = Array.from({ length: n }, (_, i) => i % 2);
  const samples: Sample[] = labels.map((label, i) => ({ id: String(i), label, pixels: { width: 1, height: 1, channels: 3, data: new Uint8Array(3) } }));
  const x = tf.tidy(() => tf.keep(tf.randomNormal([n, dim], 0, 1, 'float32', 3).add(tf.tensor2d(labels, [n, 1]).mul(2).sub(1).mul(0.5))));
  const split: BaseSplit = { prefix: [], suffix: [], prefixEnd: 0, trainable: [], folds: new FoldedWeights() };
  const vars = (head: tf.Sequential) => head.layers.flatMap((l) => l.trainableWeights.map((w) => w.read() as tf.Variable));
  /** A fresh head stepped on batches of 32 at `rate(i)`; returns each step's loss. */
  const train = async (steps: number, rate: (i: number) => number) => {
    const head = createHead({ embeddingSize: dim, hiddenUnits: 16, numClasses: 2 }, 5);
    const group = paramGroup(vars(head), 1);
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) {
      group.optimizer.rate = rate(i);
      const at = (i * 32) % n;
      const stats = trainStep([group], split, head, x.slice(at, 32), samples.slice(at, at + 32));
      losses.push((await stats.data())[0]);
      stats.dispose();
    }
    group.optimizer.dispose();
    head.dispose();
    return losses;
  };
  const lastTen = (losses: number[]) => losses.slice(-10).reduce((a, b) => a + b, 0) / 10;

  it('suggests a rate in the range that trains it, stops once it blows up, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    let i = 0;
    const head = createHead({ embeddingSize: dim, hiddenUnits: 16, numClasses: 2 }, 5);
    const group = paramGroup(vars(head), 1);
    const curve = await sweep(
      async (rate) => {
        group.optimizer.rate = rate;
        const at = (i++ * 32) % n;
        const stats = trainStep([group], split, head, x.slice(at, 32), samples.slice(at, at + 32));
        const [loss] = await stats.data();
        stats.dispose();
        return loss;
      },
      { steps: 100, minRate: 1e-7, maxRate: 10 },
    );
    group.optimizer.dispose();
    head.dispose();
    expect(curve.rates.length).toBeLessThan(100);
    expect(curve.suggested).not.toBeNull();
    const s = curve.suggested!;
    expect(s).toBeGreaterThan(1e-4);
    expect(s).toBeLessThan(0.3);
    // The suggestion trains the problem; a rate 1000× smaller does not get far in the same 60 steps.
    const good = lastTen(await train(60, () => s));
    const slow = lastTen(await train(60, () => s / 1000));
    expect(good).toBeLessThan(0.4);
    expect(slow).toBeGreaterThan(0.55);
    expect(tf.memory().numTensors).toBe(before);
  });
});
