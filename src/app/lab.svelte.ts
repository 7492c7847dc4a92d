import * as Comlink from 'comlink';
import type { FreezePlan, HeadSnapshot, LayerInfo, Pixels, TrainEvent, TrainResult } from '../ml';
import { headParamCount, plans } from '../ml/layers';
import { DEFAULT_BASE, isBaseId, type BaseId } from '../ml/bases';
import { HIDDEN_UNITS } from '../ml/defaults';
import { runOptions, twoPhaseOptions } from '../ml/recipe';
import { classProblem, type ClassProblem } from '../ml/class-rule';
import type { Engine } from '../worker/client';
import type { Prediction } from '../worker/api';
import type { TmLayer } from '../ml/tm-format';
import { tmZip } from '../io/tm-files';
import { model } from './model.svelte';
import { project, type TrainSettings } from './project.svelte';
import { runs } from './run.svelte';

export type TrainStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';
type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>;

/** The engine's trainer that holds the learner's head. */
export const SLOT = 'lab';

/** Why training cannot start yet, or null when it can. */
export type Blocker = ClassProblem | { key: 'model' };

/** The workbench's training state; the training itself runs in the engine through the run store. */
class Lab {
  status = $state<TrainStatus>('idle');
  /** 'decode' | 'embed' | 'epochs' while running. */
  phase = $state<'decode' | 'embed' | 'epochs' | null>(null);
  progress = $state({ done: 0, total: 0 });
  phaseStartedAt = $state(0);
  history = $state.raw<EpochEvent[]>([]);
  lastLoss = $state<number | null>(null);
  /** Mean ms of one training step (a batch's forward, backward and update) in the current or last run. */
  stepMs = $state<number | null>(null);
  private steps = { n: 0, ms: 0 };
  /** The phase a two-phase run is in (or ended in); null for other runs. */
  trainPhase = $state<1 | 2 | null>(null);
  /** Epochs of phase 1 in a two-phase run's history: the chart marks the boundary after them. */
  phaseBoundary = $state<number | null>(null);
  /** Gradual unfreezing's releases in this run: from `epoch` on, the top `blocks` blocks learned. */
  unfreezes = $state.raw<{ epoch: number; blocks: number }[]>([]);
  /** The epoch early stopping kept (lowest validation loss), once the run has ended; null without early stopping. */
  keptEpoch = $state<number | null>(null);
  result = $state.raw<TrainResult | null>(null);
  /** Class names the trained head answers with, fixed at training time. */
  trainedClasses = $state.raw<string[]>([]);
  /** This run lost its engine to a stuck thread and started over by itself (run.svelte.ts): the panel says so. */
  startedOver = $state(false);
  /** What went wrong: an i18n key under lab.training.errors and the error itself, which the view names with errorText. */
  error = $state.raw<{ key: 'restore' | 'train'; error: unknown } | null>(null);
  /** The engine holds a trained (or restored) head for the lab. */
  private hasHead = $state(false);
  /** A model loaded from exported files, which answers predictions instead of the trained head. */
  imported = $state.raw<{ classNames: string[] } | null>(null);
  private ready: Promise<void> | null = null;
  private pendingHistory: EpochEvent[] = [];
  private flushQueued = false;
  /** The imported Teachable Machine model's name and leaf layers; shown while `of` is still the imported model. */
  tm = $state.raw<{ of: { classNames: string[] }; modelName: string; layers: TmLayer[] } | null>(null);

  get layers(): LayerInfo[] {
    return model.layers;
  }

  get headParams(): number {
    return this.layers.length ? headParamCount(model.embeddingSize, HIDDEN_UNITS, Math.max(2, project.classes.length)) : 0;
  }

  get deltas(): Record<string, number> | null {
    return this.result ? Object.fromEntries(this.result.deltas.map((d) => [d.layer, d.meanAbsDelta])) : null;
  }

  get trained(): boolean {
    return !!this.imported || (this.status !== 'running' && this.hasHead);
  }

