import * as tf from '@tensorflow/tfjs';
import { convolve, foldWeights } from './fold';
import type { ConvBlock } from './fold';
import { RELU6_BACKPROP } from './kernels-wasm';

type Attrs = Record<string, unknown>;
const runKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Attrs) => tf.engine().runKernel(name, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;

/**
 * ReLU6's backward read off its output: m = dy ⊙ [0 < y < 6] (y was clamped, so the mask is where it was not) and
 * Σ_{n,h,w} m, the gradient of the bias added before the clamp. One pass of our own kernel where the backend has it.
 */
export function relu6Backprop(dy: tf.Tensor, y: tf.Tensor): [tf.Tensor, tf.Tensor] {
  if (tf.getKernel(RELU6_BACKPROP, tf.getBackend())) return tf.engine().runKernel(RELU6_BACKPROP, { dy, y }) as unknown as [tf.Tensor, tf.Tensor];
  return tf.tidy(() => {
    const m = tf.mul(dy, tf.cast(tf.logicalAnd(tf.greater(y, 0), tf.less(y, 6)), 'float32'));
    return [m, tf.sum(m, [0, 1, 2])];
  });
}

/**
 * A trainable block as one fused convolution, y = relu6(conv(x, W′) + b′) with W′ = W·a, b′ = β − μ·a (fold.ts),
 * and its gradient written out, since tfjs' fused ops cannot differentiate ReLU6: with m = dy ⊙ [0 < y < 6],
 *   ∂b′ = Σ_{n,h,w} m,   ∂W′ = the convolution's filter gradient of (x, m),   ∂x = its input gradient of (m, W′);
 * the chain W′ → W, γ and b′ → γ, β is left to autodiff (per-channel products). ∂x is skipped when x needs none
 * (the first layer's input is the cached photo or features: ~45 ms of wasm's stride-2 input gradient per 16 photos).
 */
export function trainableBlock(block: ConvBlock, x: tf.Tensor4D, inputNeedsGradient: boolean): tf.Tensor4D {
  const { filter, bias } = foldWeights(block);
  const { strides, padding: pad } = block.conv.getConfig() as unknown as { strides: [number, number]; padding: 'same' | 'valid' };
  const gradients = (input: tf.Tensor4D, w: tf.Tensor4D, y: tf.Tensor4D, dy: tf.Tensor4D) => {
    const [m, dBias] = block.relu6 ? relu6Backprop(dy, y) : [dy, tf.sum(dy, [0, 1, 2])];
    const dFilter = block.depthwise
      ? runKernel('DepthwiseConv2dNativeBackpropFilter', { x: input, dy: m }, { strides, pad, dilations: 1, filterShape: w.shape })
      : runKernel('Conv2DBackpropFilter', { x: input, dy: m }, { strides, pad, dataFormat: 'NHWC', filterShape: w.shape });
    const dx = !inputNeedsGradient
      ? null
      : block.depthwise
        ? runKernel('DepthwiseConv2dNativeBackpropInput', { dy: m, filter: w }, { strides, pad, dilations: 1, inputShape: input.shape })
        : runKernel('Conv2DBackpropInput', { dy: m, filter: w }, { strides, pad, dataFormat: 'NHWC', inputShape: input.shape });
    if (m !== dy) m.dispose();
    return { dx, dFilter, dBias };
  };
  // The input is an argument of the op only when it needs a gradient: customGrad wants one for every argument.
  const op = tf.customGrad((...args) => {
    const save = args.at(-1) as tf.GradSaveFunc;
    const [input, w, b] = (inputNeedsGradient ? args : [x, ...args]) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor1D];
    const y = convolve(block, input, w, b);
    save([input, w, y]);
    return {
      value: y,
      gradFunc: (dy, [i, wt, out]) => {
        const g = gradients(i as tf.Tensor4D, wt as tf.Tensor4D, out as tf.Tensor4D, dy as tf.Tensor4D);
        return inputNeedsGradient ? [g.dx!, g.dFilter, g.dBias] : [g.dFilter, g.dBias];
      },
    };
  });
  return (inputNeedsGradient ? op(x, filter, bias) : op(filter, bias)) as tf.Tensor4D;
}
