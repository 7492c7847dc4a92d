/** How long a test worker may take to answer; pthread workers that cannot start would make the wasm backend hang. */
const START_MS = 5_000;

/**
 * Whether this realm can start the wasm backend's pthread workers: it must be cross-origin isolated
 * (SharedArrayBuffer), and the CSP that governs it must allow what they do — a classic worker from a blob: URL
 * (worker-src) that importScripts another blob: (script-src). A host whose own CSP header forbids that would
 * otherwise leave the backend waiting forever for workers that never load; there the engine takes one thread.
 */
export async function threadsCanStart(): Promise<boolean> {
  if (!globalThis.crossOriginIsolated || typeof Worker === 'undefined' || typeof Blob === 'undefined') return false;
  // Firefox (153 ESR here): a worker that our engine's worker starts sometimes never answers, and the engine never
  // answers again (once, the 10 s timeout around our kernel threads' start reported nothing either). Seen with tfjs's
  // pthread workers (3 of 8 starts with the 8 it starts, 1 of 16 with one) and, with this check lifted on 2026-12-07,
  // in 3 of 14 journeys: twice while the engine started (once while our kernel threads started), once during
  // training. One thread there.
  if (/\bFirefox\//.test(globalThis.navigator?.userAgent ?? '')) return false;
  const url = (code: string) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const inner = url('postMessage(true)');
  const outer = url(`importScripts(${JSON.stringify(inner)})`);
  let worker: Worker | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    worker = new Worker(outer);
    const started = worker;
    return await new Promise<boolean>((resolve) => {
      started.onmessage = () => resolve(true);
      started.onerror = () => resolve(false);
      timer = setTimeout(() => resolve(false), START_MS);
    });
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    worker?.terminate();
    URL.revokeObjectURL(inner);
    URL.revokeObjectURL(outer);
  }
}
