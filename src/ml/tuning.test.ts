import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createHead } from './head';
import type { MobileNet } from './mobilenet';
import type { TrainEvent, TrainOptions } from './options';
import type { HeadSnapshot } from './persist';
import { photos, squarePhotos, testNet } from './testing/fixtures';
import { Trainer } from './train';
import type { DecodedSample } from './types';
import { FIXED_VIEW_COUNT } from './views';

let net: MobileNet;
let small: DecodedSample[];
let shoesHat: DecodedSample[];
const classNames = ['shoes', 'hat'];
// The last pointwise conv and its BatchNorm: fine-tuning that needs no backprop into the block (cpu is slow at that).
const lastConv = { conv_pw_13: true, conv_pw_13_bn: true };

beforeAll(async () => {
  net = await testNet();
  small = photos(classNames, 3);
  shoesHat = squarePhotos(classNames, 20);
});

/** The saved weights of a trainer by name (head/i, base/<layer>/j), as plain arrays. */
async function weightsOf(trainer: Trainer): Promise<Record<string, Float32Array>> {
  const saved: HeadSnapshot = await trainer.headWeights();
  const tensors = tf.io.decodeWeights(saved.data, saved.specs);
  const out = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.dataSync() as Float32Array]));
  tf.dispose(tensors);
  return out;
}

/** Largest |Δw| of a layer's j-th weight between a trainer's saved weights and ImageNet's. */
function maxStep(weights: Record<string, Float32Array>, layer: string, j = 0): number {
  const start = net.model.getLayer(layer).weights[j].read().dataSync();
  const now = weights[`base/${layer}/${j}`];
  return Math.max(...Array.from(now, (v, i) => Math.abs(v - start[i])));
}

/** Largest |Δw| of the head's i-th weight against the fresh head the same seed builds. */
function headStep(weights: Record<string, Float32Array>, seed: number, i = 0): number {
  const fresh = createHead({ embeddingSize: 256, hiddenUnits: 100, numClasses: 2 }, seed);
  const start = fresh.weights[i].read().dataSync();
  fresh.dispose();
  return Math.max(...Array.from(weights[`head/${i}`], (v, k) => Math.abs(v - start[k])));
}

// Adam's first step moves each weight by η·|g|/(|g| + ε): η itself wherever the gradient is not tiny. One step
// per epoch (a batch holds every photo) makes the rates readable straight off the weights (to float32's ~1 % here:
// a step of 1e-5 on a weight near 1 is ~100 ulps).
const oneStep = (extra: Partial<TrainOptions>): TrainOptions => ({
  mode: 'fine-tune',
  classNames,
  epochs: 1,
  batchSize: 64,
  learningRate: 1e-3,
  baseLearningRate: 1e-5,
  validationSplit: 0,
  seed: 7,
  ...extra,
});

describe('discriminative rates', () => {
  it('steps the head at its rate and the base layers at theirs, each by its own Adam', async () => {
    const trainer = new Trainer(net);
    await trainer.train(small, oneStep({ plan: lastConv }));
    const w = await weightsOf(trainer);
    expect(headStep(w, 7)).toBeGreaterThan(0.98e-3);
    expect(headStep(w, 7)).toBeLessThanOrEqual(1.02e-3);
    expect(maxStep(w, 'conv_pw_13')).toBeGreaterThan(0.98e-5);
    expect(maxStep(w, 'conv_pw_13')).toBeLessThanOrEqual(1.02e-5);
    // Without a base rate the base learns at the head's: one rate for all, as before.
    await trainer.train(small, oneStep({ plan: lastConv, baseLearningRate: undefined }));
    expect(maxStep(await weightsOf(trainer), 'conv_pw_13')).toBeGreaterThan(0.98e-3);
    await expect(trainer.train(small, oneStep({ plan: lastConv, baseLearningRate: 0 }))).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    trainer.dispose();
  });
});

