// A data-parallel peer of the engine (src/worker/replicas.ts): wasm on one thread and a replica of the run's model,
// computing the gradient of its share of each fine-tuning step's batch (src/ml/data-parallel.ts).
import * as Comlink from 'comlink';
import { chooseBackend } from '../ml/backend';
import type { WasmSetup } from '../ml/backend';
import type { ShareRequest, ShareResult } from '../ml/data-parallel';
import { Replica } from '../ml/replica';

const replica = new Replica();

const api = {
  /** wasm on one thread, its kernels installed and its gradient self-test passed, or an error saying why not. */
  async start(wasmPaths: WasmSetup['wasmPaths']): Promise<void> {
    const choice = await chooseBackend({ requested: 'wasm', threads: 1, wasmPaths });
    if (choice.name !== 'wasm') throw new Error(`the replica got ${choice.name}, not wasm: ${choice.reason}`);
  },
  share: (request: ShareRequest): Promise<ShareResult> => replica.share(request),
};

export type ReplicaApi = typeof api;

Comlink.expose(api);
