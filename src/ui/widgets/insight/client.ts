import * as Comlink from 'comlink';
import { model } from '../../../app/model.svelte';
import { handOver, type RunPhoto } from '../../../app/run.svelte';
import type { Pixels } from '../../../ml/types';
import type { EmbeddingMap, InsightMaps } from '../../../worker/insight-api';

/** The stem, a middle block and block 13 (the embedding cut): edges and colours → textures → parts. */
export const INSIGHT_LAYERS = ['conv1_relu', 'conv_pw_6_relu', 'conv_pw_13_relu'] as const;
/** Channels shown per layer: the most active ones for the photo. */
export const CHANNELS = 8;

/** Feature maps and conv1's filters for one photo, from `slot`'s weights (ImageNet's until it is trained). */
export async function featureMapsOf(slot: string, pixels: Pixels): Promise<InsightMaps> {
  const engine = await model.ensure();
  return engine.featureMaps(slot, Comlink.transfer(pixels, [pixels.data.buffer as ArrayBuffer]), [...INSIGHT_LAYERS], CHANNELS);
}

/** Hands the engine the photos it lacks (without evicting others), then asks for the embedding map of all of them. */
export async function embeddingMapOf(slot: string, photos: RunPhoto[], onDecode?: (done: number, total: number) => void): Promise<EmbeddingMap> {
  const engine = await model.ensure();
  await handOver(engine, photos, { evict: false, onDecode });
  return engine.embeddingMap(slot, photos.map((p) => p.id));
}

/** A photo the learner can pick for the feature maps. */
export interface PhotoChoice {
  id: string;
  /** Class name, for the thumbnail's label. */
  label: string;
  blob: () => Promise<Blob>;
}
