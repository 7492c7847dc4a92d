/**
 * The learning-rate range test (Smith 2017, "Cyclical Learning Rates", §3.3; fast.ai's lr_find): a short run whose
 * rate grows exponentially every step, η_i = η_min·(η_max/η_min)^(i/(n−1)); the loss against the rate falls slowly
 * while the rate is too small, fast in the useful range, and blows up when it is too large. Pure arithmetic here;
 * the Trainer drives the steps.
 */

export interface RangeCurve {
  /** The rate of each step taken. */
  rates: number[];
  /** The training loss of each step's batch. */
  losses: number[];
  /** `losses` smoothed (debiased exponential moving average), what the suggestion is read from. */
  smoothed: number[];
  /** The rate at the steepest descent of the smoothed loss before its minimum; null when the curve never fell. */
  suggested: number | null;
}

export const RANGE_DEFAULTS = {
  steps: 100,
  minRate: 1e-7,
  maxRate: 1,
  /**
   * EMA factor. fast.ai smooths noisy batch losses with 0.98, which lags ~50 steps: half of a 100-step sweep, so its
   * minimum lands late. The Trainer reads each step's loss on the same photos, which is smooth already: 0.6 lags
   * 1.5 steps.
   */
  beta: 0.6,
  /** Stop once the smoothed loss exceeds this many times its minimum (fast.ai's divergence rule). */
  divergence: 4,
} as const;

export function sweepRates(minRate: number, maxRate: number, steps: number): number[] {
  return Array.from({ length: steps }, (_, i) => minRate * (maxRate / minRate) ** (steps === 1 ? 0 : i / (steps - 1)));
}

/** Debiased EMA: a_i = β·a_(i−1) + (1 − β)·l_i, shown as a_i / (1 − β^(i+1)) so the first steps are not pulled to 0. */
export function smoothLosses(losses: readonly number[], beta: number = RANGE_DEFAULTS.beta): number[] {
  let avg = 0;
  return losses.map((l, i) => {
    avg = beta * avg + (1 - beta) * l;
    return avg / (1 - beta ** (i + 1));
  });
}

/**
 * Steepest descent before the minimum: the rate where d(smoothed loss)/d(log η) is most negative, looking only at
 * steps before the smoothed loss's minimum (past it the loss is already blowing up) and after the average's first
 * `skip` steps (it has seen too few losses there to be smooth). Null when it never fell.
 */
export function suggestRate(rates: readonly number[], smoothed: readonly number[], skip = 0): number | null {
  let lowest = 0;
  smoothed.forEach((s, i) => {
    if (s < smoothed[lowest]) lowest = i;
  });
  let best: number | null = null;
  let steepest = 0;
  for (let i = Math.max(1, skip); i < lowest; i++) {
    const slope = (smoothed[i + 1] - smoothed[i - 1]) / (Math.log(rates[i + 1]) - Math.log(rates[i - 1]));
    if (slope < steepest) {
      steepest = slope;
      best = i;
    }
  }
  return best === null ? null : rates[best];
}

/** True once the sweep has blown up: a non-finite loss, or the smoothed loss above `divergence` × its minimum so far. */
export function diverged(smoothed: readonly number[], divergence: number = RANGE_DEFAULTS.divergence): boolean {
  const last = smoothed.at(-1);
  if (last === undefined) return false;
  return !Number.isFinite(last) || last > divergence * Math.min(...smoothed);
}

/**
 * Runs the sweep: `step(rate)` takes one gradient step at that rate and returns its batch's loss. Stops at the
 * last rate, at divergence or when `stop()` says so (a cancel). The steps are the caller's; the curve is this.
 */
export async function sweep(
  step: (rate: number, index: number) => Promise<number>,
  opts: { steps?: number; minRate?: number; maxRate?: number; stop?: () => boolean } = {},
): Promise<RangeCurve> {
  const { steps, minRate, maxRate } = { ...RANGE_DEFAULTS, ...opts };
  const all = sweepRates(minRate, maxRate, steps);
  const rates: number[] = [];
  const losses: number[] = [];
  for (let i = 0; i < all.length && !opts.stop?.(); i++) {
    const loss = await step(all[i], i);
    rates.push(all[i]);
    losses.push(loss);
    if (diverged(smoothLosses(losses))) break;
  }
  const smoothed = smoothLosses(losses);
  return { rates, losses, smoothed, suggested: suggestRate(rates, smoothed, Math.round(1 / (1 - RANGE_DEFAULTS.beta))) };
}
