import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { inventory, plans } from './layers';
import { classify, loadMobileNet } from './mobilenet';
import type { MobileNet } from './mobilenet';
import type { TrainOptions } from './options';
import { testNet } from './testing/fixtures';
import { Trainer } from './train';
import { EngineError } from './types';
import type { Pixels, Sample } from './types';

const grey = (w = 8, h = 8): Pixels => ({ width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3).fill(128) });
const sample = (id: string, label: number, pixels = grey()): Sample => ({ id, label, pixels });
const twoByTwo = [sample('a1', 0), sample('a2', 0), sample('b1', 1), sample('b2', 1)];
const opts: TrainOptions = { mode: 'feature-extraction', classNames: ['a', 'b'], epochs: 1, batchSize: 2, learningRate: 1e-3 };

let net: MobileNet;
beforeAll(async () => {
  net = await testNet();
});

/** Awaits a rejection and returns it, failing unless it is an EngineError with a message. */
async function engineError(run: () => Promise<unknown>): Promise<EngineError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).message.length).toBeGreaterThan(10);
  return error as EngineError;
}

describe('bad input gives a typed EngineError, never a tfjs assertion', () => {
  const cases: [string, Sample[], Partial<TrainOptions>, string][] = [
    ['no samples', [], {}, 'NO_SAMPLES'],
    ['one class only', [sample('a1', 0), sample('a2', 0)], {}, 'ONE_CLASS'],
    ['a single class name', twoByTwo.slice(0, 2), { classNames: ['a'] }, 'ONE_CLASS'],
    ['a class with one sample', [...twoByTwo.slice(0, 3)], {}, 'TOO_FEW_SAMPLES'],
    ['a label outside the classes', [...twoByTwo, sample('c1', 2)], {}, 'BAD_SAMPLE'],
    ['a duplicate id', [...twoByTwo, sample('a1', 0)], {}, 'BAD_SAMPLE'],
    ['pixels that do not match width × height × channels', [...twoByTwo, sample('bad', 1, { ...grey(), width: 9 })], {}, 'BAD_IMAGE'],
    ['pixels that are not bytes', [...twoByTwo, sample('bad', 1, { ...grey(), data: new Float32Array(192) as unknown as Uint8Array })], {}, 'BAD_IMAGE'],
    ['a NaN learning rate', twoByTwo, { learningRate: NaN }, 'BAD_HYPERPARAMETER'],
    ['zero epochs', twoByTwo, { epochs: 0 }, 'BAD_HYPERPARAMETER'],
    ['a fractional batch size', twoByTwo, { batchSize: 1.5 }, 'BAD_HYPERPARAMETER'],
    ['a validation split of 1', twoByTwo, { validationSplit: 1 }, 'BAD_HYPERPARAMETER'],
    ['resuming with nothing trained', twoByTwo, { resume: true }, 'BAD_HYPERPARAMETER'],
    ['a plan naming unknown layers', twoByTwo, { mode: 'fine-tune', plan: { conv_pw_99: true } }, 'BAD_PLAN'],
  ];
  it.each(cases)('%s', async (_, samples, extra, code) => {
    const trainer = new Trainer(net);
    const before = tf.memory().numTensors;
    expect((await engineError(() => trainer.train(samples, { ...opts, ...extra }))).code).toBe(code);
    trainer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('zero trainable variables: fine-tuning with every base layer frozen', async () => {
    const trainer = new Trainer(net);
    const plan = plans.featureExtraction(inventory(net.model));
    expect((await engineError(() => trainer.train(twoByTwo, { ...opts, mode: 'fine-tune', plan }))).code).toBe('NO_TRAINABLE');
    expect((await engineError(() => trainer.twoPhase(twoByTwo, { classNames: ['a', 'b'], headEpochs: 1, fineTuneEpochs: 1, topBlocks: 0 }))).code).toBe('NO_TRAINABLE');
    trainer.dispose();
  });

  it('predicting or exporting before training', async () => {
    const trainer = new Trainer(net);
    await expect(trainer.predict(grey())).rejects.toThrow(expect.objectContaining({ code: 'NOT_TRAINED' }));
    expect(() => trainer.exportModel()).toThrow(expect.objectContaining({ code: 'NOT_TRAINED' }));
    trainer.dispose();
  });

  it('classifying a malformed image', async () => {
    await expect(classify(net, { ...grey(), height: 3 })).rejects.toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
  });

  it('a model that does not load, or is not MobileNet', async () => {
    const broken: tf.io.IOHandler = { load: async () => Promise.reject(new Error('404')) };
    expect((await engineError(() => loadMobileNet(broken, []))).code).toBe('MODEL');
    const tiny = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await tiny.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    tiny.dispose();
    expect((await engineError(() => loadMobileNet(tf.io.fromMemory(artifacts!), ['x', 'y']))).code).toBe('MODEL');
  });
});
