import * as tf from '@tensorflow/tfjs';
import { TunableBase } from './base';
import { BottleneckCache } from './cache';
import { BATCH_SIZE, FINE_TUNE_LEARNING_RATE, HEAD_LEARNING_RATE, RANGE_HEAD_EPOCHS } from './defaults';
import { batches, checkSamples, randomView, stratifiedSplit } from './dataset';
import { BestEpoch } from './early-stop';
import { blocksAt } from './gradual';
import { disposeGroups, paramGroup } from './groups';
import type { ParamGroup } from './groups';
import { createHead } from './head';
import { checkPixels, centreView, toInputBatch } from './image';
import type { View } from './image';
import { installFastCpuKernels } from './kernels';
import { installWasmKernels } from './kernels-wasm';
import { installGpuKernels } from './kernels-gpu';
import { inventory, learnableWeights, plans } from './layers';
import type { FreezePlan } from './layers';
import { evaluate } from './metrics';
import { EMBEDDING_LAYER } from './mobilenet';
import type { MobileNet } from './mobilenet';
import { resolveOptions } from './options';
import type { EpochEvent, RangeTestOptions, Resolved, TrainEvent, TrainOptions, TrainResult } from './options';
import { RANGE_DEFAULTS } from './lr-range';
import { rangeTest } from './range-test';
import type { RangeTestResult } from './range-test';
import { baseKey, baseOfModel, checkBase, decodeSnapshot, headKey, restore } from './persist';
import type { HeadSnapshot } from './persist';
import { frozenCheck, layerDeltas, snapshot } from './proof';
import type { WeightSnapshot } from './proof';
import { rng } from './random';
import type { Rng } from './random';
import { embed, splitBase } from './suffix';
import type { BaseSplit } from './suffix';
import { EngineError } from './types';
import type { Pixels, Sample } from './types';
import { fillCache, prefixFeatures, scoreSet, trainStep } from './step';
import { parallelStep, type Parallel } from './data-parallel';
import { breathe } from './yield';
import type { Score } from './step';
import { fixedViews, withFixedViews, type ViewedSample } from './views';

export interface TwoPhaseOptions {
  classNames: string[];
  headEpochs: number;
  fineTuneEpochs: number;
  /** Blocks unfrozen for phase 2, counted from the top. */
  topBlocks: number;
  batchSize?: number;
  /** Phase 1 (head) learning rate, HEAD_LEARNING_RATE by default. */
  learningRate?: number;
  /** Phase 2 learning rate, FINE_TUNE_LEARNING_RATE by default. */
  fineTuneLearningRate?: number;
  validationSplit?: number;
  seed?: number;
  hiddenUnits?: number;
  /** Fresh random views every batch, in both phases (no cache then). */
  augment?: boolean;
  /** Fixed views embedded once, in both phases. */
  cachedViews?: boolean;
  /** Early stopping in each phase (patience in epochs; 0 for off). */
  patience?: number;
  dropout?: number;
  l2?: number;
}

/** Events of a two-phase run carry the phase they belong to. */
export type TwoPhaseEvent = TrainEvent & { phase: 1 | 2 };

type Emit = (e: TrainEvent) => void;

/** A run between its preparation and its finish: what the epochs train and what the proof compares. */
interface Run {
  base: TunableBase;
  /** The base's frozen prefix and trainable suffix now (gradual unfreezing moves the cut). */
  split: BaseSplit;
  head: tf.Sequential;
  /** The variables gradient descent updates, by rate: the head's, then the base's (one group per released block when gradual). */
  groups: ParamGroup[];
  /** Layers that have learned in this run so far. */
  learners: Set<tf.layers.Layer>;
  watched: tf.layers.Layer[];
  before: WeightSnapshot[];
  random: Rng;
  train: ViewedSample[];
  validation: Sample[];
  /** What goes through the frozen prefix: every photo's centre view plus the training photos' fixed views. */
  embedded: ViewedSample[];
  cache: BottleneckCache | null;
  /** Cancelled while filling the cache. */
  cancelled: boolean;
  steps: number;
  unfrozen: { epoch: number; blocks: number }[];
}

