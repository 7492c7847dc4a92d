import * as tf from '@tensorflow/tfjs';
import * as Comlink from 'comlink';
import {
  EMBEDDING_LAYER,
  EngineError,
  IMAGE_SIZE,
  Trainer,
  checkAgainstTfGrad,
  chooseBackend,
  classify,
  inventory,
  loadMobileNet,
  preprocess,
  TinyMlp,
} from '../ml';
import type { BackendName, HeadSnapshot, MobileNet, PixelSource, Pixels, RangeTestOptions, RangeTestResult, Sample, TrainEvent, TrainOptions, TrainResult } from '../ml';
import type { MlpConfig } from '../ml/mlp';
import { embeddings } from '../ml/insight';
import { ModelFileError, readModelFiles } from '../io/model-files';
import { checkTmShapes, readTmFiles } from '../io/tm-files';
import { leafLayers, readingLabPixels, tmExport, tmMetadata, tmModelJson, unwrapTm } from '../ml/tm-format';
import type {
  EngineApi,
  EngineConfig,
  EngineHome,
  EngineInfo,
  EngineMemory,
  ExportedFiles,
  GradCheck,
  Prediction,
  SampleRef,
  TmExport,
  TmImported,
  PageReason,
  EngineEvent,
} from './api';
import { toArtifacts, toFiles } from './artifacts';
import { release, withExported } from './exported';
import type { ClassActivationMap, EmbeddingMap, InsightMaps } from './insight-api';
import { classActivationOf, embeddingMapOf, insightMaps } from './insight-host';
import type { TwoPhaseEvent, TwoPhaseOptions } from '../ml';
import { mergePhases, renumber, type TwoPhaseResult } from './two-phase';
import { DeviceLosses, deviceLoss, forgetWebGpu } from './device-loss';
import { threadsCanStart, type ThreadsStart } from './threads';
import { startKernelThreads } from './kernel-pool';
import { MAX_REPLICAS, Replicas } from './replicas';
import { soloSwitch } from './xnn-pool';
import { wasmThreadCount } from '../ml/threads';

type Imported = { model: tf.LayersModel; classNames: string[] };

/**
 * The engine's host: owns tfjs, the one MobileNet, a Trainer per slot, every tensor and the decoded photos of the
 * current run. It adds no ML of its own; src/ml does the work. Runs inside the Worker, or on the page as a fallback.
 */
export class EngineHost implements EngineApi {
  private config: EngineConfig | null = null;
  private net: MobileNet | null = null;
  private info: EngineInfo | null = null;
  private readonly trainers = new Map<string, Trainer>();
  private readonly imported = new Map<string, Imported>();
  /** The project's photos as handed over: encoded (decoded a batch at a time) or, from tests and the bench, decoded. */
  private readonly pixels = new Map<string, PixelSource>();
  private readonly runs = new Map<number, AbortController>();
  /** GPU device losses so far; guardedByDevice() makes the page's calls respect them. */
  readonly losses = new DeviceLosses();
  private listener: ((e: EngineEvent) => void) | null = null;
  /** Which load's device is watched: a loss reported for an earlier one is stale. */
  private watching = 0;
  /** On WebGPU, each trained head as bytes, taken when it changes: a lost device takes its tensors with it. */
  private readonly carried = new Map<string, HeadSnapshot>();
  /** The files each imported model came from, to open it again on another backend after a device loss. */
  private readonly importedFrom = new Map<string, { tm: boolean; files: File[] }>();
  /** The wasm backend's threads, decided once (the backend starts once per engine), and its gradient kernels' own. */
  private threads?: Promise<ThreadsStart>;
  private kernelThreads?: Promise<number>;
  /** Fine-tuning's data-parallel peers on threaded wasm (replicas.ts); none elsewhere. */
  private replicas: Replicas | null = null;

  constructor(
    private readonly home: EngineHome,
    private readonly note?: PageReason,
  ) {}

