// The page's side: one fresh worker per try, which starts its own workers (nested, as the engine's worker starts the
// wasm pthreads, its kernel threads and its replicas) and reports; a worker that goes silent is stuck in `new Worker`.
const SILENT_MS = 15_000;

window.tryOnce = (mode, children) =>
  new Promise((resolve) => {
    const outer = new Worker('outer.js', { type: 'module' });
    let last = 'not started';
    const timer = setTimeout(() => {
      outer.terminate();
      resolve({ result: 'stuck', last });
    }, SILENT_MS);
    outer.onmessage = ({ data }) => {
      if (data.step) return void (last = data.step);
      clearTimeout(timer);
      outer.terminate();
      resolve(data);
    };
    outer.postMessage({ mode, children });
  });

window.isolated = () => crossOriginIsolated;
