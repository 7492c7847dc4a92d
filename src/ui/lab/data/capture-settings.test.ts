import { describe, expect, it } from 'vitest';
import { clampCapture, readCapture, writeCapture } from './capture-settings';
import type { TrainSettings } from '../../../app/project.svelte';

// As an older version stored it.
const old = { mode: 'feature-extraction', epochs: 20, batchSize: 16, learningRate: 0.001, augment: false } as unknown as TrainSettings;

describe('capture settings', () => {
  it('an older project without them records as capture always did: 10 frames a second while held, no countdown', () => {
    expect(readCapture(old)).toEqual({ fps: 10, delay: 0, duration: 0 });
  });

  it('typed values are clamped to their range and rounded; blank or garbage falls back to the default', () => {
    expect(clampCapture('fps', '0')).toBe(1);
    expect(clampCapture('fps', 45)).toBe(30);
    expect(clampCapture('fps', '7.6')).toBe(8);
    expect(clampCapture('delay', -3)).toBe(0);
    expect(clampCapture('delay', '12')).toBe(10);
    expect(clampCapture('duration', '')).toBe(0);
    expect(clampCapture('fps', 'abc')).toBe(10);
    expect(clampCapture('duration', Infinity)).toBe(0);
  });

  it('written values land in the flat settings a project file stores, and read back the same', () => {
    const s = { ...old };
    expect(writeCapture(s, 'fps', '5')).toBe(5);
    writeCapture(s, 'delay', 2);
    writeCapture(s, 'duration', '1');
    expect(s).toMatchObject({ captureFps: 5, captureDelay: 2, captureDuration: 1 });
    expect(readCapture(s)).toEqual({ fps: 5, delay: 2, duration: 1 });
  });
});
