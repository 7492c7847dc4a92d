import type { Gradients, TinyMlp, Trace } from '../../../ml/mlp';

/** One learnable number of the tiny network: a weight (an edge of the drawing) or a bias (a node's offset). */
export interface Param {
  id: string;
  kind: 'w1' | 'b1' | 'w2' | 'b2';
  /** Hidden unit. */
  j: number;
  /** Input (w1 only). */
  i: number;
  label: string;
}

const SUB = ['₀', '₁', '₂', '₃', '₄'];
export const inputName = (i: number) => `x${SUB[i + 1]}`;
export const hiddenName = (j: number) => `h${SUB[j + 1]}`;
export const OUTPUT = 'ŷ';

/** Every parameter in the engine's order (w1, b1, w2, b2), which is also the order of checkAgainstTfGrad's pairs. */
export function paramList(hidden: number): Param[] {
  const out: Param[] = [];
  for (let j = 0; j < hidden; j++)
    for (let i = 0; i < 2; i++) out.push({ id: `w1-${j}-${i}`, kind: 'w1', j, i, label: `w(${inputName(i)}→${hiddenName(j)})` });
  for (let j = 0; j < hidden; j++) out.push({ id: `b1-${j}`, kind: 'b1', j, i: 0, label: `b(${hiddenName(j)})` });
  for (let j = 0; j < hidden; j++) out.push({ id: `w2-${j}`, kind: 'w2', j, i: 0, label: `w(${hiddenName(j)}→${OUTPUT})` });
  out.push({ id: 'b2', kind: 'b2', j: 0, i: 0, label: `b(${OUTPUT})` });
  return out;
}

/** The network's numbers; a TinyMlp is one, and so is a copy of its weights. */
export interface Weights {
  w1: number[][];
  b1: number[];
  w2: number[];
  b2: number;
}

export function valueOf(w: Weights, p: Param): number {
  if (p.kind === 'w1') return w.w1[p.j][p.i];
  if (p.kind === 'b1') return w.b1[p.j];
  if (p.kind === 'w2') return w.w2[p.j];
  return w.b2;
}

export function gradOf(g: Gradients, p: Param): number {
  if (p.kind === 'w1') return g.w1[p.j][p.i];
  if (p.kind === 'b1') return g.b1[p.j];
  if (p.kind === 'w2') return g.w2[p.j];
  return g.b2;
}

/** The factors of the chain rule for one parameter, as (symbol, value) pairs whose product is ∂L/∂p. */
export interface ChainRule {
  /** δ(ŷ) = ∂L/∂z_out, with its own factors. */
  outputDelta: { factors: { symbol: string; value: number }[]; value: number };
  /** δ(h_j) = δ(ŷ) · w(h_j→ŷ) · f′(z_j), present for first-layer parameters. */
  hiddenDelta: { factors: { symbol: string; value: number }[]; value: number } | null;
  /** ∂L/∂p = … */
  grad: { factors: { symbol: string; value: number }[]; value: number };
}

export function chainRule(net: TinyMlp, trace: Trace, target: number, p: Param): ChainRule {
  const { forward, backward } = trace;
  const yHat = forward.output.a;
  const outFactors =
    net.config.loss === 'mse'
      ? [
          { symbol: '(ŷ − y)', value: yHat - target },
          { symbol: 'ŷ(1 − ŷ)', value: yHat * (1 - yHat) },
        ]
      : [{ symbol: '(ŷ − y)', value: yHat - target }];
  const outputDelta = { factors: outFactors, value: backward.outputDelta };
  const dOut = { symbol: `δ(${OUTPUT})`, value: backward.outputDelta };
  if (p.kind === 'w2') return { outputDelta, hiddenDelta: null, grad: { factors: [dOut, { symbol: `a(${hiddenName(p.j)})`, value: forward.hidden[p.j].a }], value: backward.grads.w2[p.j] } };
  if (p.kind === 'b2') return { outputDelta, hiddenDelta: null, grad: { factors: [dOut], value: backward.grads.b2 } };
  const z = forward.hidden[p.j].z;
  const a = forward.hidden[p.j].a;
  const fPrime = net.config.activation === 'relu' ? (z > 0 ? 1 : 0) : a * (1 - a);
  const hiddenDelta = {
    factors: [dOut, { symbol: `w(${hiddenName(p.j)}→${OUTPUT})`, value: net.w2[p.j] }, { symbol: `f′(z(${hiddenName(p.j)}))`, value: fPrime }],
    value: backward.hiddenDeltas[p.j],
  };
  const dHidden = { symbol: `δ(${hiddenName(p.j)})`, value: backward.hiddenDeltas[p.j] };
  if (p.kind === 'b1') return { outputDelta, hiddenDelta, grad: { factors: [dHidden], value: backward.grads.b1[p.j] } };
  return { outputDelta, hiddenDelta, grad: { factors: [dHidden, { symbol: inputName(p.i), value: forward.x[p.i] }], value: backward.grads.w1[p.j][p.i] } };
}
