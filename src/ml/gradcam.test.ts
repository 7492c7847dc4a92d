import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { classActivation } from './gradcam';
import { classify } from './mobilenet';
import { CAT_PNG, centreSquare, readPng, testNet } from './testing/fixtures';
import type { Pixels } from './types';

const CHANNELS = 8;
const HIDDEN = 6;

/** A tiny Grad-CAM-shaped net: 224² photo → conv 32×32 stride 32 + ReLU (the 7×7×8 map A) → GAP → Dense(6, relu) → Dense(3) → softmax. */
function tinyNet(): tf.Sequential {
  const init = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
  const net = tf.sequential();
  net.add(tf.layers.conv2d({ name: 'features', inputShape: [224, 224, 3], filters: CHANNELS, kernelSize: 32, strides: 32, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: 1 }) }));
  net.add(tf.layers.globalAveragePooling2d({}));
  net.add(tf.layers.dense({ units: HIDDEN, activation: 'relu', kernelInitializer: init(2), biasInitializer: init(3) }));
  net.add(tf.layers.dense({ units: 3, kernelInitializer: init(4), biasInitializer: init(5) }));
  net.add(tf.layers.activation({ activation: 'softmax' }));
  return net;
}

/** A photo of seeded noise. */
function noisePhoto(width: number, height: number, seed: number): Pixels {
  let s = seed;
  const data = Uint8Array.from({ length: width * height * 3 }, () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 24) & 255);
  return { width, height, data, channels: 3 };
}

/**
 * The reference in float64, independent of tfjs' gradients: z_c(A) = W₂·ReLU(W₁·mean(A) + b₁) + b₂ written out, its
 * derivative by central differences (ε = 1e-6) over every entry of A, then αₖ and ReLU(Σₖ αₖ Aᵏ) / max.
 */
async function finiteDifference(net: tf.Sequential, photo: Pixels, c: number): Promise<{ alpha: number[]; grid: number[] }> {
  const features = tf.model({ inputs: net.inputs, outputs: net.getLayer('features').output as tf.SymbolicTensor });
  const { preprocess } = await import('./mobilenet');
  const input = preprocess(photo);
  const out = features.predict(input) as tf.Tensor;
  const a = Array.from(await out.data());
  tf.dispose([input, out]);
  const [w1, b1, w2, b2] = await Promise.all([...net.layers[2].getWeights(), ...net.layers[3].getWeights()].map(async (w) => Array.from(await w.data())));
  const cells = 49;
  const k = CHANNELS;
  const hidden = HIDDEN;
  const score = (x: number[]) => {
    const pooled = Array.from({ length: k }, (_, ch) => x.filter((_, i) => i % k === ch).reduce((s, v) => s + v, 0) / cells);
    const h = Array.from({ length: hidden }, (_, j) => Math.max(0, b1[j] + pooled.reduce((s, p, ch) => s + p * w1[ch * hidden + j], 0)));
    return b2[c] + h.reduce((s, v, j) => s + v * w2[j * 3 + c], 0);
  };
  const eps = 1e-6;
  const gradient = a.map((_, i) => {
    const up = a.slice();
    const down = a.slice();
    up[i] += eps;
    down[i] -= eps;
    return (score(up) - score(down)) / (2 * eps);
  });
  const alpha = Array.from({ length: k }, (_, ch) => gradient.filter((_, i) => i % k === ch).reduce((s, v) => s + v, 0) / cells);
  const raw = Array.from({ length: cells }, (_, p) => Math.max(0, alpha.reduce((s, al, ch) => s + al * a[p * k + ch], 0)));
  const top = Math.max(...raw);
  return { alpha, grid: raw.map((v) => (top > 0 ? v / top : 0)) };
}

