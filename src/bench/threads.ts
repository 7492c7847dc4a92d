// The wasm backend with one thread and with all of them, in the same run: two engines in their own workers (as
// the app runs it), same photos, alternating; embedding ms per photo and a steady-state every-layer epoch.
import * as Comlink from 'comlink';
import { connectEngine, type Engine } from '../worker/client';
import type { EngineConfig } from '../worker/api';
import { CLASS_NAMES_URL, MODEL_URL } from '../io/assets';
import { absoluteWasmPaths } from '../io/wasm-paths';
import { plans, type LayerInfo, type DecodedSample, type TrainEvent, type TrainOptions } from '../ml';
import { wasmThreadCount } from '../ml/threads';
import { alternate, speedup, spread, type Speedup, type Spread } from './stats';

export interface ThreadFigures {
  count: number;
  embedMsPerImage1: Spread | null;
  embedMsPerImageN: Spread | null;
  allEpochMs1: Spread | null;
  allEpochMsN: Spread | null;
  /**
   * A short fine-tune as the lab runs it by default on a small project: the top block, 20 epochs of one batch of 16;
   * the epochs' ms summed (the wait after the embedding), fresh engine state each run (the replicas load the model).
   */
  topEpochsMs1: Spread | null;
  topEpochsMsN: Spread | null;
  /** Photos a timed embedding run embeds (the bench's photos, each under EMBED_COPIES ids). */
  embedPhotosPerRun: number;
  /** 1 thread over all, per job, three ways (stats.ts): of the medians, of the best reps, and rep by rep. */
  speedups: { embed: Speedup | null; allEpoch: Speedup | null; topEpochs: Speedup | null };
  /** The page was cross-origin isolated (without it there is one thread whatever is asked). */
  isolated: boolean;
  /**
   * The machine's own ceiling: the throughput of `count` workers doing the same fixed arithmetic at once against one
   * alone (2 would be perfect on 2 cores; shared or throttled vCPUs give less), measured in the same run.
   */
  machineSpeedup: Spread | null;
  /** The same from each side's best rep. */
  machineSpeedupBest: number | null;
}

/** Runs the spin worker's fixed work in `k` workers at once; ms until the last one finishes. */
async function spin(k: number, rounds: number): Promise<number> {
  const workers = Array.from({ length: k }, () => new Worker(new URL('./spin.worker.ts', import.meta.url), { type: 'module' }));
  try {
    const start = performance.now();
    await Promise.all(workers.map((w) => new Promise((done) => { w.onmessage = done; w.postMessage(rounds); })));
    return performance.now() - start;
  } finally {
    for (const w of workers) w.terminate();
  }
}

/** Throughput of `count` cores over one, as the median of `reps` alternating runs (~0.3 s of work each). */
async function machineSpeedup(count: number, reps: number): Promise<Speedup | null> {
  const rounds = 60_000;
  await spin(1, rounds / 10);
  const [one, all] = await alternate(reps, () => spin(1, rounds), () => spin(count, rounds));
  // `count` workers do `count` times the work of one.
  return speedup(one.map((ms) => count * ms), all);
}

/** The engine of the threads part: wasm with `threads` threads (the profiler, profile.ts, starts the same). */
export const wasmEngineConfig = (threads: number): EngineConfig => ({
  modelUrl: MODEL_URL(), classNamesUrl: CLASS_NAMES_URL(), wasmPaths: absoluteWasmPaths(document.baseURI), requested: 'wasm', threads,
});

/** The threads part's jobs, timed here and profiled kernel by kernel by profile.ts: the same options in both. */
export function threadJobs(classNames: string[], layers: LayerInfo[]): { embed: TrainOptions; everything: TrainOptions; top: TrainOptions } {
  const common = { classNames, batchSize: 16, learningRate: 1e-3, validationSplit: 0, seed: 7 };
  return {
    embed: { ...common, mode: 'feature-extraction', epochs: 1 },
    everything: { ...common, mode: 'fine-tune', plan: plans.everything(layers), epochs: 2, learningRate: 1e-5 },
    top: { ...common, mode: 'fine-tune', plan: plans.topBlocks(layers, 1), epochs: 20, learningRate: 1e-5 },
  };
}

/**
 * Photos per embedding run: the bench's photos under EMBED_COPIES ids each, so a run embeds several chunks as a
 * project does, and the run's own set-up (the head built, V8 compiling it on background threads) weighs as little
 * as it does there: with one chunk a run, that set-up took a core from the threaded engine in every rep.
 */