  async ping(): Promise<EngineHome> {
    return this.home;
  }

  async watch(onEvent: (e: EngineEvent) => void): Promise<void> {
    this.listener = onEvent;
  }

  async init(config: EngineConfig, onProgress?: (fraction: number) => void): Promise<EngineInfo> {
    if (this.info) return this.info;
    this.config = config;
    return this.load(config.requested, onProgress);
  }

  async switchBackend(requested: BackendName | 'auto', onProgress?: (fraction: number) => void): Promise<EngineInfo> {
    if (!this.config) throw new EngineError('MODEL', 'The engine has not been started.');
    if (this.runs.size) throw new EngineError('BUSY', 'Wait for the training run to finish before switching backend.');
    // Heads and imported models leave the old backend as plain bytes and come back on the new one.
    const heads = new Map<string, HeadSnapshot>();
    for (const [slot, trainer] of this.trainers) if (trainer.trained) heads.set(slot, await trainer.headWeights());
    const models = new Map<string, { artifacts: tf.io.ModelArtifacts; classNames: string[] }>();
    for (const [slot, m] of this.imported) models.set(slot, { artifacts: await toArtifacts(m.model), classNames: m.classNames });
    this.unload();
    const info = await this.load(requested === 'auto' ? null : requested, onProgress);
    for (const [slot, head] of heads) await this.loadHead(slot, head);
    for (const [slot, m] of models) {
      this.imported.set(slot, { model: await tf.loadLayersModel(tf.io.fromMemory(m.artifacts)), classNames: m.classNames });
    }
    return info;
  }

  async switchBase(modelUrl: string, onProgress?: (fraction: number) => void): Promise<EngineInfo> {
    if (!this.config) throw new EngineError('MODEL', 'The engine has not been started.');
    if (this.runs.size) throw new EngineError('BUSY', 'Wait for the training run to finish before switching base.');
    if (this.info && this.config.modelUrl === modelUrl) return this.info;
    // Heads and caches were trained on the old base's features: they go with it. Imported models are whole pipelines and stay.
    this.trainers.forEach((t) => t.dispose());
    this.trainers.clear();
    this.carried.clear();
    this.net?.dispose();
    this.net = null;
    this.info = null;
    this.config = { ...this.config, modelUrl };
    return this.load(tf.getBackend(), onProgress);
  }

  async embedSpeed(n = 4): Promise<number> {
    const net = this.ready();
    // Mid-grey photos: the cost of a forward pass does not depend on the pixels.
    const photos = Array.from({ length: n }, () => ({ width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 as const, data: new Uint8Array(IMAGE_SIZE * IMAGE_SIZE * 3).fill(128) }));
    // Warmed with the very call it times: GPU backends compile their programs per input shape.
    await embeddings(net.model, photos, EMBEDDING_LAYER, n);
    const start = performance.now();
    await embeddings(net.model, photos, EMBEDDING_LAYER, n);
    return (performance.now() - start) / n;
  }

  async memory(): Promise<EngineMemory> {
    const m = tf.memory();
    const wasm = (tf.findBackend('wasm') as { wasm?: { HEAPU8?: Uint8Array } } | null)?.wasm?.HEAPU8;
    return {
      numTensors: m.numTensors,
      numBytes: m.numBytes,
      numDataBuffers: m.numDataBuffers,
      backend: tf.getBackend(),
      ...(tf.getBackend() === 'wasm' && wasm ? { wasmHeapBytes: wasm.byteLength } : {}),
    };
  }

  async keepSamples(ids: string[]): Promise<string[]> {
    const wanted = new Set(ids);
    for (const id of this.pixels.keys()) if (!wanted.has(id)) this.pixels.delete(id);
    return ids.filter((id) => !this.pixels.has(id));
  }

  async putSamples(samples: { id: string; pixels: Pixels }[]): Promise<void> {
    for (const s of samples) this.pixels.set(s.id, s.pixels);
  }

