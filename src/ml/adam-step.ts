// Data only (no tfjs): the maths of one Adam step, run by the wasm kernel ADAM_STEP (kernels-wasm.ts) for groups.ts.

/** A kernel of our own (wasm): one Adam step of one variable, inputs { x, m, v, g } → [x, m, v]. */
export const ADAM_STEP = 'TransferLabAdamStep';

/** The step's constants; `correction1` and `correction2` are 1 − β₁ᵗ and 1 − β₂ᵗ at step t. */
export interface AdamStep {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  correction1: number;
  correction2: number;
}

/**
 * tfjs' Adam update of one variable, in one pass instead of about a dozen kernels:
 * m ← β₁·m + (1−β₁)·g,  v ← β₂·v + (1−β₂)·g²,  x ← x − η · (m / (1−β₁ᵗ)) / (√(v / (1−β₂ᵗ)) + ε).
 * Reads x, m, v, g and writes xOut, mOut, vOut (all of one length; an output may be its input).
 */
export function adamUpdate(s: AdamStep, x: Float32Array, m: Float32Array, v: Float32Array, g: Float32Array, xOut: Float32Array, mOut: Float32Array, vOut: Float32Array): void {
  const { learningRate: lr, beta1: b1, beta2: b2, epsilon: eps, correction1: c1, correction2: c2 } = s;
  for (let i = 0; i < x.length; i++) {
    const gi = g[i];
    const mi = b1 * m[i] + (1 - b1) * gi;
    const vi = b2 * v[i] + (1 - b2) * gi * gi;
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = x[i] - (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
  }
}
