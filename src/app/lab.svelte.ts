import * as tf from '@tensorflow/tfjs';
import type { FreezePlan, HeadSnapshot, LayerInfo, Sample, TrainEvent, TrainResult, Trainer } from '../ml';
import { engine } from './engine.svelte';
import { project } from './project.svelte';
import { decodeForModel } from '../io/decode';

export type TrainStatus = 'idle' | 'running' | 'done' | 'cancelled' | 'error';
type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>;

export const HIDDEN_UNITS = 100;
/** conv_pw_13_relu pooled: 256 floats per photo. */
const EMBEDDING_SIZE = 256;

/** Why training cannot start yet, or null when it can. */
export type Blocker = { key: 'one-class' } | { key: 'few-photos'; name: string; n: number } | { key: 'model' } | { key: 'no-conv-grad' } | null;

/** The workbench's training state: the engine's Trainer, progress, history and the last result. */
class Lab {
  layers = $state.raw<LayerInfo[]>([]);
  status = $state<TrainStatus>('idle');
  /** 'decode' | 'embed' | 'epochs' while running. */
  phase = $state<'decode' | 'embed' | 'epochs' | null>(null);
  progress = $state({ done: 0, total: 0 });
  phaseStartedAt = $state(0);
  history = $state.raw<EpochEvent[]>([]);
  lastLoss = $state<number | null>(null);
  result = $state.raw<TrainResult | null>(null);
  /** Class names the trained head answers with, fixed at training time. */
  trainedClasses = $state.raw<string[]>([]);
  /** What went wrong, as an i18n key under lab.training.errors plus the engine's own words. */
  error = $state<{ key: 'restore' | 'train'; detail: string } | null>(null);
  private trainer: Trainer | null = null;
  private ml: typeof import('../ml') | null = null;
  private ready: Promise<void> | null = null;
  /** A model loaded from exported files, which answers predictions instead of the trainer. */
  imported = $state.raw<{ model: tf.LayersModel; classNames: string[] } | null>(null);
  private abort: AbortController | null = null;

  get headParams(): number {
    return this.ml ? this.ml.headParamCount(EMBEDDING_SIZE, HIDDEN_UNITS, Math.max(2, project.classes.length)) : 0;
  }

  get deltas(): Record<string, number> | null {
    return this.result ? Object.fromEntries(this.result.deltas.map((d) => [d.layer, d.meanAbsDelta])) : null;
  }

  get trained(): boolean {
    return !!this.imported || (this.status !== 'running' && !!this.trainer?.trained);
  }

  /** Lists the layers once the model is in, starts the plan as feature extraction and restores a saved head. */
  init(): Promise<void> {
    this.ready ??= this.setUp().catch((err: unknown) => {
      this.ready = null;
      throw err;
    });
    return this.ready;
  }

  private async setUp(): Promise<void> {
    const net = await engine.ensure();
    this.ml = await import('../ml');
    this.layers = this.ml.inventory(net.model);
    project.plan ??= this.ml.plans.featureExtraction(this.layers);
    this.trainer = new this.ml.Trainer(net);
    if (project.head) {
      try {
        await this.trainer.loadHead(project.head as HeadSnapshot);
        this.trainedClasses = this.trainer.labels;
      } catch (err) {
        this.error = { key: 'restore', detail: err instanceof Error ? err.message : String(err) };
      }
    }
  }

  setPlan(plan: FreezePlan): void {
    project.plan = plan;
    project.scheduleSave();
  }

  blocker(): Blocker {
    if (engine.modelState !== 'ready') return { key: 'model' };
    if (project.classes.length < 2) return { key: 'one-class' };
    const unfrozen = Object.values(project.plan ?? {}).some(Boolean);
    if (project.settings.mode === 'fine-tune' && unfrozen && engine.backend?.canFineTune === false) return { key: 'no-conv-grad' };
    for (const c of project.classes) {
      const n = project.photosOf(c.id).length;
      if (n < 2) return { key: 'few-photos', name: c.name, n };
    }
    return null;
  }

