import { describe, expect, it } from 'vitest';
import { checkAgainstTfGrad } from './backprop';
import { TinyMlp } from './mlp';
import type { MlpConfig } from './mlp';

const configs: MlpConfig[] = [
  { hidden: 2, activation: 'sigmoid', loss: 'mse' },
  { hidden: 2, activation: 'relu', loss: 'bce' },
  { hidden: 3, activation: 'sigmoid', loss: 'bce' },
  { hidden: 3, activation: 'relu', loss: 'mse', seed: 9 },
];

describe('backprop core', () => {
  it.each(configs)('every analytic gradient matches tf.grad within 1e-5 (%o)', async (config) => {
    const net = new TinyMlp(config);
    for (const [x, y] of [[[0.5, -1.2], 1], [[2, 0.3], 0], [[-0.7, 0.9], 1]] as [[number, number], number][]) {
      const check = await checkAgainstTfGrad(net, x, y);
      expect(check.pairs).toHaveLength(config.hidden * 4 + 1);
      expect(check.maxDiff).toBeLessThanOrEqual(1e-5);
    }
  });

  it('shows z and a per node, and descends the loss on OR', () => {
    const net = new TinyMlp({ hidden: 3, activation: 'sigmoid', loss: 'bce', seed: 4 });
    const data: [[number, number], number][] = [[[0, 0], 0], [[0, 1], 1], [[1, 0], 1], [[1, 1], 1]];
    const total = () => data.reduce((s, [x, y]) => s + net.trace(x, y).loss, 0);
    const pass = net.forward([1, 0]);
    expect(pass.hidden).toHaveLength(3);
    expect(pass.output.a).toBeCloseTo(1 / (1 + Math.exp(-pass.output.z)), 12);
    const start = total();
    for (let epoch = 0; epoch < 500; epoch++) for (const [x, y] of data) net.update(net.trace(x, y).backward.grads, 0.5);
    expect(total()).toBeLessThan(start / 4);
  });

  it('is deterministic for a seed', () => {
    expect(new TinyMlp({ hidden: 2, activation: 'relu', loss: 'mse', seed: 3 }).w1).toEqual(new TinyMlp({ hidden: 2, activation: 'relu', loss: 'mse', seed: 3 }).w1);
  });

  it.each(configs)('central differences agree with the chain rule (%o)', (config) => {
    const net = new TinyMlp(config);
    const analytic = net.trace([0.8, -0.4], 1).backward.grads;
    const numeric = net.numericGradients([0.8, -0.4], 1);
    const flat = (g: typeof analytic) => [...g.w1.flat(), ...g.b1, ...g.w2, g.b2];
    flat(numeric).forEach((v, k) => expect(v).toBeCloseTo(flat(analytic)[k], 7));
  });

  it('from all-zero weights the hidden neurons stay twins (sigmoid) or never move (ReLU)', () => {
    const twin = new TinyMlp({ hidden: 3, activation: 'sigmoid', loss: 'mse', init: 'zero' });
    for (let k = 0; k < 50; k++) twin.update(twin.trace([1, 0.5], 1).backward.grads, 1);
    expect(twin.w1[0][0]).not.toBe(0);
    expect(twin.w1[1]).toEqual(twin.w1[0]);
    expect(twin.w1[2]).toEqual(twin.w1[0]);
    expect(twin.w2[1]).toBe(twin.w2[0]);
    const dead = new TinyMlp({ hidden: 2, activation: 'relu', loss: 'mse', init: 'zero' });
    for (let k = 0; k < 50; k++) dead.update(dead.trace([1, 0.5], 1).backward.grads, 1);
    expect([...dead.w1.flat(), ...dead.b1, ...dead.w2]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(dead.b2).toBeGreaterThan(0);
  });

  /** The rates chapter 1 names: cross-entropy, target 0.5, the explorer's default example and seeds. */
  it('at the explorer\'s largest rate the loss climbs; at η = 1 it only falls', () => {
    const losses = (lr: number, seed: number, hidden: 2 | 3) => {
      const net = new TinyMlp({ hidden, activation: 'sigmoid', loss: 'bce', seed });
      return Array.from({ length: 12 }, () => {
        const t = net.trace([1, 0.5], 0.5);
        net.update(t.backward.grads, lr);
        return t.loss;
      });
    };
    for (const hidden of [2, 3] as const) {
      for (const seed of [1, 2, 3]) {
        const wild = losses(10, seed, hidden);
        expect(wild[1]).toBeGreaterThan(wild[0]);
        expect(wild.at(-1)!).toBeGreaterThan(1);
        const calm = losses(1, seed, hidden);
        calm.slice(1).forEach((v, k) => expect(v).toBeLessThanOrEqual(calm[k]));
        expect(calm.at(-1)!).toBeCloseTo(Math.LN2, 3);
      }
    }
  });
});
