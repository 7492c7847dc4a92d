import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { INSIGHT_LAYERS, convFilters, embeddings, featureMaps, pca2 } from './insight';
import { EMBEDDING_LAYER, preprocess, truncatedModel } from './mobilenet';
import { rng } from './random';
import { CAT_PNG, readPng, shrink, squarePhotos, testNet } from './testing/fixtures';
import { EngineError } from './types';

describe('feature maps', () => {
  it('returns the most active channels of conv1, block 6 and block 13, equal to a truncated model, without leaking', async () => {
    const net = await testNet();
    const cat = shrink(readPng(CAT_PNG));
    const before = tf.memory().numTensors;
    const maps = await featureMaps(net.model, cat, INSIGHT_LAYERS, 8);
    expect(tf.memory().numTensors).toBe(before);
    expect(maps.map((m) => [m.layer, m.height, m.width, m.channels, m.picked.length])).toEqual([
      ['conv1_relu', 112, 112, 8, 8],
      ['conv_pw_6_relu', 14, 14, 128, 8],
      [EMBEDDING_LAYER, 7, 7, 256, 8],
    ]);
    for (const m of maps) {
      const reference = tf.tidy(() => truncatedModel(net, m.layer).predict(preprocess(cat)) as tf.Tensor4D);
      const ref = await reference.data();
      const means = await tf.tidy(() => tf.mean(reference, [0, 1, 2])).data();
      reference.dispose();
      const sortedMeans = Array.from(means).sort((a, b) => b - a);
      expect(m.means).toEqual(sortedMeans.slice(0, 8));
      m.picked.forEach((ch, k) => {
        expect(m.means[k]).toBe(means[ch]);
        let max = 0;
        for (let p = 0; p < m.height * m.width; p++) {
          expect(m.maps[k * m.height * m.width + p]).toBeCloseTo(ref[p * m.channels + ch], 5);
          max = Math.max(max, ref[p * m.channels + ch]);
        }
        expect(m.maxima[k]).toBeCloseTo(max, 5);
      });
      expect(new Set(m.picked).size).toBe(m.picked.length);
    }
    // A cat is not a blank frame: the deep layer responds.
    expect(maps[2].maxima[0]).toBeGreaterThan(0);
  });

  it('rejects a layer the model does not have, and an empty image, with a typed error', async () => {
    const net = await testNet();
    const cat = shrink(readPng(CAT_PNG));
    await expect(featureMaps(net.model, cat, ['conv1_relu', 'no_such_layer'])).rejects.toMatchObject({ code: 'MODEL' });
    await expect(featureMaps(net.model, { width: 0, height: 0, channels: 3, data: new Uint8Array(0) }, ['conv1_relu'])).rejects.toBeInstanceOf(EngineError);
  });

  it("draws conv1's 8 filters as 3×3 RGB images equal to its kernel", async () => {
    const net = await testNet();
    const before = tf.memory().numTensors;
    const filters = await convFilters(net.model);
    expect(tf.memory().numTensors).toBe(before);
    const kernel = net.model.getLayer('conv1').getWeights()[0];
    expect(kernel.shape).toEqual([3, 3, 3, 8]);
    const k = (await kernel.array()) as number[][][][];
    expect(filters).toMatchObject({ layer: 'conv1', size: 3, count: 8 });
    expect(filters.data).toHaveLength(8 * 27);
    for (let f = 0; f < 8; f++)
      for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) for (let c = 0; c < 3; c++) expect(filters.data[((f * 3 + y) * 3 + x) * 3 + c]).toBe(k[y][x][c][f]);
  });
});

