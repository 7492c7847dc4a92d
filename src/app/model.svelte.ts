import * as Comlink from 'comlink';
import type { BackendName, LayerInfo } from '../ml';
import type { EngineBackend, EngineEvent, EngineInfo, EngineMemory } from '../worker/api';
import { connectEngine, lostError, type Engine, type EngineConnection } from '../worker/client';
import type { EngineLoss } from '../worker/watchdog';
import { EngineError } from '../ml/types';
import { CLASS_NAMES_URL, MODEL_URL } from '../io/assets';
import { absoluteWasmPaths } from '../io/wasm-paths';
import { DEFAULT_BASE, baseFacts, type BaseId } from '../ml/bases';

export type ModelState = 'idle' | 'loading' | 'ready' | 'error';
export type BackendPick = BackendName | 'auto';

/**
 * The last time the engine was lost and brought back, as the learner is told it (once, until dismissed): its
 * worker ended or hung (a fresh one is started), or its GPU device was lost (the engine moves to another backend).
 */
export interface Recovery {
  state: 'restarting' | 'recovered' | 'failed';
  cause: EngineLoss['cause'] | 'device';
  /** A trained model was put back (the lab's head from storage, or the heads carried off a lost device). */
  restored: boolean;
  /** The browser's words for a lost device, and the backend the engine moved to. */
  detail?: string;
  backend?: string;
  /** It was given up because the engine kept being lost. */
  repeated?: boolean;
}

/** What a view that keeps state in the engine does when a fresh engine replaces a lost one; true when it put a trained model back. */
export type RestartHook = (engine: Engine) => Promise<boolean>;

/** More losses than this within LOSS_WINDOW_MS and the page stops restarting the engine (a crash at every start would loop). */
const MAX_RESTARTS = 3;
const LOSS_WINDOW_MS = 120_000;

/**
 * Firefox got an engine stuck in about 1 of 8 starts here (README, Known limits): a stuck engine is restarted with
 * its threads twice, then on one thread (no worker to start, so nothing to get stuck in), within MAX_RESTARTS.
 */
const STUCK_TO_ONE_THREAD = 3;

const isLost = (err: unknown) => err instanceof EngineError && err.code === 'LOST';
/** The engine was lost because it got stuck starting a thread (spawn-watch.ts): a run may start over on the next. */
export const isStuckLoss = (err: unknown) => isLost(err) && (err as EngineError).details.cause === 'stuck';

/** What tests and the benchmark may read on the page: where the engine runs and its tensor count. */
export interface LabProbe {
  engineIn: 'worker' | 'page' | null;
  memory(): Promise<EngineMemory>;
}

/**
 * The page's handle on the one engine (a Worker, or the page's thread as a fallback): starts it on demand,
 * mirrors its backend and loading state for the views, and switches backend with the trained heads kept.
 */
class ModelClient {
  backend = $state.raw<EngineBackend | null>(null);
  modelState = $state<ModelState>('idle');
  /** 0..1 while the weights download. */
  progress = $state(0);
  /** Why loading or switching failed; views name it with errorText. */
  error = $state.raw<unknown>(null);
  layers = $state.raw<LayerInfo[]>([]);
  /** Width of the pooled embedding the head reads, as the loaded model says (256 for v1 0.25, 768 for v1 0.75). */
  embeddingSize = $state(0);
  /** The base network loaded (or about to load) in the engine. */
  base = $state<BaseId>(DEFAULT_BASE);
  /** Measured embedding ms per image, per base and backend ("base@backend"), once asked for. */
  speeds = $state<Record<string, number>>({});
  /** The picker's value: 'auto' unless a backend was asked for. */
  requested = $state<BackendPick>('auto');
  switching = $state(false);
  recovery = $state.raw<Recovery | null>(null);
  private connection: Promise<EngineConnection> | null = null;
  private pending: Promise<Engine> | null = null;
  private readonly restartHooks = new Set<RestartHook>();
  private losses: number[] = [];
  /** Whether the run in flight starts over by itself after a stuck engine (run.svelte.ts): then its restart is not announced. */
  runStartsOver: () => boolean = () => false;
  /** Engines on this page that got stuck starting a thread's worker (spawn-watch.ts); from STUCK_TO_ONE_THREAD on, one thread. */
  private stuck = 0;

