import * as tf from '@tensorflow/tfjs';
import { TunableBase } from './base';
import { BottleneckCache } from './cache';
import { BATCH_SIZE, FINE_TUNE_LEARNING_RATE, HEAD_LEARNING_RATE } from './defaults';
import { batches, checkSamples, randomView, stratifiedSplit } from './dataset';
import { createHead } from './head';
import { centreView, checkPixels, toInputBatch } from './image';
import type { View } from './image';
import { installFastCpuKernels } from './kernels';
import { installWasmKernels } from './kernels-wasm';
import { installGpuKernels } from './kernels-gpu';
import { inventory, learnableWeights, plans } from './layers';
import type { FreezePlan } from './layers';
import { evaluate } from './metrics';
import { EMBEDDING_LAYER, preprocess } from './mobilenet';
import type { MobileNet } from './mobilenet';
import { resolveOptions } from './options';
import type { EpochEvent, Resolved, TrainEvent, TrainOptions, TrainResult } from './options';
import { baseKey, baseOfModel, checkBase, decodeSnapshot, headKey, restore } from './persist';
import type { HeadSnapshot } from './persist';
import { frozenCheck, layerDeltas, snapshot } from './proof';
import { rng } from './random';
import type { Rng } from './random';
import { embed, prefixForward, splitBase } from './suffix';
import type { BaseSplit } from './suffix';
import { EngineError } from './types';
import type { Pixels, Sample } from './types';
import { fillCache, scoreSet, trainStep } from './step';
import { breathe } from './yield';
import type { Score } from './step';
import { withFixedViews, type ViewedSample } from './views';

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
  /** Phase 2 only. */
  augment?: boolean;
}

/** Events of a two-phase run carry the phase they belong to. */
export type TwoPhaseEvent = TrainEvent & { phase: 1 | 2 };

type Emit = (e: TrainEvent) => void;

/** A run between its preparation and its finish: what the epochs train and what the proof compares. */
interface Run {
  base: TunableBase;
  split: BaseSplit;
  head: tf.Sequential;
  /** The variables gradient descent updates: the trainable suffix's and the head's. */
  vars: tf.Variable[];
  learners: tf.layers.Layer[];
  watched: tf.layers.Layer[];
  before: Awaited<ReturnType<typeof snapshot>>;
  random: Rng;
  train: ViewedSample[];
  validation: Sample[];
  cache: BottleneckCache | null;
  /** The frozen prefix's output for a batch: from the cache, or computed (with augmentation's views). */
  features: (batch: readonly ViewedSample[], views?: View[]) => tf.Tensor;
  /** Cancelled while filling the cache. */
  cancelled: boolean;
  steps: number;
}

