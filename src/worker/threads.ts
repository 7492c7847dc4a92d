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
  // Firefox (153 ESR here): a pthread worker of the threaded wasm backend sometimes never loads inside our module
  // worker, with no error to catch, so the engine would stay "loading" (3 of 8 starts with the 8 workers tfjs starts,
  // 1 of 16 with the one a 2-core machine needs); it keeps one thread there until that is understood.
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
