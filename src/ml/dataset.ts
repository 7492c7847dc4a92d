import { heldOutCount } from './cost';
import { MIN_PHOTOS_PER_CLASS } from './defaults';
import { checkSource, centreView } from './image';
import type { Extent, View } from './image';
import { shuffled } from './random';
import type { Rng } from './random';
import { EngineError } from './types';
import type { Sample } from './types';

/** Throws a typed error for every dataset tfjs would choke on, or train on uselessly. */
export function checkSamples(samples: readonly Sample[], classNames: readonly string[]): void {
  if (!samples?.length) throw new EngineError('NO_SAMPLES', 'There are no photos to train on.');
  const ids = new Set<string>();
  const counts = classNames.map(() => 0);
  for (const s of samples) {
    if (!Number.isInteger(s.label) || s.label < 0 || s.label >= classNames.length) {
      throw new EngineError('BAD_SAMPLE', `Sample ${s.id} has label ${s.label}, but there are ${classNames.length} classes.`, {
        id: s.id,
        label: s.label,
      });
    }
    if (ids.has(s.id)) throw new EngineError('BAD_SAMPLE', `Two samples share the id ${s.id}.`, { id: s.id });
    ids.add(s.id);
    checkSource(s.pixels, s.id);
    counts[s.label]++;
  }
  if (counts.filter((n) => n > 0).length < 2 || classNames.length < 2) {
    throw new EngineError('ONE_CLASS', 'Training needs photos of at least two classes.', { classes: classNames.length });
  }
  const short = counts.findIndex((n) => n < MIN_PHOTOS_PER_CLASS);
  if (short >= 0) {
    throw new EngineError('TOO_FEW_SAMPLES', `Class "${classNames[short]}" has ${counts[short]} photo(s); each class needs at least ${MIN_PHOTOS_PER_CLASS}.`, {
      class: classNames[short],
      count: counts[short],
    });
  }
}

/**
 * Stratified split: each class is shuffled with the seed and `fraction` of it (rounded, at least 1 and
 * never all of it) goes to validation, so every class is both learned and checked.
 */
export function stratifiedSplit(samples: readonly Sample[], fraction: number, random: Rng): { train: Sample[]; validation: Sample[] } {
  const train: Sample[] = [];
  const validation: Sample[] = [];
  const labels = [...new Set(samples.map((s) => s.label))].sort((a, b) => a - b);
  for (const label of labels) {
    const members = shuffled(samples.filter((s) => s.label === label), random);
    const n = heldOutCount(members.length, fraction);
    validation.push(...members.slice(0, n));
    train.push(...members.slice(n));
  }
  return { train, validation };
}

/** One epoch's mini-batches in a fresh seeded order. */
export function batches<T>(items: readonly T[], batchSize: number, random: Rng): T[][] {
  const order = shuffled(items, random);
  const out: T[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/**
 * Augmentation as a random view of the photo: a square of 85–100 % of the short side anywhere in the
 * photo, mirrored half the time, brightness shifted by up to ±10 % of the range.
 */
export function randomView(p: Extent, random: Rng): View {
  const side = centreView(p).size;
  const size = side * (0.85 + 0.15 * random());
  return {
    top: random() * (p.height - size),
    left: random() * (p.width - size),
    size,
    flip: random() < 0.5,
    brightness: (random() - 0.5) * 0.4,
  };
}
