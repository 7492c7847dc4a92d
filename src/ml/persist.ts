import * as tf from '@tensorflow/tfjs';
import { EngineError } from './types';
import { DEFAULT_BASE, baseByWidth } from './bases';

/**
 * A trained project in one storable object (IndexedDB keeps ArrayBuffers as they are):
 * the head's weights plus the weights of every base layer fine-tuning moved away from ImageNet.
 */
export interface HeadSnapshot {
  format: 'transfer-lab-head@1';
  classNames: string[];
  hiddenUnits: number;
  embeddingLayer: string;
  /** The base network it was trained on (bases.ts id); absent in heads saved before there was a choice (all on 0.25). */
  base?: string;
  /** Base layers whose weights travel with the head (empty after feature extraction). */
  tunedLayers: string[];
  /** The head learned from the fixed views (views.ts) and predicts by averaging them; absent in heads that did not (or saved before). */
  testTimeViews?: boolean;
  specs: tf.io.WeightsManifestEntry[];
  data: ArrayBuffer;
}

export const headKey = (i: number) => `head/${i}`;
export const baseKey = (layer: string, j: number) => `base/${layer}/${j}`;

/** Decodes a snapshot's tensors by name, after checking it is one of ours. Caller disposes the map. */
export function decodeSnapshot(s: HeadSnapshot): tf.NamedTensorMap {
  if (s?.format !== 'transfer-lab-head@1' || !(s.data instanceof ArrayBuffer) || !Array.isArray(s.specs)) {
    throw new EngineError('MODEL', 'This is not a saved Transfer Lab head.', { format: String(s?.format) });
  }
  return tf.io.decodeWeights(s.data, s.specs);
}

/** Writes a saved tensor into a weight, refusing a shape that does not fit. */
export function restore(weights: tf.NamedTensorMap, key: string, into: tf.LayerVariable): void {
  const saved = weights[key];
  if (!saved || !tf.util.arraysEqual(saved.shape, into.shape as number[])) {
    throw new EngineError('MODEL', `The saved head does not fit this model (${key}).`, { weight: key });
  }
  into.write(saved);
}

/** Which base a loaded model is, told by the width of its embedding layer. */
export function baseOfModel(model: tf.LayersModel, embeddingLayer: string): string {
  const width = model.getLayer(embeddingLayer).outputShape.at(-1) as number;
  return baseByWidth(width) ?? `embedding-${width}`;
}

/** A head belongs to the base it was trained on: loading it onto another base is refused, never attempted. */
export function checkBase(saved: HeadSnapshot, model: tf.LayersModel, embeddingLayer: string): void {
  const savedBase = saved.base ?? DEFAULT_BASE;
  const here = baseOfModel(model, embeddingLayer);
  if (savedBase !== here) {
    throw new EngineError('MODEL', `The saved head was trained on ${savedBase}; the lab now runs ${here}. Train again on this base.`, {
      problem: 'other-base',
      saved: savedBase,
      current: here,
    });
  }
}
