// The benchmark page's measurements of the engine (src/ml) against bare tfjs, on one backend, driven by
// scripts/bench.mjs. Both sides get identical inputs and batches, are warmed at the measured batch size, and
// alternate order over repeated runs; figures are medians with min–max.
import * as tf from '@tensorflow/tfjs';
import { loadMobileNet, plans, inventory, type DecodedSample, type TrainEvent, type TrainOptions, type TrainResult } from '../ml';
import { EngineHost } from '../worker/host';
import { decodeForModel } from '../io/decode';
import { CLASS_NAMES_URL, MODEL_URL, SAMPLES_INDEX_URL, assetUrl } from '../io/assets';
import { wasmPaths } from '../io/wasm-paths';
import { bareEmbed, bareHeadEpochs } from './bare';
import { cacheBound } from './macs';
import { alternate, spread, type Spread } from './stats';
import { runThreads, type ThreadFigures } from './threads';
import { startProfiles } from './profile';

export interface BackendFigures {
  photos: number;
  reps: number;
  embedMsPerImage: Spread | null;
  bareEmbedMsPerImage: Spread | null;
  headEpochMs: Spread | null;
  bareHeadEpochMs: Spread | null;
  /** Steady-state epochs of fine-tuning the top block (block 13), with and without the frozen-prefix cache. */
  fineTuneEpochMsCached: Spread | null;
  fineTuneEpochMsNaive: Spread | null;
  /** Whole runs (fresh trainer, cache fill included) of the same fine-tune: what a learner waits for. */
  fineTuneRunMsCached: Spread | null;
  fineTuneRunMsNaive: Spread | null;
  fineTuneEpochs: number;
  /** Multiply-add limit of naive/cached for block 13 (see macs.ts). */
  cacheBound: number;
  /** Steady-state epoch with every layer trainable. */
  fineTuneAllEpochMs: number | null;
  /** Engine embedding ms per image of each base on this backend (same photos, warmed). */
  baseEmbedMsPerImage: Record<string, number | null>;
  /** Peak while fine-tuning: tfjs-held bytes and, on wasm, the wasm heap. */
  peakTensorBytes: number;
  peakWasmHeapBytes: number | null;
  tensorLeak: number | null;
  backendReason: string;
  notes: string;
}

const status = (s: string) => (document.getElementById('status')!.textContent = s);
const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function photos(perClass: number): Promise<{ samples: DecodedSample[]; classNames: string[] }> {
  const index = (await (await fetch(SAMPLES_INDEX_URL())).json()) as { classes: Record<string, string[]> };
  const classNames = Object.keys(index.classes).slice(0, 2);
  const samples: DecodedSample[] = [];
  for (const [label, name] of classNames.entries()) {
    for (const f of index.classes[name].slice(0, perClass)) {
      const blob = await (await fetch(assetUrl(`samples/${f}`))).blob();
      samples.push({ id: f, label, pixels: await decodeForModel(blob) });
    }
  }
  return { samples, classNames };
}

/** Samples tfjs memory (and the wasm heap) every 100 ms while `work` runs; the engine yields every batch. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ value: T; tensorBytes: number; wasmHeap: number | null }> {
  let tensorBytes = 0;
  let wasmHeap: number | null = null;
  const sample = () => {
    tensorBytes = Math.max(tensorBytes, tf.memory().numBytes);
    const heap = (tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } }).wasm?.HEAPU8.buffer.byteLength;
    if (heap !== undefined) wasmHeap = Math.max(wasmHeap ?? 0, heap);
  };
  const timer = setInterval(sample, 100);
  try {
    const value = await work();
    sample();
    return { value, tensorBytes, wasmHeap };
  } finally {
    clearInterval(timer);
  }
}

/**
 * The engine as the app drives it (its host, here on the page instead of in the worker, so bare tfjs shares its
 * backend): each call trains in a fresh slot (a fresh trainer, caches empty) unless `slot` is given.
 */
class Engine {
  readonly host = new EngineHost('page');
  private runId = 1;

