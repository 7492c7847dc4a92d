/** max |a − b| / max |b|: a gradient's error relative to its own scale, so tiny gradients are not judged absolutely. */
export function relativeDiff(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 1e-12;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** ‖a − b‖ / ‖b‖ over a set of tensors taken as one vector (every parameter of a base, say). */
export function globalDiff(a: Float32Array[], b: Float32Array[]): number {
  let diff = 0;
  let norm = 0;
  b.forEach((g, i) => g.forEach((v, j) => ((diff += (a[i][j] - v) ** 2), (norm += v ** 2))));
  return Math.sqrt(diff / norm);
}