  constructor() {
    if (typeof location !== 'undefined') {
      const asked = new URLSearchParams(location.search).get('backend')?.trim().toLowerCase();
      if (asked === 'webgpu' || asked === 'webgl' || asked === 'wasm' || asked === 'cpu') this.requested = asked;
    }
  }

  /** The engine with the model loaded. */
  ensure(): Promise<Engine> {
    if (!this.pending) {
      const pending: Promise<Engine> = this.load().catch((err: unknown) => {
        // A load on a lost engine is replaced by the recovery's own; only the current one speaks.
        if (this.pending === pending) {
          this.modelState = 'error';
          this.error = err;
          this.pending = null;
        }
        throw err;
      });
      this.pending = pending;
    }
    return this.pending;
  }

  /** Registers what to put back in a fresh engine after a loss; returns the unregister function. */
  onRestart(hook: RestartHook): () => void {
    this.restartHooks.add(hook);
    return () => this.restartHooks.delete(hook);
  }

  dismissRecovery(): void {
    this.recovery = null;
  }

  /** Moves the engine to another backend; the model and every trained head come along. `?backend=` follows. */
  async switchBackend(pick: BackendPick): Promise<void> {
    const engine = await this.ensure();
    await this.reload(async (onProgress) => {
      this.apply(await engine.switchBackend(pick, onProgress));
      this.requested = pick;
      const url = new URL(location.href);
      if (pick === 'auto') url.searchParams.delete('backend');
      else url.searchParams.set('backend', pick);
      history.replaceState(history.state, '', url);
    });
  }

  /** Runs a switch of backend or base: loading state and progress while it works, the error kept when it fails. */
  private async reload(work: (onProgress: (fraction: number) => void) => Promise<void>): Promise<void> {
    this.switching = true;
    this.modelState = 'loading';
    this.progress = 0;
    this.error = null;
    try {
      await work(Comlink.proxy((f: number) => (this.progress = f)));
      this.modelState = 'ready';
    } catch (err) {
      // A lost engine is the recovery's business: it has already started a fresh one.
      if (!isLost(err)) {
        this.error = err;
        this.modelState = 'error';
        this.pending = null;
      }
      throw err;
    } finally {
      this.switching = false;
    }
  }

  /** Loads `id` in the engine if another base is there (or starts the engine on it); heads of the old base are dropped there. */
  async useBase(id: BaseId): Promise<void> {
    if (!this.pending) {
      this.base = id;
      await this.ensure();
      return;
    }
    const engine = await this.ensure();
    if (this.base === id) return;
    await this.reload(async (onProgress) => {
      this.apply(await engine.switchBase(MODEL_URL(baseFacts(id).folder), onProgress));
      this.base = id;
    });
  }

  /** Times the loaded base's embedding on this device (once per base and backend; 2 photos after a warm-up, so a slow software GPU is not held up long). */
  async measureSpeed(): Promise<void> {
    const engine = await this.ensure();
    const key = `${this.base}@${this.backend?.name ?? ''}`;
    if (key in this.speeds) return;
    const ms = await engine.embedSpeed(2);
    this.speeds = { ...this.speeds, [key]: ms };
  }

  private connect(): Promise<EngineConnection> {
    if (!this.connection) {
      const connection = connectEngine({ page: new URLSearchParams(location.search).get('engine') === 'page' }).then((c) => {
        probe.engineIn = c.home;
        void c.lost.then((loss) => this.recover(connection, loss));
        return c;
      });
      this.connection = connection;
    }
    return this.connection;
  }

