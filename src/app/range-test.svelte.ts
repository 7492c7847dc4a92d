import type { FreezePlan, RangeTestResult } from '../ml';
import { RANGE_HEAD_EPOCHS } from '../ml/defaults';
import { plans } from '../ml/layers';
import { runOptions, tunesBase } from '../ml/recipe';
import { SLOT, lab } from './lab.svelte';
import { model } from './model.svelte';
import { project, type TrainSettings } from './project.svelte';
import { runs } from './run.svelte';

export type RangeTarget = 'head' | 'base';

/** A rate as the lab's fields take it: two significant digits (a range test is not more precise than that). */
const rounded = (rate: number) => Number(rate.toPrecision(2));

/**
 * The lab's learning-rate range test (ml/range-test.ts): run through the one run store on the lab's own trainer,
 * so the embeddings it caches serve the next training run, and nothing that trainer learned is touched.
 */
class RangeTest {
  status = $state<'idle' | 'running' | 'done' | 'cancelled' | 'error'>('idle');
  result = $state.raw<RangeTestResult | null>(null);
  error = $state.raw<unknown>(null);
  /** Which rate to test when base layers learn; the head's otherwise. */
  target = $state<RangeTarget>('head');

  /** The suggested rate, rounded as the field will take it; null before a test or when the loss never fell. */
  get suggested(): number | null {
    return this.result?.suggested ? rounded(this.result.suggested) : null;
  }

  /** The rate the test is about in the current mode: the base's only while base layers learn. */
  targetFor(s: TrainSettings): RangeTarget {
    return tunesBase(s.mode) ? this.target : 'head';
  }

  /** The layers a base-rate test unfreezes: the layer list's in fine-tune, the top blocks two-phase frees, the first block gradual releases. */
  private planFor(s: TrainSettings): FreezePlan | undefined {
    if (s.mode === 'fine-tune') return project.plan ?? undefined;
    if (s.mode === 'two-phase') return plans.topBlocks(model.layers, s.topBlocks ?? 1);
    if (s.mode === 'gradual') return plans.topBlocks(model.layers, 1);
    return undefined;
  }

  async run(): Promise<void> {
    if (this.status === 'running' || lab.status === 'running' || lab.blocker()) return;
    const s = $state.snapshot(project.settings) as TrainSettings;
    const target = this.targetFor(s);
    const classNames = project.classes.map((c) => c.name);
    const photos = project.classes.flatMap((c, label) => project.photosOf(c.id).map((p) => ({ id: p.id, label, blob: async () => p.blob })));
    const { batchSize, learningRate, hiddenUnits, dropout, l2 } = runOptions(s, classNames);
    const plan = target === 'base' ? this.planFor(s) : undefined;
    this.status = 'running';
    this.error = null;
    this.result = null;
    try {
      await lab.init();
      const result = await runs.train<RangeTestResult>({
        owner: 'lab',
        slot: SLOT,
        photos,
        // The run store counts the head's epochs before a base-rate sweep by these.
        options: { mode: 'feature-extraction', classNames, epochs: RANGE_HEAD_EPOCHS, batchSize, learningRate },
        start: (engine, runId, refs, onEvent) =>
          engine.rangeTest(SLOT, runId, refs, { target, classNames, batchSize, learningRate, hiddenUnits, dropout, l2, plan, headEpochs: RANGE_HEAD_EPOCHS }, onEvent),
      });
      this.result = result;
      this.status = !result || result.cancelled ? 'cancelled' : 'done';
    } catch (err) {
      this.error = err;
      this.status = 'error';
    }
  }

  /** Takes the suggestion into the field it is about: the head's rate, or the base's. */
  apply(): void {
    const rate = this.suggested;
    if (rate === null || !this.result) return;
    if (this.result.target === 'base') project.settings.baseRate = rate;
    else project.settings.learningRate = rate;
    project.scheduleSave();
  }

  cancel(): void {
    runs.cancel('lab');
  }
}

export const rangeTest = new RangeTest();