  /** Starts the engine on `backend` with the photos handed over; the backend it settled on, with its reason. */
  async start(backend: string, samples: DecodedSample[]): Promise<{ name: string; reason: string }> {
    const info = await this.host.init({ modelUrl: MODEL_URL(), classNamesUrl: CLASS_NAMES_URL(), wasmPaths, requested: backend });
    await this.host.putSamples(samples.map(({ id, pixels }) => ({ id, pixels })));
    return info.backend;
  }

  async train(samples: DecodedSample[], options: TrainOptions, onEvent?: (e: TrainEvent) => void, slot?: string): Promise<TrainResult> {
    const id = this.runId++;
    const refs = samples.map(({ id: photo, label }) => ({ id: photo, label }));
    try {
      return await this.host.train(slot ?? `run-${id}`, id, refs, options, onEvent);
    } finally {
      if (!slot) await this.host.disposeSlot(`run-${id}`);
    }
  }

  /** Wall ms of embedding every photo into a fresh trainer's cache (the sum of its embed chunks). */
  async embedMs(samples: DecodedSample[], common: Omit<TrainOptions, 'mode' | 'epochs'>): Promise<number> {
    let ms = 0;
    await this.train(samples, { ...common, mode: 'feature-extraction', epochs: 1 }, (e) => {
      if (e.type === 'embed') ms += e.ms;
    });
    return ms;
  }
}

