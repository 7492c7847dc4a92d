import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TunableBase } from './base';
import { centreView, toInputBatch } from './image';
import { inventory, plans } from './layers';
import type { MobileNet } from './mobilenet';
import { EMBEDDING_LAYER } from './mobilenet';
import { embed, prefixForward, splitBase } from './suffix';
import { squarePhotos, testNet } from './testing/fixtures';

// The wasm heap a batch needs is the most its tensors ever hold at once (tf.profile's peakBytes), and the heap keeps
// that size for good: these bounds are what keeps a 5,000-photo project's engine as light as a 10-photo one.

let net: MobileNet;
let base: TunableBase;
const n = 4;
/** Room for a layer's scalars and per-channel vectors (BatchNorm's scale and shift). */
const SMALL = 64 * 1024;
const photos = squarePhotos(['shoes', 'hat'], n / 2).map((s) => s.pixels);

beforeAll(async () => {
  await tf.setBackend('cpu');
  net = await testNet();
  base = await TunableBase.copy(net);
});
afterAll(() => base.dispose());

/** Bytes of the largest activation of one photo between input and embedding (MobileNet v1 0.25: 112×112×16 floats). */
function largestActivation(): number {
  const end = net.model.layers.findIndex((l) => l.name === EMBEDDING_LAYER);
  return Math.max(...net.model.layers.slice(1, end + 1).map((l) => (l.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1) * 4));
}

/** Bytes of every activation of one photo between input and embedding: what a pass that keeps them all would hold. */
function allActivations(): number {
  const end = net.model.layers.findIndex((l) => l.name === EMBEDDING_LAYER);
  return net.model.layers.slice(1, end + 1).reduce((sum, l) => sum + (l.outputShape as number[]).slice(1).reduce((a, b) => a * b, 1) * 4, 0);
}

describe('a batch holds one layer at a time, not the whole network', () => {
  it('the frozen prefix peaks at its input plus a few activations, and gives the same embedding as the model', async () => {
    const input = toInputBatch(photos, photos.map(centreView));
    const split = splitBase(base, plans.featureExtraction(inventory(base.model)));
    let out: tf.Tensor | null = null;
    const held = tf.memory().numBytes;
    const profile = await tf.profile(() => {
      out = prefixForward(split, input);
      return out;
    });
    const expected = tf.tidy(() => tf.mean(tf.model({ inputs: net.model.inputs, outputs: net.model.getLayer(EMBEDDING_LAYER).output as tf.SymbolicTensor }).predict(input) as tf.Tensor, [1, 2]));
    // A layer's input, output and one temporary are 3 photos' worth of the largest activation; keeping every
    // activation would be more than 10.
    expect(profile.peakBytes - held).toBeLessThanOrEqual(n * 3 * largestActivation() + SMALL);
    expect(allActivations()).toBeGreaterThan(10 * largestActivation());
    // The prefix runs folded convolutions (fold.ts): the same values up to float rounding.
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out!, expected))));
    expect((await diff.data())[0]).toBeLessThan(1e-4);
    diff.dispose();
    tf.dispose([input, out!, expected]);
  });

  it('the prediction path (input → embedding) is as light', async () => {
    const input = toInputBatch(photos, photos.map(centreView));
    const held = tf.memory().numBytes;
    const profile = await tf.profile(() => embed(base, input));
    tf.dispose(profile.result as tf.Tensor);
    expect(profile.peakBytes - held).toBeLessThanOrEqual(n * 3 * largestActivation() + SMALL);
    input.dispose();
  });

  it('the input batch costs its crops and their concatenation, not every intermediate of every photo', async () => {
    const before = tf.memory().numTensors;
    const held = tf.memory().numBytes;
    // Mirrored views: each photo goes through floats, a resampled crop and its scaling.
    const views = photos.map((p) => ({ ...centreView(p), flip: true }));
    const profile = await tf.profile(() => toInputBatch(photos, views));
    const out = profile.result as tf.Tensor;
    const perPhoto = photos[0].width * photos[0].height * 3 * 4;
    // Crops + concatenation (2 × output) plus one photo's intermediates at a time.
    expect(profile.peakBytes - held).toBeLessThanOrEqual(2 * out.size * 4 + 3 * perPhoto + SMALL);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
