import * as tf from '@tensorflow/tfjs';
import { installFastCpuKernels } from './kernels';
import { installWasmKernels } from './kernels-wasm';
import { installGpuKernels } from './kernels-gpu';
import { provideWebGLContext } from './webgl-context';
import { rng } from './random';
import { wasmThreadCount } from './threads';
import { EngineError } from './types';
import type { BackendName } from './types';

/** Measured ms of one probe step per backend: inference (forward) and training (forward + backward + update). */
export interface StepTimings {
  infer: number;
  train: number;
}

/**
 * One step of a backend choice as the learner reads it, in their language: an i18n key under `engine.why` and
 * the values its sentence needs (plain numbers and strings; a browser's own error text stays as it came).
 */
export interface BackendNote {
  key: string;
  values?: Record<string, string | number>;
}

/** A step of the choice in both forms: English for logs and the benchmark, a note for the learner. */
export interface Said {
  text: string;
  note: BackendNote;
}

const say = (key: string, text: string, values?: BackendNote['values']): Said => ({ text, note: values ? { key, values } : { key } });
/** ms rounded for reading: one decimal below 10, none above. */
const ms = (v: number) => Number(v.toFixed(v < 10 ? 1 : 0));

export interface BackendChoice {
  name: BackendName;
  /** Why this backend, in English words, including every fallback taken (logs, benchmark). */
  reason: string;
  /** The same, step by step, for the learner (see BackendNote). */
  notes: BackendNote[];
  tried: { name: BackendName; ok: boolean; reason: string; note: BackendNote }[];
  /** WebGPU adapter as "vendor architecture", when one was found. */
  adapter?: string;
  /** Measured probe per backend (plain numbers, serialisable), when a measurement ran. */
  timings?: Partial<Record<BackendName, StepTimings>>;
  /** Threads the wasm backend computes on, once it has started (chosen or measured): 1 without cross-origin isolation. */
  threads?: number;
}

/** How the wasm backend is started: its binaries' URLs and its thread count (1: the single-threaded binary). */
export interface WasmSetup {
  wasmPaths?: Record<string, string> | string;
  threads?: number;
}

