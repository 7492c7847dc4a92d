// A helper thread of the wasm gradient kernels (kernel-pool.ts): it waits on the control block for a task, runs its
// share of the rows straight on the wasm backend's shared memory, and says it is done; it never posts per task.
import { runRows, taskRows, type RowTask } from '../ml/row-kernels';
import { GEN, KIND, PARTIAL, PENDING, STOP, share, type PoolInit } from './kernel-pool-protocol';

self.onmessage = ({ data }: MessageEvent<PoolInit>) => {
  const control = new Int32Array(data.control);
  const params = new Float64Array(data.params);
  const partial = new Float64Array(data.partials, data.index * PARTIAL * 8, PARTIAL);
  // Read before saying ready: the first task may follow at once.
  let seen = Atomics.load(control, GEN);
  self.postMessage('ready');
  for (;;) {
    Atomics.wait(control, GEN, seen);
    seen = Atomics.load(control, GEN);
    if (Atomics.load(control, STOP)) return;
    const kind = Atomics.load(control, KIND) as RowTask;
    const [from, to] = share(taskRows(kind, params), data.index, data.threads);
    runRows(kind, params, new Float32Array(data.memory.buffer), from, to, partial);
    if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
  }
};
