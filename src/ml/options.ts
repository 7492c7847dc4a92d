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
  /** Rate of the base layers that learn (fine-tune), with an Adam of their own; `learningRate` by default (one rate for all). */
  baseLearningRate?: number;
  /**
   * Fine-tune only: gradual unfreezing (Howard & Ruder 2018). The head learns alone for `every` epochs, then the top
   * block joins it, then one more block every `every` epochs, up to `blocks` blocks. The plan is not used.
   */
  gradual?: { every: number; blocks: number };
  /** Early stopping: stop once validation loss has not improved for this many epochs and keep the best epoch's weights; 0 for off. */
  patience?: number;
  /** Hidden units of the head (HIDDEN_UNITS by default); 0 for no hidden layer. */
  hiddenUnits?: number;
  /** false forces the naive path (recompute the frozen prefix every batch): for the cache test and the benchmark. */
  useCache?: boolean;
  /** Keep the current head and base weights instead of starting from ImageNet and a fresh head (two-phase step 2). */
  resume?: boolean;
  /** Each training photo also in fixed views (views.ts), each one through the frozen prefix once and cached. */
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
    }
  /** Gradual unfreezing released a block: from epoch `epoch` on, the top `blocks` blocks learn (`layers` just joined). */
  | { type: 'unfreeze'; epoch: number; blocks: number; layers: string[] }
  /** One step of a learning-rate range test. */
  | { type: 'sweep'; step: number; steps: number; rate: number; loss: number };

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
  /** With early stopping: the epoch whose weights the run kept (the lowest validation loss); null without it. */
  keptEpoch: number | null;
  /** Early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
  /** Gradual unfreezing: the epochs that began with one more block learning, and how many blocks learned from then on. */
  unfrozen: { epoch: number; blocks: number }[];
}

export type Resolved = Required<Omit<TrainOptions, 'plan' | 'gradual'>> & Pick<TrainOptions, 'plan' | 'gradual'>;

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
    patience: 0,
    ...given,
    baseLearningRate: given.baseLearningRate ?? given.learningRate,
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
  if (!Number.isFinite(r.baseLearningRate) || r.baseLearningRate <= 0) bad('baseLearningRate', r.baseLearningRate, 'a positive number');
  if (!Number.isInteger(r.patience) || r.patience < 0) bad('patience', r.patience, 'a whole number ≥ 0');
  if (r.patience > 0 && r.validationSplit === 0) bad('patience', r.patience, '0 when nothing is held out for validation');
  if (r.cachedViews && r.augment) bad('cachedViews', r.cachedViews, 'off when augment (fresh random views every batch) is on');
  if (r.gradual) {
    const { every, blocks } = r.gradual;
    if (r.mode !== 'fine-tune') bad('gradual', 'set', "used with mode 'fine-tune'");
    if (!Number.isInteger(every) || every < 1) bad('gradual.every', every, 'a whole number ≥ 1');
    if (!Number.isInteger(blocks) || blocks < 1) bad('gradual.blocks', blocks, 'a whole number ≥ 1');
  }
  return r;
}

/** A learning-rate range test (lr-range.ts) on a project, run by Trainer.rangeTest. */
export interface RangeTestOptions {
  /**
   * 'head': a fresh head's rate, on the cached embeddings. 'base': the rate of the layers `plan` unfreezes, with
   * the head trained first (`headEpochs` at `learningRate`, base frozen) and then learning on at that fixed rate.
   */
  target: 'head' | 'base';
  classNames: string[];
  batchSize: number;
  /** The head's rate ('base' target). */
  learningRate: number;
  /** 'base' target: which layers learn; the top block by default. */
  plan?: FreezePlan;
  /** 'base' target: epochs the head trains before the sweep (RANGE_HEAD_EPOCHS by default). */
  headEpochs?: number;
  hiddenUnits?: number;
  /** The sweep steps through the training part of this split, as a run would (validation photos stay unseen). */
  validationSplit?: number;
  seed?: number;
  dropout?: number;
  l2?: number;
  /** Steps, first and last rate of the sweep (lr-range.ts RANGE_DEFAULTS). */
  steps?: number;
  minRate?: number;
  maxRate?: number;
}