const NAMES: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The parts of a WebGPU adapter we read (DOM typings for WebGPU are not in TypeScript's lib). */
export interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/** SwiftShader, llvmpipe and other CPU rasterisers pose as GPUs; on them WebGPU is slower than wasm. */
export function isSoftwareAdapter(adapter: AdapterLike): boolean {
  const info = adapter.info ?? {};
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  return (
    adapter.isFallbackAdapter === true ||
    info.isFallbackAdapter === true ||
    info.vendor?.toLowerCase() === 'google' ||
    /swiftshader|llvmpipe|lavapipe|software|basic render/.test(text)
  );
}

/**
 * Orders measured backends by the learner's work: every job both infers (embedding, prediction) and trains
 * (head or fine-tuning), so the cost of a backend is one inference step plus one training step of the probe.
 */
export function rankMeasured(timings: Partial<Record<BackendName, StepTimings>>): { order: BackendName[]; reason: string; note: BackendNote } {
  const cost = (n: BackendName) => timings[n]!.infer + timings[n]!.train;
  const order = NAMES.filter((n) => timings[n] !== undefined).sort((a, b) => cost(a) - cost(b));
  const fmt = (n: BackendName) => `${n.toUpperCase()} ${timings[n]!.infer.toFixed(1)} ms inference + ${timings[n]!.train.toFixed(1)} ms training`;
  const [best, next] = order;
  let said: Said;
  if (!best) said = say('none-measured', 'no backend could be measured');
  else if (!next) {
    said = say('only-measured', `${best.toUpperCase()} measured fastest for inference and training (${fmt(best)}, the only one measured)`, {
      best,
      infer: ms(timings[best]!.infer),
      train: ms(timings[best]!.train),
    });
  } else {
    const times = (cost(next) / cost(best)).toFixed(1);
    said = say('fastest', `${best.toUpperCase()} measured fastest for inference and training (${fmt(best)}, ${times}× faster than ${fmt(next)})`, {
      best,
      infer: ms(timings[best]!.infer),
      train: ms(timings[best]!.train),
      times: Number(times),
      next,
      nextInfer: ms(timings[next]!.infer),
      nextTrain: ms(timings[next]!.train),
    });
  }
  return { order, reason: said.text, note: said.note };
}

/** The threaded wasm binary's Emscripten runtime, as far as its pthread pool goes. */
interface PThreads {
  unusedWorkers: Worker[];
}

/**
 * The threaded wasm binary starts 8 pthread workers whatever the thread count, each a JavaScript realm with its own
 * instance of the module (~16 MB of JS heap each in Chromium). XNNPACK's pool took `threads − 1` of them when the
 * backend started, and tfjs starts no thread after that, so the rest only hold memory: they are let go (Emscripten
 * starts a fresh worker should a thread ever be asked for).
 */
function releaseSpareThreads(): void {
  const runtime = (tf.findBackend('wasm') as { wasm?: { PThread?: PThreads } } | null)?.wasm?.PThread;
  for (const worker of runtime?.unusedWorkers.splice(0) ?? []) worker.terminate();
}

/** The wasm threads a setup asks for: never more than the pthread workers the built factory starts (cores − 1, scripts/vite-plugin-wasm-threads.ts). */
const threadsAsked = (setup: WasmSetup) => Math.min(setup.threads ?? wasmThreadCount(), wasmThreadCount());

async function activate(name: BackendName, setup: WasmSetup = {}): Promise<Said | null> {
  try {
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (setup.wasmPaths) wasm.setWasmPaths(setup.wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
      const threads = threadsAsked(setup);
      // One thread: the single-threaded binary, which starts no pthread workers.
      if (threads <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      // Before the backend starts: XNNPACK's thread pool is made once, when wasm initialises.
      wasm.setThreadsCount(threads);
      installWasmKernels();
    }
    if (name === 'cpu') installFastCpuKernels();
    if (name === 'webgl') {
      const refused = provideWebGLContext();
      if (refused?.detail) return say('webgl-context', `the worker got no WebGL2 context: ${refused.detail}`, { detail: refused.detail });
      if (refused) return say('webgl-context-none', 'the worker got no WebGL2 context');
    }
    if (!(await tf.setBackend(name))) return say('init-failed', `${name} failed to initialise`, { backend: name });
    await tf.ready();
    if (name === 'wasm') releaseSpareThreads();
    installGpuKernels(name);
    return null;
  } catch (e) {
    const detail = (e as Error).message;
    return say('init-error', `${name} failed to initialise: ${detail}`, { backend: name, detail });
  }
}

async function probeAdapter(): Promise<{ adapter?: AdapterLike & { requestAdapterInfo?: () => Promise<AdapterLike['info']> }; error?: Said }> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return { error: say('no-webgpu', 'this browser has no WebGPU') };
  try {
    const adapter = (await gpu.requestAdapter()) as (AdapterLike & { requestAdapterInfo?: () => Promise<AdapterLike['info']> }) | null;
    if (!adapter) return { error: say('no-adapter', 'no WebGPU adapter was offered') };
    // Older Chromium exposes the info only through requestAdapterInfo().
    if (!adapter.info && adapter.requestAdapterInfo) Object.assign(adapter, { info: await adapter.requestAdapterInfo() });
    return { adapter };
  } catch (e) {
    const detail = (e as Error).message;
    return { error: say('adapter-error', `requesting a WebGPU adapter failed: ${detail}`, { detail }) };
  }
}

/**
 * A small MobileNet-shaped stack, NHWC: 3×3 conv stride 2 → BatchNorm (inference: per-channel affine) → ReLU6 →
 * depthwise 3×3 stride 1 → pointwise 1×1 → ReLU6 → depthwise 3×3 stride 2 → pointwise 1×1 → global mean → dense.
 * Every kernel the fine-tuning backward pass of MobileNet uses appears once.
 */
function probeNet(seed: number) {
  const random = rng(seed);
  const values = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => random() - 0.5), shape);
  const { weights, stats } = tf.tidy(() => ({
    weights: {
      conv: values([3, 3, 3, 8]) as tf.Tensor4D,
      gamma: values([8]).add(1) as tf.Tensor1D,
      beta: values([8]) as tf.Tensor1D,
      dw1: values([3, 3, 8, 1]) as tf.Tensor4D,
      pw1: values([1, 1, 8, 16]) as tf.Tensor4D,
      dw2: values([3, 3, 16, 1]) as tf.Tensor4D,
      pw2: values([1, 1, 16, 16]) as tf.Tensor4D,
      dense: values([16, 3]) as tf.Tensor2D,
    },
    stats: { mean: values([8]) as tf.Tensor1D, variance: values([8]).abs().add(0.5) as tf.Tensor1D },
  }));
  const forward = (x: tf.Tensor4D, w: typeof weights): tf.Tensor2D => {
    let h = tf.relu6(tf.batchNorm4d(tf.conv2d(x, w.conv, 2, 'same'), stats.mean, stats.variance, w.beta, w.gamma, 1e-3));
    h = tf.relu6(tf.conv2d(tf.depthwiseConv2d(h, w.dw1, 1, 'same'), w.pw1, 1, 'same'));
    h = tf.relu6(tf.conv2d(tf.depthwiseConv2d(h, w.dw2, 2, 'same'), w.pw2, 1, 'same'));
    return tf.mean(h, [1, 2]).matMul(w.dense) as tf.Tensor2D;
  };
  return { weights, stats, forward, values, dispose: () => tf.dispose([...Object.values(weights), ...Object.values(stats)]) };
}

