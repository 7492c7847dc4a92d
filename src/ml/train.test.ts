import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inventory, plans } from './layers';
import type { MobileNet } from './mobilenet';
import { preprocess } from './mobilenet';
import type { TrainEvent, TrainOptions } from './options';
import { photos, squarePhotos, testNet } from './testing/fixtures';
import { Trainer } from './train';
import type { DecodedSample } from './types';

let net: MobileNet;
let shoesHat: DecodedSample[];
let heldOut: DecodedSample[];
let small: DecodedSample[];
const classNames = ['shoes', 'hat'];

beforeAll(async () => {
  net = await testNet();
  // 224×224 centre squares, as the lab's decoder hands them over; 20 + 20 held-out photos the training never sees.
  shoesHat = squarePhotos(classNames, 20);
  heldOut = squarePhotos(classNames, 20, 20);
  small = photos(classNames, 3);
});

// The cpu backend's Conv2DBackpropInput is slow (~0.9 s per photo through conv_pw_13), so tests that only need
// some fine-tuning train the last pointwise conv and its BatchNorm, which needs no backprop into the block.
const lastConv = { conv_pw_13: true, conv_pw_13_bn: true };

const fineTune = (extra: Partial<TrainOptions> = {}): TrainOptions => ({
  mode: 'fine-tune',
  classNames,
  epochs: 2,
  batchSize: 2,
  learningRate: 1e-3,
  seed: 7,
  plan: plans.topBlocks(inventory(net.model), 1),
  ...extra,
});

describe('Trainer: feature extraction', () => {
  it('tells shoes from hats: trained on 20 + 20 centre squares, ≥ 0.8 right on 40 held-out photos; embeddings computed once', async () => {
    const trainer = new Trainer(net);
    const opts: TrainOptions = { mode: 'feature-extraction', classNames, epochs: 15, batchSize: 16, learningRate: 1e-3 };
    const embeds: TrainEvent[] = [];
    for (const seed of [1, 2, 3, 4]) {
      const result = await trainer.train(shoesHat, { ...opts, seed }, (e) => e.type === 'embed' && embeds.push(e));
      expect(result.evaluation?.on).toBe('validation');
      expect(result.evaluation?.confusion.flat().reduce((a, b) => a + b, 0)).toBe(6);
      expect(result.history.at(-1)?.valAccuracy).toBe(result.evaluation?.accuracy);
      expect(result.cacheBytes).toBe(40 * 256 * 4);
      expect(result.frozenCheck.changed).toBe(0);
    }
    // 40 held-out photos (0.9 measured): guessing reaches 0.8 with probability 6e-5 (binomial, p = 0.5).
    let right = 0;
    for (const s of heldOut) if ((await trainer.predict(s.pixels)).label === s.label) right++;
    expect(right / heldOut.length).toBeGreaterThanOrEqual(0.8);
    // 40 photos embedded in chunks once; the 3 later runs (new seeds, same cut and photos) reuse the cache.
    expect(embeds.filter((e) => e.type === 'embed' && e.ms > 0).at(-1)).toMatchObject({ done: 40, total: 40 });
    expect(embeds.slice(-3)).toEqual(Array(3).fill({ type: 'embed', done: 40, total: 40, ms: 0 }));

    const smaller = await trainer.train(shoesHat, { ...opts, hiddenUnits: 0, epochs: 1 });
    expect(smaller.deltas.map((d) => d.layer)).toEqual(['head_logits']);
    trainer.dispose();
  });
});

describe('Trainer: fine-tuning', () => {
  it('keeps every frozen weight bit-identical, BatchNorm statistics included, while the top block learns', async () => {
    const trainer = new Trainer(net);
    const result = await trainer.train(small, fineTune({ epochs: 1 }));
    // 88 layers' weights minus the 4 trainable layers' 6 trainable tensors = all frozen tensors, moving stats of the top block's BN included.
    const all = net.model.layers.reduce((n, l) => n + l.weights.length, 0);
    expect(result.frozenCheck.checked).toBe(all - 6);
    expect(result.frozenCheck.changed).toBe(0);
    expect(result.cachedLayer).toBe('conv_pw_12_relu');
    const moved = result.deltas.filter((d) => d.layer.startsWith('conv_') && d.meanAbsDelta > 0);
    expect(moved.map((d) => d.layer)).toEqual(['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']);
    trainer.dispose();
  });

  it('gives the same per-epoch losses with and without the frozen-prefix cache (same seed)', async () => {
    const trainer = new Trainer(net);
    const cached = await trainer.train(small, fineTune());
    const naive = await trainer.train(small, fineTune({ useCache: false }));
    expect(naive.cachedLayer).toBeNull();
    expect(cached.history).toHaveLength(2);
    cached.history.forEach((e, i) => {
      const n = naive.history[i];
      expect(Math.abs(e.loss - n.loss) / Math.abs(n.loss)).toBeLessThanOrEqual(1e-4);
      expect(Math.abs(e.valLoss! - n.valLoss!) / Math.abs(n.valLoss!)).toBeLessThanOrEqual(1e-4);
    });
    trainer.dispose();
  });
});

