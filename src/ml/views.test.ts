import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MobileNet } from './mobilenet';
import type { TrainOptions } from './options';
import { squarePhotos, testNet } from './testing/fixtures';
import { createHead, headLogits } from './head';
import { toInputBatch } from './image';
import { Trainer } from './train';
import type { DecodedSample } from './types';
import { FIXED_VIEW_COUNT, fixedViews, withFixedViews } from './views';

let net: MobileNet;
let few: DecodedSample[];
const classNames = ['shoes', 'hat'];
const fe = (extra: Partial<TrainOptions> = {}): TrainOptions => ({
  mode: 'feature-extraction',
  classNames,
  epochs: 3,
  batchSize: 4,
  learningRate: 1e-2,
  seed: 4,
  validationSplit: 0,
  ...extra,
});
/** Σ‖W‖² of the head's kernels, read through a snapshot (what the trainer would save). */
async function kernelNormOf(trainer: Trainer): Promise<number> {
  const saved = await trainer.headWeights();
  const weights = tf.io.decodeWeights(saved.data, saved.specs);
  const kernels = saved.specs.filter((s) => s.shape.length === 2).map((s) => weights[s.name]);
  const norm = kernels.reduce((n, k) => n + (tf.sum(tf.square(k)).dataSync()[0] ?? 0), 0);
  tf.dispose(weights);
  return norm;
}

beforeAll(async () => {
  net = await testNet();
  few = squarePhotos(classNames, 3);
});

describe('fixed views', () => {
  it('the centre square and its middle half, mirrored', () => {
    const views = fixedViews({ width: 300, height: 200 });
    expect(views).toEqual([
      { top: 0, left: 50, size: 200, flip: false, brightness: 0 },
      { top: 50, left: 100, size: 100, flip: true, brightness: 0 },
    ]);
    expect(views).toHaveLength(FIXED_VIEW_COUNT);
    expect(withFixedViews(few.slice(0, 1)).map((s) => s.id)).toEqual([few[0].id, `${few[0].id}#view1`]);
  });

  it('feature extraction with cached views embeds each training view once and trains on all of them', async () => {
    const trainer = new Trainer(net);
    const result = await trainer.train(few, fe({ cachedViews: true }));
    expect(result.cacheBytes).toBe(few.length * FIXED_VIEW_COUNT * 256 * 4);
    expect(result.evaluation!.confusion.flat().reduce((a, b) => a + b, 0)).toBe(few.length * FIXED_VIEW_COUNT);
    // A second run on the same photos reuses every cached view: no embedding work.
    const events: string[] = [];
    await trainer.train(few, fe({ cachedViews: true, epochs: 1 }), (e) => e.type === 'embed' && events.push(`${e.done}/${e.total}`));
    expect(events).toEqual([`${few.length * FIXED_VIEW_COUNT}/${few.length * FIXED_VIEW_COUNT}`]);
    await expect(trainer.train(few, fe({ cachedViews: true, augment: true }))).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    trainer.dispose();
  });

  it('a head trained on the fixed views predicts by averaging them; a saved head keeps that, an older one predicts on the centre', async () => {
    const photo = squarePhotos(classNames, 1, 3)[0].pixels;
    const through = (model: tf.LayersModel, views: ReturnType<typeof fixedViews>) =>
      tf.tidy(() => Array.from((model.predict(toInputBatch(views.map(() => photo), views)) as tf.Tensor).mean(0).dataSync()));
    const viewed = new Trainer(net);
    await viewed.train(few, fe({ cachedViews: true }));
    const answer = await viewed.predict(photo);
    const exported = viewed.exportModel();
    const averaged = through(exported, fixedViews(photo));
    const centre = through(exported, fixedViews(photo).slice(0, 1));
    expect(answer.views).toBe(FIXED_VIEW_COUNT);
    answer.probabilities.forEach((p, i) => expect(p).toBeCloseTo(averaged[i], 5));
    expect(answer.probabilities[0]).not.toBeCloseTo(centre[0], 4);
    const saved = await viewed.headWeights();
    expect(saved.testTimeViews).toBe(true);
    const restored = new Trainer(net);
    await restored.loadHead(saved);
    expect(await restored.predict(photo)).toMatchObject({ views: FIXED_VIEW_COUNT, label: answer.label });
    const older = { ...saved };
    delete older.testTimeViews;
    await restored.loadHead(older);
    const old = await restored.predict(photo);
    expect(old.views).toBe(1);
    old.probabilities.forEach((p, i) => expect(p).toBeCloseTo(centre[i], 5));
    const plain = new Trainer(net);
    await plain.train(few, fe());
    expect((await plain.predict(photo)).views).toBe(1);
    expect((await plain.headWeights()).testTimeViews).toBeUndefined();
    [viewed, restored, plain].forEach((t) => t.dispose());
  });

  it('dropout acts only while training (predictions are repeatable and survive a save); L2 shrinks the head', async () => {
    const plain = new Trainer(net);
    await plain.train(few, fe());
    const decayed = new Trainer(net);
    await decayed.train(few, fe({ l2: 0.1 }));
    expect(await kernelNormOf(decayed)).toBeLessThan(0.9 * (await kernelNormOf(plain)));
    const dropped = new Trainer(net);
    await dropped.train(few, fe({ dropout: 0.5 }));
    const first = (await dropped.predict(few[0].pixels)).probabilities;
    expect((await dropped.predict(few[0].pixels)).probabilities).toEqual(first);
    const restored = new Trainer(net);
    await restored.loadHead(await dropped.headWeights());
    (await restored.predict(few[0].pixels)).probabilities.forEach((p, i) => expect(p).toBeCloseTo(first[i], 5));
    await expect(plain.train(few, fe({ dropout: 1 }))).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER' });
    [plain, decayed, dropped, restored].forEach((t) => t.dispose());
  });

  it('dropout drops other units at each training step, the same ones for the same step seed, none at inference', () => {
    const head = createHead({ embeddingSize: 8, hiddenUnits: 64, numClasses: 2, dropout: 0.5 }, 3);
    const e = tf.ones([1, 8]);
    const read = (seed?: number) => tf.tidy(() => Array.from(headLogits(head, e, seed).dataSync()));
    expect(read(1)).toEqual(read(1));
    expect(read(1)).not.toEqual(read(2));
    expect(read()).toEqual(read());
    expect(read()).not.toEqual(read(1));
    head.dispose();
    e.dispose();
  });
});
