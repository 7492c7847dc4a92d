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

/** One class the activation map can explain, with the model's probability for it. */
export interface ClassChoice {
  index: number;
  label: string;
  probability: number;
}

/**
 * Grad-CAM of one photo for one class (src/ml/gradcam.ts), from the model that answers the slot's predictions:
 * an imported model, else the slot's trained pipeline (fine-tuned base and head), else ImageNet's MobileNet.
 */
export interface ClassActivationMap {
  from: 'imported' | 'trained' | 'imagenet';
  classIndex: number;
  label: string;
  /** Every class of a trained or imported model in class order; ImageNet's top 5 (and the explained class). */
  choices: ClassChoice[];
  /** Rows × columns of the map (7 × 7). */
  height: number;
  width: number;
  /** Row-major, 0..1 (1 at the peak); all zeros when nothing in the photo speaks for the class. */
  grid: Float32Array;
  /** The peak's cell centre in the photo handed over (0..1); null for an all-zero map. */
  peakX: number | null;
  peakY: number | null;
  /** The centre square the model saw, as fractions of the photo handed over. */
  crop: { x: number; y: number; width: number; height: number };
  probabilities: Float32Array;
}
