import * as tf from '@tensorflow/tfjs';
import { rng } from './random';
import { EngineError } from './types';
import type { BackendName } from './types';

export interface BackendChoice {
  name: BackendName;
  /** Why this backend, in words, including every fallback taken. */
  reason: string;
  tried: { name: BackendName; ok: boolean; reason: string }[];
  /** WebGPU adapter as "vendor architecture", when one was found. */
  adapter?: string;
  /** False on wasm: it has no Conv2DBackpropFilter kernel, so only heads can be trained. */
  canFineTune: boolean;
  /** Measured ms of the probe workload per backend, when a measurement ran. */
  timings?: Partial<Record<BackendName, number>>;
}

const NAMES: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];
/** wasm is preferred over a backend that can fine-tune only when it is this many times faster. */
const WASM_ADVANTAGE = 3;

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
 * Orders measured backends: fastest first among those that can fine-tune, unless wasm beats the best of them by
 * more than WASM_ADVANTAGE×, because then inference and head training gain more than fine-tuning loses.
 */
export function rankMeasured(ms: Partial<Record<BackendName, number>>): { order: BackendName[]; reason: string } {
  const measured = NAMES.filter((n) => ms[n] !== undefined).sort((a, b) => ms[a]! - ms[b]!);
  const trainers = measured.filter((n) => n !== 'wasm');
  const wasm = ms.wasm;
  const best = trainers[0];
  const fmt = (n: BackendName) => `${n.toUpperCase()} ${ms[n]!.toFixed(1)} ms`;
  if (wasm !== undefined && (best === undefined || wasm * WASM_ADVANTAGE < ms[best]!)) {
    const why = best
      ? `WASM measured ${(ms[best]! / wasm).toFixed(1)}× faster than ${best.toUpperCase()} (${fmt('wasm')} vs ${fmt(best)})`
      : 'WASM is the only backend that works';
    return { order: ['wasm', ...trainers], reason: `${why}; it cannot fine-tune convolutions (no Conv2DBackpropFilter), feature extraction only` };
  }
  const note = wasm !== undefined ? `; WASM (${fmt('wasm')}) was faster than that by less than ${WASM_ADVANTAGE}× and cannot fine-tune convolutions` : '';
  return { order: [...trainers, ...(wasm !== undefined ? (['wasm'] as const) : [])], reason: `${best?.toUpperCase()} measured fastest among backends that can fine-tune (${fmt(best!)})${note}` };
}

async function activate(name: BackendName, wasmPaths?: Record<string, string> | string): Promise<string | null> {
  try {
    if (name === 'webgpu') await import('@tensorflow/tfjs-backend-webgpu');
    if (name === 'wasm') {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      if (wasmPaths) wasm.setWasmPaths(wasmPaths as Parameters<typeof wasm.setWasmPaths>[0]);
    }
    if (!(await tf.setBackend(name))) return `${name} failed to initialise`;
    await tf.ready();
    return null;
  } catch (e) {
    return `${name} failed to initialise: ${(e as Error).message}`;
  }
}

async function probeAdapter(): Promise<{ adapter?: AdapterLike & { requestAdapterInfo?: () => Promise<AdapterLike['info']> }; error?: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return { error: 'this browser has no WebGPU' };
  try {
    const adapter = (await gpu.requestAdapter()) as (AdapterLike & { requestAdapterInfo?: () => Promise<AdapterLike['info']> }) | null;
    if (!adapter) return { error: 'no WebGPU adapter was offered' };
    // Older Chromium exposes the info only through requestAdapterInfo().
    if (!adapter.info && adapter.requestAdapterInfo) Object.assign(adapter, { info: await adapter.requestAdapterInfo() });
    return { adapter };
  } catch (e) {
    return { error: `requesting a WebGPU adapter failed: ${(e as Error).message}` };
  }
}

/** A few MobileNet-shaped steps (depthwise 3×3 → pointwise 1×1 → ReLU6) timed after a warm-up run. */
async function timeWorkload(): Promise<number> {
  const random = rng(11);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  const [x, dw, pw] = [tf.tensor4d(values(56 * 56 * 32), [1, 56, 56, 32]), tf.tensor4d(values(9 * 32), [3, 3, 32, 1]), tf.tensor4d(values(32 * 64), [1, 1, 32, 64])];
  const run = async () => {
    const y = tf.tidy(() => {
      let h: tf.Tensor4D = x;
      for (let i = 0; i < 3; i++) h = tf.relu6(tf.conv2d(tf.depthwiseConv2d(h, dw, 1, 'same'), pw, 1, 'same')).slice([0, 0, 0, 0], [1, 56, 56, 32]);
      return h;
    });
    await y.data();
    y.dispose();
  };
  try {
    await run();
    const started = performance.now();
    for (let i = 0; i < 3; i++) await run();
    return (performance.now() - started) / 3;
  } finally {
    tf.dispose([x, dw, pw]);
  }
}