/**
 * ms of one inference step and one training step (forward, gradients, SGD update) of probeNet: the fastest of 5 after a
 * warm-up, since one step slowed by the machine (a busy neighbour, a collection) must not decide the backend (Firefox's
 * threaded wasm once measured 10 + 27 ms where it takes 1.1 + 11, and lost to cpu, 15× slower at training).
 */
async function timeWorkload(): Promise<StepTimings> {
  const net = probeNet(11);
  const x = net.values([4, 32, 32, 3]) as tf.Tensor4D;
  const vars = Object.fromEntries(Object.entries(net.weights).map(([k, v]) => [k, tf.variable(v)])) as Record<keyof typeof net.weights, tf.Variable>;
  const optimizer = tf.train.sgd(1e-3);
  const infer = async () => {
    const y = tf.tidy(() => net.forward(x, vars as unknown as typeof net.weights));
    await y.data();
    y.dispose();
  };
  const train = async () => {
    const cost = optimizer.minimize(() => net.forward(x, vars as unknown as typeof net.weights).square().mean() as tf.Scalar, true, Object.values(vars));
    await cost!.data();
    cost!.dispose();
  };
  const time = async (step: () => Promise<void>) => {
    await step();
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await step();
      best = Math.min(best, performance.now() - started);
    }
    return best;
  };
  try {
    return { infer: await time(infer), train: await time(train) };
  } finally {
    optimizer.dispose();
    tf.dispose([x, ...Object.values(vars)]);
    net.dispose();
  }
}

/** Gradients of probeNet with respect to every weight, as plain arrays (null where the backend cannot compute them). */
async function probeGradients(): Promise<Float32Array[] | null> {
  const net = probeNet(5);
  let grads: tf.Tensor[];
  try {
    grads = tf.tidy(() => {
      const x = net.values([2, 16, 16, 3]) as tf.Tensor4D;
      const names = Object.keys(net.weights) as (keyof typeof net.weights)[];
      const loss = (...w: tf.Tensor[]) =>
        net.forward(x, Object.fromEntries(names.map((n, i) => [n, w[i]])) as typeof net.weights).square().sum() as tf.Scalar;
      return tf.grads(loss)(names.map((n) => net.weights[n]));
    });
  } catch {
    return null;
  } finally {
    net.dispose();
  }
  // Asynchronous reads: a synchronous GPU read returns zeros and breaks the WebGPU device in Chromium.
  const values = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
  tf.dispose(grads);
  return values;
}

/** max |a − b| / max |b|: relative to the tensor's scale, so tiny gradients are not judged by absolute error. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / scale));
}

/**
 * Guards against drivers and kernels that return wrong or all-zero gradients (tfjs #8590, #7733): the gradients of
 * probeNet (3×3 stride-2 conv, inference BatchNorm, ReLU6, depthwise stride 1 and 2, pointwise, dense) on the
 * current backend versus the cpu backend; ok when every one is within 1e-3 relative. `conv` is false where the
 * backend could not compute them at all (a missing gradient kernel).
 */
export async function gradientSelfTest(): Promise<{ ok: boolean; maxDiff: number; conv: boolean }> {
  const current = tf.getBackend();
  const here = await probeGradients();
  let reference = here;
  if (current !== 'cpu') {
    await tf.setBackend('cpu');
    installFastCpuKernels();
    reference = await probeGradients();
    await tf.setBackend(current);
  }
  if (!here || !reference) return { ok: false, maxDiff: Number.POSITIVE_INFINITY, conv: here !== null };
  const maxDiff = Math.max(...here.map((g, i) => relativeDiff(g, reference[i])));
  return { ok: Number.isFinite(maxDiff) && maxDiff <= 1e-3, maxDiff, conv: true };
}

