import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { installFastCpuKernels } from './kernels';

/** ∂/∂W of Σ conv2d(x, W, 'same') ⊙ dy through tfjs' Conv2DBackpropFilter kernel. */
const filterGrad = (x: tf.Tensor4D, dy: tf.Tensor4D, k: number) =>
  tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, 1, 'same').mul(dy).sum())(tf.zeros([k, k, x.shape[3], dy.shape[3]]));

/** The same gradient written out: dW[r][c] = Σ_pixels shifted(x)ᵀ · dy. */
function reference(x: tf.Tensor4D, dy: tf.Tensor4D, k: number): tf.Tensor {
  const pad = (k - 1) / 2;
  const padded = x.pad([[0, 0], [pad, pad], [pad, pad], [0, 0]]);
  const [n, h, w, inC] = x.shape;
  const taps = [];
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      const shifted = padded.slice([0, r, c, 0], [n, h, w, inC]).reshape([-1, inC]);
      taps.push(tf.matMul(shifted, dy.reshape([-1, dy.shape[3]]), true, false));
    }
  }
  return tf.stack(taps).reshape([k, k, inC, dy.shape[3]]);
}

describe('fast cpu kernels', () => {
  it("match tfjs-backend-cpu's own kernels: 1×1 convolution and depthwise filter gradients, stride 1 and 2", async () => {
    await tf.setBackend('cpu');
    const x = tf.relu(tf.randomNormal([3, 9, 8, 6], 0, 1, 'float32', 5)) as tf.Tensor4D;
    const pw = tf.randomNormal([1, 1, 6, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
    const cases = () => [
      tf.conv2d(x, pw, 1, 'same'),
      ...[1, 2].map((s) => {
        const dy = tf.randomNormal([3, Math.ceil(9 / s), Math.ceil(8 / s), 12], 0, 1, 'float32', 7 + s);
        return tf.grad((w: tf.Tensor) => tf.depthwiseConv2d(x, w as tf.Tensor4D, s, 'same').mul(dy).sum())(tf.zeros([3, 3, 6, 2]));
      }),
    ];
    const reference = cases();
    installFastCpuKernels();
    const fast = cases();
    fast.forEach((f, i) => {
      const scale = tf.max(tf.abs(reference[i])).dataSync()[0];
      expect(tf.max(tf.abs(f.sub(reference[i]))).dataSync()[0] / scale, `case ${i}`).toBeLessThan(1e-5);
    });
  });


  it('gives xᵀ·dy for 1×1 filters and leaves 3×3 filters to tfjs, both exact', async () => {
    await tf.setBackend('cpu');
    installFastCpuKernels();
    const x = tf.relu(tf.randomNormal([2, 4, 4, 5], 0, 1, 'float32', 1)) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    for (const k of [1, 3]) {
      const diff = tf.max(tf.abs(filterGrad(x, dy, k).sub(reference(x, dy, k)))).dataSync()[0];
      expect(diff, `${k}×${k}`).toBeLessThan(1e-5);
    }
  });

  it('gives dy·Wᵀ as the input gradient of a 1×1 convolution, exact', async () => {
    await tf.setBackend('cpu');
    installFastCpuKernels();
    const w = tf.randomNormal([1, 1, 5, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const dx = tf.grad((x: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, w, 1, 'same').mul(dy).sum())(tf.zeros([2, 4, 4, 5]));
    const expected = tf.matMul(dy.reshape([-1, 3]), w.reshape([5, 3]), false, true).reshape([2, 4, 4, 5]);
    expect(tf.max(tf.abs(dx.sub(expected))).dataSync()[0]).toBeLessThan(1e-5);
  });
});