  private async samples(): Promise<Sample[]> {
    const photos = project.classes.flatMap((c, label) => project.photosOf(c.id).map((p) => ({ p, label })));
    this.phase = 'decode';
    this.progress = { done: 0, total: photos.length };
    const out: Sample[] = [];
    for (const { p, label } of photos) {
      out.push({ id: p.id, label, pixels: await decodeForModel(p.blob) });
      this.progress = { done: out.length, total: photos.length };
    }
    return out;
  }

  async train(): Promise<void> {
    if (this.status === 'running' || this.blocker()) return;
    await this.init();
    const trainer = this.trainer!;
    this.status = 'running';
    this.error = null;
    this.history = [];
    this.lastLoss = null;
    this.phaseStartedAt = performance.now();
    this.abort = new AbortController();
    const s = project.settings;
    const classNames = project.classes.map((c) => c.name);
    try {
      const samples = await this.samples();
      if (this.abort.signal.aborted) throw new Error('cancelled');
      const result = await trainer.train(
        samples,
        {
          mode: s.mode,
          classNames,
          epochs: s.epochs,
          batchSize: s.batchSize,
          learningRate: s.learningRate,
          augment: s.mode === 'fine-tune' && s.augment,
          plan: s.mode === 'fine-tune' ? (project.plan ?? undefined) : undefined,
          hiddenUnits: HIDDEN_UNITS,
        },
        (e) => this.onEvent(e),
        this.abort.signal,
      );
      this.result = result;
      this.imported?.model.dispose();
      this.imported = null;
      this.status = result.cancelled ? 'cancelled' : 'done';
      if (!result.cancelled) {
        this.trainedClasses = classNames;
        project.head = await trainer.headWeights();
        await project.saveNow();
      }
    } catch (err) {
      const cancelled = this.abort?.signal.aborted;
      this.status = cancelled ? 'cancelled' : 'error';
      if (!cancelled) this.error = { key: 'train', detail: err instanceof Error ? err.message : String(err) };
    } finally {
      this.phase = null;
      this.abort = null;
    }
  }

  cancel(): void {
    this.abort?.abort();
  }

  private onEvent(e: TrainEvent): void {
    if (e.type === 'embed') {
      if (this.phase !== 'embed') this.phaseStartedAt = performance.now();
      this.phase = 'embed';
      this.progress = { done: e.done, total: e.total };
    } else if (e.type === 'batch') {
      if (this.phase !== 'epochs') this.phaseStartedAt = performance.now();
      this.phase = 'epochs';
      this.lastLoss = e.loss;
      const epochs = project.settings.epochs;
      this.progress = { done: (e.epoch - 1) * e.batches + e.batch, total: epochs * e.batches };
    } else {
      this.history = [...this.history, e];
      this.lastLoss = e.loss;
    }
  }

  /** Class probabilities from an imported model, else the trained pipeline; null before either exists. */
  async predict(pixels: Parameters<Trainer['predict']>[0]): Promise<{ label: string; probability: number }[] | null> {
    let probabilities: number[];
    let names: string[];
    if (this.imported && this.ml) {
      const { model } = this.imported;
      const ml = this.ml;
      const output = tf.tidy(() => model.predict(ml.preprocess(pixels)) as tf.Tensor);
      probabilities = Array.from(await output.data());
      output.dispose();
      names = this.imported.classNames;
    } else if (this.trainer?.trained) {
      probabilities = (await this.trainer.predict(pixels)).probabilities;
      names = this.trainedClasses;
    } else {
      return null;
    }
    return probabilities
      .map((probability, i) => ({ label: names[i] ?? `#${i}`, probability }))
      .sort((a, b) => b.probability - a.probability);
  }

  /** Downloads the trained pipeline (image → classes) as TF.js files; only ever on the learner's click. */
  async exportModel(): Promise<void> {
    if (!this.trainer?.trained) return;
    const { downloadModel } = await import('../io/model-files');
    await downloadModel(this.trainer.exportModel(), this.trainedClasses);
  }

  /** Loads an exported model back; from then on predictions use it until the next training run. */
  async importModel(files: File[]): Promise<void> {
    await this.init();
    const { readModelFiles } = await import('../io/model-files');
    const loaded = await readModelFiles(files);
    this.imported?.model.dispose();
    this.imported = loaded;
  }
}


export const lab = new Lab();