  async putPhotos(photos: { id: string; blob: Blob }[]): Promise<boolean> {
    if (typeof OffscreenCanvas === 'undefined' || typeof createImageBitmap === 'undefined') return false;
    // A Blob is a handle: its bytes stay in the browser's blob store (for a stored photo, IndexedDB's file), not here.
    const { decodeForModel } = await import('../io/decode');
    for (const { id, blob } of photos) {
      this.pixels.set(id, {
        width: IMAGE_SIZE,
        height: IMAGE_SIZE,
        load: () =>
          decodeForModel(blob).catch(() => {
            throw new EngineError('BAD_SAMPLE', `Photo ${id} could not be decoded.`, { id });
          }),
      });
    }
    return true;
  }

  /** The photos of a run, from the pixels the page handed over; refuses an id it never got. */
  private samplesFor(refs: SampleRef[]): Sample[] {
    return refs.map((r) => {
      const pixels = this.pixels.get(r.id);
      if (!pixels) throw new EngineError('BAD_SAMPLE', `Photo ${r.id} was not handed to the engine.`, { id: r.id });
      return { id: r.id, label: r.label, pixels };
    });
  }

  /** The slot's trainer, made on first use: the one place the app constructs a Trainer. */
  private trainerFor(slot: string): Trainer {
    const net = this.ready();
    let trainer = this.trainers.get(slot);
    if (!trainer) this.trainers.set(slot, (trainer = new Trainer(net)));
    // Only while wasm runs: the replicas compute wasm's shares, and a lost GPU device can move the engine's backend.
    trainer.parallel = tf.getBackend() === 'wasm' ? this.replicas : null;
    return trainer;
  }

  /** The slot's trainer and the run's abort controller, registered under its id. */
  private begin(slot: string, runId: number): { trainer: Trainer; abort: AbortController } {
    const trainer = this.trainerFor(slot);
    const abort = new AbortController();
    this.runs.set(runId, abort);
    return { trainer, abort };
  }

  async train(slot: string, runId: number, refs: SampleRef[], options: TrainOptions, onEvent?: (e: TrainEvent) => void): Promise<TrainResult> {
    const samples = this.samplesFor(refs);
    const { trainer, abort } = this.begin(slot, runId);
    try {
      const result = await trainer.train(samples, options, onEvent, abort.signal);
      if (!result.cancelled) this.dropImported(slot);
      return result;
    } finally {
      await this.end(slot, runId);
    }
  }

  async trainTwoPhase(slot: string, runId: number, refs: SampleRef[], options: TwoPhaseOptions, onEvent?: (e: TwoPhaseEvent) => void): Promise<TwoPhaseResult> {
    const samples = this.samplesFor(refs);
    const { trainer, abort } = this.begin(slot, runId);
    try {
      // Phase 1 may stop early: phase 2 is numbered after the epochs it ran.
      let phase1Epochs = 0;
      const emit =
        onEvent &&
        ((e: TwoPhaseEvent) => {
          if (e.phase === 1 && e.type === 'epoch') phase1Epochs = e.epoch;
          onEvent(renumber(e, phase1Epochs));
        });
      const { phase1, phase2 } = await trainer.twoPhase(samples, options, emit, abort.signal);
      const result = mergePhases(phase1, phase2);
      if (!result.cancelled) this.dropImported(slot);
      return result;
    } finally {
      await this.end(slot, runId);
    }
  }

  /** A run is over: its id is released and, on WebGPU, the slot's head is carried as bytes. */
  private async end(slot: string, runId: number): Promise<void> {
    this.runs.delete(runId);
    const trainer = this.trainers.get(slot);
    if (tf.getBackend() !== 'webgpu' || !trainer?.trained) return;
    const losses = this.losses.count;
    try {
      const head = await trainer.headWeights();
      // Bytes read while the device was being lost may be garbage: the last good copy stays.
      if (this.losses.count === losses) this.carried.set(slot, head);
    } catch {
      /* the device went away while reading: the last good copy stays */
    }
  }

