import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { MobileNet } from './mobilenet';
import { inventory, plans } from './layers';
import { squarePhotos, testNet } from './testing/fixtures';
import { CHUNK } from './step';
import { Trainer } from './train';
import type { TrainOptions } from './options';
import type { DecodedSample, Sample } from './types';

let net: MobileNet;
let decoded: DecodedSample[];
const classNames = ['shoes', 'hat'];

beforeAll(async () => {
  await tf.setBackend('cpu');
  net = await testNet();
  decoded = squarePhotos(classNames, 10);
});

/** The same photos held encoded: each load counted, and how many were being decoded at once at most. */
function encoded(photos: DecodedSample[]) {
  const stats = { loads: 0, inFlight: 0, maxInFlight: 0 };
  const samples: Sample[] = photos.map((s) => ({
    id: s.id,
    label: s.label,
    pixels: {
      width: s.pixels.width,
      height: s.pixels.height,
      load: async () => {
        stats.loads++;
        stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
        await new Promise((r) => setTimeout(r, 1));
        stats.inFlight--;
        return { ...s.pixels, data: s.pixels.data.slice() };
      },
    },
  }));
  return { samples, stats };
}

const common = { classNames, batchSize: 4, learningRate: 1e-3, validationSplit: 0, seed: 3 } satisfies Partial<TrainOptions>;

describe('photos held encoded, decoded a batch at a time', () => {
  it('feature extraction decodes each photo once, at most a chunk at a time, and learns what the decoded photos teach', async () => {
    const { samples, stats } = encoded(decoded);
    const options: TrainOptions = { ...common, mode: 'feature-extraction', epochs: 3 };
    const fromEncoded = await new Trainer(net).train(samples, options);
    const fromDecoded = await new Trainer(net).train(decoded, options);
    expect(stats.loads).toBe(decoded.length);
    expect(stats.maxInFlight).toBeLessThanOrEqual(CHUNK);
    expect(fromEncoded.history.map((e) => e.loss)).toEqual(fromDecoded.history.map((e) => e.loss));
  });

  it('fine-tuning decodes each batch when it trains on it: once per photo per epoch, never more than a batch or a scoring chunk at once', async () => {
    const { samples, stats } = encoded(decoded);
    const trainer = new Trainer(net);
    const options: TrainOptions = { ...common, mode: 'fine-tune', plan: plans.topBlocks(inventory(net.model), 1), epochs: 2, useCache: false };
    const result = await trainer.train(samples, options);
    // Two epochs of training, then the final evaluation on the training set (no validation split).
    expect(stats.loads).toBe(decoded.length * 3);
    // A training batch (4) or a scoring chunk (the evaluation's 12 photos, under CHUNK), never the project.
    expect(stats.maxInFlight).toBeLessThanOrEqual(Math.max(common.batchSize, CHUNK));
    expect(result.history).toHaveLength(2);
  });

  it('a photo that cannot be decoded fails the run with the error its loader gives', async () => {
    const { samples } = encoded(decoded);
    samples[1] = { ...samples[1], pixels: { width: 224, height: 224, load: () => Promise.reject(new Error('undecodable')) } };
    await expect(new Trainer(net).train(samples, { ...common, mode: 'feature-extraction', epochs: 1 })).rejects.toThrow(/undecodable/);
  });
});
