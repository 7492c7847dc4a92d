import { describe, expect, it } from 'vitest';
import { LAB_RECIPE } from '../ml/defaults';
import { settingsFrom } from './settings';

describe('stored settings', () => {
  it('a project saved before the augmentation choice keeps what it did: random views while fine-tuning, none otherwise', () => {
    expect(settingsFrom({ mode: 'fine-tune', epochs: 5, batchSize: 8, learningRate: 1e-4, augment: true })).toMatchObject({ mode: 'fine-tune', epochs: 5, augmentation: 'random' });
    expect(settingsFrom({ mode: 'feature-extraction', augment: true }).augmentation).toBe('off');
    expect(settingsFrom({ mode: 'fine-tune', augment: false }).augmentation).toBe('off');
    expect(settingsFrom({ mode: 'feature-extraction' }).augmentation).toBe(LAB_RECIPE.augmentation);
    expect('augment' in settingsFrom({ augment: true })).toBe(false);
  });

  it('fills what is missing from the lab recipe and refuses modes and choices it does not know', () => {
    expect(settingsFrom(undefined)).toEqual(LAB_RECIPE);
    expect(settingsFrom({ mode: 'warp-speed', augmentation: 'sideways', base: 'mobilenet_v1_0.75' })).toEqual({ ...LAB_RECIPE, base: 'mobilenet_v1_0.75' });
    expect(settingsFrom({ augmentation: 'cached-views', earlyStopping: true, patience: 3 })).toMatchObject({ augmentation: 'cached-views', earlyStopping: true, patience: 3 });
  });
});
