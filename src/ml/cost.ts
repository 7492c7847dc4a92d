/**
 * What a run costs in passes through the network, by augmentation: what the lab shows before the learner trains.
 * Pure arithmetic on class sizes (no tfjs), so views can use it.
 */
import { VALIDATION_SPLIT } from './defaults';
import type { Augmentation } from './recipe';
import { FIXED_VIEW_COUNT } from './views';

/** Photos of a class held out for validation: `fraction` of them rounded, at least 1 and never all (0 for no split). */
export function heldOutCount(n: number, fraction: number): number {
  return fraction > 0 ? Math.min(n - 1, Math.max(1, Math.round(n * fraction))) : 0;
}

/**
 * Forward passes through the base: `plain` without augmentation (every photo once, then the cache), `passes` with it.
 * Cached views embed each training photo's extra views once; random views embed every photo again every epoch
 * (the training photos in a new view, the validation photos to score them), with no cache.
 */
export function embeddingPasses(classSizes: readonly number[], augmentation: Augmentation, epochs: number, validationSplit = VALIDATION_SPLIT): { plain: number; passes: number } {
  const plain = classSizes.reduce((a, n) => a + n, 0);
  const train = classSizes.reduce((a, n) => a + n - heldOutCount(n, validationSplit), 0);
  const passes = augmentation === 'cached-views' ? plain + train * (FIXED_VIEW_COUNT - 1) : augmentation === 'random' ? plain * epochs : plain;
  return { plain, passes };
}