describe('Trainer: memory and cancel', () => {
  it('returns to the same tensor count after 3 train + predict cycles, and to the baseline after dispose', async () => {
    const start = tf.memory().numTensors;
    const trainer = new Trainer(net);
    const cycle = async () => {
      await trainer.train(small, fineTune({ epochs: 1, plan: lastConv }));
      await trainer.predict(small[0].pixels);
    };
    await cycle();
    const steady = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await cycle();
    expect(tf.memory().numTensors - steady).toBe(0);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('cancelling mid-epoch resolves with cancelled: true and leaves no tensors behind', async () => {
    const trainer = new Trainer(net);
    await trainer.train(small, fineTune({ epochs: 1, useCache: false, plan: lastConv }));
    const before = tf.memory().numTensors;
    const stop = new AbortController();
    const result = await trainer.train(small, fineTune({ useCache: false, plan: lastConv }), (e) => {
      if (e.type === 'batch' && e.batch === 1) stop.abort();
    }, stop.signal);
    expect(result.cancelled).toBe(true);
    expect(result.history).toHaveLength(0);
    expect(result.evaluation).toBeNull();
    expect(result.frozenCheck.changed).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    trainer.dispose();
  });
});

describe('Trainer: augmentation and the two-phase recipe', () => {
  it('augmenting runs the naive path (no cache) and, without validation, scores the training photos', async () => {
    const before = tf.memory().numTensors;
    const trainer = new Trainer(net);
    const result = await trainer.train(small, { mode: 'feature-extraction', classNames, epochs: 1, batchSize: 3, learningRate: 1e-3, augment: true, validationSplit: 0 });
    expect(result).toMatchObject({ cacheBytes: 0, cachedLayer: null, cancelled: false });
    expect(result.history[0].valLoss).toBeNull();
    expect(result.evaluation?.on).toBe('training');
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('two-phase: head on cached embeddings, then the top block continues from that head at 1e-5', async () => {
    const trainer = new Trainer(net);
    const phases = new Set<number>();
    const { phase1, phase2 } = await trainer.twoPhase(
      small,
      { classNames, headEpochs: 3, fineTuneEpochs: 1, topBlocks: 1, batchSize: 4 },
      (e) => phases.add(e.phase),
    );
    expect([...phases]).toEqual([1, 2]);
    expect(phase1.cachedLayer).toBe('conv_pw_13_relu');
    expect(phase2?.cachedLayer).toBe('conv_pw_12_relu');
    expect(phase2?.frozenCheck.changed).toBe(0);
    // Phase 2 continues phase 1's head (validation loss where phase 1 left it) and, at 1e-5, only nudges the weights.
    expect(phase2!.history[0].valLoss!).toBeCloseTo(phase1.history.at(-1)!.valLoss!, 2);
    const moved = phase2!.deltas.filter((d) => d.meanAbsDelta > 0).map((d) => d.layer);
    expect(moved).toEqual(['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn', 'head_hidden', 'head_logits']);
    expect(Math.max(...phase2!.deltas.map((d) => d.meanAbsDelta))).toBeLessThan(1e-4);
    trainer.dispose();
  });
});

describe('Trainer: predict, export and persistence', () => {
  it('predicts the same through predict(), the exported model and a restored head', async () => {
    const trainer = new Trainer(net);
    await trainer.train(small, fineTune({ epochs: 1, plan: lastConv }));
    const photo = shoesHat[30].pixels;
    const direct = (await trainer.predict(photo)).probabilities;

    const exported = trainer.exportModel();
    const viaExport = tf.tidy(() => Array.from((exported.predict(preprocess(photo)) as tf.Tensor).dataSync()));
    viaExport.forEach((p, i) => expect(p).toBeCloseTo(direct[i], 5));
    let artifacts: tf.io.ModelArtifacts | undefined;
    await exported.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const reloaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
    const viaFile = tf.tidy(() => Array.from((reloaded.predict(preprocess(photo)) as tf.Tensor).dataSync()));
    viaFile.forEach((p, i) => expect(p).toBeCloseTo(direct[i], 5));
    reloaded.dispose();

    const saved = await trainer.headWeights();
    expect(saved.tunedLayers).toEqual(['conv_pw_13', 'conv_pw_13_bn']);
    const restored = new Trainer(net);
    await restored.loadHead(saved);
    (await restored.predict(photo)).probabilities.forEach((p, i) => expect(p).toBeCloseTo(direct[i], 5));
    expect(restored.labels).toEqual(classNames);
    restored.dispose();
    trainer.dispose();
  });
});