/** Pastes `photo` (RGB or RGBA) onto a plain grey canvas at (left, top). */
function paste(photo: Pixels, width: number, height: number, left: number, top: number): Pixels {
  const data = new Uint8Array(width * height * 3).fill(200);
  for (let y = 0; y < photo.height; y++) {
    for (let x = 0; x < photo.width; x++) {
      for (let ch = 0; ch < 3; ch++) data[((top + y) * width + left + x) * 3 + ch] = photo.data[(y * photo.width + x) * photo.channels + ch];
    }
  }
  return { width, height, data, channels: 3 };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(['cpu', 'wasm'])('Grad-CAM on %s', (backend) => {
  it('matches a finite-difference reference on a tiny conv → ReLU → GAP → Dense net, for every class, leaving no tensor', async () => {
    await tf.setBackend(backend);
    const net = tinyNet();
    const photo = noisePhoto(300, 224, 11);
    for (const c of [0, 1, 2]) {
      const before = tf.memory().numTensors;
      const cam = await classActivation(net, photo, c, 'features');
      expect(tf.memory().numTensors).toBe(before);
      const reference = await finiteDifference(net, photo, c);
      const alphaDiff = maxDiff(cam.channelWeights, reference.alpha);
      const gridDiff = maxDiff(cam.grid, reference.grid);
      const lit = reference.grid.filter((v) => v > 0).length;
      console.info(`[gradcam ${backend}] class ${c}: ${lit} of 49 cells lit, max |α − α_fd| = ${alphaDiff.toExponential(2)} (|α| up to ${Math.max(...reference.alpha.map(Math.abs)).toFixed(3)}), max |map − map_fd| = ${gridDiff.toExponential(2)}`);
      expect(cam.classIndex).toBe(c);
      expect([cam.height, cam.width, cam.grid.length]).toEqual([7, 7, 49]);
      expect(alphaDiff).toBeLessThan(1e-4 * Math.max(...reference.alpha.map(Math.abs)) + 1e-6);
      expect(gridDiff).toBeLessThan(1e-3);
      // Not a vacuous match of two empty maps; the peak is the reference's top cell, placed in the uncropped 300×224 photo.
      expect(lit).toBeGreaterThan(0);
      const cell = reference.grid.indexOf(1);
      expect(cam.crop).toEqual({ x: 38 / 300, y: 0, width: 224 / 300, height: 1 });
      expect(cam.peakX).toBeCloseTo((38 + (((cell % 7) + 0.5) / 7) * 224) / 300, 6);
      expect(cam.peakY).toBeCloseTo((Math.floor(cell / 7) + 0.5) / 7, 6);
    }
    // Without a class it explains the top one.
    const top = await classActivation(net, photo, undefined, 'features');
    expect(top.classIndex).toBe(top.probabilities.indexOf(Math.max(...top.probabilities)));
    net.dispose();
  });
});

describe('Grad-CAM on MobileNet (ImageNet head)', () => {
  it('finds a cat pasted onto the left half of a plain background on the left, also through the centre crop of a wider photo', async () => {
    const net = await testNet();
    const cat = centreSquare(readPng(CAT_PNG), 224);
    const square = paste(cat, 448, 448, 0, 112);
    const before = tf.memory().numTensors;
    const cam = await classActivation(net.model, square);
    expect(tf.memory().numTensors).toBe(before);
    const top = await classify(net, square, 1);
    console.info(`[gradcam] cat on the left: class ${cam.classIndex} (${net.classNames[cam.classIndex]}), peak (${cam.peakX?.toFixed(3)}, ${cam.peakY?.toFixed(3)}), ${before} tensors before and after`);
    // ImageNet's cats are classes 281–287; the explained class is the model's own top answer.
    expect(cam.classIndex).toBe(top[0].index);
    expect(cam.classIndex).toBeGreaterThanOrEqual(281);
    expect(cam.classIndex).toBeLessThanOrEqual(287);
    expect(cam.probabilities[cam.classIndex]).toBeCloseTo(top[0].probability, 4);
    expect(cam.peakX!).toBeLessThan(0.5);
    expect(cam.peakY!).toBeGreaterThan(0.25);
    expect(cam.peakY!).toBeLessThan(0.75);
    expect(Math.max(...cam.grid)).toBe(1);
    // The right half (plain grey) holds less of the map than the left half, where the cat is.
    const half = (left: boolean) => cam.grid.reduce((s, v, i) => s + ((i % 7 < 3) === left && i % 7 !== 3 ? v : 0), 0);
    expect(half(true)).toBeGreaterThan(half(false));

    // The same square with 100 grey columns either side: the engine crops it back, and the peak lands on the same spot of the wider photo.
    const wide = paste(square, 648, 448, 100, 0);
    const widened = await classActivation(net.model, wide);
    expect(widened.crop.x).toBeCloseTo(100 / 648, 6);
    expect(widened.crop.width).toBeCloseTo(448 / 648, 6);
    expect(widened.classIndex).toBe(cam.classIndex);
    expect(widened.peakX!).toBeCloseTo((100 + cam.peakX! * 448) / 648, 6);
    expect(widened.peakY!).toBeCloseTo(cam.peakY!, 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a class the model does not have and a model without the cut, with typed errors and no tensor left', async () => {
    const net = await testNet();
    const photo = noisePhoto(224, 224, 3);
    const before = tf.memory().numTensors;
    await expect(classActivation(net.model, photo, 1000)).rejects.toMatchObject({ code: 'BAD_HYPERPARAMETER', details: { name: 'classIndex' } });
    await expect(classActivation(net.model, photo, 0, 'no_such_layer')).rejects.toMatchObject({ code: 'MODEL', details: { layer: 'no_such_layer' } });
    expect(tf.memory().numTensors).toBe(before);
  });
});
