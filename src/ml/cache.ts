import * as tf from '@tensorflow/tfjs';
import type { PixelSource, Sample } from './types';

/**
 * Bottleneck cache: one frozen-prefix activation per photo, computed once. Valid while the cut layer
 * (`key`) and the prefix weights (`stamp`) stay the same; entries follow the photos (same id and pixels).
 */
export class BottleneckCache {
  private readonly entries = new Map<string, { pixels: PixelSource; value: tf.Tensor }>();

  constructor(
    readonly key: string,
    readonly stamp: number,
  ) {}

  /** Photos with no activation yet (new, or their pixels were replaced). */
  missing<T extends Sample>(samples: readonly T[]): T[] {
    return samples.filter((s) => this.entries.get(s.id)?.pixels !== s.pixels);
  }

  /** Stores a batch of activations (first axis = photo), taking ownership of `values`. */
  put(samples: readonly Sample[], values: tf.Tensor): void {
    const rows = tf.unstack(values);
    values.dispose();
    samples.forEach((s, i) => {
      this.entries.get(s.id)?.value.dispose();
      this.entries.set(s.id, { pixels: s.pixels, value: rows[i] });
    });
  }

  /** Stacks the cached activations of these photos into a batch. */
  batch(samples: readonly Sample[]): tf.Tensor {
    return tf.stack(samples.map((s) => this.entries.get(s.id)!.value));
  }

  /** Drops photos no longer in the project. */
  keepOnly(samples: readonly Sample[]): void {
    const ids = new Set(samples.map((s) => s.id));
    for (const [id, entry] of this.entries) {
      if (!ids.has(id)) {
        entry.value.dispose();
        this.entries.delete(id);
      }
    }
  }

  get bytes(): number {
    let n = 0;
    for (const { value } of this.entries.values()) n += value.size * 4;
    return n;
  }

  dispose(): void {
    for (const { value } of this.entries.values()) value.dispose();
    this.entries.clear();
  }
}
