import type * as tf from '@tensorflow/tfjs';
import { learnableWeights } from './layers';
import { meanAbsDelta } from './metrics';

/** Every weight tensor of some layers, copied to host memory, in layer order. */
export interface WeightSnapshot {
  layer: string;
  weight: string;
  /** Whether this run lets gradient descent change it. */
  trainable: boolean;
  values: Float32Array;
}

export async function snapshot(layers: readonly tf.layers.Layer[], trainable: ReadonlySet<tf.layers.Layer>): Promise<WeightSnapshot[]> {
  return Promise.all(
    layers.flatMap((layer) => {
      const learns = new Set(trainable.has(layer) ? learnableWeights(layer) : []);
      return layer.weights.map(async (w) => ({
        layer: layer.name,
        weight: w.name,
        trainable: learns.has(w),
        values: ((await w.read().data()) as Float32Array).slice(),
      }));
    }),
  );
}

/** Same bits, not just same value: compares the float32 words, so −0 vs 0 or a NaN payload would count. */
function bitIdentical(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export interface FrozenCheck {
  /** Frozen weight tensors compared (kernels, biases, BN gamma/beta and moving mean/variance). */
  checked: number;
  /** Float values inside those tensors. */
  values: number;
  /** Frozen tensors whose bits differ after the run: 0 means frozen really was frozen. */
  changed: number;
  /** `layer/weight` of each changed tensor. */
  changedNames: string[];
}

/**
 * Proof that frozen means frozen: every weight the run did not train is bit-identical to before. Which weights
 * trained is read from `after`, taken when the run ended (gradual unfreezing releases layers on the way).
 */
export function frozenCheck(before: readonly WeightSnapshot[], after: readonly WeightSnapshot[]): FrozenCheck {
  const frozen = before.map((b, i) => [b, after[i]] as const).filter(([, a]) => !a.trainable);
  const changedNames = frozen.filter(([b, a]) => !bitIdentical(b.values, a.values)).map(([b]) => `${b.layer}/${b.weight}`);
  return {
    checked: frozen.length,
    values: frozen.reduce((n, [b]) => n + b.values.length, 0),
    changed: changedNames.length,
    changedNames,
  };
}

/** mean |Δw| of each layer's trained weights over the run (which ones, as `after` says). */
export function layerDeltas(before: readonly WeightSnapshot[], after: readonly WeightSnapshot[]): { layer: string; meanAbsDelta: number }[] {
  const byLayer = new Map<string, { b: Float32Array[]; a: Float32Array[] }>();
  before.forEach((b, i) => {
    if (!after[i].trainable) return;
    const entry = byLayer.get(b.layer) ?? { b: [], a: [] };
    entry.b.push(b.values);
    entry.a.push(after[i].values);
    byLayer.set(b.layer, entry);
  });
  return [...byLayer].map(([layer, { b, a }]) => ({ layer, meanAbsDelta: meanAbsDelta(b, a) }));
}