  /**
   * A fresh engine for a lost one: the same base and backend choice, then every registered view puts back what it
   * keeps in storage (the lab its trained head). The calls that were in flight have already been rejected (client.ts).
   */
  private async recover(lost: Promise<EngineConnection>, loss: EngineLoss): Promise<void> {
    if (this.connection !== lost) return;
    this.connection = null;
    this.pending = null;
    const now = performance.now();
    this.losses = [...this.losses.filter((t) => now - t < LOSS_WINDOW_MS), now];
    // Stuck while the engine was still starting, or during a run that starts over by itself: nothing the learner did
    // is lost, so the restart is not announced.
    const quiet = loss.cause === 'stuck' && ((this.modelState === 'loading' && !this.switching) || this.runStartsOver());
    if (loss.cause === 'stuck') this.stuck++;
    console.warn(`Transfer Lab: the engine worker was lost (${loss.cause}${loss.detail ? `: ${loss.detail}` : ''}); restarting it.`);
    if (this.losses.length > MAX_RESTARTS) {
      // The header's model status says it and offers to try again.
      this.recovery = { state: 'failed', cause: loss.cause, restored: false, repeated: true };
      this.modelState = 'error';
      this.error = lostError(loss.cause, loss.detail);
      return;
    }
    if (!quiet) this.recovery = { state: 'restarting', cause: loss.cause, restored: false };
    try {
      const engine = await this.ensure();
      let restored = false;
      for (const hook of this.restartHooks) restored = (await hook(engine)) || restored;
      if (!quiet) this.recovery = { state: 'recovered', cause: loss.cause, restored };
    } catch (error) {
      // A loss during the restart has its own recovery under way; any other failure is shown.
      if (!isLost(error)) this.recovery = { state: 'failed', cause: loss.cause, restored: false };
    }
  }

  private async load(): Promise<Engine> {
    this.modelState = 'loading';
    this.error = null;
    const { engine } = await this.connect();
    const info = await engine.init(
      {
        modelUrl: MODEL_URL(baseFacts(this.base).folder),
        classNamesUrl: CLASS_NAMES_URL(),
        wasmPaths: absoluteWasmPaths(document.baseURI),
        requested: this.requested === 'auto' ? null : this.requested,
        ...(this.stuck >= STUCK_TO_ONE_THREAD ? { threads: 1, oneThreadBecause: 'stuck-thread' as const } : {}),
      },
      Comlink.proxy((f: number) => (this.progress = f)),
    );
    this.apply(info);
    await engine.watch(Comlink.proxy((e: EngineEvent) => this.onEngineEvent(e)));
    this.modelState = 'ready';
    return engine;
  }

  /** The engine's GPU device was lost: it moves itself to the next backend, carrying the heads; the views follow and say so. */
  private onEngineEvent(e: EngineEvent): void {
    const cause = 'device';
    if (e.state === 'moving') {
      this.recovery = { state: 'restarting', cause, restored: false, detail: e.detail };
      this.modelState = 'loading';
      return;
    }
    if (e.state === 'failed') {
      this.recovery = { state: 'failed', cause, restored: false, detail: e.detail };
      this.modelState = 'error';
      this.error = lostError(cause, e.message);
      return;
    }
    this.apply(e.info);
    // The engine measured its way to the next backend, as 'auto' does: the picker and the URL say so.
    this.requested = 'auto';
    const url = new URL(location.href);
    url.searchParams.delete('backend');
    history.replaceState(history.state, '', url);
    this.recovery = { state: 'recovered', cause, restored: e.carried > 0, detail: e.detail, backend: e.info.backend.name };
    this.modelState = 'ready';
  }

  private apply(info: EngineInfo): void {
    this.backend = info.backend;
    this.layers = info.layers;
    this.embeddingSize = info.embeddingSize;
  }

  /** tf.memory() of the engine's thread. */
  async memory(): Promise<EngineMemory> {
    return (await this.connect()).engine.memory();
  }
}

export const model = new ModelClient();

const probe: LabProbe = { engineIn: null, memory: () => model.memory() };
if (typeof window !== 'undefined') (window as unknown as { __transferLab: LabProbe }).__transferLab = probe;
