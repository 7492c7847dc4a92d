import * as Comlink from 'comlink';
import { model } from '../../../app/model.svelte';
import type { RunPhoto } from '../../../app/run.svelte';
import { decodeForModel } from '../../../io/decode';
import type { Pixels } from '../../../ml/types';
import type { EmbeddingMap, InsightMaps } from '../../../worker/insight-api';

/** The stem, a middle block and block 13 (the embedding cut): edges and colours → textures → parts. */
export const INSIGHT_LAYERS = ['conv1_relu', 'conv_pw_6_relu', 'conv_pw_13_relu'] as const;
/** Channels shown per layer: the most active ones for the photo. */
export const CHANNELS = 8;
/** Photos decoded and handed to the engine at a time, as the run store does. */
const HANDOVER_BATCH = 16;

/** Feature maps and conv1's filters for one photo, from `slot`'s weights (ImageNet's until it is trained). */
export async function featureMapsOf(slot: string, pixels: Pixels): Promise<InsightMaps> {
  const engine = await model.ensure();
  return engine.featureMaps(slot, Comlink.transfer(pixels, [pixels.data.buffer as ArrayBuffer]), [...INSIGHT_LAYERS], CHANNELS);
}

/** Hands the engine the photos it lacks (without evicting others), then asks for the embedding map of all of them. */
export async function embeddingMapOf(slot: string, photos: RunPhoto[], onDecode?: (done: number, total: number) => void): Promise<EmbeddingMap> {
  const engine = await model.ensure();
  const missing = new Set(await engine.missingSamples(photos.map((p) => p.id)));
  const todo = photos.filter((p) => missing.has(p.id));
  let done = photos.length - todo.length;
  onDecode?.(done, photos.length);
  for (let i = 0; i < todo.length; i += HANDOVER_BATCH) {
    const batch = [];
    for (const p of todo.slice(i, i + HANDOVER_BATCH)) batch.push({ id: p.id, pixels: await decodeForModel(await p.blob()) });
    await engine.putSamples(Comlink.transfer(batch, batch.map((s) => s.pixels.data.buffer as ArrayBuffer)));
    done += batch.length;
    onDecode?.(done, photos.length);
  }
  return engine.embeddingMap(slot, photos.map((p) => p.id));
}

/** A photo the learner can pick for the feature maps. */
export interface PhotoChoice {
  id: string;
  /** Class name, for the thumbnail's label. */
  label: string;
  blob: () => Promise<Blob>;
}
