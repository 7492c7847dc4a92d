import * as tf from '@tensorflow/tfjs';
import type { ParamGroup } from './groups';
import { headLogits, kernelNorm } from './head';
import { suffixForward } from './suffix';
import type { BaseSplit } from './suffix';
import type { Sample } from './types';

/**
 * Data-parallel gradient steps: a batch's rows are shared between the engine and its peers (replicas of the run's
 * model, each an engine of one thread in a worker of its own), each computes the gradient of its share, and the
 * engine sums them and takes the optimizer step. With the mean loss L = (1/n) Σᵢ ℓᵢ over n rows cut into shares S_t,
 *   ∇L = Σ_t (|S_t|/n)·∇[(1/|S_t|) Σ_{i∈S_t} ℓᵢ],
 * so a share's loss is scaled by |S_t|/n and the sum is the whole batch's gradient: exact, since the suffix runs in
 * inference mode (BatchNorm reads its moving statistics, so no row depends on another). One hand-off per step and
 * peer instead of one per kernel: threads that contend for memory on every kernel each work alone here.
 */

/** A model as a peer loads it: topology and weights. */
export interface ModelCopy {
  topology: object;
  weights: { shape: number[]; data: Float32Array }[];
}

/** One share of a step, as a peer receives it. */
export interface ShareRequest {
  /** The run's base and head, when the peer does not hold them yet. */
  model?: { base: ModelCopy; head: ModelCopy };
  /** The variables that learn: `b<layer>.<weight>` in the base, `h<layer>.<weight>` in the head. */
  keys: string[];
  /**
   * Shared with the peer, so a step allocates nothing: the variables' values now (the previous step has just changed
   * them), `size` floats in `keys` order, then the share's frozen-prefix features. The peer writes its gradients over
   * the values.
   */
  memory: SharedArrayBuffer;
  size: number;
  /** The trainable suffix: base layers [from, to]. */
  from: number;
  to: number;
  /** The features' shape, rows first. */
  shape: number[];
  labels: Int32Array;
  numClasses: number;
  /** |share| / |batch|: the weight of this share's mean loss in the batch's. */
  scale: number;
  dropoutSeed?: number;
}

/** A share's scaled loss and correct predictions (its gradients are in the request's memory). */
export interface ShareResult {
  loss: number;
  hits: number;
  /** The share's time on the peer, and whether it loaded the model first. */
  ms: number;
  loaded: boolean;
}

/** Another engine that computes shares. `holds`: the run (any object standing for it) whose model it was last sent. */
export interface GradientPeer {
  holds: object | null;
  /** The memory its shares go through, kept between steps (grown when a share needs more). */
  memory: SharedArrayBuffer | null;
  share(request: ShareRequest): Promise<ShareResult>;
}

/** The engine's side of data parallelism (the worker provides it: src/worker/replicas.ts). */
export interface Parallel {
  /** Peers ready to take a share now; none while they start (they start on the first ask) or after one failed. */
  peers(): GradientPeer[];
  /** Runs the engine's own share with its own threads idle: the peers have the other cores. */
  solo<T>(compute: () => T): T;
  /** A peer failed: the engine keeps to its own threads from now on. */
  failed(err: unknown): void;
}

/** A share's loss and gradient on whatever engine runs it. */
export interface ShareGradients {
  value: tf.Scalar;
  hits: tf.Scalar;
  /** In `vars` order; undefined for a variable the loss does not reach. */
  grads: (tf.Tensor | undefined)[];
}

/**
 * The gradient of `scale`·(mean softmax cross-entropy over the rows) (+ λ·Σ‖W‖² over the head's kernels when `l2`
 * > 0) for `vars`, with the suffix and head in inference mode; the number of correct predictions beside it.
 */
export function shareGradients(
  vars: tf.Variable[],
  split: BaseSplit,
  head: tf.Sequential,
  features: tf.Tensor,
  labels: readonly number[],
  { scale = 1, l2 = 0, dropoutSeed }: { scale?: number; l2?: number; dropoutSeed?: number },
): ShareGradients {
  let hits: tf.Scalar | null = null;
  const truth = tf.tensor1d(labels as number[], 'int32');
  const y = tf.oneHot(truth, head.outputs[0].shape[1] as number);
  const { value, grads } = tf.variableGrads(() => {
    const logits = headLogits(head, suffixForward(split, features), dropoutSeed);
    hits = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), truth), 'float32'))) as tf.Scalar;
    const mean = tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar;
    const loss: tf.Scalar = scale === 1 ? mean : mean.mul(scale);
    return l2 > 0 ? loss.add(kernelNorm(head).mul(l2)) : loss;
  }, vars);
  // Kept to outlive the loss's scope; a clone puts it in the caller's scope like the rest.
  const counted = tf.clone(hits!) as tf.Scalar;
  tf.dispose([truth, y, hits!]);
  return { value, hits: counted, grads: vars.map((v) => grads[v.name]) };
}

