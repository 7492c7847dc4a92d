import type { OneThreadCause } from '../ml/backend';

/**
 * Whether the wasm backend may start threads here: 'ok'; 'not-isolated' (no SharedArrayBuffer: the page says a reload
 * brings threads); 'workers-refused' (a blob: worker that importScripts a blob: did not start, as under a host CSP
 * without blob: in worker-src or script-src).
 */
export type ThreadsStart = 'ok' | 'not-isolated' | Extract<OneThreadCause, 'workers-refused'>;

/** How long a test worker may take to answer; pthread workers that cannot start would make the wasm backend hang. */
const START_MS = 5_000;

/**
 * Whether this realm can start the wasm backend's pthread workers: it must be cross-origin isolated
 * (SharedArrayBuffer), and the CSP that governs it must allow what they do — a classic worker from a blob: URL
 * (worker-src) that importScripts another blob: (script-src). A host whose own CSP header forbids that would
 * otherwise leave the backend waiting forever for workers that never load; there the engine takes one thread.
 */
export async function threadsCanStart(): Promise<ThreadsStart> {
  if (!globalThis.crossOriginIsolated || typeof Worker === 'undefined' || typeof Blob === 'undefined') return 'not-isolated';
  const url = (code: string) => URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
  const inner = url('postMessage(true)');
  const outer = url(`importScripts(${JSON.stringify(inner)})`);
  let worker: Worker | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    worker = new Worker(outer);
    const started = worker;
    return await new Promise<ThreadsStart>((resolve) => {
      started.onmessage = () => resolve('ok');
      started.onerror = () => resolve('workers-refused');
      timer = setTimeout(() => resolve('workers-refused'), START_MS);
    });
  } catch {
    return 'workers-refused';
  } finally {
    clearTimeout(timer);
    worker?.terminate();
    URL.revokeObjectURL(inner);
    URL.revokeObjectURL(outer);
  }
}
