import { MIN_PHOTOS_PER_CLASS } from './defaults';

/** Why a project's classes cannot be trained yet, or null when they can. */
export type ClassProblem = { key: 'one-class' } | { key: 'few-photos'; name: string; n: number } | null;

/**
 * The photos rule, in one place: at least two classes, each with MIN_PHOTOS_PER_CLASS photos (fewer cannot be split
 * into something to learn and something to check). The lab blocks training by it and the flow's first step says it;
 * the engine enforces it again on the samples it is given (checkSamples).
 */
export function classProblem(classes: readonly { name: string; photos: number }[]): ClassProblem {
  if (classes.length < 2) return { key: 'one-class' };
  const short = classes.find((c) => c.photos < MIN_PHOTOS_PER_CLASS);
  return short ? { key: 'few-photos', name: short.name, n: short.photos } : null;
}
