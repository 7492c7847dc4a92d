import * as tf from '@tensorflow/tfjs';
import type { Gradients, TinyMlp } from './mlp';

/** Flat (name, value) list in a fixed order, the order checkAgainstTfGrad reports in. */
function flatten(g: Gradients): { name: string; value: number }[] {
  return [
    ...g.w1.flatMap((w, j) => w.map((value, i) => ({ name: `w1[${j}][${i}]`, value }))),
    ...g.b1.map((value, j) => ({ name: `b1[${j}]`, value })),
    ...g.w2.map((value, j) => ({ name: `w2[${j}]`, value })),
    { name: 'b2', value: g.b2 },
  ];
}

/**
 * The same network and loss written with tfjs ops in float32, differentiated by `tf.grads`, compared with the
 * hand-derived gradients. Agreement shows the chain rule above is the one autodiff applies.
 */
export async function checkAgainstTfGrad(
  net: TinyMlp,
  x: [number, number],
  target: number,
): Promise<{ maxDiff: number; pairs: { name: string; analytic: number; tf: number }[] }> {
  const analytic = flatten(net.trace(x, target).backward.grads);
  // Read back asynchronously: a synchronous GPU read breaks the WebGPU device in Chromium.
  const grads = tf.tidy(() => {
    const input = tf.tensor2d([x], [1, 2]);
    const loss = (w1: tf.Tensor, b1: tf.Tensor, w2: tf.Tensor, b2: tf.Tensor) => {
      const z1 = input.matMul(w1, false, true).add(b1);
      const a1 = net.config.activation === 'relu' ? tf.relu(z1) : tf.sigmoid(z1);
      const yHat = tf.sigmoid(a1.matMul(w2.reshape([-1, 1])).add(b2)).reshape([]);
      return net.config.loss === 'mse'
        ? yHat.sub(target).square().mul(0.5)
        : tf.neg(tf.log(yHat).mul(target).add(tf.log(tf.sub(1, yHat)).mul(1 - target)));
    };
    return tf.grads(loss)([tf.tensor2d(net.w1), tf.tensor1d(net.b1), tf.tensor1d(net.w2), tf.scalar(net.b2)]);
  });
  const fromTf = (await Promise.all(grads.map((g) => g.data()))).flatMap((d) => Array.from(d));
  tf.dispose(grads);
  const pairs = analytic.map((a, k) => ({ name: a.name, analytic: a.value, tf: fromTf[k] }));
  return { maxDiff: Math.max(...pairs.map((p) => Math.abs(p.analytic - p.tf))), pairs };
}
