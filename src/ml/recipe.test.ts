import { describe, expect, it } from 'vitest';
import { embeddingPasses, heldOutCount } from './cost';
import { FINE_TUNE_LEARNING_RATE, LAB_RECIPE } from './defaults';
import { baseRateOf, runOptions, twoPhaseOptions } from './recipe';
import { FIXED_VIEW_COUNT } from './views';

const names = ['a', 'b'];

describe('the lab recipe as engine options', () => {
  it('base layers learn at 1/10 of the head while fine-tuning, at the seeds’ 1e-5 in phase 2 of two phases, at the learner’s rate when set', () => {
    expect(baseRateOf({ ...LAB_RECIPE, mode: 'fine-tune', learningRate: 2e-3 })).toBeCloseTo(2e-4, 12);
    expect(baseRateOf({ ...LAB_RECIPE, mode: 'gradual', learningRate: 1e-3 })).toBeCloseTo(1e-4, 12);
    expect(baseRateOf({ ...LAB_RECIPE, mode: 'two-phase' })).toBe(FINE_TUNE_LEARNING_RATE);
    expect(baseRateOf({ ...LAB_RECIPE, mode: 'fine-tune', baseRate: 3e-5 })).toBe(3e-5);
  });

  it('maps each mode and choice to the engine’s options', () => {
    const plan = { conv_pw_13: true };
    expect(runOptions(LAB_RECIPE, names)).toMatchObject({ mode: 'feature-extraction', epochs: LAB_RECIPE.epochs, learningRate: LAB_RECIPE.learningRate, patience: 0 });
    expect(runOptions(LAB_RECIPE, names).baseLearningRate).toBeUndefined();
    const fineTune = runOptions({ ...LAB_RECIPE, mode: 'fine-tune', augmentation: 'random' }, names, plan);
    expect(fineTune).toMatchObject({ mode: 'fine-tune', plan, augment: true, cachedViews: false });
    expect(fineTune.baseLearningRate).toBeCloseTo(LAB_RECIPE.learningRate / 10, 12);
    expect(runOptions({ ...LAB_RECIPE, mode: 'gradual', gradualEvery: 3, topBlocks: 2, earlyStopping: true, patience: 4 }, names, plan)).toMatchObject({
      mode: 'fine-tune', gradual: { every: 3, blocks: 2 }, patience: 4,
    });
    // Gradual unfreezing follows its own schedule, not the layer list.
    expect(runOptions({ ...LAB_RECIPE, mode: 'gradual' }, names, plan).plan).toBeUndefined();
    expect(twoPhaseOptions({ ...LAB_RECIPE, mode: 'two-phase', epochs: 7, topBlocks: 2, augmentation: 'cached-views' }, names)).toMatchObject({
      headEpochs: 7, fineTuneEpochs: 7, topBlocks: 2, fineTuneLearningRate: FINE_TUNE_LEARNING_RATE, cachedViews: true, augment: false,
    });
  });
});

describe('what augmentation costs', () => {
  it('counts held-out photos as the split does: 15 % rounded, at least one, never the whole class', () => {
    expect([2, 6, 20, 40].map((n) => heldOutCount(n, 0.15))).toEqual([1, 1, 3, 6]);
    expect(heldOutCount(20, 0)).toBe(0);
  });

  it('counts passes through the network: once per photo, plus the extra views of training photos, or every photo every epoch', () => {
    expect(embeddingPasses([20, 20], 'off', 10)).toEqual({ plain: 40, passes: 40 });
    expect(embeddingPasses([20, 20], 'cached-views', 10)).toEqual({ plain: 40, passes: 40 + 34 * (FIXED_VIEW_COUNT - 1) });
    expect(embeddingPasses([20, 20], 'random', 10)).toEqual({ plain: 40, passes: 400 });
  });
});
