import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import { convFilters, embeddings, featureMaps, pca2 } from '../ml/insight';
import { classActivation } from '../ml/gradcam';
import type { MobileNet, PixelSource, Pixels, Trainer } from '../ml';
import type { ClassActivationMap, ClassChoice, EmbeddingMap, InsightMaps } from './insight-api';
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
export async function embeddingMapOf(net: MobileNet, trainer: Trainer | undefined, photos: PixelSource[]): Promise<EmbeddingMap> {
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

/** ImageNet's classes offered for an explanation: the top few, since a thousand choices help no one. */
const IMAGENET_CHOICES = 5;

/**
 * Grad-CAM for one photo and class (the predicted one by default), from what answers the slot's predictions: its
 * imported model, else its trained pipeline, else ImageNet's MobileNet. The map's buffers move to the caller.
 */
export async function classActivationOf(
  net: MobileNet,
  trainer: Trainer | undefined,
  imported: { model: tf.LayersModel; classNames: string[] } | undefined,
  pixels: Pixels,
  classIndex?: number,
): Promise<ClassActivationMap> {
  const explain = async (model: tf.LayersModel, from: ClassActivationMap['from'], names: string[]): Promise<ClassActivationMap> => {
    const cam = await classActivation(model, pixels, classIndex);
    const p = cam.probabilities;
    const all: ClassChoice[] = Array.from(p, (probability, index) => ({ index, label: names[index] ?? `#${index}`, probability }));
    const top = from === 'imagenet' ? [...all].sort((a, b) => b.probability - a.probability).slice(0, IMAGENET_CHOICES) : all;
    const choices = top.some((c) => c.index === cam.classIndex) ? top : [...top, all[cam.classIndex]];
    const { grid, height, width, peakX, peakY, crop, probabilities } = cam;
    return { from, classIndex: cam.classIndex, label: all[cam.classIndex].label, choices, grid, height, width, peakX, peakY, crop, probabilities };
  };
  const result = imported
    ? await explain(imported.model, 'imported', imported.classNames)
    : trainer?.trained
      ? await withExported(trainer, (m) => explain(m, 'trained', trainer.labels))
      : await explain(net.model, 'imagenet', net.classNames);
  return Comlink.transfer(result, [result.grid.buffer as ArrayBuffer, result.probabilities.buffer as ArrayBuffer]);
}
