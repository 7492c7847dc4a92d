import * as tf from '@tensorflow/tfjs';
import { kernelThreads, useKernelThreads } from '../ml/kernels-wasm';

/** Set by the build (scripts/vite-plugin-wasm-threads.ts): the address of XNNPACK's pool in tfjs' threaded binary. */
declare const __XNN_POOL_ADDRESS__: number | null | undefined;

interface WasmRuntime {
  wasmMemory?: WebAssembly.Memory;
  tfjs?: { getThreadsCount(): number };
}

/** Runs a computation with the engine's own threads idle. */
export type Solo = <T>(compute: () => T) => T;

/**
 * A switch for the engine's threads while data-parallel peers have the other cores (src/worker/replicas.ts): during
 * `compute`, XNNPACK's pool pointer is null, which XNNPACK and pthreadpool take as "run on the calling thread", and
 * the gradient kernels' own pool is set aside. The pointer is a C global of tfjs' threaded binary; the build reads its
 * address from the binary, and the switch is checked here on the running one (tfjs reads the pool's thread count
 * through that pointer: −1 once it is null, the count again once restored). Null where that does not hold.
 */
export function soloSwitch(): Solo | null {
  const address = typeof __XNN_POOL_ADDRESS__ === 'number' ? __XNN_POOL_ADDRESS__ : null;
  const runtime = (tf.findBackend('wasm') as { wasm?: WasmRuntime } | undefined)?.wasm;
  const memory = runtime?.wasmMemory;
  const count = runtime?.tfjs?.getThreadsCount;
  if (address === null || !memory || !count || !(memory.buffer instanceof SharedArrayBuffer)) return null;
  const cell = address >> 2;
  const heap = () => new Int32Array(memory.buffer);
  const pool = heap()[cell];
  const threads = count();
  if (!pool || threads < 2) return null;
  heap()[cell] = 0;
  const off = count();
  heap()[cell] = pool;
  if ((off !== -1 && off !== 0xffffffff) || count() !== threads) return null;
  return (compute) => {
    const helpers = kernelThreads();
    heap()[cell] = 0;
    useKernelThreads(null);
    try {
      return compute();
    } finally {
      // Read anew: the heap may have grown (a new buffer) during the computation.
      heap()[cell] = pool;
      useKernelThreads(helpers);
    }
  };
}
