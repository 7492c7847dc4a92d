// Data only (no tfjs), so the page's stores may use it.

/** The threaded wasm binary starts a pool of 8 pthread workers; XNNPACK cannot use more. */
const WASM_MAX_THREADS = 8;

/**
 * Threads for the wasm backend: one per logical core, within 1–8. tfjs would take half the cores (1 on a 2-core
 * laptop, so no gain there); the engine is the only heavy work while the learner waits for it.
 */
export function wasmThreadCount(cores: number | undefined = globalThis.navigator?.hardwareConcurrency): number {
  return Math.max(1, Math.min(WASM_MAX_THREADS, Math.floor(cores ?? 1) || 1));
}

