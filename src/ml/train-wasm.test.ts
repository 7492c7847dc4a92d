import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { TunableBase } from './base';
import { inventory, learnableWeights, plans } from './layers';
import { preprocess } from './mobilenet';
import type { MobileNet } from './mobilenet';
import { splitBase, suffixForward } from './suffix';
import { photos, testNet } from './testing/fixtures';
import { Trainer } from './train';
import type { TrainOptions } from './options';
import type { DecodedSample } from './types';
import { globalDiff, relativeDiff } from './testing/compare';

let net: MobileNet;
let small: DecodedSample[];
const classNames = ['shoes', 'hat'];

beforeAll(async () => {
  net = await testNet();
  small = photos(classNames, 3);
  // As the app starts the engine: the requested backend, its kernels installed, its self-test passed.
  expect(await chooseBackend({ requested: 'wasm' })).toMatchObject({ name: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('fine-tuning on wasm', () => {
  it('a whole-model gradient, every layer trainable, agrees with cpu as closely as cpu agrees with itself (3 photos)', async () => {
    const base = await TunableBase.copy(net);
    const split = splitBase(base, plans.everything(inventory(base.model)));
    const vars = split.suffix.flatMap((l) => learnableWeights(l).map((w) => ({ name: w.name, variable: w.read() as tf.Variable })));
    const readout = tf.tidy(() => tf.randomNormal([256, 3], 0, 1, 'float32', 9));
    const gradients = async (backend: string, jitter = 0, seed = 4) => {
      await tf.setBackend(backend);
      const grads = tf.tidy(() => {
        const photos = tf.concat(small.slice(0, 3).map((s) => preprocess(s.pixels)));
        const images = jitter ? photos.mul(tf.randomUniform(photos.shape, 1 - jitter, 1 + jitter, 'float32', seed)) : photos;
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(suffixForward(split, images), readout))), vars.map((v) => v.variable));
        return vars.map((v) => grads[v.variable.name]);
      });
      const values = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
      tf.dispose(grads);
      return values;
    };
    const onWasm = await gradients('wasm');
    const onCpu = await gradients('cpu');
    // Float32 sums in another order (XNNPACK vs cpu loops) differ by ~1e-5 relative in the activations, and an
    // activation that close to a ReLU6 kink (0 or 6) can land on the other side: its mask flips and the gradient of
    // every layer below moves (one flip at conv_dw_11 here: 5e-3 overall, 5e-2 in a stem tensor). So the yardstick
    // is cpu against itself with the photos moved by one part in 10⁵, the largest of four such moves (measured:
    // 4.6e-4, 5.8e-3, 9.2e-4, 5.4e-3 — two of them flip a mask).
    const floors = [];
    for (const seed of [4, 5, 6, 7]) floors.push(globalDiff(await gradients('cpu', 1e-5, seed), onCpu));
    await tf.setBackend('wasm');
    // conv1 … conv_pw_13: 27 kernels, 27 BatchNorm gammas and betas.
    expect(vars).toHaveLength(81);
    expect(globalDiff(onWasm, onCpu)).toBeLessThan(Math.max(...floors));
    // A wrong kernel is off by its whole size in the tensors it feeds; kink flips stay within a few percent.
    const diffs = vars.map((v, i) => ({ name: v.name, diff: relativeDiff(onWasm[i], onCpu[i]) }));
    const worst = [...diffs].sort((a, b) => b.diff - a.diff)[0];
    expect(worst.diff, worst.name).toBeLessThan(0.1);
    expect(onWasm.every((g) => g.some((v) => v !== 0))).toBe(true);
    tf.dispose(readout);
    base.dispose();
  });

  const fineTune = (extra: Partial<TrainOptions>): TrainOptions => ({
    mode: 'fine-tune',
    classNames,
    epochs: 2,
    batchSize: 3,
    learningRate: 1e-3,
    seed: 7,
    validationSplit: 0.34,
    ...extra,
  });

  it('2 epochs of the top 2 blocks (a stride-2 depthwise among them) keep every frozen weight bit-identical; cached = naive losses', async () => {
    expect(tf.getBackend()).toBe('wasm');
    const trainer = new Trainer(net);
    const plan = plans.topBlocks(inventory(net.model), 2);
    const cached = await trainer.train(small, fineTune({ plan }));
    const naive = await trainer.train(small, fineTune({ plan, useCache: false }));
    expect(cached.cachedLayer).toBe('conv_pw_11_relu');
    for (const result of [cached, naive]) {
      // 8 trainable layers (2 × depthwise, pointwise and their BatchNorms) × their kernels or gamma/beta.
      const all = net.model.layers.reduce((n, l) => n + l.weights.length, 0);
      expect(result.frozenCheck.checked).toBe(all - 12);
      expect(result.frozenCheck.changed).toBe(0);
      const moved = result.deltas.filter((d) => d.layer.startsWith('conv_') && d.meanAbsDelta > 0).map((d) => d.layer);
      expect(moved).toEqual(['conv_dw_12', 'conv_dw_12_bn', 'conv_pw_12', 'conv_pw_12_bn', 'conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']);
    }
    cached.history.forEach((e, i) => {
      expect(Math.abs(e.loss - naive.history[i].loss) / naive.history[i].loss).toBeLessThan(1e-4);
      expect(Math.abs(e.valLoss! - naive.history[i].valLoss!) / naive.history[i].valLoss!).toBeLessThan(1e-4);
    });
    trainer.dispose();
  });

  it('2 epochs with every layer trainable move every base layer and leave the BatchNorm statistics bit-identical', async () => {
    const before = tf.memory().numTensors;
    const trainer = new Trainer(net);
    const result = await trainer.train(small, fineTune({ plan: plans.everything(inventory(net.model)) }));
    expect(result.cachedLayer).toBe('input_1');
    // Frozen: 27 BatchNorms' moving mean and variance, and the dropped ImageNet classifier's kernel and bias.
    expect(result.frozenCheck).toMatchObject({ checked: 27 * 2 + 2, changed: 0 });
    const base = result.deltas.filter((d) => d.layer.startsWith('conv'));
    expect(base).toHaveLength(54);
    expect(base.every((d) => d.meanAbsDelta > 0)).toBe(true);
    expect(result.history.every((e) => Number.isFinite(e.loss))).toBe(true);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