interface Epochs {
  history: EpochEvent[];
  /** With early stopping: the epoch whose weights were kept, and its validation score. */
  kept: { epoch: number; score: Score | null } | null;
  lastScore?: Score | null;
  cancelled: boolean;
  stoppedEarly: boolean;
}

/** The learnable variables of some layers (kernel, bias, gamma, beta; never BatchNorm's moving statistics). */
const varsOf = (layers: readonly tf.layers.Layer[]) => layers.flatMap((l) => learnableWeights(l).map((w) => w.read() as tf.Variable));

/**
 * Transfer learning on one project: owns a copy of the base, the new head and the bottleneck caches.
 *
 * Cancel semantics: aborting `signal` stops at the next batch boundary and `train` resolves with
 * `cancelled: true` (it does not reject). Weights keep whatever the completed batches made of them, the frozen
 * proof and deltas still cover the partial run, `evaluation` is null, and no tensor is left behind. A fresh
 * (non-resume) run replaces the head when it starts, so cancelling it before the first step leaves `trained` false.
 * Errors: invalid input rejects with a typed EngineError before anything changes; a tfjs failure mid-run
 * (e.g. a backend missing a gradient kernel) rejects with EngineError BACKEND.
 */
export class Trainer {
  private base: TunableBase | null = null;
  private head: tf.Sequential | null = null;
  private classNames: string[] = [];
  private hiddenUnits = 0;
  private stepped = false;
  private running = false;
  /** The head learned from the fixed views, so a prediction averages them (test-time augmentation). */
  private testTimeViews = false;
  private readonly caches = new Map<string, BottleneckCache>();
  /** Peers that share each fine-tuning step's batch (data-parallel.ts), where the engine has them. */
  parallel: Parallel | null = null;

  constructor(private readonly net: MobileNet) {
    // chooseBackend installs them when it activates a backend; a backend set by hand gets them here.
    installFastCpuKernels();
    installWasmKernels();
    installGpuKernels(tf.getBackend());
  }

  /** A head exists and has taken at least one gradient step (or was restored). */
  get trained(): boolean {
    return this.head !== null && this.stepped;
  }

  /** Class names of the trained head, in label order. */
  get labels(): string[] {
    return this.classNames.slice();
  }

  async train(samples: Sample[], options: TrainOptions, onEvent?: Emit, signal?: AbortSignal): Promise<TrainResult> {
    const o = resolveOptions(options);
    checkSamples(samples, o.classNames);
    return this.exclusive(() => this.run(samples, o, onEvent ?? (() => {}), signal));
  }

  /**
   * The seeds' recipe: phase 1 trains the head on cached embeddings with the base frozen; phase 2 unfreezes the
   * top blocks and continues from that head, head and blocks at one small rate (the Keras guide's: the head has
   * converged, so nothing needs a larger one). `phase2` is null when phase 1 was cancelled.
   */
  async twoPhase(
    samples: Sample[],
    opts: TwoPhaseOptions,
    onEvent?: (e: TwoPhaseEvent) => void,
    signal?: AbortSignal,
  ): Promise<{ phase1: TrainResult; phase2: TrainResult | null }> {
    const plan = plans.topBlocks(inventory(this.net.model), opts.topBlocks);
    const common = {
      classNames: opts.classNames,
      batchSize: opts.batchSize ?? BATCH_SIZE,
      validationSplit: opts.validationSplit,
      seed: opts.seed,
      hiddenUnits: opts.hiddenUnits,
      augment: opts.augment,
      cachedViews: opts.cachedViews,
      patience: opts.patience,
      dropout: opts.dropout,
      l2: opts.l2,
    };
    const phase2: TrainOptions = {
      ...common,
      mode: 'fine-tune',
      plan,
      epochs: opts.fineTuneEpochs,
      learningRate: opts.fineTuneLearningRate ?? FINE_TUNE_LEARNING_RATE,
      resume: true,
    };
    resolveOptions(phase2);
    if (!Object.values(plan).some(Boolean)) {
      throw new EngineError('NO_TRAINABLE', 'Phase 2 needs at least one unfrozen block.', { topBlocks: opts.topBlocks });
    }
    const head: TrainOptions = { ...common, mode: 'feature-extraction', epochs: opts.headEpochs, learningRate: opts.learningRate ?? HEAD_LEARNING_RATE };
    const first = await this.train(samples, head, (e) => onEvent?.({ ...e, phase: 1 }), signal);
    if (first.cancelled) return { phase1: first, phase2: null };
    const second = await this.train(samples, phase2, (e) => onEvent?.({ ...e, phase: 2 }), signal);
    return { phase1: first, phase2: second };
  }

