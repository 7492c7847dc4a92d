import * as tf from '@tensorflow/tfjs';
import { fromShared, shareGradients, type ModelCopy, type ShareRequest, type ShareResult } from './data-parallel';
import { FoldedWeights } from './fold';
import type { BaseSplit } from './suffix';

/** A model from its copy: the same layers, names and weights. */
async function rebuild(copy: ModelCopy): Promise<tf.LayersModel> {
  const model = await tf.models.modelFromJSON({ modelTopology: copy.topology as tf.io.ModelJSON['modelTopology'] });
  const weights = copy.weights.map((w) => tf.tensor(w.data, w.shape));
  model.setWeights(weights);
  // The variables now share these tensors' data: released here, the data goes with the model.
  tf.dispose(weights);
  return model;
}

/**
 * A peer's side of a data-parallel step (data-parallel.ts): a replica of the run's base and head that takes the
 * learning variables' current values, computes its share's gradient and hands it back. It never steps an optimizer:
 * the engine does, once, for the whole batch.
 */
export class Replica {
  private base: tf.LayersModel | null = null;
  private head: tf.Sequential | null = null;
  /** Unused by the suffix's training path (it folds under the tape), but a split carries one. */
  private readonly folds = new FoldedWeights();

  async share(request: ShareRequest): Promise<ShareResult> {
    const started = performance.now();
    if (request.model) await this.load(request.model);
    if (!this.base || !this.head) throw new Error('the replica holds no model yet');
    const vars = request.keys.map((k) => this.variable(k));
    const memory = new Float32Array(request.memory);
    tf.tidy(() => {
      let at = 0;
      for (const v of vars) v.assign(fromShared(memory.subarray(at, (at += v.size)), v.shape));
    });
    const split: BaseSplit = {
      prefix: [],
      suffix: this.base.layers.slice(request.from, request.to + 1),
      prefixEnd: request.from - 1,
      trainable: [],
      folds: this.folds,
    };
    const rows = request.shape.reduce((a, b) => a * b, 1);
    const features = fromShared(memory.subarray(request.size, request.size + rows), request.shape);
    const { value, hits, grads } = shareGradients(vars, split, this.head, features, Array.from(request.labels), {
      scale: request.scale,
      dropoutSeed: request.dropoutSeed,
    });
    // The gradients go where the values were, which have been read.
    let at = 0;
    grads.forEach((g, i) => {
      if (g) memory.set(g.dataSync() as Float32Array, at);
      else memory.fill(0, at, at + vars[i].size);
      at += vars[i].size;
    });
    const result = { loss: value.dataSync()[0], hits: hits.dataSync()[0], ms: performance.now() - started, loaded: request.model !== undefined };
    tf.dispose([features, value, hits, ...grads.filter((g) => g !== undefined)]);
    return result;
  }

  dispose(): void {
    this.base?.dispose();
    this.head?.dispose();
    this.base = this.head = null;
  }

  private async load(model: { base: ModelCopy; head: ModelCopy }): Promise<void> {
    this.dispose();
    this.base = await rebuild(model.base);
    this.head = (await rebuild(model.head)) as tf.Sequential;
  }

  /** The variable a key names (data-parallel.ts, variableKeys). */
  private variable(key: string): tf.Variable {
    const [, where, layer, weight] = /^([bh])(\d+)\.(\d+)$/.exec(key) ?? [];
    const model = where === 'b' ? this.base : this.head;
    const v = model?.layers[Number(layer)]?.weights[Number(weight)]?.read() as tf.Variable | undefined;
    if (!v) throw new Error(`the replica has no variable ${key}`);
    return v;
  }
}
