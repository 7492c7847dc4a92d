import * as Comlink from 'comlink';
import type { WasmSetup } from '../ml/backend';
import type { GradientPeer, Parallel, ShareRequest } from '../ml/data-parallel';
import { REPLICA_WORKER_NAME, type ReplicaApi } from './replica-role';
import { within } from './within';
import type { Solo } from './xnn-pool';

/**
 * At most this many peers (so 4 engines): each holds a replica of the model and its own wasm memory, and a batch
 * of 16 cut finer than 4 rows per engine hands off more than it saves.
 */
export const MAX_REPLICAS = 3;
/** How long the replicas may take to start (a worker, tfjs, the wasm binary, the self-test) before the engine gives up on them. */
const START_MS = 20_000;
/** A share that takes this long means a replica died (a dead worker never answers): the step is taken alone. */
const SHARE_MS = 60_000;
/** Replicas unused this long are ended, their memory with them; the next fine-tuning step starts them again. */
const IDLE_MS = 60_000;

/**
 * The engine's data-parallel peers on wasm (src/ml/data-parallel.ts): `count` workers, each wasm on one thread with
 * a replica of the run's model. They start in the background at the first fine-tuning step that asks for them (steps
 * meanwhile run as before, on the engine's threads), and end after a minute unused. Any failure (a worker that does
 * not start, a share that fails or never answers) turns them off for the engine's life: steps then run as before.
 */
export class Replicas implements Parallel {
  private workers: Worker[] = [];
  private ready: GradientPeer[] = [];
  private starting = false;
  private off = false;
  private idle?: ReturnType<typeof setTimeout>;

  constructor(
    private readonly count: number,
    private readonly wasmPaths: WasmSetup['wasmPaths'],
    readonly solo: Solo,
  ) {}

  peers(): GradientPeer[] {
    if (this.off) return [];
    if (!this.starting) void this.start();
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.end(), IDLE_MS);
    return this.ready;
  }

  failed(err: unknown): void {
    console.warn('Transfer Lab: fine-tuning keeps to the engine\'s own threads:', err);
    this.off = true;
    this.end();
  }

  end(): void {
    clearTimeout(this.idle);
    this.workers.forEach((w) => w.terminate());
    this.workers = [];
    this.ready = [];
    this.starting = false;
  }

  private async start(): Promise<void> {
    this.starting = true;
    const workers: Worker[] = [];
    this.workers = workers;
    // One at a time, each after the last started: Firefox gets stuck in `new Worker()` far less often so (kernel-pool.ts).
    const startAll = async (): Promise<GradientPeer[]> => {
      const peers: GradientPeer[] = [];
      // Ended meanwhile (unused, or failed): no more workers for this start.
      while (peers.length < this.count && this.workers === workers) {
        // The engine's own script, named as a replica (engine.worker.ts): one bundle to download, cache and compile.
        const worker = new Worker(self.location.href, { type: 'module', name: `${REPLICA_WORKER_NAME}-${peers.length + 1}` });
        workers.push(worker);
        const remote = Comlink.wrap<ReplicaApi>(worker);
        await remote.start(this.wasmPaths);
        peers.push({ holds: null, memory: null, share: (request: ShareRequest) => within(SHARE_MS, "a replica's share", remote.share(request)) });
      }
      return peers;
    };
    try {
      const peers = await within(START_MS, 'starting the replicas', startAll());
      // Ended meanwhile (unused, or failed): these workers are gone.
      if (this.workers === workers) this.ready = peers;
    } catch (err) {
      if (this.workers === workers) this.failed(err);
    }
  }
}