  /**
   * A learning-rate range test (range-test.ts): loss against an exponentially rising rate, and the rate it suggests.
   * The trainer's head and every base weight are as they were afterwards; the cache it fills serves the next run.
   */
  async rangeTest(samples: Sample[], options: RangeTestOptions, onEvent?: Emit, signal?: AbortSignal): Promise<RangeTestResult> {
    const { target, headEpochs = RANGE_HEAD_EPOCHS, steps, minRate, maxRate, ...rest } = options;
    const o = resolveOptions({ ...rest, mode: target === 'head' ? 'feature-extraction' : 'fine-tune', epochs: 1 });
    if (target !== 'head' && target !== 'base') throw new EngineError('BAD_HYPERPARAMETER', `target must be 'head' or 'base'; got ${String(target)}.`, { name: 'target', value: String(target) });
    if (steps !== undefined && !(Number.isInteger(steps) && steps >= 3)) throw new EngineError('BAD_HYPERPARAMETER', `steps must be a whole number ≥ 3; got ${steps}.`, { name: 'steps', value: String(steps) });
    if (!(Number.isInteger(headEpochs) && headEpochs >= 0)) throw new EngineError('BAD_HYPERPARAMETER', `headEpochs must be a whole number ≥ 0; got ${headEpochs}.`, { name: 'headEpochs', value: String(headEpochs) });
    const low = minRate ?? RANGE_DEFAULTS.minRate;
    const high = maxRate ?? RANGE_DEFAULTS.maxRate;
    if (!(low > 0 && high > low && Number.isFinite(high))) throw new EngineError('BAD_HYPERPARAMETER', `The rates must rise from a positive minimum; got ${low} to ${high}.`, { name: 'maxRate', value: String(high) });
    checkSamples(samples, o.classNames);
    return this.exclusive(async () => {
      const base = await this.ensureBase();
      const split = splitBase(base, this.planFor(o, base));
      if (target === 'base' && !split.trainable.length) {
        throw new EngineError('NO_TRAINABLE', 'The plan freezes every layer of the base; test the head\'s rate instead.');
      }
      const ctx = { base, split, cacheFor: (s: readonly Sample[]) => this.cacheFor(split, base, s) };
      return rangeTest(ctx, samples, { ...o, target, headEpochs, steps, minRate: low, maxRate: high }, onEvent ?? (() => {}), signal);
    });
  }

  /**
   * Class probabilities for one photo through the trained pipeline (fine-tuned base + head). A head that learned
   * from the fixed views (views.ts) sees the photo through the same views and its probabilities are averaged,
   * p = (1/V) Σᵥ softmax(z(viewᵥ)) (test-time augmentation); any other head sees the centre square alone. `views`
   * says how many were averaged.
   */
  async predict(p: Pixels): Promise<{ label: number; probabilities: number[]; views: number }> {
    const { base, head } = this.ready();
    checkPixels(p);
    const views = this.testTimeViews ? fixedViews(p) : [centreView(p)];
    // Asynchronous read: a synchronous GPU read returns zeros and breaks the WebGPU device in Chromium.
    const output = tf.tidy(() => (head.apply(embed(base, toInputBatch(views.map(() => p), views))) as tf.Tensor).mean(0));
    const probabilities = Array.from(await output.data());
    output.dispose();
    return { label: probabilities.indexOf(Math.max(...probabilities)), probabilities, views: views.length };
  }

