import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, type AdamStep } from './adam-step';

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

/** tfjs' AdamOptimizer's own state (private in its typings): the fused step keeps it, so dispose() and the rest hold. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

/**
 * tfjs' Adam with a rate that can change between steps (the learning-rate range test raises it every step). Where
 * the backend has ADAM_STEP (wasm), each variable takes one kernel instead of tfjs' dozen: same maths, same state.
 */
export class RateAdam extends tf.AdamOptimizer {
  get rate(): number {
    return this.learningRate;
  }

  set rate(value: number) {
    this.learningRate = value;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (!tf.getKernel(ADAM_STEP, tf.getBackend())) return super.applyGradients(variableGradients);
    const state = this as unknown as AdamState;
    const named = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const step: AdamStep = {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      correction1: 1 - state.accBeta1.dataSync()[0],
      correction2: 1 - state.accBeta2.dataSync()[0],
    };
    tf.tidy(() => {
      named.forEach(({ name, tensor }, i) => {
        const value = tf.engine().registeredVariables[name];
        const moment = (suffix: string) => ({ originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) });
        const m = (state.accumulatedFirstMoment[i] ??= moment('m')).variable;
        const v = (state.accumulatedSecondMoment[i] ??= moment('v')).variable;
        if (tensor == null) return;
        const [x2, m2, v2] = tf.engine().runKernel(ADAM_STEP, { x: value, m, v, g: tensor }, step as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        value.assign(x2);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

export function paramGroup(vars: tf.Variable[], rate: number): ParamGroup {
  return { optimizer: new RateAdam(rate, 0.9, 0.999), vars };
}

export function disposeGroups(groups: readonly ParamGroup[]): void {
  groups.forEach((g) => g.optimizer.dispose());
}
