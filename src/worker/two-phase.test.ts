import { describe, expect, it } from 'vitest';
import type { TrainResult } from '../ml';
import { mergePhases, renumber } from './two-phase';

const epoch = (n: number, of: number, loss: number) => ({ type: 'epoch' as const, epoch: n, epochs: of, loss, accuracy: 0.5, valLoss: null, valAccuracy: null, ms: 1 });
const result = (epochs: number, loss0: number, frozen: { checked: number; changed: number; names?: string[] }, extra: Partial<TrainResult> = {}): TrainResult => ({
  history: Array.from({ length: epochs }, (_, i) => epoch(i + 1, epochs, loss0 - i)),
  frozenCheck: { checked: frozen.checked, values: frozen.checked * 10, changed: frozen.changed, changedNames: frozen.names ?? [] },
  deltas: [{ layer: 'dense', meanAbsDelta: loss0 }],
  evaluation: null,
  cacheBytes: 1024 * epochs,
  cachedLayer: `cut${epochs}`,
  cancelled: false,
  keptEpoch: null,
  stoppedEarly: false,
  unfrozen: [],
  ...extra,
});

describe('two-phase results', () => {
  it('numbers phase 2 after phase 1 and adds up both frozen proofs', () => {
    const merged = mergePhases(result(3, 10, { checked: 80, changed: 0 }), result(2, 5, { checked: 70, changed: 1, names: ['conv1/kernel'] }));
    expect(merged.history.map((h) => [h.epoch, h.epochs, h.loss])).toEqual([[1, 3, 10], [2, 3, 9], [3, 3, 8], [4, 5, 5], [5, 5, 4]]);
    expect(merged.history.every((h) => !('phase' in h))).toBe(true);
    expect(merged.frozenCheck).toEqual({ checked: 150, values: 1500, changed: 1, changedNames: ['conv1/kernel'] });
    expect(merged).toMatchObject({ phase1Epochs: 3, reached: 2, cachedLayer: 'cut2', cacheBytes: 3072, deltas: [{ layer: 'dense', meanAbsDelta: 5 }] });
  });

  it("marks phase 2's kept epoch after phase 1's epochs", () => {
    const merged = mergePhases(result(3, 10, { checked: 80, changed: 0 }, { keptEpoch: 2, stoppedEarly: true }), result(4, 5, { checked: 70, changed: 0 }, { keptEpoch: 2, stoppedEarly: true }));
    expect(merged).toMatchObject({ keptEpoch: 5, stoppedEarly: true, phase1Epochs: 3 });
    expect(mergePhases(result(3, 10, { checked: 80, changed: 0 }), result(2, 5, { checked: 70, changed: 0 })).keptEpoch).toBeNull();
  });

  it('stops at phase 1 when it was cancelled', () => {
    const merged = mergePhases(result(1, 3, { checked: 80, changed: 0 }, { cancelled: true }), null);
    expect(merged).toMatchObject({ phase1Epochs: 1, reached: 1, cancelled: true });
  });

  it('renumbers live phase-2 epoch and batch events only', () => {
    expect(renumber({ type: 'batch', epoch: 1, batch: 2, batches: 3, loss: 1, ms: 1, phase: 2 }, 4)).toMatchObject({ epoch: 5, batch: 2 });
    expect(renumber({ ...epoch(2, 3, 1), phase: 2 }, 4)).toMatchObject({ epoch: 6, epochs: 7 });
    expect(renumber({ ...epoch(2, 3, 1), phase: 1 }, 4)).toMatchObject({ epoch: 2, epochs: 3 });
    expect(renumber({ type: 'embed', done: 1, total: 2, ms: 1, phase: 2 }, 4)).toMatchObject({ done: 1 });
  });
});
