import type { TrainResult, TwoPhaseEvent } from '../ml';

/** A two-phase run as one result the lab can show like any other, plus where phase 2 began. */
export interface TwoPhaseResult extends TrainResult {
  /** Epochs of phase 1 (the head on the cache); the chart marks the boundary after them. */
  phase1Epochs: number;
  /** The last phase that ran: 1 when phase 1 was cancelled. */
  reached: 1 | 2;
}

/** Phase 2's epochs numbered after phase 1's (the epochs phase 1 ran: early stopping may end it early), so the run reads as one sequence of epochs. */
export function renumber(e: TwoPhaseEvent, phase1Epochs: number): TwoPhaseEvent {
  if (e.phase === 1) return e;
  if (e.type === 'epoch') return { ...e, epoch: e.epoch + phase1Epochs, epochs: e.epochs + phase1Epochs };
  if (e.type === 'batch') return { ...e, epoch: e.epoch + phase1Epochs };
  return e;
}

/**
 * Joins the phases: the history end to end; the frozen proofs of both phases added (each compares the weights its
 * phase froze, so a change in either shows); deltas, evaluation, cache and the epoch early stopping kept are
 * phase 2's, the run's final state (that epoch numbered on after phase 1's).
 */
export function mergePhases(phase1: TrainResult, phase2: TrainResult | null): TwoPhaseResult {
  const phase1Epochs = phase1.history.length;
  if (!phase2) return { ...phase1, phase1Epochs, reached: 1 };
  return {
    ...phase2,
    history: [...phase1.history, ...phase2.history.map((h) => ({ ...h, epoch: h.epoch + phase1Epochs, epochs: h.epochs + phase1Epochs }))],
    frozenCheck: {
      checked: phase1.frozenCheck.checked + phase2.frozenCheck.checked,
      values: phase1.frozenCheck.values + phase2.frozenCheck.values,
      changed: phase1.frozenCheck.changed + phase2.frozenCheck.changed,
      changedNames: [...phase1.frozenCheck.changedNames, ...phase2.frozenCheck.changedNames],
    },
    cacheBytes: Math.max(phase1.cacheBytes, phase2.cacheBytes),
    keptEpoch: phase2.keptEpoch === null ? null : phase2.keptEpoch + phase1Epochs,
    phase1Epochs,
    reached: 2,
  };
}
