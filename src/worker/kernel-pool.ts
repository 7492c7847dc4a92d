import * as tf from '@tensorflow/tfjs';
import { partialSize, runRows, taskRows, type RowTask } from '../ml/row-kernels';
import { useKernelThreads } from '../ml/kernels-wasm';
import { within } from './within';
import { GEN, KIND, PARTIAL, PENDING, SLOTS, STOP, share, type PoolInit } from './kernel-pool-protocol';

/** One task kind's time over the calls since timing began: the engine thread's own share, then its wait for the helpers. */
export interface PoolTiming {
  calls: number;
  ownMs: number;
  waitMs: number;
}

/** Per task kind while the kernel profiler (src/bench/profile.worker.ts) times the pool; null otherwise. */
let timing: Map<RowTask, PoolTiming> | null = null;

/** Starts (`on`) or stops timing the pool's tasks; returns what was timed until now. */
export function timeKernelPool(on: boolean): Map<RowTask, PoolTiming> | null {
  const timed = timing;
  timing = on ? new Map() : null;
  return timed;
}

/** How long the helpers may take to start before the kernels keep to one thread. */
const START_MS = 10_000;

/**
 * The wasm gradient kernels' own threads: `threads − 1` helper workers that read the wasm backend's shared memory
 * directly and wake on an Atomics counter, so a kernel (a synchronous call) can hand them its rows and wait for
 * them without a message round trip. The engine's thread takes the first share itself.
 */
class KernelPool {
  private readonly control: Int32Array;
  private readonly params: Float64Array;
  private readonly partials: Float64Array;

  constructor(
    private readonly memory: WebAssembly.Memory,
    readonly threads: number,
    buffers: Pick<PoolInit, 'control' | 'params' | 'partials'>,
    private readonly workers: Worker[],
  ) {
    this.control = new Int32Array(buffers.control);
    this.params = new Float64Array(buffers.params);
    this.partials = new Float64Array(buffers.partials);
  }

  /** Runs a task on every thread; the sum of their partials, or null when it does not fit the partials. */
  run(kind: RowTask, params: number[]): Float64Array | null {
    const p = this.params;
    p.fill(0);
    params.forEach((v, i) => (p[i] = v));
    const size = partialSize(kind, p);
    if (size > PARTIAL) return null;
    const rows = taskRows(kind, p);
    const helpers = this.threads - 1;
    const t0 = timing ? performance.now() : 0;
    Atomics.store(this.control, KIND, kind);
    Atomics.store(this.control, PENDING, helpers);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    const [from, to] = share(rows, 0, this.threads);
    runRows(kind, p, new Float32Array(this.memory.buffer), from, to, this.partials.subarray(0, PARTIAL));
    const t1 = timing ? performance.now() : 0;
    for (let left = Atomics.load(this.control, PENDING); left !== 0; left = Atomics.load(this.control, PENDING)) Atomics.wait(this.control, PENDING, left);
    if (timing) {
      const t = timing.get(kind) ?? { calls: 0, ownMs: 0, waitMs: 0 };
      timing.set(kind, { calls: t.calls + 1, ownMs: t.ownMs + t1 - t0, waitMs: t.waitMs + performance.now() - t1 });
    }
    const sum = this.partials.slice(0, size);
    for (let t = 1; t < this.threads; t++) {
      const part = this.partials.subarray(t * PARTIAL, t * PARTIAL + size);
      for (let i = 0; i < size; i++) sum[i] += part[i];
    }
    return sum;
  }

  end(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.add(this.control, GEN, 1);
    Atomics.notify(this.control, GEN);
    this.workers.forEach((w) => w.terminate());
  }
}

/**
 * Gives the wasm gradient kernels `threads` threads, when the active wasm backend is the threaded one (its memory
 * shared); otherwise, or when the helpers do not start, the kernels keep to the engine's thread.
 */
export async function startKernelThreads(threads: number): Promise<number> {
  const memory = (tf.findBackend('wasm') as unknown as { wasm?: { wasmMemory?: WebAssembly.Memory } } | undefined)?.wasm?.wasmMemory;
  if (threads < 2 || !memory || !(memory.buffer instanceof SharedArrayBuffer)) return 1;
  const buffers = {
    control: new SharedArrayBuffer(4 * SLOTS),
    params: new SharedArrayBuffer(8 * SLOTS),
    partials: new SharedArrayBuffer(8 * PARTIAL * threads),
  };
  const workers: Worker[] = [];
  let abandoned = false;
  // One at a time, each after the last answered: Firefox gets stuck in `new Worker()` far less often so (15 nested
  // workers back to back: 19 of 30 tries stuck; one by one: 3 of 30; README, Known limits).
  const startNext = async (): Promise<void> => {
    const index = workers.length + 1;
    const worker = new Worker(new URL('./kernel-pool.worker.ts', import.meta.url), { type: 'module', name: `transfer-lab-kernels-${index}` });
    workers.push(worker);
    await new Promise<void>((resolve, reject) => {
      worker.onmessage = () => resolve();
      worker.onerror = (e) => reject(new Error(e.message || 'a kernel thread failed to start'));
      worker.postMessage({ memory, ...buffers, index, threads } satisfies PoolInit);
    });
    // After a timeout the helpers started are ended; none is started after them.
    if (workers.length < threads - 1 && !abandoned) await startNext();
  };
  try {
    await within(START_MS, 'starting the kernel threads', startNext());
  } catch (err) {
    abandoned = true;
    console.warn('Transfer Lab: the wasm gradient kernels keep to one thread:', err);
    workers.forEach((w) => w.terminate());
    return 1;
  }
  useKernelThreads(new KernelPool(memory, threads, buffers, workers));
  return threads;
}