  /**
   * The full pipeline as one layers model: preprocessed image [n, 224, 224, 3] → class probabilities, ready for
   * `model.save(...)`. It shares the trainer's weights: save it, then drop it; dispose the trainer, not this.
   */
  exportModel(): tf.LayersModel {
    const { base, head } = this.ready();
    const features = base.layers[base.cutIndex].output as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({ name: 'embedding_pool' }).apply(features) as tf.SymbolicTensor;
    const outputs = head.layers.reduce((x, layer) => layer.apply(x) as tf.SymbolicTensor, pooled);
    return tf.model({ inputs: base.model.inputs, outputs, name: 'transfer_lab' });
  }

  /** The trained head (and any fine-tuned base layers) as one storable object. */
  async headWeights(): Promise<HeadSnapshot> {
    const { base, head } = this.ready();
    const tunedLayers = base.tunedLayers;
    const tensors = [
      ...head.weights.map((w, i) => ({ name: headKey(i), tensor: w.read() })),
      ...tunedLayers.flatMap((name) =>
        base.model.getLayer(name).weights.map((w, j) => ({ name: baseKey(name, j), tensor: w.read() })),
      ),
    ];
    const { data, specs } = await tf.io.encodeWeights(tensors);
    return {
      format: 'transfer-lab-head@1',
      classNames: this.classNames.slice(),
      hiddenUnits: this.hiddenUnits,
      embeddingLayer: EMBEDDING_LAYER,
      base: baseOfModel(this.net.model, EMBEDDING_LAYER),
      tunedLayers,
      ...(this.testTimeViews ? { testTimeViews: true } : {}),
      specs,
      data,
    };
  }

  /** Restores a snapshot from headWeights(): ImageNet base + its tuned layers + its head. */
  async loadHead(saved: HeadSnapshot): Promise<void> {
    if (this.running) throw new EngineError('BUSY', 'Cannot load a head while training.');
    checkBase(saved, this.net.model, EMBEDDING_LAYER);
    const weights = decodeSnapshot(saved);
    try {
      const base = await this.ensureBase();
      if (saved.embeddingLayer !== EMBEDDING_LAYER || saved.tunedLayers.some((n) => !base.layers.some((l) => l.name === n))) {
        throw new EngineError('MODEL', 'The saved head was trained on a different base model.', { layer: saved.embeddingLayer });
      }
      const head = this.newHead(saved.classNames, saved.hiddenUnits, 0);
      this.testTimeViews = saved.testTimeViews === true;
      head.weights.forEach((w, i) => restore(weights, headKey(i), w));
      base.reset();
      saved.tunedLayers.forEach((name) => base.model.getLayer(name).weights.forEach((w, j) => restore(weights, baseKey(name, j), w)));
      base.markTrained(saved.tunedLayers.map((name) => base.layers.findIndex((l) => l.name === name)));
      this.stepped = true;
    } catch (e) {
      this.disposeHead();
      throw e;
    } finally {
      tf.dispose(weights);
    }
  }

  /** Frees the head, the caches and the trainer's copy of the base. The MobileNet stays usable. */
  dispose(): void {
    this.disposeHead();
    this.caches.forEach((c) => c.dispose());
    this.caches.clear();
    this.base?.dispose();
    this.base = null;
  }

  private ready(): { base: TunableBase; head: tf.Sequential } {
    if (!this.base || !this.head || !this.stepped) {
      throw new EngineError('NOT_TRAINED', 'Train (or load) a model first.');
    }
    return { base: this.base, head: this.head };
  }

  private async ensureBase(): Promise<TunableBase> {
    this.base ??= await TunableBase.copy(this.net);
    return this.base;
  }

  private newHead(classNames: string[], hiddenUnits: number, seed: number, dropout = 0): tf.Sequential {
    this.disposeHead();
    const embeddingSize = this.net.model.getLayer(EMBEDDING_LAYER).outputShape.at(-1) as number;
    this.head = createHead({ embeddingSize, hiddenUnits, numClasses: classNames.length, dropout }, seed);
    this.classNames = classNames.slice();
    this.hiddenUnits = hiddenUnits;
    this.stepped = false;
    return this.head;
  }

