import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { convFilters, embeddings, featureMaps, pca2 } from '../ml/insight';
import type { MobileNet, Pixels, Trainer } from '../ml';
import type { EmbeddingMap, InsightMaps } from './insight-api';

/** The weights a slot's pictures come from: its trained pipeline (the fine-tuned base), else ImageNet's MobileNet. */
function sourceOf(net: MobileNet, trainer: Trainer | undefined): { model: tf.LayersModel; from: 'trained' | 'imagenet' } {
  // exportModel() shares the trainer's weights; the base layers inside it are the fine-tuned ones.
  return trainer?.trained ? { model: trainer.exportModel(), from: 'trained' } : { model: net.model, from: 'imagenet' };
}

/** Feature maps of `layers` and conv1's filters for one photo; the maps' buffers move to the caller. */
export async function insightMaps(net: MobileNet, trainer: Trainer | undefined, pixels: Pixels, layers: string[], channels: number): Promise<InsightMaps> {
  const { model, from } = sourceOf(net, trainer);
  const maps = await featureMaps(model, pixels, layers, channels);
  const filters = await convFilters(model);
  const result: InsightMaps = { from, layers: maps, filters: { ...filters, data: filters.data.slice() } };
  return Comlink.transfer(result, [...maps.map((m) => m.maps.buffer as ArrayBuffer), result.filters.data.buffer as ArrayBuffer]);
}

/** Embeddings of the photos before (ImageNet) and after (the slot's fine-tuned base) training, each projected by PCA. */
export async function embeddingMapOf(net: MobileNet, trainer: Trainer | undefined, photos: Pixels[]): Promise<EmbeddingMap> {
  const before = await embeddings(net.model, photos);
  const imagenet = pca2(before);
  const view = (p: ReturnType<typeof pca2>) => ({ points: p.points, explained: p.explained });
  const trained = sourceOf(net, trainer);
  if (trained.from === 'imagenet') return { imagenet: view(imagenet), tuned: null, trained: false, moved: 0 };
  const after = await embeddings(trained.model, photos);
  let shift = 0;
  let length = 0;
  after.forEach((a, i) => {
    shift += Math.hypot(...a.map((x, k) => x - before[i][k]));
    length += Math.hypot(...before[i]);
  });
  const moved = length > 0 ? shift / length : 0;
  return { imagenet: view(imagenet), tuned: moved > 0 ? view(pca2(after)) : null, trained: true, moved };
}
