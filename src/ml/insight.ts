import * as tf from '@tensorflow/tfjs';
import { centreView, checkPixels, checkSource, decodeAll, toInputBatch } from './image';
import { EMBEDDING_LAYER, preprocess } from './mobilenet';
import { EngineError } from './types';
import type { PixelSource, Pixels } from './types';
import { breathe } from './yield';

/** The layers "see inside the network" shows by default: the stem, a middle block and the embedding cut. */
export const INSIGHT_LAYERS = ['conv1_relu', 'conv_pw_6_relu', EMBEDDING_LAYER] as const;

/** One layer's activation for one photo, reduced to its most active channels. */
export interface FeatureMap {
  layer: string;
  height: number;
  width: number;
  /** Channels the layer has in all. */
  channels: number;
  /** Indexes of the channels kept, most active first (mean activation over the map, ties by index). */
  picked: number[];
  /** Mean activation of each picked channel. */
  means: number[];
  /** Largest activation in each picked channel. */
  maxima: number[];
  /** The picked channels' maps, one after another, each row-major height × width. */
  maps: Float32Array;
}

/** conv1's learned 3×3×3 filters, as RGB images of `size`×`size`. */
export interface ConvFilters {
  layer: string;
  size: number;
  count: number;
  /** Filter-major, then row, column, colour: data[((f·size + y)·size + x)·3 + c]. */
  data: Float32Array;
}

function layerOf(model: tf.LayersModel, name: string): tf.layers.Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) throw new EngineError('MODEL', `The model has no layer named ${name}.`, { layer: name });
  return layer;
}

/** Indexes of the `k` largest values, largest first; equal values keep index order (deterministic). */
function topIndexes(values: ArrayLike<number>, k: number): number[] {
  return Array.from(values, (v, i) => ({ v, i }))
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, k)
    .map((e) => e.i);
}

/**
 * Activations of `layerNames` for one photo through `model` (MobileNet, or a trainer's fine-tuned pipeline: any
 * model that holds those layers), in inference mode. Per layer the `channels` channels with the highest mean
 * activation are kept: ReLU6 outputs are ≥ 0, so "most active" is the channel that responds most to this photo.
 */
export async function featureMaps(model: tf.LayersModel, pixels: Pixels, layerNames: readonly string[], channels = 8): Promise<FeatureMap[]> {
  checkPixels(pixels);
  const layers = layerNames.map((n) => layerOf(model, n));
  const probe = tf.model({ inputs: model.inputs, outputs: layers.map((l) => l.output as tf.SymbolicTensor) });
  const outputs = tf.tidy(() => {
    const out = probe.predict(preprocess(pixels));
    return Array.isArray(out) ? out : [out];
  });
  try {
    return await Promise.all(
      outputs.map(async (out, i) => {
        const [, height, width, depth] = out.shape as number[];
        const mean = tf.mean(out, [0, 1, 2]);
        const [values, meanValues] = await Promise.all([out.data(), mean.data()]).finally(() => mean.dispose());
        const picked = topIndexes(meanValues, Math.min(channels, depth));
        const maps = new Float32Array(picked.length * height * width);
        const maxima = picked.map(() => 0);
        picked.forEach((ch, k) => {
          for (let p = 0; p < height * width; p++) {
            const v = values[p * depth + ch];
            maps[k * height * width + p] = v;
            if (v > maxima[k]) maxima[k] = v;
          }
        });
        return { layer: layerNames[i], height, width, channels: depth, picked, means: picked.map((c) => meanValues[c]), maxima, maps };
      }),
    );
  } finally {
    tf.dispose(outputs);
  }
}

/** The first convolution's kernels [kh, kw, 3, n] rearranged as n small RGB images (filter-major). */
export async function convFilters(model: tf.LayersModel, layerName = 'conv1'): Promise<ConvFilters> {
  const kernel = layerOf(model, layerName).getWeights()[0];
  if (!kernel || kernel.rank !== 4 || kernel.shape[0] !== kernel.shape[1] || kernel.shape[2] !== 3) {
    throw new EngineError('MODEL', `${layerName} is not a square convolution over RGB.`, { layer: layerName });
  }
  const [size, , , count] = kernel.shape as number[];
  const reordered = tf.transpose(kernel, [3, 0, 1, 2]);
  const data = (await reordered.data()) as Float32Array;
  reordered.dispose();
  return { layer: layerName, size, count, data };
}

/**
 * Pooled embeddings (global average of `layer`, 7×7×256 → 256 for MobileNet v1 0.25) of each photo, the vector the
 * head reads; computed `batchSize` photos at a time with a breath for the event loop between batches.
 */
