import * as tf from '@tensorflow/tfjs';
import type { TunableBase } from './base';
import { trainableBlock } from './block-grad';
import { batchNormAffine, convolve, steps } from './fold';
import type { FoldedWeights } from './fold';
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
  /** The base's folded conv + BatchNorm weights, for running the prefix. */
  folds: FoldedWeights;
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
    folds: base.folds,
  };
}

/** Global average pooling: 7×7×256 → 256, the embedding vector. */
export function pool(x: tf.Tensor): tf.Tensor2D {
  return tf.mean(x, [1, 2]) as tf.Tensor2D;
}

/**
 * Runs layers in inference mode (BatchNorm uses its moving statistics and never updates them), each conv → BatchNorm
 * → ReLU6 block as one fused convolution with the weights `folds` keeps folded (fold.ts). Each step's input is
 * released as soon as the next step has read it (never `x`, the caller's), so a batch holds one step's input and
 * output at a time instead of every activation of the network until the enclosing tidy ends (v1 0.25, 16 photos,
 * unfolded: ~240 MB of wasm heap, which never shrinks once grown).
 */
function run(layers: readonly tf.layers.Layer[], x: tf.Tensor, folds: FoldedWeights): tf.Tensor {
  return steps(layers).reduce((h, s) => {
    let out: tf.Tensor;
    if ('layer' in s) out = s.layer.apply(h, { training: false }) as tf.Tensor;
    else {
      const { filter, bias } = folds.get(s.block);
      out = convolve(s.block, h as tf.Tensor4D, filter, bias);
    }
    if (h !== x && h !== out) h.dispose();
    return out;
  }, x);
}

/**
 * BatchNorm in inference mode as the per-channel affine map it is (fold.ts). Same value as the layer's
 * FusedBatchNorm, but its gradient is two broadcast products and a sum, where tfjs' FusedBatchNorm gradient tiles
 * 1/√(σ² + ε) to the activation's full shape (wasm's Tile alone took ~10 ms per layer of a 16-photo top-block step).
 * Gradients reach γ and β; the moving statistics are only read.
 */
function inferenceBatchNorm(layer: tf.layers.Layer, x: tf.Tensor): tf.Tensor {
  const { scale, shift } = batchNormAffine(layer);
  return tf.add(tf.mul(x, scale), shift);
}

/**
 * One layer of the trainable suffix outside a foldable block, in inference mode, as the plain op whose gradient
 * costs least:
 * - BatchNorm as its affine map (above);
 * - a bias-free linear Conv2D as tf.conv2d: tfjs-layers calls the fused conv op, whose gradient computes ∂x even
 *   when nothing needs it (the photo below conv1: ~45 ms of wasm's 3×3 stride-2 input gradient per 16 photos);
 * - ReLU6 as one Relu6 kernel instead of min(6, relu(x)), two broadcast ops and their gradients.
 * Anything else goes through the layer itself.
 */
function trainingCall(layer: tf.layers.Layer, h: tf.Tensor): tf.Tensor {
  const config = layer.getConfig() as { axis?: number | number[]; activation?: string; useBias?: boolean; dilationRate?: number | number[]; dataFormat?: string; strides?: [number, number]; padding?: 'same' | 'valid' };
  const lastAxis = (a: number | number[] | undefined) => [a].flat().length === 1 && ([a].flat()[0] === -1 || [a].flat()[0] === h.rank - 1);
  switch (layer.getClassName()) {
    case 'BatchNormalization':
      if (lastAxis(config.axis)) return inferenceBatchNorm(layer, h);
      break;
    case 'Conv2D':
      if (!config.useBias && config.activation === 'linear' && config.dataFormat === 'channelsLast' && [config.dilationRate].flat().every((d) => d === 1)) {
        return tf.conv2d(h as tf.Tensor4D, layer.weights[0].read() as tf.Tensor4D, config.strides!, config.padding!);
      }
      break;
    case 'Activation':
      if (config.activation === 'relu6') return tf.relu6(h);
      break;
  }
  return layer.apply(h, { training: false }) as tf.Tensor;
}

/**
 * The trainable suffix's layers in inference mode: each conv → BatchNorm → ReLU6 block as one fused convolution
 * with its gradient written out (block-grad.ts), anything else as its cheapest-to-differentiate op.
 */
function runForTraining(layers: readonly tf.layers.Layer[], x: tf.Tensor): tf.Tensor {
  return steps(layers).reduce((h, s) => ('block' in s ? trainableBlock(s.block, h as tf.Tensor4D, h !== x) : trainingCall(s.layer, h)), x);
}

/** Frozen prefix; with an empty suffix the pooling (weightless) joins the prefix, so the cache holds 256-vectors. */
export function prefixForward(split: BaseSplit, input: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => (split.suffix.length ? run(split.prefix, input, split.folds) : pool(run(split.prefix, input, split.folds))));
}

/** Trainable suffix then pooling: bottleneck features → embedding. */
export function suffixForward(split: BaseSplit, features: tf.Tensor): tf.Tensor2D {
  return split.suffix.length ? pool(runForTraining(split.suffix, features)) : (features as tf.Tensor2D);
}

/** The whole base in inference mode, image → pooled embedding (prediction path). */
export function embed(base: TunableBase, input: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => pool(run(base.layers.slice(1, base.cutIndex + 1), input, base.folds)));
}

/** Multiply-adds of one photo, by the convolutions that dominate MobileNet (BatchNorm, ReLU6 and pooling are ~1 %). */
export interface SplitCost {
  /** The whole base, input → embedding. */
  forward: number;
  /** The frozen prefix, computed once per photo when cached. */
  prefix: number;
  /** The trainable suffix, forward. */
  suffix: number;
  /** The suffix backward: ∂W = xᵀ·dy per trainable conv and ∂x per conv above the first one, each as dear as its forward. */
  suffixBackward: number;
  /** Bound on naive/cached epoch time: (prefix + suffix + backward) / (suffix + backward). */
  ratio: number;
}

/** Multiply-adds of a conv layer for one photo: output pixels × taps × channels (kernel [kh, kw, in, out or multiplier]). */
function convMultiplyAdds(layer: tf.layers.Layer): number {
  const cls = layer.getClassName();
  if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') return 0;
  const [, h, w] = layer.outputShape as number[];
  return h * w * (layer.getWeights()[0].shape as number[]).reduce((a, b) => a * b, 1);
}

/** The arithmetic a frozen-prefix cache saves under a plan: what MobileNet's figures in the benchmark are judged by. */
export function splitCost(model: tf.LayersModel, plan: FreezePlan, embeddingLayer: string): SplitCost {
  const end = model.layers.findIndex((l) => l.name === embeddingLayer);
  const layers = model.layers.slice(1, end + 1);
  const first = layers.findIndex((l) => plan[l.name] === true && learnableWeights(l).length > 0);
  const cut = first < 0 ? layers.length : first;
  const macs = layers.map(convMultiplyAdds);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const prefix = sum(macs.slice(0, cut));
  const suffix = sum(macs.slice(cut));
  const suffixBackward = sum(macs.slice(cut).map((m, i) => (plan[layers[cut + i].name] === true ? m : 0) + (i > 0 ? m : 0)));
  return { forward: prefix + suffix, prefix, suffix, suffixBackward, ratio: (prefix + suffix + suffixBackward) / (suffix + suffixBackward) };
}
