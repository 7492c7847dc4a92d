import * as tf from '@tensorflow/tfjs';
import { FoldedWeights, steps } from './fold';
import { centreView, toInputBatch } from './image';
import { EngineError } from './types';
import type { Pixels } from './types';

/** The embedding cut used by Teachable Machine and tfjs-examples: the last conv block's output, 7×7×256. */
export const EMBEDDING_LAYER = 'conv_pw_13_relu';

export interface MobileNet {
  model: tf.LayersModel;
  classNames: string[];
  /** Its conv + BatchNorm blocks folded as downloaded, shared by every copy of the base that still holds them (base.ts). */
  folds: FoldedWeights;
  dispose(): void;
}

/**
 * Loads the MobileNet v1 layers model from a URL (browser) or an IOHandler (tests read files).
 * `classNames` are the 1000 ImageNet labels, in output order.
 */
export async function loadMobileNet(
  source: string | tf.io.IOHandler,
  classNames: string[],
  onProgress?: (fraction: number) => void,
): Promise<MobileNet> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(source, { onProgress });
  } catch (e) {
    throw new EngineError('MODEL', `Could not load the model: ${(e as Error).message}`, {
      source: typeof source === 'string' ? source : 'handler',
    });
  }
  const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  const problem = !model.layers.some((l) => l.name === EMBEDDING_LAYER)
    ? `it has no layer named ${EMBEDDING_LAYER}`
    : outputs !== classNames.length
      ? `it predicts ${outputs} classes but ${classNames.length} class names were given`
      : null;
  if (problem) {
    model.dispose();
    throw new EngineError('MODEL', `This is not the expected MobileNet: ${problem}.`, { problem });
  }
  onProgress?.(1);
  // Folded at once, not on first use: the net's tensors then stay put whatever trains on it.
  const folds = new FoldedWeights();
  for (const s of steps(model.layers)) if ('block' in s) folds.get(s.block);
  return {
    model,
    classNames,
    folds,
    dispose: () => {
      folds.dispose();
      model.dispose();
    },
  };
}

/** Centre square crop, bilinear resize to 224, x/127.5 − 1: shape [1, 224, 224, 3]. */
export function preprocess(p: Pixels): tf.Tensor4D {
  return toInputBatch([p], [centreView(p)]);
}

/** ImageNet top-k through the full original model (read back asynchronously: WebGPU cannot read synchronously). */
export async function classify(net: MobileNet, p: Pixels, k = 5): Promise<{ index: number; label: string; probability: number }[]> {
  const output = tf.tidy(() => (net.model.predict(preprocess(p)) as tf.Tensor).reshape([-1]));
  const probabilities = await output.data();
  output.dispose();
  return Array.from(probabilities, (probability, index) => ({ index, label: net.classNames[index], probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}

/**
 * The base cut at any layer (image → that layer's activation). Shares the base's weights:
 * dispose the MobileNet, not this model.
 */
export function truncatedModel(net: MobileNet, layerName: string = EMBEDDING_LAYER): tf.LayersModel {
  const layer = net.model.layers.find((l) => l.name === layerName);
  if (!layer) throw new EngineError('MODEL', `The model has no layer named ${layerName}.`, { layer: layerName });
  return tf.model({ inputs: net.model.inputs, outputs: layer.output as tf.SymbolicTensor });
}
