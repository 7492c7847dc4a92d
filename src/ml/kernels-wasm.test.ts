import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { installWasmKernels } from './kernels-wasm';
import { testNet } from './testing/fixtures';
import { relativeDiff } from './testing/compare';

interface ConvShape {
  layers: string[];
  depthwise: boolean;
  input: number[];
  kernel: number[];
  stride: number;
}

/** Every distinct convolution of the model: kind, input, kernel and stride, read from its layers. */
function convShapes(model: tf.LayersModel): ConvShape[] {
  const shapes = new Map<string, ConvShape>();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') continue;
    const input = (layer.inputSpec?.[0]?.shape ?? (layer.input as tf.SymbolicTensor).shape).slice(1) as number[];
    const kernel = layer.getWeights()[0].shape;
    const stride = (layer.getConfig() as { strides: number[] }).strides[0];
    const key = `${cls} ${input} ${kernel} ${stride}`;
    const entry = shapes.get(key) ?? { layers: [], depthwise: cls === 'DepthwiseConv2D', input, kernel, stride };
    entry.layers.push(layer.name);
    shapes.set(key, entry);
  }
  return [...shapes.values()];
}

/** dx and dW of L = Σ conv(x, W) ⊙ r (so dy = r) on a backend, through its gradient kernels. */
async function gradients(backend: string, s: ConvShape, x: Float32Array, w: Float32Array, r: Float32Array): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const grads = tf.tidy(() => {
    const xs = tf.tensor4d(x, [3, ...s.input] as [number, number, number, number]);
    const ws = tf.tensor4d(w, s.kernel as [number, number, number, number]);
    const conv = (a: tf.Tensor, b: tf.Tensor) =>
      s.depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, s.stride, 'same') : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, s.stride, 'same');
    const y = conv(xs, ws);
    const rs = tf.tensor(r, y.shape);
    return tf.grads((a: tf.Tensor, b: tf.Tensor) => conv(a, b).mul(rs).sum())([xs, ws]);
  });
  const values = (await Promise.all(grads.map((g) => g.data()))) as Float32Array[];
  tf.dispose(grads);
  return values;
}

const random = (shape: number[], seed: number) => tf.tidy(() => tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array);

let shapes: ConvShape[];

beforeAll(async () => {
  const net = await testNet();
  await tf.setBackend('wasm');
  installWasmKernels();
  shapes = convShapes(net.model).filter((s) => !s.layers.includes('conv_preds'));
});

describe('wasm gradient kernels', () => {
  it('cover every convolution shape of MobileNet v1: both strides, 3×3 and 1×1, depthwise and full', () => {
    expect(shapes.filter((s) => s.depthwise).map((s) => s.stride).sort()).toEqual([1, 1, 1, 1, 1, 2, 2, 2, 2]);
    const conv1 = shapes.find((s) => s.layers.includes('conv1'))!;
    expect(conv1).toMatchObject({ depthwise: false, stride: 2 });
    expect(conv1.kernel.slice(0, 3)).toEqual([3, 3, 3]);
    expect(shapes.filter((s) => !s.depthwise && s.kernel[0] === 1)).toHaveLength(9);
  });

  it('equal tfjs-backend-cpu within 1e-4 relative for each shape, batch 3 (dx and dW)', async () => {
    for (const [k, s] of shapes.entries()) {
      const x = random([3, ...s.input], 3 * k + 1);
      const w = random(s.kernel, 3 * k + 2);
      const outH = Math.ceil(s.input[0] / s.stride);
      const outW = Math.ceil(s.input[1] / s.stride);
      const r = random([3, outH, outW, s.depthwise ? s.input[2] : s.kernel[3]], 3 * k + 3);
      const [wasmDx, wasmDw] = await gradients('wasm', s, x, w, r);
      const [cpuDx, cpuDw] = await gradients('cpu', s, x, w, r);
      const label = `${s.layers[0]} (${s.depthwise ? 'depthwise' : 'conv'} ${s.kernel.join('×')} stride ${s.stride} on ${s.input.join('×')})`;
      expect(relativeDiff(wasmDw, cpuDw), `dW ${label}`).toBeLessThan(1e-4);
      expect(relativeDiff(wasmDx, cpuDx), `dx ${label}`).toBeLessThan(1e-4);
    }
  });

  it('handle odd sizes, stride 2 "same" padding (extra row bottom/right) and a channel multiplier', async () => {
    const odd: ConvShape[] = [
      { layers: ['odd depthwise ×2'], depthwise: true, input: [15, 13, 5], kernel: [3, 3, 5, 2], stride: 2 },
      { layers: ['odd conv'], depthwise: false, input: [15, 13, 5], kernel: [3, 3, 5, 4], stride: 2 },
      { layers: ['odd pointwise'], depthwise: false, input: [9, 7, 6], kernel: [1, 1, 6, 4], stride: 2 },
    ];
    for (const [k, s] of odd.entries()) {
      const x = random([3, ...s.input], 100 + k);
      const w = random(s.kernel, 200 + k);
      const outC = s.depthwise ? s.input[2] * s.kernel[3] : s.kernel[3];
      const r = random([3, Math.ceil(s.input[0] / s.stride), Math.ceil(s.input[1] / s.stride), outC], 300 + k);
      const [wasmDx, wasmDw] = await gradients('wasm', s, x, w, r);
      const [cpuDx, cpuDw] = await gradients('cpu', s, x, w, r);
      expect(relativeDiff(wasmDw, cpuDw), `dW ${s.layers[0]}`).toBeLessThan(1e-4);
      expect(relativeDiff(wasmDx, cpuDx), `dx ${s.layers[0]}`).toBeLessThan(1e-4);
    }
  });

  it('leave no wasm memory behind (conv1, a pointwise, depthwise stride 1 and 2)', async () => {
    await tf.setBackend('wasm');
    const picks = [
      shapes.find((v) => v.layers.includes('conv1'))!,
      shapes.find((v) => !v.depthwise && v.kernel[0] === 1)!,
      shapes.find((v) => v.depthwise && v.stride === 1)!,
      shapes.find((v) => v.depthwise && v.stride === 2)!,
    ];
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = [tf.memory().numTensors, backend.numDataIds()];
    for (const s of picks) {
      const outC = s.depthwise ? s.input[2] : s.kernel[3];
      await gradients('wasm', s, random([3, ...s.input], 1), random(s.kernel, 2), random([3, s.input[0] / s.stride, s.input[1] / s.stride, outC], 3));
    }
    expect([tf.memory().numTensors, backend.numDataIds()]).toEqual(before);
  });
});
