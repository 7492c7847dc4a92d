import { describe, expect, it } from 'vitest';
import { speedup, spread } from './stats';

describe('speedup', () => {
  it('reads the gain three ways: of the medians, of the best reps, and pair by pair', () => {
    // One thread: 60 ms undisturbed, two reps hit by a neighbour; all threads: 40 ms, one rep hit.
    const one = [60, 90, 61, 95, 60];
    const all = [40, 41, 70, 40, 42];
    const s = speedup(one, all)!;
    expect(s.ofMedians).toBe(Number((61 / 41).toFixed(2)));
    expect(s.best).toBe(1.5);
    expect(s.paired).toEqual(spread([1.5, 2.2, 0.87, 2.38, 1.43]));
  });

  it('takes an even count\'s median between its middle two, so two reps do not read as the worse one', () => {
    expect(spread([400, 250])).toEqual({ median: 325, min: 250, max: 400, runs: 2 });
    expect(spread([3, 1, 4, 2])?.median).toBe(2.5);
  });

  it('has nothing to say without reps, or with unpaired ones', () => {
    expect(speedup([], [])).toBeNull();
    expect(speedup([1, 2], [1])).toBeNull();
  });
});