  async rangeTest(slot: string, runId: number, refs: SampleRef[], options: RangeTestOptions, onEvent?: (e: TrainEvent) => void): Promise<RangeTestResult> {
    const samples = this.samplesFor(refs);
    const { trainer, abort } = this.begin(slot, runId);
    try {
      return await trainer.rangeTest(samples, options, onEvent, abort.signal);
    } finally {
      this.runs.delete(runId);
    }
  }

  async cancel(runId: number): Promise<void> {
    this.runs.get(runId)?.abort();
  }

  async disposeSlot(slot: string): Promise<void> {
    this.trainers.get(slot)?.dispose();
    this.trainers.delete(slot);
    this.carried.delete(slot);
    this.dropImported(slot);
  }

  async loadHead(slot: string, head: HeadSnapshot): Promise<string[]> {
    const trainer = this.trainerFor(slot);
    await trainer.loadHead(head);
    if (tf.getBackend() === 'webgpu') this.carried.set(slot, head);
    return trainer.labels;
  }

  async headWeights(slot: string): Promise<HeadSnapshot | null> {
    const trainer = this.trainers.get(slot);
    return trainer?.trained ? trainer.headWeights() : null;
  }

  async predict(slot: string, pixels: Pixels, k = 3): Promise<Prediction> {
    const net = this.ready();
    const imported = this.imported.get(slot);
    const trainer = this.trainers.get(slot);
    if (imported) {
      const output = tf.tidy(() => imported.model.predict(preprocess(pixels)) as tf.Tensor);
      const probabilities = Array.from(await output.data());
      output.dispose();
      return { from: 'imported', top: ranked(probabilities, imported.classNames) };
    }
    if (trainer?.trained) {
      const { probabilities, views } = await trainer.predict(pixels);
      return { from: 'trained', top: ranked(probabilities, trainer.labels), ...(views > 1 ? { views } : {}) };
    }
    const top = await classify(net, pixels, k);
    return { from: 'imagenet', top: top.map(({ label, probability }) => ({ label, probability })) };
  }

  async exportModel(slot: string, name: string): Promise<ExportedFiles> {
    const trainer = this.trainers.get(slot);
    if (!trainer?.trained) throw new EngineError('NOT_TRAINED', 'Train (or load) a model first.');
    const files = await withExported(trainer, (model) => toFiles(model, trainer.labels, name));
    return Comlink.transfer(files, [files.weights]);
  }

  async importModel(slot: string, files: File[]): Promise<string[]> {
    this.ready();
    const loaded = await readModelFiles(files);
    this.dropImported(slot);
    this.imported.set(slot, loaded);
    this.importedFrom.set(slot, { tm: false, files });
    return loaded.classNames;
  }

