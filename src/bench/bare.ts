import * as tf from '@tensorflow/tfjs';
import type { MobileNet } from '../ml';
import { truncatedModel, EMBEDDING_LAYER } from '../ml';
import type { Pixels } from '../ml/types';

/**
 * The engine's work written as the plain tfjs loop a tutorial would: the reference for the engine's overhead.
 * Same input as the engine (224×224 centre squares, so no resize), same scaling, same batches of 16.
 */
export function bareInput(images: Pixels[]): tf.Tensor4D {
  return tf.tidy(() =>
    tf.stack(
      images.map((p) => {
        const t = tf.tensor3d(Float32Array.from(p.data), [p.height, p.width, p.channels]);
        const rgb = p.channels === 4 ? t.slice([0, 0, 0], [-1, -1, 3]) : t;
        return rgb.div(127.5).sub(1);
      }),
    ) as tf.Tensor4D,
  );
}

/** Wall ms to compute pooled conv_pw_13_relu embeddings of every image in batches of 16, kept as one tensor. */
export async function bareEmbed(net: MobileNet, images: Pixels[]): Promise<{ ms: number; embeddings: tf.Tensor2D }> {
  const cut = truncatedModel(net, EMBEDDING_LAYER);
  const t0 = performance.now();
  const parts: tf.Tensor2D[] = [];
  for (let i = 0; i < images.length; i += 16) {
    const x = bareInput(images.slice(i, i + 16));
    const e = tf.tidy(() => (cut.predict(x) as tf.Tensor4D).mean([1, 2]) as tf.Tensor2D);
    await e.data();
    x.dispose();
    parts.push(e);
  }
  const embeddings = tf.concat(parts) as tf.Tensor2D;
  tf.dispose(parts);
  await embeddings.data();
  return { ms: performance.now() - t0, embeddings };
}

/** ms of each epoch of model.fit on cached embeddings: Dense(100, relu) → Dense(k, softmax), Adam, batch 16. */
export async function bareHeadEpochs(embeddings: tf.Tensor2D, labels: number[], k: number, epochs: number): Promise<number[]> {
  const head = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [embeddings.shape[1]], units: 100, activation: 'relu' }),
      tf.layers.dense({ units: k, activation: 'softmax' }),
    ],
  });
  head.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const y = tf.oneHot(labels, k).toFloat();
  const times: number[] = [];
  for (let e = 0; e < epochs; e++) {
    const t0 = performance.now();
    await head.fit(embeddings, y, { epochs: 1, batchSize: 16, shuffle: true, verbose: 0 });
    times.push(performance.now() - t0);
  }
  y.dispose();
  head.dispose();
  return times;
}
