/** A repeated measurement: median with its spread, so one noisy run cannot pass for a result. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** Median, min and max; an even count's median is the mean of its middle two (not the upper one, which is the worse of two reps). */
export function spread(xs: number[]): Spread | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], runs: s.length };
}

/**
 * Runs `a` and `b` `reps` times each, alternating which goes first, so neither always pays a cold start; `gapMs` of
 * idle before each run lets the last one's background work (garbage collection, compiling) end outside the next.
 */
export async function alternate(reps: number, a: () => Promise<number>, b: () => Promise<number>, gapMs = 0): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  const run = async (f: () => Promise<number>, into: number[]) => {
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    into.push(await f());
  };
  for (let i = 0; i < reps; i++) {
    if (i % 2 === 0) {
      await run(a, as);
      await run(b, bs);
    } else {
      await run(b, bs);
      await run(a, as);
    }
  }
  return [as, bs];
}

/**
 * How much faster `b` ran than `a`, three ways, from `alternate`'s reps (pair i ran back to back):
 * - `ofMedians`: median(a) / median(b);
 * - `best`: min(a) / min(b): the undisturbed speed of each (a neighbour on the machine only ever adds time);
 * - `paired`: the spread of a_i / b_i, so a slow stretch that hits both halves of a pair cancels out.
 */
export interface Speedup {
  ofMedians: number;
  best: number;
  paired: Spread;
}

const r2 = (x: number) => Number(x.toFixed(2));

export function speedup(a: number[], b: number[]): Speedup | null {
  const [sa, sb] = [spread(a), spread(b)];
  if (!sa || !sb || a.length !== b.length) return null;
  return { ofMedians: r2(sa.median / sb.median), best: r2(sa.min / sb.min), paired: spread(a.map((x, i) => r2(x / b[i])))! };
}
