export type Strategy = 'feature-extraction' | 'fine-tune' | 'fine-tune-cached';

/** The table's order: the cheap baseline, then fine-tuning without and with the frozen-prefix cache. */
export const STRATEGIES: readonly Strategy[] = ['feature-extraction', 'fine-tune', 'fine-tune-cached'];

export interface RowResult {
  strategy: Strategy;
  status: 'waiting' | 'running' | 'done' | 'cancelled' | 'error';
  /** ms of each finished epoch (training batches + validation scoring); for fine-tuning, the epochs of phase 2. */
  epochMs: number[];
  /** Wall time of the whole row, cache filling (and, for fine-tuning, the head's phase 1) included. */
  totalMs: number;
  cacheBytes: number;
  cachedLayer: string | null;
  valAccuracy: number | null;
  trainAccuracy: number | null;
  trainableParams: number;
  error?: string;
}

export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const MB = 1e6;