  private disposeHead(): void {
    this.head?.dispose();
    this.head = null;
    this.stepped = false;
  }

  /** The plan this run follows, with unknown layer names refused; gradual unfreezing starts with none of the base. */
  private planFor(o: Resolved, base: TunableBase): FreezePlan {
    const layers = inventory(base.model);
    if (o.mode === 'feature-extraction' || o.gradual) return plans.featureExtraction(layers);
    const plan = o.plan ?? plans.topBlocks(layers, 1);
    const unknown = Object.keys(plan).filter((name) => !layers.some((l) => l.name === name));
    if (unknown.length) {
      throw new EngineError('BAD_PLAN', `The freeze plan names layers the model does not have: ${unknown.join(', ')}.`, {
        layers: unknown.join(','),
      });
    }
    return plan;
  }

  /** One run at a time; a tfjs failure mid-run becomes EngineError BACKEND. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.running) throw new EngineError('BUSY', 'A training run is already in progress.');
    this.running = true;
    try {
      return await work();
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError('BACKEND', `Training failed on the ${tf.getBackend()} backend: ${(e as Error).message}`, {
        backend: tf.getBackend(),
      });
    } finally {
      this.running = false;
    }
  }

  private async run(samples: Sample[], o: Resolved, emit: Emit, signal?: AbortSignal): Promise<TrainResult> {
    const run = await this.prepare(samples, o, emit, signal);
    let epochs: Epochs = { history: [], kept: null, cancelled: run.cancelled, stoppedEarly: false };
    try {
      if (!run.cancelled) epochs = await this.epochs(run, o, emit, signal);
    } finally {
      disposeGroups(run.groups);
      if (run.steps) run.base.markTrained(run.split.trainable);
    }
    return this.finish(run, o, epochs);
  }

  /**
   * Before the first step: the plan's split of the base, a fresh head (unless resuming), the trainable flags, the
   * weights' "before" snapshot for the frozen proof, the train/validation split and the filled bottleneck cache.
   */
  private async prepare(samples: Sample[], o: Resolved, emit: Emit, signal?: AbortSignal): Promise<Run> {
    const base = await this.ensureBase();
    const split = splitBase(base, this.planFor(o, base));
    if (o.mode === 'fine-tune' && !o.gradual && !split.trainable.length) {
      throw new EngineError('NO_TRAINABLE', 'The plan freezes every layer of the base; use feature extraction to train only the head.');
    }
    if (o.gradual) plans.topBlocks(inventory(base.model), o.gradual.blocks);
    if (o.resume && (!this.head || this.classNames.join('\n') !== o.classNames.join('\n') || this.hiddenUnits !== o.hiddenUnits)) {
      throw new EngineError('BAD_HYPERPARAMETER', 'Resuming needs a trained head with the same classes and hidden units.', {
        name: 'resume',
        value: 'true',
      });
    }
    if (!o.resume) {
      base.reset();
      this.newHead(o.classNames, o.hiddenUnits, o.seed, o.dropout);
    }
    this.testTimeViews = o.cachedViews;
    const head = this.head!;
    base.layers.forEach((l, i) => {
      if (l.weights.length) l.trainable = split.trainable.includes(i);
    });
    const baseLayers = split.trainable.map((i) => base.layers[i]);
    const groups = [paramGroup(varsOf(head.layers), o.learningRate)];
    if (baseLayers.length) groups.push(paramGroup(varsOf(baseLayers), o.baseLearningRate));
    const watched = [...base.layers, ...head.layers];
    // Which weights learn is settled when the run ends (gradual unfreezing releases layers on the way).
    const before = await snapshot(watched, new Set());

    const random = rng(o.seed);
    const { train: photos, validation } = stratifiedSplit(samples, o.validationSplit, random);
    // Fixed views train only; validation is scored on the centre view, as predictions are.
    const train: ViewedSample[] = o.cachedViews ? withFixedViews(photos) : photos;
    const embedded: ViewedSample[] = o.cachedViews ? [...samples, ...train.filter((s) => s.view)] : samples;
    const run: Run = {
      base, split, head, groups, learners: new Set([...baseLayers, ...head.layers]), watched, before, random, train, validation, embedded,
      cache: null, cancelled: false, steps: 0, unfrozen: [],
    };
    await this.moveCache(run, o, emit, signal);
    return run;
  }