/** Where each learning variable sits: `b<i>.<j>` for weight j of base layer i, `h<i>.<j>` in the head. */
export function variableKeys(vars: readonly tf.Variable[], split: BaseSplit, head: tf.Sequential): string[] {
  const at = new Map<tf.Variable, string>();
  split.suffix.forEach((l, k) => l.weights.forEach((w, j) => at.set(w.read() as tf.Variable, `b${split.prefixEnd + 1 + k}.${j}`)));
  head.layers.forEach((l, i) => l.weights.forEach((w, j) => at.set(w.read() as tf.Variable, `h${i}.${j}`)));
  return vars.map((v) => {
    const key = at.get(v);
    if (!key) throw new Error(`data-parallel step: variable ${v.name} is in neither the suffix nor the head`);
    return key;
  });
}

/** A model's topology and a copy of every weight. */
export function modelCopy(model: tf.LayersModel): ModelCopy {
  return {
    topology: model.toJSON(null, false) as object,
    weights: model.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync() as Float32Array })),
  };
}

/**
 * A float32 tensor's values without a copy where the backend keeps them in one heap (wasm: a view, valid until the
 * heap grows), else through dataSync: fresh memory costs page faults on every step.
 */
function floats(t: tf.Tensor): Float32Array {
  const backend = tf.backend() as Partial<{ typedArrayFromHeap(t: tf.TensorInfo): Float32Array }>;
  return backend.typedArrayFromHeap ? backend.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/** A tensor of floats read from shared memory: copied onto wasm's heap by the backend, copied here for one that would keep the view. */
export const fromShared = (view: Float32Array, shape: number[]) => tf.tensor(tf.getBackend() === 'wasm' ? view : view.slice(), shape);

/**
 * Row bounds of n rows shared by engines in proportion to their speed (`pace`: ms per row each, lower is faster),
 * every engine at least one row: the step waits for the slowest, so a faster engine takes more.
 */
export function shareRows(n: number, pace: readonly number[]): number[] {
  const speed = pace.map((ms) => 1 / Math.max(ms, 1e-3));
  const total = speed.reduce((a, b) => a + b, 0);
  const ideal = speed.map((v) => Math.max(1, (n * v) / total));
  const rows = ideal.map(Math.floor);
  // The rows left over go to the largest fractions, then any excess comes off the largest shares.
  const order = ideal.map((v, t) => [v - Math.floor(v), t]).sort((a, b) => b[0] - a[0]).map(([, t]) => t);
  for (let i = 0; rows.reduce((a, b) => a + b, 0) < n; i++) rows[order[i % order.length]]++;
  while (rows.reduce((a, b) => a + b, 0) > n) rows[rows.indexOf(Math.max(...rows))]--;
  return rows.reduce((b, r) => [...b, b[b.length - 1] + r], [0]);
}

/** Each engine's ms per row over recent steps (the engine's first, then its peers'), per Parallel. */
const paces = new WeakMap<Parallel, number[]>();

/** One run's step, as the trainer describes it. */
export interface ParallelStep {
  /** The run: peers reload the model when it changes. */
  run: object;
  base: tf.LayersModel;
  groups: readonly ParamGroup[];
  split: BaseSplit;
  head: tf.Sequential;
  /** The batch's frozen-prefix features; released here. */
  features: tf.Tensor;
  batch: readonly Sample[];
  l2?: number;
  dropoutSeed?: number;
}

/**
 * One gradient step with the batch shared between the engine and its ready peers (see the top of this file). Null
 * when it cannot be shared (no peers, fewer rows than engines, nothing of the base learning) or a peer failed: the
 * caller then takes the step alone; nothing has changed and `features` is still held.
 */
export async function parallelStep(parallel: Parallel, s: ParallelStep): Promise<tf.Tensor1D | null> {
  const peers = parallel.peers();
  const n = s.batch.length;
  if (!peers.length || n < peers.length + 1 || !s.split.suffix.length) return null;
  const vars = s.groups.flatMap((g) => g.vars);
  const keys = variableKeys(vars, s.split, s.head);
  const size = vars.reduce((k, v) => k + v.size, 0);
  const known = paces.get(parallel);
  const pace = known?.length === peers.length + 1 ? known : new Array<number>(peers.length + 1).fill(1);
  const rows = shareRows(n, pace);
  const labels = s.batch.map((x) => x.label);
  const numClasses = s.head.outputs[0].shape[1] as number;
  const model = peers.some((p) => p.holds !== s.run) ? { base: modelCopy(s.base), head: modelCopy(s.head) } : undefined;
  const rowSize = s.features.size / n;
  // Posted before the engine computes its own share, so every engine works at once.
  const pending = peers.map((peer, k) => {
    const [a, b] = [rows[k + 1], rows[k + 2]];
    const needed = size + (b - a) * rowSize;
    // With room to spare: the share's rows follow its engine's pace from step to step.
    if (!peer.memory || peer.memory.byteLength < 4 * needed) peer.memory = new SharedArrayBuffer(4 * Math.ceil(needed * 1.25));
    const memory = new Float32Array(peer.memory);
    vars.reduce((at, v) => (memory.set(floats(v), at), at + v.size), 0);
    memory.set(floats(s.features).subarray(a * rowSize, b * rowSize), size);
    const request: ShareRequest = {
      model: peer.holds === s.run ? undefined : model,
      keys,
      memory: peer.memory,
      size,
      from: s.split.prefixEnd + 1,
      to: s.split.prefixEnd + s.split.suffix.length,
      shape: [b - a, ...s.features.shape.slice(1)],
      labels: Int32Array.from(labels.slice(a, b)),
      numClasses,
      scale: (b - a) / n,
      dropoutSeed: s.dropoutSeed === undefined ? undefined : s.dropoutSeed + k + 1,
    };
    return peer.share(request).then((r) => ((peer.holds = s.run), r));
  });
  const started = performance.now();
  let own: ShareGradients;
  try {
    own = parallel.solo(() =>
      tf.tidy(() => {
        const mine = tf.slice(s.features, 0, rows[1]);
        const g = shareGradients(vars, s.split, s.head, mine, labels.slice(0, rows[1]), { scale: rows[1] / n, l2: s.l2, dropoutSeed: s.dropoutSeed });
        return { value: g.value, hits: g.hits, grads: g.grads };
      }),
    );
  } catch (err) {
    // A backend failure ends the run (the trainer reports it): the batch is released as a step alone would.
    s.features.dispose();
    throw err;
  }
  const ownMs = performance.now() - started;
  const settled = await Promise.allSettled(pending);
  const failure = settled.find((r) => r.status === 'rejected');
  if (failure) {
    tf.dispose([own.value, own.hits, ...own.grads.filter((g) => g !== undefined)]);
    parallel.failed((failure as PromiseRejectedResult).reason);
    return null;
  }
  const results = settled.map((r) => (r as PromiseFulfilledResult<ShareResult>).value);
  // Paced on each engine's own clock (a reply waits for the engine's share to end before it is read); a step that
  // loaded a model says nothing of speed.
  if (!results.some((r) => r.loaded)) {
    const fresh = [ownMs / rows[1], ...results.map((r, k) => r.ms / (rows[k + 2] - rows[k + 1]))];
    paces.set(parallel, fresh.map((ms, t) => (known === pace ? (pace[t] + ms) / 2 : ms)));
  }
  try {
    return tf.tidy(() => {
      let at = 0;
      const grads = vars.map((v, i) => {
        const from = at;
        at += v.size;
        // No gradient here (the variable does not reach the loss) means none on the peers either: Adam skips it.
        const mine = own.grads[i];
        return mine && peers.reduce((sum, p) => tf.add(sum, fromShared(new Float32Array(p.memory!, 4 * from, v.size), v.shape)), mine);
      });
      let k = 0;
      for (const g of s.groups) g.optimizer.applyGradients(g.vars.map((v) => ({ name: v.name, tensor: grads[k++] as tf.Tensor })));
      const loss = results.reduce((sum, r) => sum + r.loss, 0);
      const hits = results.reduce((sum, r) => sum + r.hits, 0);
      return tf.stack([tf.add(own.value, loss), tf.add(own.hits, hits)]) as tf.Tensor1D;
    });
  } finally {
    tf.dispose([own.value, own.hits, ...own.grads.filter((g) => g !== undefined), s.features]);
  }
}
