import * as tf from '@tensorflow/tfjs';

export interface HeadShape {
  embeddingSize: number;
  /** Units of the hidden Dense(relu) layer; 0 for a plain softmax regression. */
  hiddenUnits: number;
  numClasses: number;
  /** Dropout rate after the hidden layer, active only while training; 0 or absent for none. */
  dropout?: number;
}

/**
 * The new head, as in Teachable Machine: Dense(hidden, relu) → Dense(k) → softmax. The softmax is its own
 * layer so training can use the logits (softmax cross-entropy is stable there) while exports output probabilities.
 * Glorot-uniform init seeded, so the same seed gives the same starting head.
 */
export function createHead(shape: HeadShape, seed: number): tf.Sequential {
  const head = tf.sequential({ name: 'head' });
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  if (shape.hiddenUnits > 0) {
    head.add(tf.layers.dense({ name: 'head_hidden', inputShape: [shape.embeddingSize], units: shape.hiddenUnits, activation: 'relu', kernelInitializer: init(0) }));
    if (shape.dropout) head.add(tf.layers.dropout({ name: 'head_dropout', rate: shape.dropout, seed: seed + 2 }));
  }
  const first = shape.hiddenUnits > 0 ? {} : { inputShape: [shape.embeddingSize] };
  head.add(tf.layers.dense({ name: 'head_logits', ...first, units: shape.numClasses, kernelInitializer: init(1) }));
  head.add(tf.layers.activation({ name: 'head_softmax', activation: 'softmax' }));
  return head;
}

/**
 * Head output before the softmax, z = W·a + b. With a `dropoutSeed` (one per training step) the dropout layer drops
 * a fresh set of units each step: the layer's own fixed seed would drop the same units every time, pruning the head
 * instead of regularising it. Without one (inference) dropout is the identity.
 */
export function headLogits(head: tf.Sequential, embedding: tf.Tensor, dropoutSeed?: number): tf.Tensor2D {
  return head.layers.slice(0, -1).reduce((x, layer) => {
    if (layer.getClassName() !== 'Dropout') return layer.apply(x) as tf.Tensor;
    const { rate } = layer.getConfig() as { rate: number };
    return dropoutSeed === undefined ? x : tf.dropout(x, rate, undefined, dropoutSeed);
  }, embedding) as tf.Tensor2D;
}

/** Σ‖W‖² over the head's kernels (biases are not decayed), for the L2 term of the loss. */
export function kernelNorm(head: tf.Sequential): tf.Scalar {
  const kernels = head.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.trainableWeights[0].read());
  return tf.addN(kernels.map((k) => tf.sum(tf.square(k)))) as tf.Scalar;
}
