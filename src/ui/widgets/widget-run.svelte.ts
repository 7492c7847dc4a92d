import { t } from 'svelte-i18n';
import { get } from 'svelte/store';
import type { TrainEvent, TrainResult } from '../../ml';
import { errorText } from '../../app/errors';
import { model } from '../../app/model.svelte';
import { runs, type RunRequest } from '../../app/run.svelte';

type BatchEvent = Extract<TrainEvent, { type: 'batch' }>;

/** A long wait as a widget shows it: words, a fraction (null: indeterminate) and when it began. */
export interface WidgetProgress {
  label: string;
  fraction: number | null;
  startedAt: number;
}

/** How a widget words the phases of its training run; the numbers come from the run store. */
export interface RunWords {
  /** The photos are in the engine and nothing has been reported yet. */
  start: string;
  embed: (done: number, total: number) => string;
  batch: (e: BatchEvent) => string;
}

/**
 * One chapter widget's side of the shared run store: its slot in the engine, the wait for the model, its run's
 * progress in the widget's own words (numbers from `runs.active`), cancellation and the error it shows.
 */
export class WidgetRun {
  waitingForModel = $state(false);
  modelStarted = $state(0);
  /** A whole sentence in the current language (errorText), shown as it is. */
  error = $state<string | null>(null);
  /** Asked for by the learner; the steps a widget takes around training check it. */
  cancelRequested = false;
  /** A step of the widget's own outside a training run (drawing a map, reading photos). */
  private step = $state.raw<WidgetProgress | null>(null);
  private words = $state.raw<RunWords | null>(null);
  private lastBatch = $state.raw<BatchEvent | null>(null);

  /** `owner` names the widget to other views and is its trainer's slot in the engine. */
  constructor(readonly owner: string) {}

  get progress(): WidgetProgress | null {
    const a = runs.active;
    const words = this.words;
    if (!a || a.owner !== this.owner || !words) return this.step;
    const fraction = a.total ? a.done / a.total : 0;
    const tr = get(t);
    if (a.phase === 'decode' && a.done < a.total) return { label: tr('widgets.common.decoding', { values: { done: a.done, total: a.total } }), fraction, startedAt: a.startedAt };
    if (a.phase === 'decode') return { label: words.start, fraction: null, startedAt: a.startedAt };
    if (a.phase === 'embed') return { label: words.embed(a.done, a.total), fraction, startedAt: a.startedAt };
    return { label: this.lastBatch ? words.batch(this.lastBatch) : words.start, fraction, startedAt: a.startedAt };
  }

  /** Takes the engine for a new attempt; false (and the reason shown) while another view's run holds it. */
  claim(): boolean {
    const busy = runs.busyFor(this.owner);
    const tr = get(t);
    this.error = busy ? tr('widgets.common.busy', { values: { owner: tr(`widgets.common.owner.${busy}`) } }) : null;
    this.cancelRequested = false;
    return !busy;
  }

  /** The model, shared with the rest of the app; the widget shows the wait. */
  async loadModel(): Promise<void> {
    this.modelStarted = performance.now();
    this.waitingForModel = true;
    try {
      await model.ensure();
    } finally {
      this.waitingForModel = false;
    }
  }

  /** Trains in this widget's slot through the run store; null or `cancelled: true` as `runs.train` says. */
  async train(req: Omit<RunRequest, 'owner' | 'slot'>, words: RunWords): Promise<TrainResult | null> {
    this.words = words;
    this.lastBatch = null;
    this.step = null;
    try {
      return await runs.train({
        ...req,
        owner: this.owner,
        slot: this.owner,
        onEvent: (e) => {
          if (e.type === 'batch') this.lastBatch = e;
          req.onEvent?.(e);
        },
      });
    } finally {
      this.words = null;
    }
  }

  /** Shows a step outside training; its clock runs from the first call until null clears it (labels carry counts). */
  show(label: string | null, fraction: number | null = null): void {
    this.step = label === null ? null : { label, fraction, startedAt: this.step?.startedAt ?? performance.now() };
  }

  fail(err: unknown): void {
    this.error = errorText(err, get(t));
  }

  cancel(): void {
    this.cancelRequested = true;
    runs.cancel(this.owner);
  }

  /** Frees the slot's trainer (its copy of MobileNet, head and caches); the next run makes a fresh one. */
  dispose(): void {
    void model.ensure().then((engine) => engine.disposeSlot(this.owner), () => {});
  }
}
