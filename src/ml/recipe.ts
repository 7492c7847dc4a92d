/**
 * The lab's recipe as the learner sets it, and the engine options it trains with: one translation, used by the lab
 * and by the benchmark, so the recipe the benchmark measures is the one the lab runs. Pure: no tfjs here (views
 * and stores may import it).
 */
import { BASE_RATE_FACTOR, FINE_TUNE_LEARNING_RATE, HIDDEN_UNITS, LAB_HEAD } from './defaults';
import type { FreezePlan } from './layers';
import type { TrainOptions } from './options';
import type { TwoPhaseOptions } from './train';

/** Off; the fixed views (views.ts) embedded once and cached; fresh random crops, flips and brightness every batch. */
export type Augmentation = 'off' | 'cached-views' | 'random';

/** 'gradual': fine-tuning that releases one more block from the top every `gradualEvery` epochs (up to `topBlocks`). */
export type LabMode = 'feature-extraction' | 'fine-tune' | 'two-phase' | 'gradual';

export interface Recipe {
  mode: LabMode;
  epochs: number;
  batchSize: number;
  /** The head's rate (and phase 1's in two-phase). */
  learningRate: number;
  augmentation: Augmentation;
  /** The base layers' rate; unset: baseRateOf's default. */
  baseRate?: number;
  earlyStopping: boolean;
  /** Epochs without a lower validation loss before early stopping ends the run. */
  patience: number;
  /** Gradual: epochs between two releases. */
  gradualEvery: number;
  /** Blocks unfrozen in two-phase's phase 2, and the most gradual unfreezing releases (1 when unset). */
  topBlocks?: number;
}

/**
 * The rate base layers learn at when the learner has not set one: 1/10 of the head's while fine-tuning (fine-tune,
 * gradual: the head is new and needs its full rate, the pretrained layers only a nudge — discriminative rates,
 * Howard & Ruder 2018), and the seeds' 1e-5 for two-phase's phase 2 (the head has converged by then, so head and
 * blocks move together at the small rate the Keras guide uses).
 */
export function baseRateOf(r: Recipe): number {
  if (r.baseRate !== undefined) return r.baseRate;
  return r.mode === 'two-phase' ? FINE_TUNE_LEARNING_RATE : r.learningRate * BASE_RATE_FACTOR;
}

/** Base layers learn in this mode (so a base rate means something). */
export const tunesBase = (mode: LabMode) => mode !== 'feature-extraction';

function shared(r: Recipe): Pick<TrainOptions, 'augment' | 'cachedViews' | 'patience' | 'hiddenUnits' | 'dropout' | 'l2'> {
  return {
    augment: r.augmentation === 'random',
    cachedViews: r.augmentation === 'cached-views',
    patience: r.earlyStopping ? r.patience : 0,
    hiddenUnits: HIDDEN_UNITS,
    dropout: LAB_HEAD.dropout,
    l2: LAB_HEAD.l2,
  };
}

/** A one-phase run (feature extraction, fine-tune, gradual); `plan` is the layer list's, used by fine-tune. */
export function runOptions(r: Recipe, classNames: string[], plan?: FreezePlan | null): TrainOptions {
  return {
    ...shared(r),
    mode: r.mode === 'feature-extraction' ? 'feature-extraction' : 'fine-tune',
    classNames,
    epochs: r.epochs,
    batchSize: r.batchSize,
    learningRate: r.learningRate,
    ...(r.mode === 'fine-tune' ? { plan: plan ?? undefined, baseLearningRate: baseRateOf(r) } : {}),
    ...(r.mode === 'gradual' ? { gradual: { every: r.gradualEvery, blocks: r.topBlocks ?? 1 }, baseLearningRate: baseRateOf(r) } : {}),
  };
}

/** The two-phase recipe: `epochs` of head, then `epochs` of the top blocks with the head, both at the base rate. */
export function twoPhaseOptions(r: Recipe, classNames: string[]): TwoPhaseOptions {
  return {
    ...shared(r),
    classNames,
    headEpochs: r.epochs,
    fineTuneEpochs: r.epochs,
    topBlocks: r.topBlocks ?? 1,
    batchSize: r.batchSize,
    learningRate: r.learningRate,
    fineTuneLearningRate: baseRateOf(r),
  };
}