/** Activates `name` and runs the self-test; returns why it is unusable, or null. */
async function tryBackend(name: BackendName, setup: WasmSetup): Promise<Said | null> {
  const failed = await activate(name, setup);
  if (failed) return failed;
  const test = await gradientSelfTest();
  if (test.ok) return null;
  const diff = test.maxDiff.toExponential(1);
  return say('self-test', `${name} failed the gradient self-test (max relative difference ${diff})`, { backend: name, diff });
}

/** How pickBackend reaches the backends: the real ones in chooseBackend, injected ones in tests. */
export interface BackendProbes {
  /** Makes `name` the active backend; why it cannot be, or null. */
  activate(name: BackendName): Promise<Said | null>;
  /** The probe on the active backend. */
  time(): Promise<StepTimings>;
  /** Activates `name` and runs the gradient self-test; why it is unusable, or null. */
  check(name: BackendName): Promise<Said | null>;
}

/**
 * The measured choice among `candidates`: each is timed on the same probe (an inference step plus a training step)
 * and ranked by that cost, then the first in that order that passes the gradient self-test wins (the given order
 * when `measure` is false). Returns the winner (null if none works), the figures and every step, for the reason.
 */
export async function pickBackend(
  candidates: BackendName[],
  measure: boolean,
  probes: BackendProbes,
): Promise<{ name: BackendName | null; timings: Partial<Record<BackendName, StepTimings>>; steps: Said[]; tried: BackendChoice['tried'] }> {
  const tried: BackendChoice['tried'] = [];
  const steps: Said[] = [];
  const timings: Partial<Record<BackendName, StepTimings>> = {};
  let order = candidates;
  if (measure) {
    for (const name of candidates) {
      const failed = await probes.activate(name);
      if (failed) {
        tried.push({ name, ok: false, reason: failed.text, note: failed.note });
        continue;
      }
      try {
        timings[name] = await probes.time();
      } catch (e) {
        const detail = (e as Error).message;
        const probeFailed = say('probe-failed', `${name} failed the probe: ${detail}`, { backend: name, detail });
        tried.push({ name, ok: false, reason: probeFailed.text, note: probeFailed.note });
      }
    }
    const ranked = rankMeasured(timings);
    order = ranked.order;
    steps.push({ text: ranked.reason, note: ranked.note });
  }
  for (const name of order) {
    const failed = await probes.check(name);
    const t = timings[name];
    const ok = t
      ? say('probe', `probe: ${t.infer.toFixed(1)} ms inference, ${t.train.toFixed(1)} ms training`, { infer: ms(t.infer), train: ms(t.train) })
      : say('available', 'available');
    tried.push({ name, ok: !failed, reason: failed?.text ?? ok.text, note: failed?.note ?? ok.note });
    if (!failed) {
      if (!measure) steps.push(say('first-works', `${name} is the first backend that works`, { backend: name }));
      return { name, timings, steps, tried };
    }
    steps.push(failed);
  }
  return { name: null, timings, steps, tried };
}

/**
 * Picks and activates the backend. A requested one (`?backend=`) wins if it works. Otherwise a short measurement
 * (pickBackend) among webgl, wasm, cpu and, on a hardware adapter, webgpu (a software adapter is left out: on it
 * WebGPU is tens of times slower than wasm); the order webgpu, webgl, wasm, cpu when `measure` is false; `exclude`
 * leaves backends out. Every choice must pass gradientSelfTest(); each failure is recorded and the next taken.
 */
