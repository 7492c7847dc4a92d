import type { BackendChoice, BackendName, HeadSnapshot, LayerInfo, Pixels, RangeTestOptions, RangeTestResult, TrainEvent, TrainOptions, TrainResult } from '../ml';
import type { MlpConfig } from '../ml/mlp';
import type { ClassActivationMap, EmbeddingMap, InsightMaps } from './insight-api';
import type { TwoPhaseOptions, TwoPhaseEvent } from '../ml';
import type { TwoPhaseResult } from './two-phase';
import type { TmLayer } from '../ml/tm-format';
import type { OneThreadCause } from '../ml/backend';

/** Where the engine runs: its own Web Worker, or the page's thread when this browser cannot host it in a worker. */
export type EngineHome = 'worker' | 'page';

/** What the page tells the engine once: absolute URLs, since a worker resolves relative ones against its own script. */
export interface EngineConfig {
  modelUrl: string;
  classNamesUrl: string;
  /** wasm binary name → absolute URL on the app's own origin (CSP: no CDN); in Node, the binaries' folder. */
  wasmPaths: Record<string, string> | string;
  /** `?backend=` or the picker's choice; null or 'auto' lets the engine measure. */
  requested: string | null;
  /** Threads for the wasm backend (the benchmark compares 1 with all); unset, one per core (backend.ts). */
  threads?: number;
  /** Why the page asks for one thread, said in the backend's details ('stuck-thread': an earlier engine got stuck starting one). */
  oneThreadBecause?: OneThreadCause;
}

/** Why the engine runs on the page's thread: an i18n key under shell.backend.inPage. */
export type PageReason = 'asked' | 'no-workers' | 'worker-failed';

/** The backend the engine settled on, plus where the engine runs and why. */
export interface EngineBackend extends BackendChoice {
  engineIn: EngineHome;
  /** The engine's realm is cross-origin isolated (SharedArrayBuffer: the wasm backend can run threads). */
  isolated: boolean;
  /** Why the engine is on the page's thread, when it is. */
  engineNote?: PageReason;
}

/** What the page needs to draw the model without holding it: its layers and the size of the head's input. */
export interface EngineInfo {
  backend: EngineBackend;
  layers: LayerInfo[];
  embeddingSize: number;
}

/** What the engine tells the page unasked (through `watch`): its GPU device was lost, and where the engine moved. */
export type EngineEvent =
  | { type: 'device-lost'; state: 'moving'; detail: string }
  | { type: 'device-lost'; state: 'moved'; detail: string; info: EngineInfo; carried: number }
  | { type: 'device-lost'; state: 'failed'; detail: string; message: string };

/** One photo of a run: its id in the engine's sample store and its class index. */
export interface SampleRef {
  id: string;
  label: number;
}

export interface Ranked {
  label: string;
  probability: number;
}

/** An answer for one image: from the slot's trained (or imported) model, else MobileNet's ImageNet head. */
export interface Prediction {
  from: 'trained' | 'imported' | 'imagenet';
  top: Ranked[];
  /** Views of the photo the answer averages (a head trained on the fixed views, views.ts); absent: the centre square alone. */
  views?: number;
}

/** The trained pipeline as the two files of TF.js `downloads://` (model.json + weights). */
export interface ExportedFiles {
  jsonName: string;
  json: string;
  weightsName: string;
  weights: ArrayBuffer;
}

/** A Teachable Machine image model's three files (metadata.json in TM's schema), for the page to zip. */
export interface TmExport {
  modelJson: string;
  weights: ArrayBuffer;
  metadata: string;
}

/** An imported Teachable Machine model: its labels and its leaf layers (nested models opened up). */
export interface TmImported {
  classNames: string[];
  modelName: string;
  layers: TmLayer[];
}

/** tf.memory() of the engine's thread, for leak checks and the benchmark. */
export interface EngineMemory {
  numTensors: number;
  numBytes: number;
  numDataBuffers: number;
  backend: string;
  /** Bytes of the wasm backend's heap, when that backend is active. */
  wasmHeapBytes?: number;
}

export interface GradCheck {
  maxDiff: number;
  pairs: { name: string; analytic: number; tf: number }[];
  backend: string;
}

/**
 * The engine's RPC surface. Every method is async so the same object works in a Worker (through Comlink)
 * and on the page. Callbacks must be wrapped with Comlink.proxy; pixel buffers are sent with Comlink.transfer.
 * A slot is one trainer (head + its copy of the base): 'lab' and one per chapter widget.
 */
