import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { TunableBase } from './base';
import { FoldedWeights, steps } from './fold';
import { inventory, learnableWeights, plans } from './layers';
import { EMBEDDING_LAYER, preprocess, truncatedModel } from './mobilenet';
import type { MobileNet } from './mobilenet';
import { embed, pool, splitBase, suffixForward } from './suffix';
import { globalDiff, relativeDiff } from './testing/compare';
import { squarePhotos, testNet } from './testing/fixtures';
import type { DecodedSample } from './types';

let net: MobileNet;
let shots: DecodedSample[];

beforeAll(async () => {
  net = await testNet();
  shots = squarePhotos(['shoes', 'hat'], 1);
  expect(await chooseBackend({ requested: 'wasm' })).toMatchObject({ name: 'wasm' });
});

afterAll(async () => {
  await tf.setBackend('cpu');
});

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('conv → BatchNorm → ReLU6 folded into one convolution', () => {
  it('cuts MobileNet into 27 blocks, every conv with its BatchNorm and ReLU6', () => {
    const all = steps(net.model.layers.slice(1, net.model.layers.findIndex((l) => l.name === EMBEDDING_LAYER) + 1));
    const blocks = all.flatMap((s) => ('block' in s ? [s.block] : []));
    expect(all).toHaveLength(27);
    expect(blocks.every((b) => b.relu6)).toBe(true);
    expect(blocks.filter((b) => b.depthwise)).toHaveLength(13);
  });

  for (const backend of ['cpu', 'wasm']) {
    it(`embeds real photos as the Keras layers do, within 1e-4, on ${backend}, and leaks nothing`, async () => {
      await tf.setBackend(backend);
      // A net of its own: its folds start empty (loadMobileNet fills them at once).
      const mine = { ...net, folds: new FoldedWeights() };
      const base = await TunableBase.copy(mine);
      const keras = truncatedModel({ ...net, model: base.model });
      const before = tf.memory().numTensors;
      for (const shot of shots) {
        const [folded, reference] = tf.tidy(() => {
          const input = preprocess(shot.pixels);
          return [embed(base, input), pool(keras.predict(input) as tf.Tensor)];
        });
        expect(maxAbsDiff(folded, reference)).toBeLessThan(1e-4);
        tf.dispose([folded, reference]);
      }
      // 27 folded filters and biases, kept by the net for every copy of the base, and no more on the next call.
      expect(tf.memory().numTensors).toBe(before + 54);
      tf.dispose(tf.tidy(() => embed(base, preprocess(shots[0].pixels))));
      expect(tf.memory().numTensors).toBe(before + 54);
      // A second copy (a new training slot) folds nothing anew.
      const second = await TunableBase.copy(mine);
      const withSecond = tf.memory().numTensors;
      tf.dispose(tf.tidy(() => embed(second, preprocess(shots[0].pixels))));
      expect(tf.memory().numTensors).toBe(withSecond);
      second.dispose();
      base.dispose();
      mine.folds.dispose();
      expect(tf.memory().numTensors).toBe(before - base.model.weights.length);
    });
  }

  it('refolds a layer whose weights changed', async () => {
    await tf.setBackend('wasm');
    const base = await TunableBase.copy(net);
    const keras = truncatedModel({ ...net, model: base.model });
    const input = preprocess(shots[0].pixels);
    tf.dispose(embed(base, input));
    const layer = base.model.getLayer('conv_pw_13');
    layer.weights[0].write(tf.tidy(() => layer.weights[0].read().mul(0.5)));
    base.model.getLayer('conv_pw_13_bn').weights[1].write(tf.tidy(() => tf.fill([256], 0.25)));
    const [folded, reference] = tf.tidy(() => [embed(base, input), pool(keras.predict(input) as tf.Tensor)]);
    expect(maxAbsDiff(folded, reference)).toBeLessThan(1e-4);
    // The changed layer folds on its own: a fresh copy still embeds as the downloaded model.
    const fresh = await TunableBase.copy(net);
    const [again, original] = tf.tidy(() => [embed(fresh, input), pool(truncatedModel(net).predict(input) as tf.Tensor)]);
    expect(maxAbsDiff(again, original)).toBeLessThan(1e-4);
    tf.dispose([folded, reference, again, original, input]);
    fresh.dispose();
    base.dispose();
  });

  it("trains with the Keras layers' own gradients, every layer trainable (wasm), leaking nothing", async () => {
    await tf.setBackend('wasm');
    const base = await TunableBase.copy(net);
    const split = splitBase(base, plans.everything(inventory(base.model)));
    const vars = split.suffix.flatMap((l) => learnableWeights(l).map((w) => w.read() as tf.Variable));
    const readout = tf.tidy(() => tf.randomNormal([256, 3], 0, 1, 'float32', 9));
    const gradients = async (forward: (images: tf.Tensor4D) => tf.Tensor2D, jitter = 0, seed = 4) => {
      const grads = tf.tidy(() => {
        const photos = tf.concat(shots.map((s) => preprocess(s.pixels)));
        const images = jitter ? photos.mul(tf.randomUniform(photos.shape, 1 - jitter, 1 + jitter, 'float32', seed)) : photos;
        const { grads } = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(forward(images as tf.Tensor4D), readout))), vars);
        return vars.map((v) => grads[v.name]);
      });
      const values = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
      tf.dispose(grads);
      return values;
    };
    const keras = (images: tf.Tensor4D) => pool(split.suffix.reduce((h, l) => l.apply(h, { training: false }) as tf.Tensor, images as tf.Tensor));
    const before = tf.memory().numTensors;
    const folded = await gradients((images) => suffixForward(split, images));
    expect(tf.memory().numTensors).toBe(before);
    const layers = await gradients(keras);
    // Folding rounds differently (~1e-6), and an activation that close to a ReLU6 kink flips its mask: the yardstick
    // is the Keras layers against themselves with the photos moved by one part in 10⁵ (the largest of four moves).
    const floors = [];
    for (const seed of [4, 5, 6, 7]) floors.push(globalDiff(await gradients(keras, 1e-5, seed), layers));
    expect(globalDiff(folded, layers)).toBeLessThan(Math.max(...floors));
    // The top block has no kink below it to flip: there the two agree to float rounding.
    vars.slice(-3).forEach((v, i) => expect(relativeDiff(folded[vars.length - 3 + i], layers[vars.length - 3 + i]), v.name).toBeLessThan(1e-4));
    tf.dispose([readout]);
    base.dispose();
  });
});
