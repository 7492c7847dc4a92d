import { rng } from './random';

/**
 * Chapter 1's tiny network, in plain numbers so every value can be shown:
 * 2 inputs → H hidden units (sigmoid or ReLU) → 1 sigmoid output.
 *   z_j = Σ_i w1[j][i]·x_i + b1[j],  a_j = f(z_j)
 *   z   = Σ_j w2[j]·a_j + b2,         ŷ = σ(z)
 */
export type HiddenActivation = 'sigmoid' | 'relu';
/** 'mse': L = ½(ŷ − y)² (the ½ cancels the 2 of the derivative); 'bce': L = −[y·ln ŷ + (1 − y)·ln(1 − ŷ)]. */
export type LossName = 'mse' | 'bce';

/** 'random': uniform in ±1/√fan-in from the seed; 'zero': every weight 0, to show why nobody starts there. */
export type InitName = 'random' | 'zero';

export interface MlpConfig {
  hidden: 2 | 3;
  activation: HiddenActivation;
  loss: LossName;
  seed?: number;
  init?: InitName;
}

export interface NodeValue {
  z: number;
  a: number;
}

export interface ForwardPass {
  x: [number, number];
  hidden: NodeValue[];
  output: NodeValue;
}

export interface Gradients {
  /** ∂L/∂w1[j][i] = δ_j · x_i */
  w1: number[][];
  /** ∂L/∂b1[j] = δ_j */
  b1: number[];
  /** ∂L/∂w2[j] = δ_out · a_j */
  w2: number[];
  /** ∂L/∂b2 = δ_out */
  b2: number;
}

export interface BackwardPass {
  /** δ_out = ∂L/∂z = ∂L/∂ŷ · σ'(z); for bce this simplifies to ŷ − y. */
  outputDelta: number;
  /** δ_j = ∂L/∂z_j = δ_out · w2[j] · f'(z_j) */
  hiddenDeltas: number[];
  grads: Gradients;
}

export interface Trace {
  forward: ForwardPass;
  loss: number;
  backward: BackwardPass;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export class TinyMlp {
  readonly config: Required<MlpConfig>;
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;

  /** Weights drawn uniformly from ±1/√fan-in with a seeded generator (the same seed, the same lesson), or all zero. */
  constructor(config: MlpConfig) {
    this.config = { seed: 1, init: 'random', ...config };
    const random = rng(this.config.seed);
    const draw = (fanIn: number) => (this.config.init === 'zero' ? 0 : (random() * 2 - 1) / Math.sqrt(fanIn));
    this.w1 = Array.from({ length: config.hidden }, () => [draw(2), draw(2)]);
    this.b1 = Array.from({ length: config.hidden }, () => 0);
    this.w2 = Array.from({ length: config.hidden }, () => draw(config.hidden));
    this.b2 = 0;
  }

  private f(z: number): number {
    return this.config.activation === 'relu' ? Math.max(0, z) : sigmoid(z);
  }

  /** f'(z): σ(z)(1 − σ(z)) for sigmoid; 1 for z > 0 else 0 for ReLU. */
  private fPrime(z: number): number {
    if (this.config.activation === 'relu') return z > 0 ? 1 : 0;
    const s = sigmoid(z);
    return s * (1 - s);
  }

  forward(x: [number, number]): ForwardPass {
    const hidden = this.w1.map((w, j) => {
      const z = w[0] * x[0] + w[1] * x[1] + this.b1[j];
      return { z, a: this.f(z) };
    });
    const z = hidden.reduce((sum, h, j) => sum + this.w2[j] * h.a, this.b2);
    return { x, hidden, output: { z, a: sigmoid(z) } };
  }

  loss(prediction: number, target: number): number {
    if (this.config.loss === 'mse') return 0.5 * (prediction - target) ** 2;
    return -(target * Math.log(prediction) + (1 - target) * Math.log(1 - prediction));
  }

  /** The chain rule, node by node from the loss back to every weight. */
  backward(pass: ForwardPass, target: number): BackwardPass {
    const y = pass.output.a;
    const outputDelta = this.config.loss === 'mse' ? (y - target) * y * (1 - y) : y - target;
    const hiddenDeltas = pass.hidden.map((h, j) => outputDelta * this.w2[j] * this.fPrime(h.z));
    return {
      outputDelta,
      hiddenDeltas,
      grads: {
        w1: hiddenDeltas.map((d) => [d * pass.x[0], d * pass.x[1]]),
        b1: hiddenDeltas.slice(),
        w2: pass.hidden.map((h) => outputDelta * h.a),
        b2: outputDelta,
      },
    };
  }

  /** Forward, loss and backward for one example. */
  trace(x: [number, number], target: number): Trace {
    const forward = this.forward(x);
    return { forward, loss: this.loss(forward.output.a, target), backward: this.backward(forward, target) };
  }

  /**
   * Central differences, ∂L/∂θ ≈ (L(θ + h) − L(θ − h)) / 2h, one parameter at a time: two forward passes per
   * parameter, the brute force backpropagation replaces and the classic way to check it.
   */
  numericGradients(x: [number, number], target: number, h = 1e-5): Gradients {
    const lossWith = (change: (net: TinyMlp) => void) => {
      const copy = Object.assign(new TinyMlp(this.config), { w1: this.w1.map((r) => r.slice()), b1: this.b1.slice(), w2: this.w2.slice(), b2: this.b2 });
      change(copy);
      return copy.loss(copy.forward(x).output.a, target);
    };
    const slope = (change: (net: TinyMlp, d: number) => void) => (lossWith((n) => change(n, h)) - lossWith((n) => change(n, -h))) / (2 * h);
    return {
      w1: this.w1.map((row, j) => row.map((_, i) => slope((n, d) => (n.w1[j][i] += d)))),
      b1: this.b1.map((_, j) => slope((n, d) => (n.b1[j] += d))),
      w2: this.w2.map((_, j) => slope((n, d) => (n.w2[j] += d))),
      b2: slope((n, d) => (n.b2 += d)),
    };
  }

  /** Gradient descent: w ← w − η·∂L/∂w for every weight and bias. */
  update(grads: Gradients, learningRate: number): void {
    this.w1 = this.w1.map((w, j) => w.map((v, i) => v - learningRate * grads.w1[j][i]));
    this.b1 = this.b1.map((v, j) => v - learningRate * grads.b1[j]);
    this.w2 = this.w2.map((v, j) => v - learningRate * grads.w2[j]);
    this.b2 -= learningRate * grads.b2;
  }
}
