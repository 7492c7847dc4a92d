import * as Comlink from 'comlink';
import type { TrainEvent, TrainOptions, TrainResult } from '../ml';
import { isStuckLoss, model } from './model.svelte';
import type { Engine } from '../worker/client';
import type { SampleRef } from '../worker/api';

/** One photo of a run: its id, its class index and how to get its bytes (decoded only if the engine lacks it). */
export interface RunPhoto {
  id: string;
  label: number;
  blob: () => Promise<Blob>;
}

export interface RunRequest<R = TrainResult> {
  /** Who runs it ('lab', 'compare', 'freezing'): shown to other views while it runs. */
  owner: string;
  /** The engine's trainer this run uses; a slot keeps its head between runs. */
  slot: string;
  photos: RunPhoto[];
  options: TrainOptions;
  onDecode?: (done: number, total: number) => void;
  onEvent?: (e: TrainEvent) => void;
  /** Starts something other than a plain `train` on the engine (the two-phase recipe, a range test); same handover, progress and cancel. */
  start?: (engine: Engine, runId: number, samples: SampleRef[], onEvent: (e: TrainEvent) => void) => Promise<R>;
  /**
   * Given, the run starts over once by itself, on the restarted engine, when its engine got stuck starting a thread
   * (Firefox: spawn-watch.ts), a fault of the browser and not of the run. Called first, so the caller drops what the
   * lost attempt showed.
   */
  onStartOver?: () => void;
}

/** 'sweep': the steps of a learning-rate range test. */
export type RunPhase = 'decode' | 'embed' | 'epochs' | 'sweep';

export interface ActiveRun {
  id: number;
  owner: string;
  phase: RunPhase;
  done: number;
  total: number;
  startedAt: number;
}

/** Photos handed over this many at a time, for the progress and a prompt stop. */
const HANDOVER_BATCH = 64;

/**
 * Gives the engine the photos it lacks as their stored files (handles, not copies); the engine decodes them a batch
 * at a time, so neither side ever holds every decoded photo.
 * `evict` also drops every other photo the engine holds (a run's photos replace the last run's); `stop` is asked
 * between batches. Resolves false when stopped.
 */
export async function handOver(
  engine: Engine,
  photos: RunPhoto[],
  opts: { evict: boolean; onDecode?: (done: number, total: number) => void; stop?: () => boolean },
): Promise<boolean> {
  const ids = photos.map((p) => p.id);
  const missing = await (opts.evict ? engine.keepSamples(ids) : engine.missingSamples(ids));
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a lookup local to this call, not state
  const absent = new Set(missing);
  const todo = photos.filter((p) => absent.has(p.id));
  let done = photos.length - todo.length;
  opts.onDecode?.(done, photos.length);
  for (let i = 0; i < todo.length; i += HANDOVER_BATCH) {
    if (opts.stop?.()) return false;
    const batch = await Promise.all(todo.slice(i, i + HANDOVER_BATCH).map(async (p) => ({ id: p.id, blob: await p.blob() })));
    if (!(await engine.putPhotos(batch))) {
      // An engine that cannot decode (no OffscreenCanvas where it runs) gets pixels, decoded here a batch at a time.
      const { decodeForModel } = await import('../io/decode');
      const pixels = [];
      for (const p of batch) pixels.push({ id: p.id, pixels: await decodeForModel(p.blob) });
      await engine.putSamples(Comlink.transfer(pixels, pixels.map((s) => s.pixels.data.buffer as ArrayBuffer)));
    }
    done += batch.length;
    opts.onDecode?.(done, photos.length);
  }
  return !opts.stop?.();
}

/**
 * The one training run of the app, for the lab and every widget: its handle, progress, cancellation and error.
 * The engine trains one thing at a time; a run asked for while another is ending waits for it.
 */
