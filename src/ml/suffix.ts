import * as tf from '@tensorflow/tfjs';
import type { TunableBase } from './base';
import { learnableWeights } from './layers';
import type { FreezePlan } from './layers';

/**
 * A run's view of the base: the frozen prefix (input → last layer before the first trainable one) and the
 * trainable suffix (first trainable layer → embedding). Both are the base's own layer objects, so the
 * suffix shares its weights with the base; nothing is copied.
 */
export interface BaseSplit {
  prefix: tf.layers.Layer[];
  suffix: tf.layers.Layer[];
  /** Index of the prefix's last layer: its output is what the frozen-prefix cache stores. */
  prefixEnd: number;
  /** Indexes of the layers gradient descent updates (plan says trainable and they have weights). */
  trainable: number[];
}

export function splitBase(base: TunableBase, plan: FreezePlan): BaseSplit {
  const trainable = base.layers
    .map((l, i) => (i >= 1 && i <= base.cutIndex && plan[l.name] === true && learnableWeights(l).length > 0 ? i : -1))
    .filter((i) => i >= 0);
  const first = trainable.length ? trainable[0] : base.cutIndex + 1;
  return {
    prefix: base.layers.slice(1, first),
    suffix: base.layers.slice(first, base.cutIndex + 1),
    prefixEnd: first - 1,
    trainable,
  };
}

/** Global average pooling: 7×7×256 → 256, the embedding vector. */
export function pool(x: tf.Tensor): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/** Runs layers in inference mode: BatchNorm uses its moving statistics and never updates them. */
function run(layers: readonly tf.layers.Layer[], x: tf.Tensor): tf.Tensor {
  return layers.reduce((h, layer) => layer.apply(h, { training: false }) as tf.Tensor, x);
}

/** Frozen prefix; with an empty suffix the pooling (weightless) joins the prefix, so the cache holds 256-vectors. */
export function prefixForward(split: BaseSplit, input: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => (split.suffix.length ? run(split.prefix, input) : pool(run(split.prefix, input))));
}

/** Trainable suffix then pooling: bottleneck features → embedding. */
export function suffixForward(split: BaseSplit, features: tf.Tensor): tf.Tensor2D {
  return split.suffix.length ? pool(run(split.suffix, features)) : (features as tf.Tensor2D);
}

/** The whole base in inference mode, image → pooled embedding (prediction path). */
export function embed(base: TunableBase, input: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => pool(run(base.layers.slice(1, base.cutIndex + 1), input)));
}