interface Epochs {
  history: EpochEvent[];
  lastScore: Score | null;
  cancelled: boolean;
}

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
  private readonly caches = new Map<string, BottleneckCache>();

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
    if (this.running) throw new EngineError('BUSY', 'A training run is already in progress.');
    this.running = true;
    try {
      return await this.run(samples, o, onEvent ?? (() => {}), signal);
    } catch (e) {
      if (e instanceof EngineError) throw e;
      throw new EngineError('BACKEND', `Training failed on the ${tf.getBackend()} backend: ${(e as Error).message}`, {
        backend: tf.getBackend(),
      });
    } finally {
      this.running = false;
    }
  }

  /**
   * The seeds' recipe: phase 1 trains the head on cached embeddings with the base frozen; phase 2 unfreezes the
   * top blocks and continues from that head with a small learning rate. `phase2` is null when phase 1 was cancelled.
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
    };
    const phase2: TrainOptions = {
      ...common,
      mode: 'fine-tune',
      plan,
      epochs: opts.fineTuneEpochs,
      learningRate: opts.fineTuneLearningRate ?? FINE_TUNE_LEARNING_RATE,
      augment: opts.augment,
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

  /** Class probabilities for one photo through the trained pipeline (fine-tuned base + head). */
  async predict(p: Pixels): Promise<{ label: number; probabilities: number[] }> {
    const { base, head } = this.ready();
    checkPixels(p);
    // Asynchronous read: a synchronous GPU read returns zeros and breaks the WebGPU device in Chromium.
    const output = tf.tidy(() => head.apply(embed(base, preprocess(p))) as tf.Tensor);
    const probabilities = Array.from(await output.data());
    output.dispose();
    return { label: probabilities.indexOf(Math.max(...probabilities)), probabilities };
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

  /** The plan this run follows, with unknown layer names refused. */
  private planFor(o: Resolved, base: TunableBase): FreezePlan {
    const layers = inventory(base.model);
    if (o.mode === 'feature-extraction') return plans.featureExtraction(layers);
    const plan = o.plan ?? plans.topBlocks(layers, 1);
    const unknown = Object.keys(plan).filter((name) => !layers.some((l) => l.name === name));
    if (unknown.length) {
      throw new EngineError('BAD_PLAN', `The freeze plan names layers the model does not have: ${unknown.join(', ')}.`, {
        layers: unknown.join(','),
      });
    }
    return plan;
  }

  private async run(samples: Sample[], o: Resolved, emit: Emit, signal?: AbortSignal): Promise<TrainResult> {
    const run = await this.prepare(samples, o, emit, signal);
    const optimizer = tf.train.adam(o.learningRate);
    let epochs: Epochs = { history: [], lastScore: null, cancelled: run.cancelled };
    try {
      if (!run.cancelled) epochs = await this.epochs(run, o, optimizer, emit, signal);
    } finally {
      optimizer.dispose();
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
    if (o.mode === 'fine-tune' && !split.trainable.length) {
      throw new EngineError('NO_TRAINABLE', 'The plan freezes every layer of the base; use feature extraction to train only the head.');
    }
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
    const head = this.head!;
    base.layers.forEach((l, i) => {
      if (l.weights.length) l.trainable = split.trainable.includes(i);
    });
    const learners = [...split.trainable.map((i) => base.layers[i]), ...head.layers];
    const vars = learners.flatMap((l) => learnableWeights(l).map((w) => w.read() as tf.Variable));
    const watched = [...base.layers, ...head.layers];
    const before = await snapshot(watched, new Set(learners));

    const random = rng(o.seed);
    const { train: photos, validation } = stratifiedSplit(samples, o.validationSplit, random);
    // Fixed views train the head only; validation is scored on the centre view, as predictions are.
    const train: ViewedSample[] = o.cachedViews ? withFixedViews(photos) : photos;
    const embedded: ViewedSample[] = o.cachedViews ? [...samples, ...train.filter((s) => s.view)] : samples;
    const cache = o.useCache && !o.augment ? this.cacheFor(split, base, embedded) : null;
    const cancelled = cache ? await fillCache(cache, split, embedded, emit, signal) : false;
    const features = (batch: readonly ViewedSample[], views?: View[]) =>
      tf.tidy(() =>
        cache
          ? cache.batch(batch)
          : prefixForward(split, toInputBatch(batch.map((s) => s.pixels), views ?? batch.map((s) => s.view ?? centreView(s.pixels)))),
      );
    return { base, split, head, vars, learners, watched, before, random, train, validation, cache, features, cancelled, steps: 0 };
  }

  /** The epochs themselves: one gradient step per batch, then the validation score; stops at a cancel. */
  private async epochs(run: Run, o: Resolved, optimizer: tf.Optimizer, emit: Emit, signal?: AbortSignal): Promise<Epochs> {
    const { split, head, vars, train, validation, features, random } = run;
    const history: EpochEvent[] = [];
    let lastScore: Score | null = null;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const started = performance.now();
      const epochBatches = batches(train, o.batchSize, random);
      let lossSum = 0;
      let hitSum = 0;
      for (let b = 0; b < epochBatches.length; b++) {
        if (signal?.aborted) return { history, lastScore, cancelled: true };
        const t0 = performance.now();
        const batch = epochBatches[b];
        const views = o.augment ? batch.map((s) => randomView(s.pixels, random)) : undefined;
        // Drawn only when dropout is on, so runs without it keep the same random stream (batch order, views).
        const dropoutSeed = o.dropout > 0 ? Math.floor(random() * 2 ** 31) : undefined;
        const stats = trainStep(optimizer, vars, split, head, features(batch, views), batch, o.l2, dropoutSeed);
        const [loss, hit] = await stats.data();
        stats.dispose();
        run.steps++;
        this.stepped = true;
        lossSum += loss * batch.length;
        hitSum += hit;
        emit({ type: 'batch', epoch, batch: b + 1, batches: epochBatches.length, loss, ms: performance.now() - t0 });
        await breathe();
      }
      lastScore = validation.length ? await scoreSet(validation, features, split, head, o.classNames.length, signal) : null;
      if (signal?.aborted) return { history, lastScore, cancelled: true };
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
    }
    return { history, lastScore, cancelled: false };
  }

  /** After the last step: the frozen proof and per-layer deltas (also for a cancelled run), and the evaluation. */
  private async finish(run: Run, o: Resolved, { history, lastScore, cancelled }: Epochs): Promise<TrainResult> {
    const { split, head, train, validation, features, cache, base } = run;
    const after = await snapshot(run.watched, new Set(run.learners));
    let evaluation = null;
    if (!cancelled) {
      const scored = lastScore ? validation : train;
      const score = lastScore ?? (await scoreSet(train, features, split, head, o.classNames.length));
      evaluation = evaluate(
        scored.map((s) => s.label),
        score.predicted,
        scored.map((s) => s.id),
        o.classNames.length,
        lastScore ? 'validation' : 'training',
      );
    }
    return {
      history,
      frozenCheck: frozenCheck(run.before, after),
      deltas: layerDeltas(run.before, after),
      evaluation,
      cacheBytes: cache?.bytes ?? 0,
      cachedLayer: cache ? base.layers[split.prefixEnd].name : null,
      cancelled,
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
