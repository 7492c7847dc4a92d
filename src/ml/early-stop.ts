import * as tf from '@tensorflow/tfjs';

/**
 * Early stopping with the best epoch kept: remembers the weights of the epoch with the lowest validation loss and
 * says to stop once `patience` epochs in a row have not lowered it (Keras' EarlyStopping with
 * restore_best_weights, min_delta 0). The copies live on the device, so restoring is a write, not a round trip.
 */
export class BestEpoch {
  epoch = 0;
  loss = Infinity;
  private waited = 0;
  private readonly saved = new Map<tf.Variable, tf.Tensor>();

  constructor(private readonly patience: number) {}

  /** Records an epoch's validation loss, copying `vars` when it is the best so far. True when training should stop. */
  update(epoch: number, loss: number, vars: readonly tf.Variable[]): boolean {
    if (loss < this.loss) {
      this.epoch = epoch;
      this.loss = loss;
      this.waited = 0;
      this.forget();
      vars.forEach((v) => this.saved.set(v, tf.clone(v)));
      return false;
    }
    return ++this.waited >= this.patience;
  }

  /**
   * Variables that start learning after the best epoch (a block released by gradual unfreezing): their values now
   * are still those of the best epoch, since they were frozen until now.
   */
  include(vars: readonly tf.Variable[]): void {
    if (!this.epoch) return;
    vars.forEach((v) => this.saved.has(v) || this.saved.set(v, tf.clone(v)));
  }

  /** Writes the best epoch's weights back. */
  restore(): void {
    this.saved.forEach((value, v) => v.assign(value));
  }

  dispose(): void {
    this.forget();
  }

  private forget(): void {
    this.saved.forEach((t) => t.dispose());
    this.saved.clear();
  }
}