export interface EngineApi {
  ping(): Promise<EngineHome>;
  /** Registers the page's listener for what the engine says unasked (a lost GPU device); the last one registered hears it. */
  watch(onEvent: (e: EngineEvent) => void): Promise<void>;
  init(config: EngineConfig, onProgress?: (fraction: number) => void): Promise<EngineInfo>;
  /** Moves to another backend; every trained head and imported model is carried over. */
  switchBackend(requested: BackendName | 'auto', onProgress?: (fraction: number) => void): Promise<EngineInfo>;
  /** Loads another base network on the same backend; heads and caches belong to the old base and are dropped with it. */
  switchBase(modelUrl: string, onProgress?: (fraction: number) => void): Promise<EngineInfo>;
  /** Measured ms per image of the loaded base's embedding (batches of `n` synthetic photos, after one warm-up). */
  embedSpeed(n?: number): Promise<number>;
  memory(): Promise<EngineMemory>;
  /** Keeps only these samples' pixels; returns the ids the page still has to send. */
  keepSamples(ids: string[]): Promise<string[]>;
  putSamples(samples: { id: string; pixels: Pixels }[]): Promise<void>;
  /**
   * The photos as their stored files: the engine keeps the handles and decodes a batch at a time, so its memory
   * follows the batch, not the project (the embedding reads each photo once; fine-tuning and augmentation per epoch).
   * False, taking none, where the engine's realm cannot decode images (no OffscreenCanvas): then putSamples.
   */
  putPhotos(photos: { id: string; blob: Blob }[]): Promise<boolean>;
  train(slot: string, runId: number, samples: SampleRef[], options: TrainOptions, onEvent?: (e: TrainEvent) => void): Promise<TrainResult>;
  /** The recipe in one run (Trainer.twoPhase): the head on the cache, then the top blocks at a small rate; phase 2's epochs numbered on. */
  trainTwoPhase(slot: string, runId: number, samples: SampleRef[], options: TwoPhaseOptions, onEvent?: (e: TwoPhaseEvent) => void): Promise<TwoPhaseResult>;
  /** A learning-rate range test on the slot's photos (Trainer.rangeTest): nothing the slot trained is changed. */
  rangeTest(slot: string, runId: number, samples: SampleRef[], options: RangeTestOptions, onEvent?: (e: TrainEvent) => void): Promise<RangeTestResult>;
  /** Stops run `runId` at its next batch boundary; it then resolves with `cancelled: true`. */
  cancel(runId: number): Promise<void>;
  disposeSlot(slot: string): Promise<void>;
  loadHead(slot: string, head: HeadSnapshot): Promise<string[]>;
  headWeights(slot: string): Promise<HeadSnapshot | null>;
  predict(slot: string, pixels: Pixels, k?: number): Promise<Prediction>;
  exportModel(slot: string, name: string): Promise<ExportedFiles>;
  importModel(slot: string, files: File[]): Promise<string[]>;
  /** The slot's trained pipeline as a Teachable Machine image model (loads in tfjs 1.3.1 through `tmImage.load()`). */
  exportTm(slot: string, modelName: string): Promise<TmExport>;
  /** Loads a Teachable Machine image model (its zip or three files), checked first; it then answers the slot's predictions. */
  importTm(slot: string, files: File[]): Promise<TmImported>;
  gradCheck(config: MlpConfig, weights: { w1: number[][]; b1: number[]; w2: number[]; b2: number }, x: [number, number], target: number): Promise<GradCheck>;
  /** Ids of these photos the engine does not hold (keeps every photo it has, unlike keepSamples). */
  missingSamples(ids: string[]): Promise<string[]>;
  /** The most active `channels` channels of each layer for one photo, plus conv1's filters, from the slot's weights. */
  featureMaps(slot: string, pixels: Pixels, layers: string[], channels: number): Promise<InsightMaps>;
  /** The held photos' embeddings projected to 2-D, through the ImageNet base and the slot's fine-tuned base. */
  embeddingMap(slot: string, ids: string[]): Promise<EmbeddingMap>;
  /** Where the model that answers the slot's predictions looks for a class (Grad-CAM); the predicted class by default. */
  classActivation(slot: string, pixels: Pixels, classIndex?: number): Promise<ClassActivationMap>;
}