  /**
   * The bottleneck cache for the run's current cut, filled for the photos it lacks. It moves with the cut: gradual
   * unfreezing shortens the frozen prefix, whose output at the new cut is exact (those layers never learned), so it
   * is cached once per photo there instead of running the whole base every batch. Random augmentation bypasses it.
   */
  private async moveCache(run: Run, o: Resolved, emit: Emit, signal?: AbortSignal): Promise<void> {
    run.cache = o.useCache && !o.augment ? this.cacheFor(run.split, run.base, run.embedded) : null;
    if (run.cache) run.cancelled = await fillCache(run.cache, run.split, run.embedded, emit, signal);
  }

  /** The frozen prefix's output for a batch: from the cache, or computed from the photos (with augmentation's views). */
  private features(run: Run, batch: readonly ViewedSample[], views?: View[]): tf.Tensor | Promise<tf.Tensor> {
    const cache = run.cache;
    return cache ? tf.tidy(() => cache.batch(batch)) : prefixFeatures(run.split, batch, views);
  }

  /**
   * Gradual unfreezing: the top `blocks` blocks learn from `epoch` on. The blocks just released get an Adam of their
   * own at the base rate (fresh moments, own step count: see groups.ts) and the early stopper's copy of them.
   */
  private async release(run: Run, o: Resolved, blocks: number, epoch: number, best: BestEpoch | null, emit: Emit, signal?: AbortSignal): Promise<void> {
    const { base } = run;
    const split = splitBase(base, plans.topBlocks(inventory(base.model), blocks));
    const added = split.trainable.filter((i) => !run.split.trainable.includes(i)).map((i) => base.layers[i]);
    added.forEach((l) => {
      l.trainable = true;
      run.learners.add(l);
    });
    const vars = varsOf(added);
    best?.include(vars);
    run.groups.push(paramGroup(vars, o.baseLearningRate));
    run.split = split;
    run.unfrozen.push({ epoch, blocks });
    emit({ type: 'unfreeze', epoch, blocks, layers: added.map((l) => l.name) });
    await this.moveCache(run, o, emit, signal);
  }

