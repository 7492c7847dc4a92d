import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { convFilters, embeddings, featureMaps, pca2 } from '../ml/insight';
import type { MobileNet, Pixels, Trainer } from '../ml';
import type { EmbeddingMap, InsightMaps } from './insight-api';
import { withExported } from './exported';

/** Feature maps of `layers` and conv1's filters for one photo; the maps' buffers move to the caller. */
export async function insightMaps(net: MobileNet, trainer: Trainer | undefined, pixels: Pixels, layers: string[], channels: number): Promise<InsightMaps> {
  // The slot's trained pipeline (its fine-tuned base) when there is one, else ImageNet's MobileNet.
  const compute = async (model: tf.LayersModel, from: InsightMaps['from']): Promise<InsightMaps> => {
    const maps = await featureMaps(model, pixels, layers, channels);
    const filters = await convFilters(model);
    return { from, layers: maps, filters: { ...filters, data: filters.data.slice() } };
  };
  const result = trainer?.trained ? await withExported(trainer, (m) => compute(m, 'trained')) : await compute(net.model, 'imagenet');
  return Comlink.transfer(result, [...result.layers.map((m) => m.maps.buffer as ArrayBuffer), result.filters.data.buffer as ArrayBuffer]);
}

/** Embeddings of the photos before (ImageNet) and after (the slot's fine-tuned base) training, each projected by PCA. */
export async function embeddingMapOf(net: MobileNet, trainer: Trainer | undefined, photos: Pixels[]): Promise<EmbeddingMap> {
  const before = await embeddings(net.model, photos);
  const imagenet = pca2(before);
  const view = (p: ReturnType<typeof pca2>) => ({ points: p.points, explained: p.explained });
  if (!trainer?.trained) return { imagenet: view(imagenet), tuned: null, trained: false, moved: 0 };
  const after = await withExported(trainer, (m) => embeddings(m, photos));
  let shift = 0;
  let length = 0;
  after.forEach((a, i) => {
    shift += Math.hypot(...a.map((x, k) => x - before[i][k]));
    length += Math.hypot(...before[i]);
  });
  const moved = length > 0 ? shift / length : 0;
  return { imagenet: view(imagenet), tuned: moved > 0 ? view(pca2(after)) : null, trained: true, moved };
}