describe('embeddings', () => {
  it('are the global average of conv_pw_13_relu, 256 numbers per photo, batch by batch, without leaking', async () => {
    const net = await testNet();
    const photos = squarePhotos(['dress', 'shoes'], 2).map((s) => s.pixels);
    const before = tf.memory().numTensors;
    const vectors = await embeddings(net.model, photos, EMBEDDING_LAYER, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(vectors.map((v) => v.length)).toEqual([256, 256, 256, 256]);
    const cut = truncatedModel(net);
    for (let i = 0; i < photos.length; i++) {
      const pooled = tf.tidy(() => tf.mean(cut.predict(preprocess(photos[i])) as tf.Tensor, [0, 1, 2]));
      const ref = await pooled.data();
      pooled.dispose();
      vectors[i].forEach((x, k) => expect(x).toBeCloseTo(ref[k], 5));
    }
  });
});

describe('pca2', () => {
  /** Points spread mostly along `u`, less along `w`, with a little noise in every direction. */
  function synthetic(n: number, d: number, seed: number) {
    const random = rng(seed);
    const u = Float64Array.from({ length: d }, (_, k) => (k % 3 === 0 ? 1 : -0.5));
    const w = Float64Array.from({ length: d }, (_, k) => (k % 3 === 1 ? 1 : k % 3 === 2 ? -1 : 0));
    const norm = (v: Float64Array) => v.map((x) => x / Math.hypot(...v));
    const [uu, ww] = [norm(u), norm(w)];
    const t = Array.from({ length: n }, () => (random() - 0.5) * 20);
    const s = Array.from({ length: n }, () => (random() - 0.5) * 4);
    const vectors = t.map((ti, i) => Float32Array.from({ length: d }, (_, k) => 3 + ti * uu[k] + s[i] * ww[k] + (random() - 0.5) * 0.05));
    return { vectors, u: uu, w: ww, t, s };
  }
  const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((sum, x, k) => sum + x * b[k], 0);
  const correlation = (a: number[], b: number[]) => {
    const ma = a.reduce((x, y) => x + y, 0) / a.length;
    const mb = b.reduce((x, y) => x + y, 0) / b.length;
    const cov = a.reduce((x, ai, i) => x + (ai - ma) * (b[i] - mb), 0);
    return cov / Math.sqrt(a.reduce((x, ai) => x + (ai - ma) ** 2, 0) * b.reduce((x, bi) => x + (bi - mb) ** 2, 0));
  };

  it('finds the dominant direction first and the next one second, orthogonal, with the variance they explain', () => {
    const { vectors, u, w, t, s } = synthetic(60, 32, 5);
    const p = pca2(vectors);
    expect(Math.abs(dot(p.components[0], u))).toBeGreaterThan(0.999);
    expect(Math.abs(dot(p.components[1], w))).toBeGreaterThan(0.99);
    expect(Math.abs(dot(p.components[0], p.components[1]))).toBeLessThan(1e-6);
    expect(Math.abs(correlation(p.points.map((q) => q[0]), t))).toBeGreaterThan(0.999);
    expect(Math.abs(correlation(p.points.map((q) => q[1]), s))).toBeGreaterThan(0.99);
    // Var(t) = 20²/12 ≈ 33, Var(s) = 4²/12 ≈ 1.3: the first component carries ~96 % of the variance.
    expect(p.explained[0]).toBeGreaterThan(0.9);
    expect(p.explained[1]).toBeGreaterThan(0.02);
    expect(p.explained[0] + p.explained[1]).toBeLessThanOrEqual(1 + 1e-9);
    // Projections are centred.
    expect(Math.abs(p.points.reduce((a, q) => a + q[0], 0))).toBeLessThan(1e-6);
  });

  it('is deterministic, with the sign fixed by the largest entry', () => {
    const { vectors } = synthetic(40, 16, 9);
    const a = pca2(vectors);
    const b = pca2(vectors.map((v) => v.slice()));
    expect(b.points).toEqual(a.points);
    for (const c of a.components) {
      const big = Array.from(c).reduce((bi, x, k) => (Math.abs(x) > Math.abs(c[bi]) ? k : bi), 0);
      expect(c[big]).toBeGreaterThan(0);
    }
  });

  it('gives zeros for identical points and refuses mixed lengths', () => {
    const same = Array.from({ length: 4 }, () => Float32Array.from([1, 2, 3]));
    expect(pca2(same)).toMatchObject({ points: [[0, 0], [0, 0], [0, 0], [0, 0]], explained: [0, 0] });
    expect(() => pca2([new Float32Array(3), new Float32Array(4)])).toThrow(EngineError);
  });
});
