export interface Evaluation {
  /** Which split was scored: validation when there is one, otherwise the training photos. */
  on: 'validation' | 'training';
  accuracy: number;
  /** Recall per true class (row of the confusion matrix); 0 for a class with no scored photos. */
  perClass: number[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Sample ids behind each confusion cell, so the UI can show the photos. */
  cellSamples: string[][][];
}

/** Fraction of predictions equal to the truth. */
export function accuracy(truth: readonly number[], predicted: readonly number[]): number {
  return truth.length ? truth.filter((t, i) => t === predicted[i]).length / truth.length : 0;
}

/** Confusion matrix, per-class recall and overall accuracy of `predicted` against `truth`. */
export function evaluate(
  truth: readonly number[],
  predicted: readonly number[],
  ids: readonly string[],
  numClasses: number,
  on: Evaluation['on'],
): Evaluation {
  const confusion = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  const cellSamples = Array.from({ length: numClasses }, () => Array.from({ length: numClasses }, () => [] as string[]));
  truth.forEach((t, i) => {
    confusion[t][predicted[i]]++;
    cellSamples[t][predicted[i]].push(ids[i]);
  });
  const perClass = confusion.map((row, t) => {
    const n = row.reduce((a, b) => a + b, 0);
    return n ? row[t] / n : 0;
  });
  return { on, accuracy: accuracy(truth, predicted), perClass, confusion, cellSamples };
}

/** mean |w_after − w_before| over one layer's weights: how far training moved it. */
export function meanAbsDelta(before: readonly Float32Array[], after: readonly Float32Array[]): number {
  let sum = 0;
  let n = 0;
  before.forEach((b, k) => {
    for (let i = 0; i < b.length; i++) sum += Math.abs(after[k][i] - b[i]);
    n += b.length;
  });
  return n ? sum / n : 0;
}
