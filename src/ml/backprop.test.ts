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
});