  async exportTm(slot: string, modelName: string): Promise<TmExport> {
    // An imported model answers the slot's predictions, so it is the one exported; else the trained pipeline.
    const imported = this.imported.get(slot);
    const trainer = this.trainers.get(slot);
    if (!imported && !trainer?.trained) throw new EngineError('NOT_TRAINED', 'Train (or load) a model first.');
    const labels = imported ? imported.classNames : trainer!.labels;
    // A TM model imported here goes out as it came in; a TF.js import or the trained pipeline gets TM's pixel scaling.
    const inner = imported && unwrapTm(imported.model);
    const exported = inner || imported ? null : trainer!.exportModel();
    const artifacts = await toArtifacts(inner || (imported ? imported.model : exported!)).finally(() => exported && release(exported));
    const { json, weights } = inner
      ? { json: tmModelJson(artifacts), weights: artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0) }
      : tmExport(artifacts);
    const files: TmExport = { modelJson: JSON.stringify(json), weights, metadata: JSON.stringify(tmMetadata(labels, modelName, new Date())) };
    return Comlink.transfer(files, [files.weights]);
  }

  async importTm(slot: string, files: File[]): Promise<TmImported> {
    this.ready();
    const { json, weights, metadata } = await readTmFiles(files);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
    } catch (err) {
      throw new ModelFileError('unreadable', err instanceof Error ? err.message : String(err));
    }
    let wrapped: tf.LayersModel;
    try {
      checkTmShapes(model.inputs[0].shape, model.outputs[0].shape, metadata.labels);
      // The lab's preview feeds x/127.5 − 1; the wrapper maps that to the x/127 − 1 TM models were trained on.
      wrapped = readingLabPixels(model);
    } catch (err) {
      model.dispose();
      throw err;
    }
    this.dropImported(slot);
    this.imported.set(slot, { model: wrapped, classNames: metadata.labels.slice() });
    this.importedFrom.set(slot, { tm: true, files });
    return { classNames: metadata.labels.slice(), modelName: metadata.modelName ?? '', layers: leafLayers(model) };
  }

  async gradCheck(
    config: MlpConfig,
    weights: { w1: number[][]; b1: number[]; w2: number[]; b2: number },
    x: [number, number],
    target: number,
  ): Promise<GradCheck> {
    const mlp = Object.assign(new TinyMlp(config), weights);
    return { ...(await checkAgainstTfGrad(mlp, x, target)), backend: tf.getBackend() };
  }

  async missingSamples(ids: string[]): Promise<string[]> {
    return ids.filter((id) => !this.pixels.has(id));
  }

  async featureMaps(slot: string, pixels: Pixels, layers: string[], channels: number): Promise<InsightMaps> {
    return insightMaps(this.ready(), this.trainers.get(slot), pixels, layers, channels);
  }

  async embeddingMap(slot: string, ids: string[]): Promise<EmbeddingMap> {
    const net = this.ready();
    const photos = ids.map((id) => {
      const pixels = this.pixels.get(id);
      if (!pixels) throw new EngineError('BAD_SAMPLE', `Photo ${id} was not handed to the engine.`, { id });
      return pixels;
    });
    return embeddingMapOf(net, this.trainers.get(slot), photos);
  }

  async classActivation(slot: string, pixels: Pixels, classIndex?: number): Promise<ClassActivationMap> {
    return classActivationOf(this.ready(), this.trainers.get(slot), this.imported.get(slot), pixels, classIndex);
  }

  private ready(): MobileNet {
    if (!this.net) throw new EngineError('MODEL', 'The model is not loaded yet.');
    return this.net;
  }

  private dropImported(slot: string): void {
    this.imported.get(slot)?.model.dispose();
    this.imported.delete(slot);
    this.importedFrom.delete(slot);
  }

  private unload(): void {
    this.replicas?.end();
    this.trainers.forEach((t) => t.dispose());
    this.trainers.clear();
    this.carried.clear();
    this.imported.forEach((m) => m.model.dispose());
    this.imported.clear();
    this.importedFrom.clear();
    this.net?.dispose();
    this.net = null;
    this.info = null;
  }

  /** Chooses the backend and loads the base; `lostDevice`: the GPU device's loss that forced the move, named first in the reason. */
  private async load(requested: string | null, onProgress?: (fraction: number) => void, lostDevice?: string): Promise<EngineInfo> {
    const config = this.config!;
    // On the page's thread one: the page's CSP meta keeps the pthreads' blob: workers out.
    const start = this.home === 'page' || config.threads === 1 ? null : await (this.threads ??= threadsCanStart());
    const threads = start === 'ok' ? (config.threads ?? wasmThreadCount()) : 1;
    // Where the engine keeps wasm to one thread, the choice says why (a page not yet isolated says so itself).
    const oneThreadBecause = config.oneThreadBecause ?? (start === 'workers-refused' ? start : undefined);
    const picked = await chooseBackend({ requested, wasmPaths: config.wasmPaths, threads, oneThreadBecause, ...(lostDevice === undefined ? {} : { exclude: ['webgpu'] }) });
    if ((picked.threads ?? 1) > 1) await (this.kernelThreads ??= startKernelThreads(picked.threads!));
    if (picked.name === 'wasm' && (picked.threads ?? 1) > 1 && !this.replicas) {
      const solo = soloSwitch();
      if (solo) this.replicas = new Replicas(Math.min(picked.threads! - 1, MAX_REPLICAS), config.wasmPaths, solo);
    }
    const choice =
      lostDevice === undefined
        ? picked
        : { ...picked, reason: `the WebGPU device was lost (${lostDevice}); ${picked.reason}`, notes: [{ key: 'device-lost', values: { detail: lostDevice } }, ...picked.notes] };
    const res = await fetch(config.classNamesUrl);
    if (!res.ok) throw new EngineError('MODEL', `ImageNet class names: HTTP ${res.status} at ${config.classNamesUrl}`);
    const classNames = (await res.json()) as string[];
    const net = await loadMobileNet(config.modelUrl, classNames, onProgress);
    this.net = net;
    const here = this.home === 'worker' ? 'the engine runs in a Web Worker' : `the engine runs on the page's thread (${this.note ?? 'no worker'})`;
    this.info = {
      backend: {
        ...choice,
        reason: `${choice.reason}; ${here}`,
        notes: [...choice.notes, { key: this.home === 'worker' ? 'in-worker' : 'in-page' }],
        engineIn: this.home,
        isolated: globalThis.crossOriginIsolated === true,
        ...(this.note ? { engineNote: this.note } : {}),
      },
      layers: inventory(net.model),
      embeddingSize: net.model.getLayer(EMBEDDING_LAYER).outputShape.at(-1) as number,
    };
    this.watchDevice();
    return this.info;
  }

  /** On WebGPU, a lost device (a driver reset, the GPU process gone) moves the engine off it: see moveOffLostDevice. */
  private watchDevice(): void {
    const lost = deviceLoss();
    if (!lost) return;
    const watched = ++this.watching;
    void lost.then((detail) => {
      if (watched === this.watching && tf.getBackend() === 'webgpu') void this.moveOffLostDevice(detail);
    });
  }

  /**
   * The engine moves to the next backend that passes the self-test: runs are stopped, the base loaded again, every
   * head carried as bytes and every imported model opened again from its files; the page is told before and after.
   * Calls from the page wait meanwhile, and those under way when the device went are rejected (guardedByDevice).
   */
  private async moveOffLostDevice(detail: string): Promise<void> {
    const losses = this.losses;
    losses.count++;
    losses.detail = detail;
    let settle = () => {};
    losses.settled = new Promise((resolve) => (settle = resolve));
    this.listener?.({ type: 'device-lost', state: 'moving', detail });
    try {
      this.runs.forEach((abort) => abort.abort());
      // Runs end at their next read from the lost device; a bounded wait, so one that hangs cannot hold the move.
      for (let waited = 0; this.runs.size && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      const heads = new Map(this.carried);
      const sources = new Map(this.importedFrom);
      this.unload();
      await forgetWebGpu();
      const info = await this.load(null, undefined, detail);
      for (const [slot, head] of heads) await this.loadHead(slot, head);
      for (const [slot, { tm, files }] of sources) await (tm ? this.importTm(slot, files) : this.importModel(slot, files));
      this.listener?.({ type: 'device-lost', state: 'moved', detail, info, carried: heads.size + sources.size });
    } catch (err) {
      this.listener?.({ type: 'device-lost', state: 'failed', detail, message: err instanceof Error ? err.message : String(err) });
    } finally {
      settle();
    }
  }
}

function ranked(probabilities: number[], names: string[]): { label: string; probability: number }[] {
  return probabilities.map((probability, i) => ({ label: names[i] ?? `#${i}`, probability })).sort((a, b) => b.probability - a.probability);
}
