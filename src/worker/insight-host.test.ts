import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Trainer, plans, inventory } from '../ml';
import { embeddings } from '../ml/insight';
import { CAT_PNG, readPng, shrink, squarePhotos, testNet } from '../ml/testing/fixtures';
import { embeddingMapOf, insightMaps } from './insight-host';

describe('insight over the engine', () => {
  it('maps embeddings before training, keeps one map after feature extraction, and two after fine-tuning', async () => {
    const net = await testNet();
    const samples = squarePhotos(['dress', 'shoes'], 3);
    const pixels = samples.map((s) => s.pixels);
    const trainer = new Trainer(net);
    const base = { classNames: ['dress', 'shoes'], epochs: 2, batchSize: 6, validationSplit: 0, seed: 3 };

    const untrained = await embeddingMapOf(net, trainer, pixels);
    expect(untrained).toMatchObject({ trained: false, tuned: null, moved: 0 });
    expect(untrained.imagenet.points).toHaveLength(6);

    await trainer.train(samples, { ...base, mode: 'feature-extraction', learningRate: 1e-3 });
    const afterHead = await embeddingMapOf(net, trainer, pixels);
    expect(afterHead).toMatchObject({ trained: true, tuned: null, moved: 0 });
    expect(afterHead.imagenet.points).toEqual(untrained.imagenet.points);

    const plan = plans.topBlocks(inventory(net.model), 1);
    await trainer.train(samples, { ...base, mode: 'fine-tune', plan, learningRate: 1e-2, resume: true });
    const before = tf.memory().numTensors;
    const afterTune = await embeddingMapOf(net, trainer, pixels);
    expect(tf.memory().numTensors).toBe(before);
    expect(afterTune.trained).toBe(true);
    expect(afterTune.moved).toBeGreaterThan(0);
    expect(afterTune.tuned?.points).toHaveLength(6);
    expect(afterTune.imagenet.points).toEqual(untrained.imagenet.points);
    // The tuned map is the projection of the fine-tuned pipeline's own embeddings, not ImageNet's.
    const tuned = await embeddings(trainer.exportModel(), pixels);
    const imagenet = await embeddings(net.model, pixels);
    expect(tuned.some((v, i) => v.some((x, k) => x !== imagenet[i][k]))).toBe(true);

    const maps = await insightMaps(net, trainer, shrink(readPng(CAT_PNG)), ['conv1_relu', 'conv_pw_13_relu'], 4);
    expect(maps.from).toBe('trained');
    expect(maps.layers.map((m) => m.picked.length)).toEqual([4, 4]);
    expect(maps.filters.count).toBe(8);
    trainer.dispose();
  });
});
