import * as tf from '@tensorflow/tfjs';
import { FoldedWeights } from './fold';
import { EMBEDDING_LAYER } from './mobilenet';
import type { MobileNet } from './mobilenet';

/**
 * The trainer's own copy of the base. Fine-tuning writes into it, never into the shared MobileNet,
 * which stays the pristine ImageNet source for classify() and for resetting the copy.
 * Per-layer versions let a bottleneck cache know whether the frozen prefix it came from still holds.
 */
export class TunableBase {
  /** Layers in chain order; index 0 is the input layer. */
  readonly layers: tf.layers.Layer[];
  /** Index of the embedding layer: the pipeline ends there and the ImageNet head is dropped. */
  readonly cutIndex: number;
  /** Its conv + BatchNorm blocks folded for inference, refolded as their weights change; untrained ones are the net's. */
  readonly folds: FoldedWeights;
  private readonly versions: number[];
  private readonly tuned = new Set<number>();
  private clock = 0;

  private constructor(
    readonly model: tf.LayersModel,
    private readonly pristine: tf.LayersModel,
    shared: FoldedWeights,
  ) {
    this.layers = model.layers;
    this.folds = new FoldedWeights({ folds: shared, pristine: (block) => this.holdsPristine(block.conv) && this.holdsPristine(block.bn) });
    this.cutIndex = this.layers.findIndex((l) => l.name === EMBEDDING_LAYER);
    this.versions = this.layers.map(() => 0);
  }

  static async copy(net: MobileNet): Promise<TunableBase> {
    const topology = net.model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'];
    const model = await tf.models.modelFromJSON({ modelTopology: topology });
    model.setWeights(net.model.getWeights());
    return new TunableBase(model, net.model, net.folds);
  }

  /** Names of the layers whose weights differ from ImageNet's (what a saved project must carry). */
  get tunedLayers(): string[] {
    return [...this.tuned].sort((a, b) => a - b).map((i) => this.layers[i].name);
  }

  /** Records that gradient steps changed these layers. */
  markTrained(indexes: readonly number[]): void {
    indexes.forEach((i) => this.tuned.add(i));
    this.bump(indexes);
  }

  /** Back to the ImageNet weights (only the layers that moved). */
  reset(): void {
    const source = this.pristine.layers;
    const moved = [...this.tuned];
    moved.forEach((i) => this.layers[i].weights.forEach((w, j) => w.write(source[i].weights[j].read())));
    this.tuned.clear();
    this.bump(moved);
  }

  /** A stamp that changes whenever any layer in [1, end] changes: the key of a cache of layer `end`'s output. */
  stampUpTo(end: number): number {
    return Math.max(0, ...this.versions.slice(0, end + 1));
  }

  dispose(): void {
    this.folds.dispose();
    this.model.dispose();
  }

  /** The layer still holds the downloaded weights (each write swaps a variable's data; reset() shares them again). */
  private holdsPristine(layer: tf.layers.Layer): boolean {
    const source = this.pristine.layers[this.layers.indexOf(layer)];
    return source !== undefined && layer.weights.every((w, j) => w.read().dataId === source.weights[j]?.read().dataId);
  }

  private bump(indexes: readonly number[]): void {
    this.clock++;
    for (const i of indexes) this.versions[i] = this.clock;
  }
}