const EMBED_COPIES = 4;
const embedSet = (samples: DecodedSample[]): DecodedSample[] =>
  Array.from({ length: EMBED_COPIES }, (_, k) => samples.map((s) => (k ? { ...s, id: `${s.id}#${k}` } : s))).flat();

async function engineWith(threads: number, samples: DecodedSample[]): Promise<{ engine: Engine; threads: number; layers: LayerInfo[]; end: () => void }> {
  const { engine, terminate } = await connectEngine();
  const info = await engine.init(wasmEngineConfig(threads));
  if (info.backend.name !== 'wasm') throw new Error(`wasm unavailable: ${info.backend.reason}`);
  const copies = embedSet(samples).map(({ id, pixels }) => ({ id, pixels: { ...pixels, data: pixels.data.slice() } }));
  await engine.putSamples(Comlink.transfer(copies, copies.map((s) => s.pixels.data.buffer as ArrayBuffer)));
  return { engine, threads: info.backend.threads ?? 1, layers: info.layers, end: terminate };
}

/** How long each job warms up before its timed reps. */
const WARM_MS = 2500;
/** Idle before each timed rep: both engines share the renderer, so one's leftover background work would hit the other's rep. */
const GAP_MS = 200;

export async function runThreads(samples: DecodedSample[], classNames: string[], reps: number, ftReps: number): Promise<ThreadFigures> {
  const count = wasmThreadCount();
  const one = await engineWith(1, samples);
  const all = await engineWith(count, samples);
  try {
    if (one.threads !== 1 || all.threads !== count) throw new Error(`asked for 1 and ${count} threads, got ${one.threads} and ${all.threads}`);
    const refs = samples.map(({ id, label }) => ({ id, label }));
    const embedRefs = embedSet(samples).map(({ id, label }) => ({ id, label }));
    const jobs = threadJobs(classNames, one.layers);
    let runId = 1;
    /**
     * Runs a job on both engines until WARM_MS have passed (at least once each): V8 compiles the engine's hot
     * JavaScript on background threads, most of it in the first seconds (a trace read 0.6 of a core at first, 0.1–0.2
     * after), which takes a core from the threaded engine only (the one-thread engine leaves the other core free).
     */
    const warm = async (a: () => Promise<number>, b: () => Promise<number>) => {
      const start = performance.now();
      do await alternate(1, a, b);
      while (performance.now() - start < WARM_MS);
    };
    /** One job in a fresh slot (no cache, no trainer carried over), released after. */
    const fresh = async (e: Engine, job: TrainOptions, onEvent?: (ev: TrainEvent) => void, photos = refs) => {
      const slot = `bench-${runId}`;
      const r = await e.train(slot, runId++, photos, job, onEvent && Comlink.proxy(onEvent));
      await e.disposeSlot(slot);
      return r;
    };
    /** Every photo's embedding: the sum of its embed chunks, per photo. */
    const embed = async (e: Engine) => {
      let ms = 0;
      await fresh(e, jobs.embed, (ev) => ev.type === 'embed' && (ms += ev.ms), embedRefs);
      return ms / embedRefs.length;
    };
    /** The second epoch of a fine-tune with every layer trainable (the first also builds the trainer). */
    const epoch = async (e: Engine) => (await fresh(e, jobs.everything)).history[1].ms;
    /** The top block's 20 epochs, summed. */
    const top = async (e: Engine) => (await fresh(e, jobs.top)).history.reduce((ms, h) => ms + h.ms, 0);
    await warm(() => embed(one.engine), () => embed(all.engine));
    const [embed1, embedN] = await alternate(reps, () => embed(one.engine), () => embed(all.engine), GAP_MS);
    await warm(() => epoch(one.engine), () => epoch(all.engine));
    const [all1, allN] = await alternate(ftReps, () => epoch(one.engine), () => epoch(all.engine), GAP_MS);
    await warm(() => top(one.engine), () => top(all.engine));
    const [top1, topN] = await alternate(ftReps, () => top(one.engine), () => top(all.engine), GAP_MS);
    const machine = await machineSpeedup(count, Math.max(reps, 3));
    return { count, embedPhotosPerRun: embedRefs.length, embedMsPerImage1: spread(embed1), embedMsPerImageN: spread(embedN), allEpochMs1: spread(all1), allEpochMsN: spread(allN), topEpochsMs1: spread(top1), topEpochsMsN: spread(topN), speedups: { embed: speedup(embed1, embedN), allEpoch: speedup(all1, allN), topEpochs: speedup(top1, topN) }, isolated: crossOriginIsolated, machineSpeedup: machine?.paired ?? null, machineSpeedupBest: machine?.best ?? null };
  } finally {
    one.end();
    all.end();
  }
}
