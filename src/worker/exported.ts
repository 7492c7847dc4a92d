import type * as tf from '@tensorflow/tfjs';
import type { Trainer } from '../ml';

/**
 * Gives back the references a trainer's exported pipeline holds. exportModel() applies the pooling layer and the
 * head's layers once more, which raises their reference counts, so the next head's dispose() would leave the old
 * weights behind (+4 tensors per training run); the base layers are not applied again and are left alone.
 */
export function release(exported: tf.LayersModel): void {
  const from = exported.layers.findIndex((l) => l.name === 'embedding_pool');
  if (from >= 0) exported.layers.slice(from).forEach((l) => l.dispose());
}

/** Runs `use` on the trainer's whole pipeline (image → classes, sharing its weights), then releases it. */
export async function withExported<T>(trainer: Trainer, use: (model: tf.LayersModel) => Promise<T>): Promise<T> {
  const model = trainer.exportModel();
  try {
    return await use(model);
  } finally {
    release(model);
  }
}
