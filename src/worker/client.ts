import * as Comlink from 'comlink';
import type { EngineApi, EngineHome, PageReason } from './api';
import { useErrorTransport } from './errors';
import { EngineError } from '../ml/types';
import { Watchdog, type EngineLoss, type LossCause } from './watchdog';
import { watchSpawns } from './spawn-watch';

/** The engine as the page sees it: every call a promise, wherever the engine runs. */
export type Engine = Comlink.Remote<EngineApi>;

export interface EngineConnection {
  engine: Engine;
  home: EngineHome;
  /** Why the engine is on the page's thread, when it is. */
  note?: PageReason;
  /** Ends the worker (and with it every tensor); the page-thread engine cannot be ended. */
  terminate(): void;
  /** Settles once the worker died or stopped answering (every call then in flight is rejected); never for the page's thread. */
  lost: Promise<EngineLoss>;
}

/** How long a worker may take to answer its first call before the page gives up on it. */
const WORKER_START_MS = 20_000;

/** The error every call gets when its worker is lost: translated by errors.ts as errors.engine.LOST. */
export const lostError = (cause: LossCause | 'device', detail = '') =>
  new EngineError('LOST', `The engine worker was lost (${cause}${detail ? `: ${detail}` : ''}); it is being restarted.`, { cause, detail });

/** The page's side of the worker's lifeline (see engine.worker.ts): granted only once the worker holding it has ended. */
async function watchLifeline(name: string, onEnded: () => void): Promise<void> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return;
  // The worker asks for its lock as its script starts; wait until the browser shows it held, else the page could take it first.
  for (let i = 0; i < 50; i++) {
    const { held = [] } = await locks.query();
    if (held.some((l) => l.name === name)) {
      void locks.request(name, () => onEnded());
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The remote with every call watched: each counts as in flight for the watchdog, and each rejects with a LOST
 * EngineError the moment the worker is lost (a dead worker never answers, so its callers would wait forever).
 */
function guarded(remote: Engine, watchdog: Watchdog, lost: Promise<EngineLoss>): Engine {
  const gone = lost.then((loss) => Promise.reject(lostError(loss.cause, loss.detail)));
  gone.catch(() => {});
  let isLost = false;
  void lost.then(() => (isLost = true));
  return new Proxy(remote, {
    get(target, prop) {
      // Not a thenable: `await engine` must give the engine, not call the worker.
      if (prop === 'then') return undefined;
      const method = Reflect.get(target, prop) as (...args: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => (isLost ? gone : Promise.race([watchdog.track(method(...args)), gone]));
    },
  });
}

async function startWorker(): Promise<EngineConnection> {
  // The worker's errors arrive as the engine's own classes, code and details kept (see errors.ts).
  useErrorTransport();
  const lifeline = `transfer-lab-engine ${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const worker = new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: lifeline });
  const remote = Comlink.wrap<EngineApi>(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(e.message || 'the engine worker failed to start')), { once: true });
    timer = setTimeout(() => reject(new Error(`the engine worker did not answer within ${WORKER_START_MS / 1000} s`)), WORKER_START_MS);
  });
  try {
    await Promise.race([remote.ping(), failed]);
  } catch (err) {
    worker.terminate();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  failed.catch(() => {});

  let declare: (loss: EngineLoss) => void = () => {};
  const lost = new Promise<EngineLoss>((resolve) => (declare = resolve));
  let ended = false;
  const end = (cause: LossCause, detail = '') => {
    if (ended) return;
    ended = true;
    watchdog.stop();
    worker.terminate();
    declare({ cause, detail });
  };
  const watchdog = new Watchdog(() => remote.ping(), () => end('unresponsive'));
  watchSpawns(worker, (script) => end('stuck', script));
  // An uncaught error inside the worker leaves it in an unknown state: it is replaced, not trusted.
  worker.addEventListener('error', (e) => end('crashed', e.message ?? ''));
  void watchLifeline(lifeline, () => end('crashed'));
  watchdog.start();
  return {
    engine: guarded(remote, watchdog, lost),
    home: 'worker',
    lost,
    terminate: () => {
      ended = true;
      watchdog.stop();
      worker.terminate();
    },
  };
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
  const [{ EngineHost }, { guardedByDevice }] = await Promise.all([import('./host'), import('./device-loss')]);
  // On the page, Comlink.proxy/transfer are plain pass-throughs, so callers need not know where the engine is.
  const host = new EngineHost('page', note);
  const engine = guardedByDevice(host, host.losses) as unknown as Engine;
  return { engine, home: 'page', note, terminate: () => {}, lost: new Promise(() => {}) };
}
