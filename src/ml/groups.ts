import * as tf from '@tensorflow/tfjs';

/**
 * Variables that learn at one rate, each group with an Adam of its own (discriminative rates).
 *
 * Why not one optimizer with scaled gradients: Adam divides by √v̂, so scaling a gradient by k leaves its step
 * unchanged. Why one optimizer per group and never a group that grows: tfjs' Adam keeps its moments by the
 * variable's position in the list it is given and one step count t for all of them, so a variable added later
 * would take another's moments and skip the bias correction (1 − βᵗ) its own first steps need. A block released
 * by gradual unfreezing therefore gets a new group: zero moments and t starting at 1, as if Adam had run on it
 * since its release.
 */
export interface ParamGroup {
  optimizer: RateAdam;
  vars: tf.Variable[];
}

/** tfjs' Adam with a rate that can change between steps (the learning-rate range test raises it every step). */
export class RateAdam extends tf.AdamOptimizer {
  get rate(): number {
    return this.learningRate;
  }

  set rate(value: number) {
    this.learningRate = value;
  }
}

export function paramGroup(vars: tf.Variable[], rate: number): ParamGroup {
  return { optimizer: new RateAdam(rate, 0.9, 0.999), vars };
}

export function disposeGroups(groups: readonly ParamGroup[]): void {
  groups.forEach((g) => g.optimizer.dispose());
}
