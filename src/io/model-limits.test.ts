import { describe, expect, it } from 'vitest';
import { MODEL_LIMITS, ModelLimitError, checkModelFiles } from './model-limits';

const model = (over: { weights?: unknown[]; classNames?: unknown[]; paths?: string[] } = {}) =>
  JSON.stringify({
    modelTopology: { class_name: 'Sequential', config: { name: 'head', layers: [] } },
    weightsManifest: [{ paths: over.paths ?? ['./weights.bin'], weights: over.weights ?? [{ name: 'dense/kernel', shape: [256, 2], dtype: 'float32' }, { name: 'dense/bias', shape: [2], dtype: 'float32' }] }],
    userDefinedMetadata: { app: 'transfer-lab', classNames: over.classNames ?? ['cats', 'dogs'] },
  });
const problem = (json: string, weights: { name: string; size: number }[], jsonBytes = json.length) => {
  try {
    checkModelFiles(json, jsonBytes, weights);
    return 'accepted';
  } catch (err) {
    return err instanceof ModelLimitError ? err.problem : String(err);
  }
};
const BYTES = (256 * 2 + 2) * 4;

describe('model import limits', () => {
  it('accepts float32 weights whose bytes match their shapes', () => {
    expect(problem(model(), [{ name: 'weights.bin', size: BYTES }])).toBe('accepted');
  });
  it('refuses weights of the wrong size, a missing weights file, and non-float32 or quantised weights', () => {
    expect(problem(model(), [{ name: 'weights.bin', size: BYTES - 4 }])).toBe('weights-mismatch');
    expect(problem(model(), [{ name: 'other.bin', size: BYTES }])).toBe('missing-weights');
    expect(problem(model({ weights: [{ name: 'k', shape: [2], dtype: 'int32' }] }), [{ name: 'weights.bin', size: 8 }])).toBe('not-float32');
    expect(problem(model({ weights: [{ name: 'k', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }] }), [{ name: 'weights.bin', size: 2 }])).toBe('not-float32');
  });
  it('refuses files too large in total, long names and what is not a model description', () => {
    expect(problem(model(), [{ name: 'weights.bin', size: MODEL_LIMITS.totalBytes }])).toBe('too-large');
    expect(problem(model({ classNames: ['x'.repeat(41), 'b'] }), [{ name: 'weights.bin', size: BYTES }])).toBe('long-strings');
    expect(problem(model({ weights: [{ name: 'w'.repeat(500), shape: [2], dtype: 'float32' }] }), [{ name: 'weights.bin', size: 8 }])).toBe('long-strings');
    expect(problem('{"not": "a model"}', [{ name: 'weights.bin', size: 8 }])).toBe('not-json');
    expect(problem('garbage', [{ name: 'weights.bin', size: 8 }])).toBe('not-json');
  });
});
