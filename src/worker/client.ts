import * as Comlink from 'comlink';
import type { EngineApi, EngineHome, PageReason } from './api';
import { useErrorTransport } from './errors';

/** The engine as the page sees it: every call a promise, wherever the engine runs. */
export type Engine = Comlink.Remote<EngineApi>;

export interface EngineConnection {
  engine: Engine;
  home: EngineHome;
  /** Why the engine is on the page's thread, when it is. */
  note?: PageReason;
  /** Ends the worker (and with it every tensor); the page-thread engine cannot be ended. */
  terminate(): void;
}

/** How long a worker may take to answer its first call before the page gives up on it. */
const WORKER_START_MS = 20_000;

async function startWorker(): Promise<EngineConnection> {
  // The worker's errors arrive as the engine's own classes, code and details kept (see errors.ts).
  useErrorTransport();
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'transfer-lab-engine' });
  const engine = Comlink.wrap<EngineApi>(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(e.message || 'the engine worker failed to start')), { once: true });
    timer = setTimeout(() => reject(new Error(`the engine worker did not answer within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
  });
  try {
    await Promise.race([engine.ping(), failed]);
  } catch (err) {
    worker.terminate();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { engine, home: 'worker', terminate: () => worker.terminate() };
}

/**
 * Starts the engine in a module Worker; where the browser cannot (no module workers, a worker that fails to
 * load), the same host runs on the page's thread behind the same interface, and `note` says why.
 * `page: true` asks for the page's thread on purpose (`?engine=page`, to compare).
 */
export async function connectEngine(opts: { page?: boolean } = {}): Promise<EngineConnection> {
  let note: PageReason = 'asked';
  if (!opts.page) {
    if (typeof Worker === 'undefined') note = 'no-workers';
    else {
      try {
        return await startWorker();
      } catch (err) {
        // The learner is told in their language that the page runs the engine; the browser's own words go to the console.
        console.warn('Transfer Lab: the engine worker could not start; running it on the page.', err);
        note = 'worker-failed';
      }
    }
  }
  const { EngineHost } = await import('./host');
  // On the page, Comlink.proxy/transfer are plain pass-throughs, so callers need not know where the engine is.
  const engine = new EngineHost('page', note) as unknown as Engine;
  return { engine, home: 'page', note, terminate: () => {} };
}