/** Conv, depthwise and dense gradients of a fixed little function, as plain arrays; conv null where unsupported. */
async function probeGradients(): Promise<{ dense: Float32Array; conv: Float32Array[] | null }> {
  const random = rng(5);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  const grads = tf.tidy(() => {
    const x = tf.tensor4d(values(2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const filter = tf.tensor4d(values(3 * 3 * 3 * 4), [3, 3, 3, 4]);
    const depthwise = tf.tensor4d(values(3 * 3 * 4), [3, 3, 4, 1]);
    const kernel = tf.tensor2d(values(4 * 3), [4, 3]);
    const feats = tf.tensor2d(values(2 * 4), [2, 4]);
    const dense = tf.grad((k: tf.Tensor) => tf.sigmoid(feats.matMul(k as tf.Tensor2D)).sum())(kernel);
    try {
      const f = (w: tf.Tensor, d: tf.Tensor) => {
        const h = tf.depthwiseConv2d(tf.relu(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')), d as tf.Tensor4D, 1, 'same');
        return tf.mean(h, [1, 2]).matMul(kernel).square().sum();
      };
      return [dense, ...tf.grads(f)([filter, depthwise])];
    } catch {
      return [dense];
    }
  });
  // Asynchronous reads: a synchronous GPU read returns zeros and breaks the WebGPU device in Chromium.
  const [dense, ...conv] = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
  tf.dispose(grads);
  return { dense, conv: conv.length ? conv : null };
}

/** max |a − b| / max |b|: relative to the tensor's scale, so tiny gradients are not judged by absolute error. */
function relativeDiff(a: Float32Array, b: Float32Array): number {
  const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
  return Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]) / scale));
}

/**
 * Guards against drivers that return wrong or all-zero gradients (tfjs #8590, #7733): conv + depthwise + dense
 * gradients on the current backend versus the cpu backend; ok when within 1e-3 relative.
 * `conv` is false where the backend has no convolution gradients (wasm); then only the dense gradient is judged.
 */
export async function gradientSelfTest(): Promise<{ ok: boolean; maxDiff: number; conv: boolean }> {
  const current = tf.getBackend();
  const here = await probeGradients();
  let reference = here;
  if (current !== 'cpu') {
    await tf.setBackend('cpu');
    reference = await probeGradients();
    await tf.setBackend(current);
  }
  let maxDiff = relativeDiff(here.dense, reference.dense);
  if (here.conv && reference.conv) here.conv.forEach((g, i) => (maxDiff = Math.max(maxDiff, relativeDiff(g, reference.conv![i]))));
  const ok = Number.isFinite(maxDiff) && maxDiff <= 1e-3 && (current === 'wasm' || here.conv !== null);
  return { ok, maxDiff, conv: here.conv !== null };
}

/** Activates `name` and runs the self-test; returns why it is unusable, or null. */
async function tryBackend(name: BackendName, wasmPaths?: Record<string, string> | string): Promise<string | null> {
  const failed = await activate(name, wasmPaths);
  if (failed) return failed;
  const test = await gradientSelfTest();
  return test.ok ? null : `${name} failed the gradient self-test (max relative difference ${test.maxDiff.toExponential(1)})`;
}

/**
 * Picks and activates the backend. A requested one (`?backend=`) wins if it works. Otherwise WebGPU on a real GPU;
 * else a short measurement among webgl, wasm and cpu (or that order when `measure` is false). Every choice must
 * pass gradientSelfTest(); each failure is recorded in `tried` and the next candidate is taken.
 */
export async function chooseBackend(
  opts: { requested?: string | null; wasmPaths?: Record<string, string> | string; measure?: boolean } = {},
): Promise<BackendChoice> {
  const tried: BackendChoice['tried'] = [];
  const notes: string[] = [];
  const requested = opts.requested?.trim().toLowerCase();
  if (requested) {
    if ((NAMES as string[]).includes(requested)) {
      const name = requested as BackendName;
      const failed = await tryBackend(name, opts.wasmPaths);
      tried.push({ name, ok: !failed, reason: failed ?? 'requested' });
      if (!failed) return { name, reason: `${name} requested`, tried, canFineTune: name !== 'wasm' };
      notes.push(`requested ${name} did not work (${failed})`);
    } else {
      notes.push(`unknown backend "${requested}" ignored`);
    }
  }

  let adapter: string | undefined;
  if (!tried.some((t) => t.name === 'webgpu')) {
    const probe = await probeAdapter();
    const info = probe.adapter?.info;
    adapter = info ? `${info.vendor ?? '?'} ${info.architecture ?? ''}`.trim() : undefined;
    const unusable = probe.error ?? (isSoftwareAdapter(probe.adapter!) ? `WebGPU adapter is software (${adapter})` : null);
    const failed = unusable ?? (await tryBackend('webgpu', opts.wasmPaths));
    tried.push({ name: 'webgpu', ok: !failed, reason: failed ?? `hardware adapter (${adapter})` });
    if (!failed) return { name: 'webgpu', reason: [...notes, `WebGPU on a hardware adapter (${adapter})`].join('; '), tried, adapter, canFineTune: true };
    notes.push(failed);
  }

  const candidates = (['webgl', 'wasm', 'cpu'] as const).filter((n) => !tried.some((t) => t.name === n));
  const timings: Partial<Record<BackendName, number>> = {};
  let order: BackendName[] = candidates;
  if (opts.measure !== false) {
    for (const name of candidates) {
      const failed = await activate(name, opts.wasmPaths);
      if (failed) tried.push({ name, ok: false, reason: failed });
      else timings[name] = await timeWorkload();
    }
    const ranked = rankMeasured(timings);
    order = ranked.order;
    notes.push(ranked.reason);
  }
  for (const name of order) {
    const failed = await tryBackend(name, opts.wasmPaths);
    tried.push({ name, ok: !failed, reason: failed ?? (timings[name] !== undefined ? `${timings[name]!.toFixed(1)} ms probe` : 'available') });
    if (!failed) {
      const measured = opts.measure !== false;
      const reason = [...notes, ...(measured ? [] : [`${name} is the first backend that works`])].join('; ');
      return { name, reason, tried, adapter, canFineTune: name !== 'wasm', ...(measured ? { timings } : {}) };
    }
    notes.push(failed);
  }
  throw new EngineError('BACKEND', `No tfjs backend works here: ${notes.join('; ')}`, { tried: tried.map((t) => t.name).join(',') });
}
