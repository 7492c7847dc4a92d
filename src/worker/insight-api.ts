import type { ConvFilters, FeatureMap } from '../ml/insight';

export type { ConvFilters, FeatureMap };

/** What "see inside the network" draws for one photo, and which weights produced it. */
export interface InsightMaps {
  /** 'trained': the slot's fine-tuned base; 'imagenet': MobileNet as downloaded. */
  from: 'trained' | 'imagenet';
  layers: FeatureMap[];
  filters: ConvFilters;
}

/** One 2-D projection (PCA) of the photos' pooled embeddings, in the order of the ids asked for. */
export interface ProjectedEmbeddings {
  points: [number, number][];
  /** Fraction of the variance along each axis (0..1). */
  explained: [number, number];
}

/**
 * The photos' embeddings through the ImageNet base and, when the slot's training changed the base, through its
 * fine-tuned base: each projected on its own two principal components.
 */
export interface EmbeddingMap {
  imagenet: ProjectedEmbeddings;
  /** null when the slot has no trained model, or its base is still ImageNet's (feature extraction). */
  tuned: ProjectedEmbeddings | null;
  /** The slot has a trained head (so "after training" exists, even if the base did not move). */
  trained: boolean;
  /** Mean distance an embedding moved with fine-tuning, relative to the mean embedding length (0 when it did not). */
  moved: number;
}