class Runs {
  active = $state.raw<ActiveRun | null>(null);
  /** The last run's failure, as thrown (an EngineError keeps its code); views name it with errorText. */
  lastError = $state.raw<unknown>(null);
  private nextId = 1;
  private cancelled = new Set<number>();
  private settled: Promise<unknown> = Promise.resolve();
  /** The active run's id while it would still start over after a stuck engine. */
  private mayStartOver: number | null = null;

  constructor() {
    model.runStartsOver = () => this.mayStartOver !== null && this.mayStartOver === this.active?.id && !this.cancelled.has(this.mayStartOver);
  }

  /**
   * Trains on the engine. Resolves with the engine's result (`cancelled: true` when cancelled mid-run), or null
   * when cancelled before training began; rejects on failure.
   */
  train<R = TrainResult>(req: RunRequest<R>): Promise<R | null> {
    const run = this.settled.then(() => this.run(req));
    this.settled = run.catch(() => {});
    return run;
  }

  /** Cancels the active run (only `owner`'s, when given); the engine stops at its next batch. */
  cancel(owner?: string): void {
    const a = this.active;
    if (!a || (owner && a.owner !== owner)) return;
    this.cancelled.add(a.id);
    void model.ensure().then((engine) => engine.cancel(a.id));
  }

  /** Another owner's run is going on. */
  busyFor(owner: string): string | null {
    return this.active && this.active.owner !== owner ? this.active.owner : null;
  }

  private async run<R>(req: RunRequest<R>): Promise<R | null> {
    const id = this.nextId++;
    // As it starts, and again as it starts over.
    const begin = () => (this.active = { id, owner: req.owner, phase: 'decode', done: 0, total: req.photos.length, startedAt: performance.now() });
    begin();
    this.lastError = null;
    this.mayStartOver = req.onStartOver ? id : null;
    try {
      try {
        return await this.attempt(id, req);
      } catch (err) {
        if (!req.onStartOver || !isStuckLoss(err) || this.cancelled.has(id) || model.modelState === 'error') throw err;
        // The engine's restart is under way (model.recover): the next attempt waits for it in model.ensure().
        console.warn('Transfer Lab: the run lost its engine to a stuck thread; it starts over on the restarted engine.');
        this.mayStartOver = null;
        req.onStartOver();
        begin();
        return await this.attempt(id, req);
      }
    } catch (err) {
      this.lastError = err;
      throw err;
    } finally {
      this.mayStartOver = null;
      this.cancelled.delete(id);
      this.active = null;
    }
  }

  /** One go at a run: the photos handed over, then the training. */
  private async attempt<R>(id: number, req: RunRequest<R>): Promise<R | null> {
    const engine = await model.ensure();
    const stop = () => this.cancelled.has(id);
    const onDecode = (done: number, total: number) => {
      this.active = { ...this.active!, done };
      req.onDecode?.(done, total);
    };
    if (!(await handOver(engine, req.photos, { evict: true, onDecode, stop }))) return null;
    const onEvent = (e: TrainEvent) => {
      this.track(e, req.options.epochs);
      req.onEvent?.(e);
    };
    const refs = req.photos.map(({ id: photo, label }) => ({ id: photo, label }));
    if (req.start) return await req.start(engine, id, refs, Comlink.proxy(onEvent));
    return (await engine.train(req.slot, id, refs, req.options, Comlink.proxy(onEvent))) as R;
  }

  private track(e: TrainEvent, epochs: number): void {
    const a = this.active;
    if (!a || e.type === 'epoch' || e.type === 'unfreeze') return;
    const phase: RunPhase = e.type === 'embed' ? 'embed' : e.type === 'sweep' ? 'sweep' : 'epochs';
    const [done, total] =
      e.type === 'embed' ? [e.done, e.total] : e.type === 'sweep' ? [e.step, e.steps] : [(e.epoch - 1) * e.batches + e.batch, epochs * e.batches];
    this.active = { ...a, phase, done, total, startedAt: a.phase === phase ? a.startedAt : performance.now() };
  }
}

export const runs = new Runs();
