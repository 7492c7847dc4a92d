// The inner loops of a run: one gradient step, scoring a set, filling a bottleneck cache.
import * as tf from '@tensorflow/tfjs';
import type { BottleneckCache } from './cache';
import { headLogits, kernelNorm } from './head';
import { centreView, toInputBatch } from './image';
import type { TrainEvent } from './options';
import { prefixForward, suffixForward } from './suffix';
import type { BaseSplit } from './suffix';
import type { Sample } from './types';
import type { ViewedSample } from './views';
import { breathe } from './yield';

/** Photos per forward pass when filling a cache or scoring: bounds activation memory. */
export const CHUNK = 16;

/** One score of a set of photos in inference mode. */
export interface Score {
  loss: number;
  accuracy: number;
  predicted: number[];
}

/**
 * One gradient step: the frozen-prefix features come in as plain tensors (no tape), the suffix and head run in
 * inference mode inside `minimize`, and only `vars` receive gradients. Loss: mean softmax cross-entropy
 * L = −(1/n) Σ log softmax(z)_y, plus λ·Σ‖W‖² over the head's kernels when `l2` > 0. Returns [loss, number of correct predictions] as one tensor, so a step costs one
 * read of the device (each read waits for the GPU to drain).
 */
export function trainStep(
  optimizer: tf.Optimizer,
  vars: tf.Variable[],
  split: BaseSplit,
  head: tf.Sequential,
  features: tf.Tensor,
  batch: readonly Sample[],
  l2 = 0,
  dropoutSeed?: number,
): tf.Tensor1D {
  // minimize() runs the loss in a scope of its own: the hit count must be kept to outlive it.
  let hits: tf.Tensor | null = null;
  try {
    return tf.tidy(() => {
      const truth = tf.tensor1d(batch.map((s) => s.label), 'int32');
      const y = tf.oneHot(truth, head.outputs[0].shape[1] as number);
      const cost = optimizer.minimize(
        () => {
          const logits = headLogits(head, suffixForward(split, features), dropoutSeed);
          hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'float32')));
          const loss = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
          return l2 > 0 ? loss.add(kernelNorm(head).mul(l2)) : loss;
        },
        true,
        vars,
      ) as tf.Scalar;
      return tf.stack([cost, hits!]) as tf.Tensor1D;
    });
  } finally {
    tf.dispose([features, ...(hits ? [hits] : [])]);
  }
}

/** Loss, accuracy and predictions over a set, in inference mode, a chunk at a time. */
export async function scoreSet(
  set: readonly Sample[],
  features: (batch: readonly Sample[]) => tf.Tensor,
  split: BaseSplit,
  head: tf.Sequential,
  numClasses: number,
  signal?: AbortSignal,
): Promise<Score> {
  let loss = 0;
  const predicted: number[] = [];
  for (let i = 0; i < set.length && !signal?.aborted; i += CHUNK) {
    const chunk = set.slice(i, i + CHUNK);
    const [sum, argmax] = tf.tidy(() => {
      const logits = headLogits(head, suffixForward(split, features(chunk)));
      const y = tf.oneHot(tf.tensor1d(chunk.map((s) => s.label), 'int32'), numClasses);
      return [tf.losses.softmaxCrossEntropy(y, logits, undefined, undefined, tf.Reduction.SUM), tf.argMax(logits, 1)];
    });
    const [l, p] = await Promise.all([sum.data(), argmax.data()]);
    tf.dispose([sum, argmax]);
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
    const out = tf.tidy(() => prefixForward(split, toInputBatch(chunk.map((s) => s.pixels), chunk.map((s) => s.view ?? centreView(s.pixels)))));
    await out.data();
    cache.put(chunk, out);
    done += chunk.length;
    // Billed after cache.put: storing the chunk is part of embedding it.
    emit({ type: 'embed', done, total: samples.length, ms: performance.now() - t0 });
    await breathe();
  }
  return false;
}
