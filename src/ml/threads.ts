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

/**
 * Firefox (153 ESR here): a worker that the engine's worker starts sometimes never answers, and the engine never
 * answers again (once, the 10 s timeout around our kernel threads' start reported nothing either). Seen with tfjs's
 * pthread workers (3 of 8 starts with the 8 it starts, 1 of 16 with one) and, with this check lifted on 2026-12-07,
 * in 3 of 14 journeys: twice while the engine started, once during training. It is `new Worker()` inside a worker
 * that never returns, now and then (`npm run check:firefox-workers`). wasm keeps to one thread there.
 */
export const threadsHangHere = (userAgent: string = globalThis.navigator?.userAgent ?? ''): boolean => /\bFirefox\//.test(userAgent);