export async function embeddings(model: tf.LayersModel, photos: readonly PixelSource[], layer: string = EMBEDDING_LAYER, batchSize = 16): Promise<Float32Array[]> {
  photos.forEach((p, i) => checkSource(p, String(i)));
  const cut = tf.model({ inputs: model.inputs, outputs: layerOf(model, layer).output as tf.SymbolicTensor });
  const result: Float32Array[] = [];
  for (let i = 0; i < photos.length; i += batchSize) {
    const batch = await decodeAll(photos.slice(i, i + batchSize));
    const pooled = tf.tidy(() => tf.mean(cut.predict(toInputBatch(batch, batch.map(centreView))) as tf.Tensor, [1, 2]));
    const [n, d] = pooled.shape;
    const values = (await pooled.data()) as Float32Array;
    pooled.dispose();
    for (let r = 0; r < n; r++) result.push(values.slice(r * d, (r + 1) * d));
    await breathe();
  }
  return result;
}

export interface Projection {
  /** Each embedding's coordinates on the two principal components. */
  points: [number, number][];
  /** The two unit directions (length d), each signed so its largest-magnitude entry is positive. */
  components: [Float64Array, Float64Array];
  /** Fraction of the total variance along each component (0..1). */
  explained: [number, number];
}

/** Dominant eigenvector of the symmetric matrix `c` (d×d, row-major) by power iteration from a fixed start. */
function dominant(c: Float64Array, d: number, iterations: number): { vector: Float64Array; value: number } {
  // A fixed, non-symmetric start keeps the result deterministic and almost surely not orthogonal to the answer.
  let v = Float64Array.from({ length: d }, (_, i) => 1 + ((i * 7919) % 97) / 97);
  let value = 0;
  for (let it = 0; it < iterations; it++) {
    const w = new Float64Array(d);
    for (let r = 0; r < d; r++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += c[r * d + k] * v[k];
      w[r] = s;
    }
    const norm = Math.hypot(...w);
    if (norm === 0) return { vector: new Float64Array(d), value: 0 };
    let change = 0;
    for (let r = 0; r < d; r++) {
      w[r] /= norm;
      change = Math.max(change, Math.abs(w[r] - v[r]));
    }
    v = w;
    value = norm;
    if (change < 1e-12) break;
  }
  let big = 0;
  for (let r = 1; r < d; r++) if (Math.abs(v[r]) > Math.abs(v[big])) big = r;
  if (v[big] < 0) v = v.map((x) => -x);
  return { vector: v, value };
}

/**
 * Principal component analysis to 2-D: centre the embeddings, form the covariance C = XᵀX / n, take its top
 * eigenvector u₁ by power iteration (u ← Cu / ‖Cu‖), deflate C ← C − λ₁u₁u₁ᵀ, take u₂ the same way, and project
 * each centred embedding: (x·u₁, x·u₂). Pure arithmetic in float64, deterministic for the same input.
 */
export function pca2(vectors: readonly Float32Array[], iterations = 1000): Projection {
  const n = vectors.length;
  const d = n ? vectors[0].length : 0;
  if (vectors.some((v) => v.length !== d)) throw new EngineError('BAD_SAMPLE', 'Embeddings of different lengths cannot share a projection.');
  const mean = new Float64Array(d);
  vectors.forEach((v) => v.forEach((x, k) => (mean[k] += x / n)));
  const centred = vectors.map((v) => Float64Array.from(v, (x, k) => x - mean[k]));
  const cov = new Float64Array(d * d);
  for (const x of centred) {
    for (let r = 0; r < d; r++) {
      const xr = x[r] / n;
      if (xr === 0) continue;
      for (let k = r; k < d; k++) cov[r * d + k] += xr * x[k];
    }
  }
  let trace = 0;
  for (let r = 0; r < d; r++) {
    trace += cov[r * d + r];
    for (let k = r + 1; k < d; k++) cov[k * d + r] = cov[r * d + k];
  }
  const first = dominant(cov, d, iterations);
  for (let r = 0; r < d; r++) for (let k = 0; k < d; k++) cov[r * d + k] -= first.value * first.vector[r] * first.vector[k];
  const second = dominant(cov, d, iterations);
  const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, k) => s + x * b[k], 0);
  return {
    points: centred.map((x) => [dot(x, first.vector), dot(x, second.vector)]),
    components: [first.vector, second.vector],
    explained: trace > 0 ? [first.value / trace, second.value / trace] : [0, 0],
  };
}