describe('gradual unfreezing', () => {
  it('releases one block per period from the top, gives each its own fresh Adam, and keeps the rest bit-identical', async () => {
    const start = tf.memory().numTensors;
    const trainer = new Trainer(net);
    const events: TrainEvent[] = [];
    const result = await trainer.train(small, oneStep({ epochs: 3, gradual: { every: 1, blocks: 2 } }), (e) => events.push(e));
    const unfreezes = events.filter((e) => e.type === 'unfreeze');
    expect(unfreezes).toEqual([
      { type: 'unfreeze', epoch: 2, blocks: 1, layers: ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn'] },
      { type: 'unfreeze', epoch: 3, blocks: 2, layers: ['conv_dw_12', 'conv_dw_12_bn', 'conv_pw_12', 'conv_pw_12_bn'] },
    ]);
    // Each release comes before its epoch's first step, and the cache moved to the new cut (embed events after it).
    const order = events.map((e) => (e.type === 'epoch' ? `epoch${e.epoch}` : e.type)).filter((t) => t !== 'batch');
    expect(order.filter((t) => t !== 'embed')).toEqual(['epoch1', 'unfreeze', 'epoch2', 'unfreeze', 'epoch3']);
    expect(order.indexOf('embed', order.indexOf('unfreeze'))).toBe(order.indexOf('unfreeze') + 1);
    expect(result.unfrozen).toEqual([{ epoch: 2, blocks: 1 }, { epoch: 3, blocks: 2 }]);
    expect(result.cachedLayer).toBe('conv_pw_11_relu');
    // Everything but blocks 12 and 13's 12 learnable tensors (kernels, γ, β), BN statistics included, is bit-identical.
    const all = net.model.layers.reduce((n, l) => n + l.weights.length, 0);
    expect(result.frozenCheck).toMatchObject({ checked: all - 12, changed: 0 });
    const w = await weightsOf(trainer);
    // Block 12 took one step at the base rate: a first Adam step (t = 1, bias-corrected), not one inheriting
    // block 13's step count, which would move it by only ~0.64 η.
    for (const layer of ['conv_dw_12', 'conv_pw_12']) {
      expect(maxStep(w, layer)).toBeGreaterThan(0.98e-5);
      expect(maxStep(w, layer)).toBeLessThanOrEqual(1.02e-5);
    }
    // Block 13 took two steps, the head three at its own rate.
    expect(maxStep(w, 'conv_pw_13')).toBeGreaterThan(1.2e-5);
    expect(maxStep(w, 'conv_pw_13')).toBeLessThanOrEqual(2.04e-5);
    expect(headStep(w, 7)).toBeGreaterThan(2e-3);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is refused outside fine-tuning or past the blocks the base has', async () => {
    const trainer = new Trainer(net);
    await expect(trainer.train(small, oneStep({ mode: 'feature-extraction', gradual: { every: 1, blocks: 1 } }))).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    await expect(trainer.train(small, oneStep({ gradual: { every: 0, blocks: 1 } }))).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    await expect(trainer.train(small, oneStep({ gradual: { every: 1, blocks: 14 } }))).rejects.toMatchObject({ code: 'BAD_PLAN' });
    trainer.dispose();
  });
});

describe('early stopping', () => {
  // A rate this high overfits 34 photos within a few epochs, so validation loss turns up early.
  const fast: TrainOptions = { mode: 'feature-extraction', classNames, epochs: 40, batchSize: 8, learningRate: 0.03, validationSplit: 0.25, seed: 3 };

  it('stops once validation loss has not improved for `patience` epochs and keeps the best epoch, weights and score', async () => {
    const start = tf.memory().numTensors;
    const stopped = new Trainer(net);
    const result = await stopped.train(shoesHat, { ...fast, patience: 3 });
    const losses = result.history.map((h) => h.valLoss!);
    const best = losses.indexOf(Math.min(...losses)) + 1;
    expect(result.stoppedEarly).toBe(true);
    expect(result.keptEpoch).toBe(best);
    expect(result.history).toHaveLength(best + 3);
    expect(result.evaluation?.accuracy).toBe(result.history[best - 1].valAccuracy);
    // The weights kept are exactly those of a run that ends at the best epoch (same seed, same steps).
    const kept = await weightsOf(stopped);
    const plain = await stopped.train(shoesHat, { ...fast, epochs: best });
    expect(plain.keptEpoch).toBeNull();
    expect(await weightsOf(stopped)).toEqual(kept);
    stopped.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('needs photos held out for validation', async () => {
    const trainer = new Trainer(net);
    await expect(trainer.train(shoesHat, { ...fast, patience: 2, validationSplit: 0 })).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    trainer.dispose();
  });
});

describe('augmentation modes while fine-tuning', () => {
  it('cached views go through the frozen prefix once each; random views bypass the cache; the two together are refused', async () => {
    const trainer = new Trainer(net);
    const fineTune: TrainOptions = { mode: 'fine-tune', classNames, epochs: 1, batchSize: 4, learningRate: 1e-3, plan: lastConv, validationSplit: 0.34 };
    const cached = await trainer.train(small, { ...fineTune, cachedViews: true });
    // 6 photos' centre views plus the extra views of the 4 training photos, each 7×7×256 floats.
    expect(cached).toMatchObject({ cachedLayer: 'conv_dw_13_relu', cacheBytes: (6 + 4 * (FIXED_VIEW_COUNT - 1)) * 7 * 7 * 256 * 4 });
    expect(cached.frozenCheck.changed).toBe(0);
    const random = await trainer.train(small, { ...fineTune, augment: true });
    expect(random).toMatchObject({ cachedLayer: null, cacheBytes: 0 });
    expect(random.frozenCheck.changed).toBe(0);
    await expect(trainer.train(small, { ...fineTune, augment: true, cachedViews: true })).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    trainer.dispose();
  });
});

describe('learning-rate range test on the trainer', () => {
  it('sweeps a fresh head on the cached embeddings and leaves the trained head exactly as it was', async () => {
    const trainer = new Trainer(net);
    await trainer.train(shoesHat, { mode: 'feature-extraction', classNames, epochs: 3, batchSize: 8, learningRate: 1e-3 });
    const weights = await weightsOf(trainer);
    const answer = (await trainer.predict(shoesHat[0].pixels)).probabilities;
    const before = tf.memory().numTensors;
    const steps: TrainEvent[] = [];
    const curve = await trainer.rangeTest(shoesHat, { target: 'head', classNames, batchSize: 8, learningRate: 1e-3, steps: 50 }, (e) => steps.push(e));
    expect(curve.rates.length).toBeGreaterThan(20);
    expect(curve.rates.length).toBeLessThanOrEqual(50);
    expect(steps.filter((e) => e.type === 'sweep')).toHaveLength(curve.rates.length);
    expect(curve.suggested).toBeGreaterThan(1e-5);
    expect(curve.suggested).toBeLessThan(1);
    expect(tf.memory().numTensors).toBe(before);
    expect(await weightsOf(trainer)).toEqual(weights);
    expect((await trainer.predict(shoesHat[0].pixels)).probabilities).toEqual(answer);
    trainer.dispose();
  });

  it("sweeps the unfrozen layers' rate after training the head first; every tuned base weight comes back bit for bit", async () => {
    const trainer = new Trainer(net);
    await trainer.train(small, { mode: 'fine-tune', classNames, epochs: 1, batchSize: 4, learningRate: 1e-3, plan: lastConv });
    const weights = await weightsOf(trainer);
    const before = tf.memory().numTensors;
    const events: TrainEvent[] = [];
    const curve = await trainer.rangeTest(small, { target: 'base', classNames, batchSize: 4, learningRate: 1e-3, plan: lastConv, headEpochs: 2, steps: 12 }, (e) => events.push(e));
    expect(curve).toMatchObject({ target: 'base', cancelled: false });
    // 12 rates from 1e-7 to 1: the base blows up before the last ones.
    expect(curve.rates.length).toBeGreaterThan(6);
    expect(curve.rates.length).toBeLessThanOrEqual(12);
    // The head's epochs come first (batch events), then the sweep.
    const kinds = events.map((e) => e.type).filter((t) => t !== 'embed');
    expect(kinds.lastIndexOf('batch')).toBeLessThan(kinds.indexOf('sweep'));
    expect(tf.memory().numTensors).toBe(before);
    expect(await weightsOf(trainer)).toEqual(weights);
    await expect(trainer.rangeTest(small, { target: 'base', classNames, batchSize: 4, learningRate: 1e-3, plan: {} })).rejects.toMatchObject({ code: 'NO_TRAINABLE' });
    trainer.dispose();
  });
});
