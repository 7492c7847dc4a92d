// The inner loops of a run: one gradient step, scoring a set, filling a bottleneck cache.
import * as tf from '@tensorflow/tfjs';
import type { BottleneckCache } from './cache';
import type { ParamGroup } from './groups';
import { headLogits } from './head';
import { shareGradients } from './data-parallel';
import { centreView, decodeAll, toInputBatch } from './image';
import type { View } from './image';
import type { TrainEvent } from './options';
import { prefixForward, suffixForward } from './suffix';
import type { BaseSplit } from './suffix';
import type { Sample } from './types';
import type { ViewedSample } from './views';
import { breathe } from './yield';

/** Photos per forward pass when filling a cache or scoring: bounds activation memory. */
export const CHUNK = 16;

/**
 * The one place training reads photos' pixels: a batch of samples through their views (the fixed view a sample
 * carries, else `views`, else the centre square) as MobileNet's input. Photos held encoded are decoded for this
 * batch only.
 */
export async function inputBatch(samples: readonly ViewedSample[], views?: readonly View[]): Promise<tf.Tensor4D> {
  const pixels = await decodeAll(samples.map((s) => s.pixels));
  return toInputBatch(pixels, views ?? samples.map((s) => s.view ?? centreView(s.pixels)));
}

/** The frozen prefix's output for a batch of photos; the input batch is released as soon as it has been read. */
export async function prefixFeatures(split: BaseSplit, samples: readonly ViewedSample[], views?: readonly View[]): Promise<tf.Tensor> {
  const input = await inputBatch(samples, views);
  const out = prefixForward(split, input);
  if (out !== input) input.dispose();
  return out;
}

/** One score of a set of photos in inference mode. */
export interface Score {
  loss: number;
  accuracy: number;
  predicted: number[];
}

/** Regularisers of one step: L2 on the head's kernels, and a dropout mask seed (one per step) when the head has dropout. */
export interface StepExtras {
  l2?: number;
  dropoutSeed?: number;
}

/**
 * One gradient step: the frozen-prefix features come in as plain tensors (no tape), the suffix and head run in
 * inference mode, and only the groups' variables receive gradients, each group stepped by its own Adam (its rate).
 * Loss: mean softmax cross-entropy L = −(1/n) Σ log softmax(z)_y, plus λ·Σ‖W‖² over the head's kernels when `l2` > 0.
 * Returns [loss, number of correct predictions] as one tensor, so a step costs one read of the device (each read
 * waits for the GPU to drain).
 */
export function trainStep(
  groups: readonly ParamGroup[],
  split: BaseSplit,
  head: tf.Sequential,
  features: tf.Tensor,
  batch: readonly Sample[],
  { l2 = 0, dropoutSeed }: StepExtras = {},
): tf.Tensor1D {
  try {
    return tf.tidy(() => {
      const { value, hits, grads } = shareGradients(groups.flatMap((g) => g.vars), split, head, features, batch.map((s) => s.label), { l2, dropoutSeed });
      let k = 0;
      for (const g of groups) g.optimizer.applyGradients(g.vars.map((v) => ({ name: v.name, tensor: grads[k++] as tf.Tensor })));
      return tf.stack([value, hits]) as tf.Tensor1D;
    });
  } finally {
    features.dispose();
  }
}

/** Loss, accuracy and predictions over a set, in inference mode, a chunk at a time. */
export async function scoreSet(
  set: readonly Sample[],
  features: (batch: readonly Sample[]) => tf.Tensor | Promise<tf.Tensor>,
  split: BaseSplit,
  head: tf.Sequential,
  numClasses: number,
  signal?: AbortSignal,
): Promise<Score> {
  let loss = 0;
  const predicted: number[] = [];
  for (let i = 0; i < set.length && !signal?.aborted; i += CHUNK) {
    const chunk = set.slice(i, i + CHUNK);
    const f = await features(chunk);
    const [sum, argmax] = tf.tidy(() => {
      const logits = headLogits(head, suffixForward(split, f));
      const y = tf.oneHot(tf.tensor1d(chunk.map((s) => s.label), 'int32'), numClasses);
      return [tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM), tf.argMax(logits, 1)];
    });
    const [l, p] = await Promise.all([sum.data(), argmax.data()]);
    tf.dispose([sum, argmax, f]);
    loss += l[0];
    predicted.push(...p);
    await breathe();
  }
  const truth = set.map((s) => s.label);
  return { loss: loss / set.length, accuracy: truth.filter((t, i) => t === predicted[i]).length / set.length, predicted };
}

/** Runs the frozen prefix once for every photo not cached yet. Returns true when cancelled. */
export async function fillCache(cache: BottleneckCache, split: BaseSplit, samples: readonly ViewedSample[], emit: (e: TrainEvent) => void, signal?: AbortSignal): Promise<boolean> {
  const missing = cache.missing(samples);
  let done = samples.length - missing.length;
  if (!missing.length) emit({ type: 'embed', done, total: samples.length, ms: 0 });
  for (let i = 0; i < missing.length; i += CHUNK) {
    if (signal?.aborted) return true;
    const t0 = performance.now();
    const chunk = missing.slice(i, i + CHUNK);
    const out = await prefixFeatures(split, chunk);
    await out.data();
    cache.put(chunk, out);
    done += chunk.length;
    // Billed after cache.put: storing the chunk is part of embedding it.
    emit({ type: 'embed', done, total: samples.length, ms: performance.now() - t0 });
    await breathe();
  }
  return false;
}
