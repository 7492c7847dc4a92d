// A data-parallel peer of the engine (src/worker/replicas.ts): wasm on one thread and a replica of the run's model,
// computing the gradient of its share of each fine-tuning step's batch (src/ml/data-parallel.ts). It runs in the
// engine's own bundle (engine.worker.ts picks the role by the worker's name), so a visit downloads and caches one.
import * as Comlink from 'comlink';
import { chooseBackend } from '../ml/backend';
import type { WasmSetup } from '../ml/backend';
import type { ShareRequest, ShareResult } from '../ml/data-parallel';
import { Replica } from '../ml/replica';

/** The name a replica's worker starts with; the engine's worker has another. */
export const REPLICA_WORKER_NAME = 'transfer-lab-replica';

export const isReplicaWorker = (name: string): boolean => name.startsWith(REPLICA_WORKER_NAME);

function replicaApi() {
  const replica = new Replica();
  return {
    /** wasm on one thread, its kernels installed and its gradient self-test passed, or an error saying why not. */
    async start(wasmPaths: WasmSetup['wasmPaths']): Promise<void> {
      const choice = await chooseBackend({ requested: 'wasm', threads: 1, wasmPaths });
      if (choice.name !== 'wasm') throw new Error(`the replica got ${choice.name}, not wasm: ${choice.reason}`);
    },
    share: (request: ShareRequest): Promise<ShareResult> => replica.share(request),
  };
}

export type ReplicaApi = ReturnType<typeof replicaApi>;

export const exposeReplica = (): void => Comlink.expose(replicaApi());
