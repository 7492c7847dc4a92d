// The engine's own thread: tfjs, the model and every tensor live here, so the page never waits for them. The same
// bundle also runs the engine's data-parallel replicas (replica-role.ts), told apart by the worker's name.
import * as Comlink from 'comlink';
import { EngineHost } from './host';
import { useErrorTransport } from './errors';
import { guardedByDevice } from './device-loss';
import { exposeReplica, isReplicaWorker } from './replica-role';
import { announceSpawns } from './spawn-watch';

if (isReplicaWorker(self.name)) exposeReplica();
else {
  // Before tfjs or the kernel pool starts a worker: the page ends an engine stuck inside `new Worker()` (spawn-watch.ts).
  announceSpawns();
  // The worker's lifeline: a Web Lock named after the worker, held for its whole life. The browser releases it however
  // the worker ends (closed, crashed, killed), which is how the page learns at once that a busy engine is gone.
  void navigator.locks?.request(self.name, () => new Promise<never>(() => {}));

  // Errors reach the page with their code and details, so the page can translate them.
  useErrorTransport();
  const host = new EngineHost('worker');
  Comlink.expose(guardedByDevice(host, host.losses));
}
