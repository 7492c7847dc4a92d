import type { FreezePlan } from './layers';
import type { Evaluation } from './metrics';
import type { FrozenCheck } from './proof';
import { HIDDEN_UNITS, SEED, VALIDATION_SPLIT } from './defaults';
import { EngineError } from './types';

export interface TrainOptions {
  mode: 'feature-extraction' | 'fine-tune';
  classNames: string[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** Per-class fraction held out for validation (VALIDATION_SPLIT by default). 0 scores on the training photos. */
  validationSplit?: number;
  /** Drives the split, batch order, head init and augmentation. */
  seed?: number;
  /** Fine-tune only: which base layers learn; defaults to the top block. */
  plan?: FreezePlan;
  /** Random crop/flip/brightness per batch; needs fresh activations every time, so it disables the caches. */
  augment?: boolean;
  /** Hidden units of the head (HIDDEN_UNITS by default); 0 for no hidden layer. */
  hiddenUnits?: number;
  /** false forces the naive path (recompute the frozen prefix every batch): for the cache test and the benchmark. */
  useCache?: boolean;
  /** Keep the current head and base weights instead of starting from ImageNet and a fresh head (two-phase step 2). */
  resume?: boolean;
  /** Feature extraction only: each training photo also in 3 fixed views (mirror, two 85 % corner crops), all embedded once. */
  cachedViews?: boolean;
  /** Dropout rate after the head's hidden layer while training; 0 for none. */
  dropout?: number;
  /** L2 weight decay on the head's kernels, λ in L + λ·Σ‖W‖²; 0 for none. */
  l2?: number;
}

export type TrainEvent =
  | { type: 'embed'; done: number; total: number; ms: number }
  | { type: 'batch'; epoch: number; batch: number; batches: number; loss: number; ms: number }
  | {
      type: 'epoch';
      epoch: number;
      epochs: number;
      loss: number;
      accuracy: number;
      valLoss: number | null;
      valAccuracy: number | null;
      ms: number;
    };

export type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>;

export interface TrainResult {
  history: EpochEvent[];
  frozenCheck: FrozenCheck;
  /** mean |Δw| per trained layer, head included. */
  deltas: { layer: string; meanAbsDelta: number }[];
  /** null when the run was cancelled. */
  evaluation: Evaluation | null;
  /** Bytes held by the bottleneck cache this run used (0 on the naive path). */
  cacheBytes: number;
  /** Which base layer's output was cached, or null on the naive path. */
  cachedLayer: string | null;
  cancelled: boolean;
}

export type Resolved = Required<Omit<TrainOptions, 'plan'>> & Pick<TrainOptions, 'plan'>;

function bad(name: string, value: unknown, rule: string): never {
  throw new EngineError('BAD_HYPERPARAMETER', `${name} must be ${rule}; got ${String(value)}.`, { name, value: String(value) });
}

/** Defaults filled in; every number checked so NaN or 0 never reaches tfjs. */
export function resolveOptions(o: TrainOptions): Resolved {
  // An explicit `undefined` (a form field left empty) means "the default", not a value to check.
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as TrainOptions;
  const r: Resolved = {
    validationSplit: VALIDATION_SPLIT,
    seed: SEED,
    augment: false,
    hiddenUnits: HIDDEN_UNITS,
    useCache: true,
    resume: false,
    cachedViews: false,
    dropout: 0,
    l2: 0,
    ...given,
  };
  if (r.mode !== 'feature-extraction' && r.mode !== 'fine-tune') bad('mode', r.mode, "'feature-extraction' or 'fine-tune'");
  if (!Number.isInteger(r.epochs) || r.epochs < 1) bad('epochs', r.epochs, 'a whole number ≥ 1');
  if (!Number.isInteger(r.batchSize) || r.batchSize < 1) bad('batchSize', r.batchSize, 'a whole number ≥ 1');
  if (!Number.isFinite(r.learningRate) || r.learningRate <= 0) bad('learningRate', r.learningRate, 'a positive number');
  if (!(r.validationSplit >= 0 && r.validationSplit < 1)) bad('validationSplit', r.validationSplit, 'from 0 up to (not including) 1');
  if (!Number.isInteger(r.hiddenUnits) || r.hiddenUnits < 0) bad('hiddenUnits', r.hiddenUnits, 'a whole number ≥ 0');
  if (!Number.isFinite(r.seed)) bad('seed', r.seed, 'a number');
  if (!(r.dropout >= 0 && r.dropout < 1)) bad('dropout', r.dropout, 'from 0 up to (not including) 1');
  if (!(r.l2 >= 0 && Number.isFinite(r.l2))) bad('l2', r.l2, 'a number ≥ 0');
  if (r.cachedViews && r.mode !== 'feature-extraction') bad('cachedViews', r.cachedViews, 'used with feature extraction only');
  return r;
}