  /**
   * The epochs themselves: one gradient step per batch, then the validation score; stops at a cancel, or early when
   * validation loss stops improving (the best epoch's weights are then written back).
   */
  private async epochs(run: Run, o: Resolved, emit: Emit, signal?: AbortSignal): Promise<Epochs> {
    const { head, train, validation, random } = run;
    const history: EpochEvent[] = [];
    const best = o.patience > 0 && validation.length ? new BestEpoch(o.patience) : null;
    let lastScore: Score | null = null;
    let bestScore: Score | null = null;
    let stoppedEarly = false;
    const cancelled = (): Epochs => ({ history, kept: null, cancelled: true, stoppedEarly: false });
    // Asking starts the peers in the background: they join the steps once ready.
    if (run.split.suffix.length || o.gradual) this.parallel?.peers();
    try {
      for (let epoch = 1; epoch <= o.epochs && !stoppedEarly; epoch++) {
        const blocks = o.gradual ? blocksAt(epoch, o.gradual.every, o.gradual.blocks) : 0;
        if (blocks > run.unfrozen.length) {
          await this.release(run, o, blocks, epoch, best, emit, signal);
          if (run.cancelled) return cancelled();
        }
        const started = performance.now();
        const epochBatches = batches(train, o.batchSize, random);
        let lossSum = 0;
        let hitSum = 0;
        for (let b = 0; b < epochBatches.length; b++) {
          if (signal?.aborted) return cancelled();
          const t0 = performance.now();
          const batch = epochBatches[b];
          const views = o.augment ? batch.map((s) => randomView(s.pixels, random)) : undefined;
          // Drawn only when dropout is on, so runs without it keep the same random stream (batch order, views).
          const dropoutSeed = o.dropout > 0 ? Math.floor(random() * 2 ** 31) : undefined;
          const features = await this.features(run, batch, views);
          const extras = { l2: o.l2, dropoutSeed };
          const shared = this.parallel && (await parallelStep(this.parallel, { run, base: run.base.model, groups: run.groups, split: run.split, head, features, batch, ...extras }));
          const stats = shared || trainStep(run.groups, run.split, head, features, batch, extras);
          const [loss, hit] = await stats.data();
          stats.dispose();
          run.steps++;
          this.stepped = true;
          lossSum += loss * batch.length;
          hitSum += hit;
          emit({ type: 'batch', epoch, batch: b + 1, batches: epochBatches.length, loss, ms: performance.now() - t0 });
          await breathe();
        }
        lastScore = validation.length ? await scoreSet(validation, (chunk) => this.features(run, chunk), run.split, head, o.classNames.length, signal) : null;
        if (signal?.aborted) return cancelled();
        const event: EpochEvent = {
          type: 'epoch',
          epoch,
          epochs: o.epochs,
          loss: lossSum / train.length,
          accuracy: hitSum / train.length,
          valLoss: lastScore?.loss ?? null,
          valAccuracy: lastScore?.accuracy ?? null,
          ms: performance.now() - started,
        };
        history.push(event);
        emit(event);
        if (best && lastScore) {
          stoppedEarly = best.update(epoch, lastScore.loss, run.groups.flatMap((g) => g.vars)) && epoch < o.epochs;
          if (best.epoch === epoch) bestScore = lastScore;
        }
      }
      if (best && best.epoch !== history.length) best.restore();
      return { history, kept: best ? { epoch: best.epoch, score: bestScore } : null, lastScore, cancelled: false, stoppedEarly };
    } finally {
      best?.dispose();
    }
  }

  /** After the last step: the frozen proof and per-layer deltas (also for a cancelled run), and the evaluation. */
  private async finish(run: Run, o: Resolved, { history, kept, lastScore, cancelled, stoppedEarly }: Epochs): Promise<TrainResult> {
    const { head, train, validation, cache, base } = run;
    const after = await snapshot(run.watched, run.learners);
    let evaluation = null;
    if (!cancelled) {
      // The weights kept are the best epoch's when early stopping chose one, and so is their score.
      const held = kept?.score ?? lastScore ?? null;
      const scored = held ? validation : train;
      const score = held ?? (await scoreSet(train, (chunk) => this.features(run, chunk), run.split, head, o.classNames.length));
      evaluation = evaluate(
        scored.map((s) => s.label),
        score.predicted,
        scored.map((s) => s.id),
        o.classNames.length,
        held ? 'validation' : 'training',
      );
    }
    return {
      history,
      frozenCheck: frozenCheck(run.before, after),
      deltas: layerDeltas(run.before, after),
      evaluation,
      cacheBytes: cache?.bytes ?? 0,
      cachedLayer: cache ? base.layers[run.split.prefixEnd].name : null,
      cancelled,
      keptEpoch: kept?.epoch ?? null,
      stoppedEarly,
      unfrozen: run.unfrozen,
    };
  }

  /**
   * The cache for this cut: reused while the prefix weights are unchanged, rebuilt otherwise. One cache of pooled
   * embeddings and one frozen-prefix cache are kept, so switching between feature extraction and one fine-tune plan
   * stays cheap without growing memory with every plan tried.
   */
  private cacheFor(split: BaseSplit, base: TunableBase, samples: readonly Sample[]): BottleneckCache {
    const pooled = split.suffix.length === 0;
    const key = `${base.layers[split.prefixEnd].name}${pooled ? '+pool' : ''}`;
    const stamp = base.stampUpTo(split.prefixEnd);
    for (const [k, c] of this.caches) {
      if (k.endsWith('+pool') === pooled && (k !== key || c.stamp !== stamp)) {
        c.dispose();
        this.caches.delete(k);
      }
    }
    const cache = this.caches.get(key) ?? new BottleneckCache(key, stamp);
    this.caches.set(key, cache);
    cache.keepOnly(samples);
    return cache;
  }

}
