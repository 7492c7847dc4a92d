import type * as tf from '@tensorflow/tfjs';
import { EngineError } from './types';

export type LayerKind =
  | 'input'
  | 'conv'
  | 'depthwise'
  | 'batchnorm'
  | 'relu'
  | 'pooling'
  | 'reshape'
  | 'dropout'
  | 'dense'
  | 'softmax'
  | 'other';

export interface LayerInfo {
  index: number;
  /** Keras layer name, the key of a FreezePlan. */
  name: string;
  kind: LayerKind;
  /** 'stem' | 'block-1' … 'block-13' (a depthwise-separable block) | 'imagenet-head' (dropped by transfer). */
  group: string;
  /** The depthwise-separable block (1 … 13) the layer belongs to; null for the stem and the ImageNet head. */
  block: number | null;
  /** The layer belongs to the ImageNet head, which transfer learning drops and replaces with a new head. */
  replaced: boolean;
  outputShape: (number | null)[];
  /** All parameters, BatchNorm moving mean/variance included (Keras' count). */
  params: number;
  /** Parameters gradient descent may change (kernel, bias, gamma, beta): excludes BN moving statistics. */
  trainableParams: number;
  /** The layer has weights at all, so freezing it means something. */
  trainableWeights: boolean;
  /** The layer's current trainable flag. */
  trainable: boolean;
}

/** Layer name → trainable. Layers without weights are ignored; a missing weighted layer counts as frozen. */
export type FreezePlan = Record<string, boolean>;

const HEAD = 'imagenet-head';

function kindOf(layer: tf.layers.Layer): LayerKind {
  const cls = layer.getClassName();
  if (cls === 'Activation' || cls === 'ReLU') {
    const activation = String((layer.getConfig() as { activation?: string }).activation ?? 'relu');
    return activation.startsWith('relu') ? 'relu' : activation === 'softmax' ? 'softmax' : 'other';
  }
  const kinds: Record<string, LayerKind> = {
    InputLayer: 'input',
    Conv2D: 'conv',
    DepthwiseConv2D: 'depthwise',
    BatchNormalization: 'batchnorm',
    GlobalAveragePooling2D: 'pooling',
    AveragePooling2D: 'pooling',
    MaxPooling2D: 'pooling',
    Reshape: 'reshape',
    Flatten: 'reshape',
    Dropout: 'dropout',
    Dense: 'dense',
    Softmax: 'softmax',
  };
  return kinds[cls] ?? 'other';
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Weights gradient descent may change (kernel, bias, gamma, beta), whatever the layer's trainable flag:
 * tfjs reports none while the flag is off, so it is switched on just to ask.
 */
export function learnableWeights(layer: tf.layers.Layer): tf.LayerVariable[] {
  const was = layer.trainable;
  layer.trainable = true;
  const weights = layer.trainableWeights;
  layer.trainable = was;
  return weights;
}

/** Every layer in order, grouped as stem, the depthwise-separable blocks (conv_dw_N / conv_pw_N) and the ImageNet head. */
export function inventory(model: tf.LayersModel): LayerInfo[] {
  const blockOf = (name: string) => /^conv_(?:dw|pw)_(\d+)/.exec(name)?.[1];
  const lastBlockIndex = model.layers.reduce((last, l, i) => (blockOf(l.name) ? i : last), -1);
  return model.layers.map((layer, index) => {
    const block = blockOf(layer.name);
    const shape = layer.outputShape;
    const replaced = !block && index > lastBlockIndex;
    return {
      index,
      name: layer.name,
      kind: kindOf(layer),
      group: block ? `block-${block}` : replaced ? HEAD : 'stem',
      block: block ? Number(block) : null,
      replaced,
      outputShape: (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[],
      params: layer.countParams(),
      trainableParams: learnableWeights(layer).reduce((n, w) => n + size(w.shape as number[]), 0),
      trainableWeights: layer.weights.length > 0,
      trainable: layer.trainable,
    };
  });
}

/** Number of depthwise-separable blocks in an inventory (13 for MobileNet v1). */
export function blockCount(layers: LayerInfo[]): number {
  return new Set(layers.flatMap((l) => (l.block === null ? [] : [l.block]))).size;
}

function planWhere(layers: LayerInfo[], trainable: (l: LayerInfo) => boolean): FreezePlan {
  return Object.fromEntries(layers.filter((l) => l.trainableWeights).map((l) => [l.name, trainable(l)]));
}

export const plans = {
  /** Whole base frozen: only the new head learns. */
  featureExtraction(layers: LayerInfo[]): FreezePlan {
    return planWhere(layers, () => false);
  },
  /** The top `n` depthwise-separable blocks trainable, everything below frozen. */
  topBlocks(layers: LayerInfo[], n: number): FreezePlan {
    const blocks = blockCount(layers);
    if (!Number.isInteger(n) || n < 0 || n > blocks) {
      throw new EngineError('BAD_PLAN', `The number of trainable blocks must be a whole number from 0 to ${blocks}.`, {
        blocks: n,
      });
    }
    return planWhere(layers, (l) => l.block !== null && l.block > blocks - n);
  },
  /** Every base layer trainable (the ImageNet head is dropped, so it stays out). */
  everything(layers: LayerInfo[]): FreezePlan {
    return planWhere(layers, (l) => !l.replaced);
  },
};

/**
 * Parameters the run will change versus keep, over the base up to the embedding plus the new head.
 * The ImageNet head is replaced by the new head, so it counts in neither.
 */
export function paramTotals(layers: LayerInfo[], plan: FreezePlan, headParams: number): { trainable: number; frozen: number } {
  let trainable = headParams;
  let frozen = 0;
  for (const l of layers.filter((l) => !l.replaced)) {
    const learns = plan[l.name] === true ? l.trainableParams : 0;
    trainable += learns;
    frozen += l.params - learns;
  }
  return { trainable, frozen };
}

/** Dense(hidden, relu) → Dense(k): e·h + h + h·k + k; with no hidden layer, e·k + k. */
export function headParamCount(embeddingSize: number, hidden: number, numClasses: number): number {
  return hidden > 0
    ? embeddingSize * hidden + hidden + hidden * numClasses + numClasses
    : embeddingSize * numClasses + numClasses;
}
