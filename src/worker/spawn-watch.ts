// Firefox (153 ESR) now and then never returns from `new Worker()` called inside a worker (npm run
// check:firefox-workers), and the calling worker never runs again. The engine's worker calls it for tfjs's pthreads,
// its kernel threads and its replicas, so it announces each call to the page, and the page ends an engine stuck in one.

/** A constructor still running after this long has hung: it returns within milliseconds (the script loads afterwards). */
export const SPAWN_STUCK_MS = 4_000;

/** What the engine's worker posts around each `new Worker()`, with the script's name; Comlink ignores it (no id). */
interface SpawnSignal {
  transferLabSpawn: 'begin' | 'end';
  script: string;
}

const isSignal = (data: unknown): data is SpawnSignal => typeof data === 'object' && data !== null && 'transferLabSpawn' in data;

/** The script's file name (a blob: URL says only 'blob'), for the console: which worker got the engine stuck. */
const scriptName = (url: unknown): string => (String(url).startsWith('blob:') ? 'blob' : (String(url).split(/[?#]/)[0].split('/').pop() ?? ''));

/** In the engine's worker, before anything starts a worker: each `new Worker()` posts 'begin' before and 'end' after. */
export function announceSpawns(scope: { Worker?: typeof Worker; postMessage(message: SpawnSignal): void } = self): void {
  const Real = scope.Worker;
  if (!Real) return;
  // A Proxy keeps Worker.prototype and instanceof as they were; emscripten looks Worker up at each call, so it is caught too.
  scope.Worker = new Proxy(Real, {
    construct(target, args) {
      const script = scriptName(args[0]);
      scope.postMessage({ transferLabSpawn: 'begin', script });
      try {
        return Reflect.construct(target, args);
      } finally {
        scope.postMessage({ transferLabSpawn: 'end', script });
      }
    },
  });
}

/**
 * On the page: calls `onStuck` once, with the script's name, when the worker announced a `new Worker()` that has not
 * returned within SPAWN_STUCK_MS. A check that runs far later than scheduled (the page's thread was busy, so the
 * 'end' may be queued behind it) waits once more instead of judging. Returns the function that stops watching.
 */
export function watchSpawns(
  worker: Pick<Worker, 'addEventListener' | 'removeEventListener'>,
  onStuck: (script: string) => void,
  now: () => number = () => performance.now(),
): () => void {
  let open = 0;
  let last = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    const armed = now();
    timer = setTimeout(() => (now() - armed > 2 * SPAWN_STUCK_MS ? arm() : stop(() => onStuck(last))), SPAWN_STUCK_MS);
  };
  const listen = ({ data }: MessageEvent) => {
    if (!isSignal(data)) return;
    if (data.transferLabSpawn === 'begin') last = data.script;
    open += data.transferLabSpawn === 'begin' ? 1 : -1;
    if (open > 0 && timer === undefined) arm();
    if (open <= 0) {
      clearTimeout(timer);
      timer = undefined;
    }
  };
  const stop = (then?: () => void) => {
    clearTimeout(timer);
    worker.removeEventListener('message', listen as EventListener);
    then?.();
  };
  worker.addEventListener('message', listen as EventListener);
  return () => stop();
}