  /** Starts the plan as feature extraction once the model is in and restores a saved head. */
  init(): Promise<void> {
    this.ready ??= this.setUp().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  private async setUp(): Promise<void> {
    await model.useBase(isBaseId(project.settings.base) ? project.settings.base : DEFAULT_BASE);
    const engine = await model.ensure();
    project.plan ??= plans.featureExtraction(this.layers);
    await this.restoreHead(engine);
  }

  /** The base the saved head was trained on, when there is one (heads saved before the choice existed are on 0.25). */
  get headBase(): BaseId | null {
    const head = project.head as HeadSnapshot | null;
    if (!head) return null;
    return isBaseId(head.base) ? head.base : DEFAULT_BASE;
  }

  /** The saved head is kept for its own base and never loaded onto another one (its features are different). */
  private async restoreHead(engine: Engine): Promise<void> {
    if (!project.head || this.hasHead || this.headBase !== model.base) return;
    try {
      this.trainedClasses = await engine.loadHead(SLOT, project.head as HeadSnapshot);
      this.hasHead = true;
    } catch (err) {
      this.error = { key: 'restore', error: err };
    }
  }

  /**
   * Moves the lab onto another base network: photos stay, the choice is saved with the project, the head trained on
   * the old base stays saved for it (and comes back when that base is chosen again); this base's head loads if saved.
   */
  async chooseBase(id: BaseId): Promise<void> {
    if (this.status === 'running' || model.base === id) return;
    project.settings.base = id;
    await project.saveNow();
    this.hasHead = false;
    this.trainedClasses = [];
    this.result = null;
    this.history = [];
    this.unfreezes = [];
    this.keptEpoch = null;
    this.status = 'idle';
    this.error = null;
    await model.useBase(id);
    await this.restoreHead(await model.ensure());
  }

  /** A fresh engine replaced a lost one: the saved head goes back in; an imported model lived only in the old engine. */
  async afterRestart(engine: Engine): Promise<boolean> {
    this.hasHead = false;
    this.imported = null;
    this.tm = null;
    // A lab never set up restores its head when it is.
    if (!this.ready) return false;
    await this.restoreHead(engine);
    return this.hasHead;
  }

  setPlan(plan: FreezePlan): void {
    project.plan = plan;
    project.scheduleSave();
  }

  blocker(): Blocker {
    if (model.modelState !== 'ready') return { key: 'model' };
    return classProblem(project.classes.map((c) => ({ name: c.name, photos: project.photosOf(c.id).length })));
  }

  async train(): Promise<void> {
    if (this.status === 'running' || this.blocker()) return;
    this.status = 'running';
    this.error = null;
    this.startedOver = false;
    const s = $state.snapshot(project.settings) as TrainSettings;
    const twoPhase = s.mode === 'two-phase';
    this.resetRun(twoPhase);
    const classNames = project.classes.map((c) => c.name);
    const photos = project.classes.flatMap((c, label) => project.photosOf(c.id).map((p) => ({ id: p.id, label, blob: async () => p.blob })));
    const options = runOptions(s, classNames, project.plan);
    try {
      await this.init();
      const result = await runs.train({
        owner: 'lab',
        slot: SLOT,
        photos,
        // Two phases of `epochs` each: the run store's progress counts both.
        options: twoPhase ? { ...options, epochs: 2 * s.epochs } : options,
        onDecode: (done, total) => (this.progress = { done, total }),
        onEvent: (e) => this.onEvent(e, twoPhase ? 2 * s.epochs : s.epochs),
        onStartOver: () => {
          this.startedOver = true;
          this.resetRun(twoPhase);
        },
        start: twoPhase
          ? (engine, runId, refs, onEvent) =>
              engine.trainTwoPhase(SLOT, runId, refs, twoPhaseOptions(s, classNames), onEvent).then((r) => {
                this.phaseBoundary = r.phase1Epochs;
                return r;
              })
          : undefined,
      });
      if (!result) {
        this.status = 'cancelled';
        return;
      }
      this.result = result;
      this.keptEpoch = result.keptEpoch;
      if (result.cancelled) {
        this.status = 'cancelled';
        return;
      }
      this.imported = null;
      this.trainedClasses = classNames;
      this.hasHead = true;
      // The engine the run ended on: a run that started over did so on a restarted one.
      project.head = await (await model.ensure()).headWeights(SLOT);
      // 'done' only once the head is on disk: a reload the instant it says done must find it.
      await project.saveNow();
      this.status = 'done';
    } catch (err) {
      this.status = 'error';
      this.error = { key: 'train', error: err };
    } finally {
      this.flushHistory();
      this.phase = null;
    }
  }

  cancel(): void {
    runs.cancel('lab');
  }

  /** A run's figures back to nothing: as it starts, and as it starts over. */
  private resetRun(twoPhase: boolean): void {
    this.history = [];
    this.pendingHistory = [];
    this.unfreezes = [];
    this.keptEpoch = null;
    this.lastLoss = null;
    this.stepMs = null;
    this.steps = { n: 0, ms: 0 };
    this.phase = 'decode';
    this.phaseStartedAt = performance.now();
    this.trainPhase = twoPhase ? 1 : null;
    this.phaseBoundary = null;
  }

  private onEvent(e: TrainEvent, epochs: number): void {
    // Two-phase events say which phase they belong to; phase 2's first one marks where phase 1 ended.
    const phase = (e as { phase?: 1 | 2 }).phase;
    if (phase === 2 && this.phaseBoundary === null) {
      this.flushHistory();
      this.phaseBoundary = this.history.length;
    }
    if (phase) this.trainPhase = phase;
    if (e.type === 'embed') {
      if (this.phase !== 'embed') this.phaseStartedAt = performance.now();
      this.phase = 'embed';
      this.progress = { done: e.done, total: e.total };
    } else if (e.type === 'batch') {
      if (this.phase !== 'epochs') this.phaseStartedAt = performance.now();
      this.phase = 'epochs';
      this.lastLoss = e.loss;
      this.steps = { n: this.steps.n + 1, ms: this.steps.ms + e.ms };
      this.stepMs = this.steps.ms / this.steps.n;
      this.progress = { done: (e.epoch - 1) * e.batches + e.batch, total: epochs * e.batches };
    } else if (e.type === 'unfreeze') {
      this.unfreezes = [...this.unfreezes, { epoch: e.epoch, blocks: e.blocks }];
    } else if (e.type === 'epoch') {
      this.pendingHistory.push(e);
      this.lastLoss = e.loss;
      if (!this.flushQueued) {
        this.flushQueued = true;
        requestAnimationFrame(() => this.flushHistory());
      }
    }
  }

  /** Epochs can end faster than the screen refreshes: the chart takes the new ones at most once a frame. */
  private flushHistory(): void {
    this.flushQueued = false;
    if (this.pendingHistory.length) this.history = [...this.history, ...this.pendingHistory];
    this.pendingHistory = [];
  }

  /** Class probabilities from an imported model, else the trained head, else MobileNet's ImageNet classes. */
  async predict(pixels: Pixels): Promise<Prediction> {
    const engine = await model.ensure();
    await this.init();
    return engine.predict(SLOT, Comlink.transfer(pixels, [pixels.data.buffer as ArrayBuffer]), 3);
  }

  /** Downloads the trained pipeline (image → classes) as TF.js files; only ever on the learner's click. */
  async exportModel(): Promise<void> {
    if (!this.hasHead) return;
    const engine = await model.ensure();
    const files = await engine.exportModel(SLOT, 'transfer-lab-model');
    download(new Blob([files.json], { type: 'application/json' }), files.jsonName);
    download(new Blob([files.weights], { type: 'application/octet-stream' }), files.weightsName);
  }

  /** Loads an exported model back; from then on predictions use it until the next training run. */
  async importModel(files: File[]): Promise<void> {
    await this.init();
    const engine = await model.ensure();
    this.imported = { classNames: await engine.importModel(SLOT, files) };
  }

  /** Downloads what answers the lab's predictions as a Teachable Machine image model (.zip); only ever on the learner's click. */
  async exportTm(): Promise<void> {
    if (!this.trained) return;
    const engine = await model.ensure();
    const files = await engine.exportTm(SLOT, 'transfer-lab-model');
    download(new Blob([tmZip(files) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), 'transfer-lab-tm-model.zip');
  }

  /** Loads a Teachable Machine image model (zip or its three files); predictions use it until the next training run. */
  async importTm(files: File[]): Promise<void> {
    await this.init();
    const engine = await model.ensure();
    const loaded = await engine.importTm(SLOT, files);
    const imported = { classNames: loaded.classNames };
    this.imported = imported;
    this.tm = { of: imported, modelName: loaded.modelName, layers: loaded.layers };
  }
}

/** Saves a blob through the browser's download, as tf.io's `downloads://` did on the page. */
function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const lab = new Lab();
model.onRestart((engine) => lab.afterRestart(engine));
