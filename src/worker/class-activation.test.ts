import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Trainer, inventory, plans } from '../ml';
import { squarePhotos, testNet } from '../ml/testing/fixtures';
import { toArtifacts } from './artifacts';
import { release } from './exported';
import { classActivationOf } from './insight-host';

describe('class activation over the engine', () => {
  it('explains with ImageNet until trained, then with the fine-tuned pipeline, then with an imported copy of it; no tensor left', async () => {
    const net = await testNet();
    const classNames = ['shoes', 'hat'];
    const samples = squarePhotos(classNames, 4);
    const [held] = squarePhotos(['hat'], 1, 10);
    const trainer = new Trainer(net);
    const copy = () => ({ ...held.pixels, data: held.pixels.data.slice() });

    const start = tf.memory().numTensors;
    const imagenet = await classActivationOf(net, trainer, undefined, copy());
    expect(tf.memory().numTensors).toBe(start);
    expect(imagenet.from).toBe('imagenet');
    expect(imagenet.label).toBe(net.classNames[imagenet.classIndex]);
    expect(imagenet.choices.map((c) => c.index)).toContain(imagenet.classIndex);
    expect(imagenet.choices.length).toBe(5);
    expect(imagenet.choices[0].probability).toBe(Math.max(...imagenet.probabilities));
    expect(imagenet.grid).toHaveLength(49);

    const options = { classNames, epochs: 3, batchSize: 4, validationSplit: 0, seed: 3, learningRate: 1e-3 };
    await trainer.train(samples, { ...options, mode: 'feature-extraction' });
    await trainer.train(samples, { ...options, mode: 'fine-tune', plan: plans.topBlocks(inventory(net.model), 1), resume: true });
    // Predicting first folds the fine-tuned blocks once (the trainer keeps them): the explanation adds nothing.
    const { probabilities } = await trainer.predict(copy());
    const baseline = tf.memory().numTensors;
    const trained = await classActivationOf(net, trainer, undefined, copy());
    expect(tf.memory().numTensors).toBe(baseline);
    expect(trained.from).toBe('trained');
    expect(trained.choices.map((c) => c.label)).toEqual(classNames);
    expect(trained.classIndex).toBe(probabilities.indexOf(Math.max(...probabilities)));
    Array.from(trained.probabilities).forEach((p, i) => expect(p).toBeCloseTo(probabilities[i], 5));
    expect(trained.label).toBe(classNames[trained.classIndex]);
    const other = 1 - trained.classIndex;
    const switched = await classActivationOf(net, trainer, undefined, copy(), other);
    expect(switched.classIndex).toBe(other);
    expect(switched.label).toBe(classNames[other]);
    expect(tf.memory().numTensors).toBe(baseline);
    for (const cam of [trained, switched]) {
      if (cam.peakX === null) expect(Math.max(...cam.grid)).toBe(0);
      else expect([cam.peakX, cam.peakY].every((v) => v! > 0 && v! < 1)).toBe(true);
    }

    const exported = trainer.exportModel();
    const model = await tf.loadLayersModel(tf.io.fromMemory(await toArtifacts(exported)));
    release(exported);
    const before = tf.memory().numTensors;
    const imported = await classActivationOf(net, trainer, { model, classNames }, copy());
    expect(tf.memory().numTensors).toBe(before);
    expect(imported.from).toBe('imported');
    expect(imported.classIndex).toBe(trained.classIndex);
    Array.from(imported.grid).forEach((v, i) => expect(v).toBeCloseTo(trained.grid[i], 4));
    model.dispose();
    trainer.dispose();
  });
});