export async function chooseBackend(opts: { requested?: string | null; measure?: boolean; exclude?: BackendName[]; oneThreadBecause?: OneThreadCause } & WasmSetup = {}): Promise<BackendChoice> {
  const choice = await pick(opts);
  if (!tf.findBackend('wasm')) return choice;
  // What the backend really runs on: 1 with the single-threaded binary (no SharedArrayBuffer without isolation).
  const threads = (await import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  const why = choice.name === 'wasm' && threads === 1 ? oneThreadWhy(opts.oneThreadBecause, threadsAsked(opts)) : null;
  return why ? { ...choice, threads, reason: `${choice.reason}; ${why.text}`, notes: [...choice.notes, why.note] } : { ...choice, threads };
}

/**
 * Why the engine gave wasm one thread on a machine with more: an earlier engine got stuck starting a thread's worker
 * (src/worker/spawn-watch.ts), or a CSP refuses the threads' workers (src/worker/threads.ts).
 */
export type OneThreadCause = 'stuck-thread' | 'workers-refused';

/** Why wasm runs on one thread where the machine has more cores; null where there is nothing to explain (one core, a page not yet isolated). */
function oneThreadWhy(cause: OneThreadCause | undefined, asked: number): Said | null {
  if (cause === 'stuck-thread' && wasmThreadCount() > 1) {
    return say('one-thread-stuck-thread', "wasm runs on 1 thread: the engine got stuck starting one of its threads and was restarted without them (reloading the page tries threads again)");
  }
  if (cause === 'workers-refused' && wasmThreadCount() > 1) {
    return say('one-thread-workers-refused', "wasm runs on 1 thread: its threads' workers could not start here (a server's Content-Security-Policy may forbid blob: workers)");
  }
  // Isolated, yet tfjs found no memory to share with threads (WebKitGTK 2.50 has no SharedArrayBuffer even then).
  if (asked > 1) return say('one-thread-no-shared-memory', `wasm runs on 1 thread, not ${asked}: this browser shares no memory between threads (no SharedArrayBuffer)`, { asked });
  return null;
}

async function pick(opts: { requested?: string | null; measure?: boolean; exclude?: BackendName[] } & WasmSetup): Promise<BackendChoice> {
  const setup: WasmSetup = { wasmPaths: opts.wasmPaths, threads: opts.threads };
  const tried: BackendChoice['tried'] = [];
  const steps: Said[] = [];
  const done = (name: BackendName, extra: Partial<BackendChoice> = {}): BackendChoice => ({
    name,
    reason: steps.map((x) => x.text).join('; '),
    notes: steps.map((x) => x.note),
    tried,
    ...extra,
  });
  const requested = opts.requested?.trim().toLowerCase();
  if (requested) {
    if ((NAMES as string[]).includes(requested)) {
      const name = requested as BackendName;
      const failed = await tryBackend(name, setup);
      const asked = say('requested', `${name} requested`, { backend: name });
      tried.push({ name, ok: !failed, reason: failed?.text ?? asked.text, note: failed?.note ?? asked.note });
      if (!failed) return done(name, { reason: asked.text, notes: [asked.note] });
      steps.push(say('requested-failed', `requested ${name} did not work (${failed.text})`, { backend: name }), failed);
    } else {
      steps.push(say('unknown', `unknown backend "${requested}" ignored`, { value: requested }));
    }
  }

  // Left out on purpose (a backend whose device was just lost): neither tried nor mentioned.
  const excluded = new Set(opts.exclude ?? []);
  let adapter: string | undefined;
  let hardware = false;
  if (!tried.some((t) => t.name === 'webgpu') && !excluded.has('webgpu')) {
    const probe = await probeAdapter();
    const info = probe.adapter?.info;
    adapter = info ? `${info.vendor ?? '?'} ${info.architecture ?? ''}`.trim() : undefined;
    const unusable =
      probe.error ?? (isSoftwareAdapter(probe.adapter!) ? say('software-adapter', `WebGPU adapter is software (${adapter})`, { adapter: adapter ?? '' }) : null);
    if (unusable) {
      tried.push({ name: 'webgpu', ok: false, reason: unusable.text, note: unusable.note });
      steps.push(unusable);
    } else {
      // A real GPU is measured like the rest: for the small batches here, wasm can beat it.
      hardware = true;
      steps.push(say('hardware-adapter', `WebGPU on a hardware adapter (${adapter})`, { adapter: adapter ?? '' }));
    }
  }

  const candidates = NAMES.filter((n) => (n !== 'webgpu' || hardware) && !tried.some((t) => t.name === n) && !excluded.has(n));
  const measure = opts.measure !== false;
  const picked = await pickBackend(candidates, measure, {
    activate: (name) => activate(name, setup),
    time: timeWorkload,
    check: (name) => tryBackend(name, setup),
  });
  tried.push(...picked.tried);
  steps.push(...picked.steps);
  if (picked.name) return done(picked.name, { adapter, ...(measure ? { timings: picked.timings } : {}) });
  throw new EngineError('BACKEND', `No tfjs backend works here: ${steps.map((x) => x.text).join('; ')}`, { tried: tried.map((t) => t.name).join(',') });
}