async function run(backend: string, perClass: number, reps = 5, ftReps = 2): Promise<BackendFigures> {
  const notes: string[] = [];
  const data = await photos(perClass);
  const engine = new Engine();
  const { name, reason } = await engine.start(backend, data.samples);
  if (name !== backend) throw new Error(`backend ${backend} unavailable: ${reason}`);
  // Bare tfjs's own copy of the model, on the backend the engine activated.
  const classNames = (await (await fetch(CLASS_NAMES_URL())).json()) as string[];
  const net = await loadMobileNet(MODEL_URL(), classNames);
  const n = data.samples.length;
  const pixels = data.samples.map((s) => s.pixels);
  const labels = data.samples.map((s) => s.label);
  const common = { classNames: data.classNames, batchSize: 16, learningRate: 1e-3, validationSplit: 0, seed: 7 };
  const layers = inventory(net.model);
  const topBlock = plans.topBlocks(layers, 1);
  const firstTrainable = layers.find((l) => topBlock[l.name])!.name;
  const f: BackendFigures = {
    photos: n, reps, embedMsPerImage: null, bareEmbedMsPerImage: null, headEpochMs: null, bareHeadEpochMs: null,
    fineTuneEpochMsCached: null, fineTuneEpochMsNaive: null, fineTuneRunMsCached: null, fineTuneRunMsNaive: null,
    fineTuneEpochs: 3, cacheBound: cacheBound(net, firstTrainable).bound, fineTuneAllEpochMs: null,
    peakTensorBytes: 0, peakWasmHeapBytes: null, tensorLeak: null, backendReason: reason, notes: '',
    baseEmbedMsPerImage: {},
  };

  status(`${backend}: warm-up at batch 16`);
  // Both paths compile their shaders and upload weights at the measured batch size before anything is timed.
  const warmBatch = data.samples.slice(0, 8).concat(data.samples.slice(-8));
  await engine.embedMs(warmBatch, common);
  (await bareEmbed(net, warmBatch.map((s) => s.pixels))).embeddings.dispose();

  status(`${backend}: embedding, engine vs bare × ${reps}`);
  const [engineEmbed, bareEmbedRuns] = await alternate(
    reps,
    () => engine.embedMs(data.samples, common),
    async () => {
      const bare = await bareEmbed(net, pixels);
      bare.embeddings.dispose();
      return bare.ms;
    },
  );
  f.embedMsPerImage = spread(engineEmbed.map((ms) => ms / n));
  f.bareEmbedMsPerImage = spread(bareEmbedRuns.map((ms) => ms / n));

  status(`${backend}: head epochs, engine vs bare × ${reps}`);
  // One slot keeps its embedding cache across the repetitions, as the lab's does between runs.
  await engine.train(data.samples, { ...common, mode: 'feature-extraction', epochs: 1 }, undefined, 'head');
  const embeddings = (await bareEmbed(net, pixels)).embeddings;
  const headEpochs = 4;
  const [engineHead, bareHead] = await alternate(
    reps,
    async () => {
      const r = await engine.train(data.samples, { ...common, mode: 'feature-extraction', epochs: headEpochs }, undefined, 'head');
      return median(r.history.slice(1).map((h) => h.ms));
    },
    async () => median((await bareHeadEpochs(embeddings, labels, data.classNames.length, headEpochs)).slice(1)),
  );
  embeddings.dispose();
  f.headEpochMs = spread(engineHead);
  f.bareHeadEpochMs = spread(bareHead);
  await engine.host.disposeSlot('head');

  status(`${backend}: fine-tune block 13, cached vs naive × ${ftReps}`);
  const epochs = { cached: [] as number[], naive: [] as number[] };
  const fineTune = async (useCache: boolean) => {
    const t0 = performance.now();
    const r = await engine.train(data.samples, { ...common, mode: 'fine-tune', plan: topBlock, epochs: f.fineTuneEpochs, learningRate: 1e-4, useCache });
    const wall = performance.now() - t0;
    epochs[useCache ? 'cached' : 'naive'].push(...r.history.slice(1).map((h) => h.ms));
    return wall;
  };
  try {
    const measured = await withPeakMemory(() => alternate(ftReps, () => fineTune(true), () => fineTune(false)));
    const [cachedRuns, naiveRuns] = measured.value;
    f.fineTuneRunMsCached = spread(cachedRuns);
    f.fineTuneRunMsNaive = spread(naiveRuns);
    f.fineTuneEpochMsCached = spread(epochs.cached);
    f.fineTuneEpochMsNaive = spread(epochs.naive);
    f.peakTensorBytes = measured.tensorBytes;
    f.peakWasmHeapBytes = measured.wasmHeap;
  } catch (err) {
    notes.push(`fine-tune block 13: ${errText(err)}`);
  }

  status(`${backend}: fine-tune every layer`);
  try {
    const r = await engine.train(data.samples, { ...common, mode: 'fine-tune', plan: plans.everything(layers), epochs: 2, learningRate: 1e-5 });
    f.fineTuneAllEpochMs = r.history[1].ms;
  } catch (err) {
    notes.push(`fine-tune all layers: ${errText(err)}`);
  }

  status(`${backend}: tensor leak over 5 cycles`);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    await engine.train(data.samples, { ...common, mode: 'feature-extraction', epochs: 1 }, undefined, 'leak');
    await engine.host.predict('leak', data.samples[0].pixels);
    await engine.host.disposeSlot('leak');
  }
  f.tensorLeak = tf.memory().numTensors - before;
  net.dispose();

  status(`${backend}: embedding on each base`);
  f.baseEmbedMsPerImage['mobilenet_v1_0.25'] = f.embedMsPerImage?.median ?? null;
  try {
    await engine.host.switchBase(MODEL_URL('mobilenet_v1_0.75_224'));
    await engine.embedMs(warmBatch, common);
    f.baseEmbedMsPerImage['mobilenet_v1_0.75'] = (await engine.embedMs(data.samples, common)) / n;
  } catch (err) {
    notes.push(`base 0.75: ${errText(err)}`);
  }
  f.notes = notes.join('; ');
  status(`${backend}: done`);
  return f;
}

const median = (xs: number[]) => spread(xs)?.median ?? NaN;

/**
 * The wasm thread comparison, on the same photos as the engine part, in a page of its own (run.mjs): the engine
 * part's page still holds its engine, bare model and second base.
 */
async function runThreadsOnly(perClass: number, reps: number, ftReps: number): Promise<ThreadFigures> {
  const data = await photos(perClass);
  return runThreads(data.samples, data.classNames, reps, ftReps);
}

/** The thread comparison's engines, profiled kernel by kernel (scripts/bench/profile.mjs drives them job by job). */
async function startProfileBench(perClass: number): Promise<{ count: number; jobs: string[] }> {
  const data = await photos(perClass);
  const profiles = await startProfiles(data.samples, data.classNames);
  Object.assign(window, { profileJob: profiles.profile, endProfile: profiles.end });
  return { count: profiles.count, jobs: profiles.jobs };
}

Object.assign(window, { runBench: run, runThreadsBench: runThreadsOnly, startProfileBench });
