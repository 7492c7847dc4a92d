import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { relu6Backprop } from './block-grad';
import { centreView, toInputBatch } from './image';
import { installWasmKernels, useKernelThreads } from './kernels-wasm';
import { partialSize, runRows, taskRows, type RowTask } from './row-kernels';
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

/** ReLU6's backward (masked dy, its sums per channel) on a backend, for y clamped to [0, 6] with values on both kinks. */
async function relu6Grads(backend: string): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const shape: [number, number, number, number] = [3, 28, 28, 32];
  const out = tf.tidy(() => relu6Backprop(tf.tensor4d(random(shape, 11), shape), tf.tensor4d(random(shape, 12), shape).mul(4).add(3).clipByValue(0, 6)));
  const values = (await Promise.all(out.map((o) => o.data()))) as Float32Array[];
  tf.dispose(out);
  return values;
}

describe('wasm kernels of our own', () => {
  it("ReLU6's backward from its output: dy where 0 < y < 6 and its sums per channel, as cpu's composite", async () => {
    const [wasmMasked, wasmSums] = await relu6Grads('wasm');
    const [cpuMasked, cpuSums] = await relu6Grads('cpu');
    expect(wasmMasked).toEqual(cpuMasked);
    expect(relativeDiff(wasmSums, cpuSums)).toBeLessThan(1e-5);
    // Both kinks are in play: a fifth or so of y sits on 0 and on 6 (mask 0), the rest passes dy through.
    const zeros = cpuMasked.filter((v) => v === 0).length / cpuMasked.length;
    expect(zeros).toBeGreaterThan(0.3);
    expect(zeros).toBeLessThan(0.7);
  });

  it('a clone shares its data (no copy) and the data goes with its last holder', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = backend.numDataIds();
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(before + 1);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(backend.numDataIds()).toBe(before);
  });

  it("slices, unstacks and makes photos' input as cpu does, leaving no wasm memory behind", async () => {
    const on = async (backend: string) => {
      await tf.setBackend(backend);
      const before = tf.memory().numTensors;
      const x = tf.tensor4d(random([3, 5, 4, 2], 3), [3, 5, 4, 2]);
      const ints = tf.tensor2d([[1, 2], [3, 4], [5, 6]], [3, 2], 'int32');
      const photos = [3, 4, 4].map((channels, k) => ({
        width: 5, height: 2, channels: channels as 3 | 4, data: Uint8ClampedArray.from({ length: 10 * channels }, (_, i) => (i * 37 + k * 11) % 256),
      }));
      // Contiguous slices (one row, the middle rows) go through heapSlice, a strided one through wasm's own.
      const parts = [tf.slice(x, [1], [1]), tf.slice(x, [1, 2], [1, 2]), tf.slice(x, [0, 1, 1, 0], [3, 2, 2, 1]), ...tf.unstack(x), ...tf.unstack(ints), ...tf.unstack(x, 1)];
      const input = toInputBatch(photos, photos.map(centreView));
      const values = await Promise.all([...parts, input].map((t) => t.data()));
      tf.dispose([x, ints, ...parts, input]);
      expect(tf.memory().numTensors).toBe(before);
      return values.map((v) => Array.from(v));
    };
    const [wasm, cpu] = [await on('wasm'), await on('cpu')];
    expect(wasm.slice(0, -1)).toEqual(cpu.slice(0, -1));
    // The input is resampled (2×5 photos to 224×224): the backends' bilinear sampling rounds apart by an ulp or so.
    expect(wasm.at(-1)!.reduce((d, v, i) => Math.max(d, Math.abs(v - cpu.at(-1)![i])), 0)).toBeLessThan(1e-6);
  });
});

describe('wasm gradient kernels on several threads', () => {
  /** The kernel threads' contract, played in turn on this thread: uneven shares, partials summed. */
  const calls = new Map<RowTask, number>();
  const inTurn = (threads: number) => ({
    threads,
    run(kind: RowTask, params: number[]) {
      calls.set(kind, (calls.get(kind) ?? 0) + 1);
      const p = Float64Array.from(params);
      const heap = new Float32Array((tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer);
      const rows = taskRows(kind, p);
      const sum = new Float64Array(partialSize(kind, p));
      const part = new Float64Array(sum.length);
      for (let t = 0; t < threads; t++) {
        runRows(kind, p, heap, Math.floor((t * rows) / threads), Math.floor(((t + 1) * rows) / threads), part);
        part.forEach((v, i) => (sum[i] += v));
      }
      return sum;
    },
  });

  it("give what one thread gives: depthwise ∂W (stride 1 and 2, a multiplier), conv1's and a pointwise ∂W, BatchNorm-style sums over all but the last axis, ReLU6's backward", async () => {
    await tf.setBackend('wasm');
    const depthwise = [shapes.find((v) => v.depthwise && v.stride === 1)!, shapes.find((v) => v.depthwise && v.stride === 2)!];
    depthwise.push({ layers: ['odd depthwise ×2'], depthwise: true, input: [15, 13, 5], kernel: [3, 3, 5, 2], stride: 2 });
    const full = [shapes.find((v) => v.layers.includes('conv1'))!, shapes.find((v) => !v.depthwise && v.kernel[0] === 1 && v.input[0] === 56)!];
    const sums = async () => {
      await tf.setBackend('wasm');
      const x = tf.tensor4d(random([3, 56, 56, 32], 7), [3, 56, 56, 32]);
      const out = [tf.sum(x, [0, 1, 2]), tf.sum(x, [0, 1, 2], true), tf.sum(x, [1, 2])];
      const values = (await Promise.all(out.map((o) => o.data()))) as Float32Array[];
      tf.dispose([x, ...out]);
      return values;
    };
    const run = async () => {
      const grads = [];
      for (const [k, s] of depthwise.entries()) {
        const outC = s.input[2] * s.kernel[3];
        const r = random([3, Math.ceil(s.input[0] / s.stride), Math.ceil(s.input[1] / s.stride), outC], 50 + k);
        grads.push((await gradients('wasm', s, random([3, ...s.input], 40 + k), random(s.kernel, 60 + k), r))[1]);
      }
      for (const [k, s] of full.entries()) {
        const r = random([3, Math.ceil(s.input[0] / s.stride), Math.ceil(s.input[1] / s.stride), s.kernel[3]], 70 + k);
        grads.push((await gradients('wasm', s, random([3, ...s.input], 80 + k), random(s.kernel, 90 + k), r))[1]);
      }
      return [...grads, ...(await sums()), ...(await relu6Grads('wasm'))];
    };
    const alone = await run();
    useKernelThreads(inTurn(3));
    try {
      const shared = await run();
      shared.forEach((v, i) => expect(relativeDiff(v, alone[i]), `result ${i}`).toBeLessThan(1e-5));
      // Each kernel really went through the threads: 3 depthwise gradients, 2 of the 3 sums (one keeps its axes), ReLU6's
      // backward, conv1's columns and the pointwise layer's transposed input.
      expect(Object.fromEntries(calls)).toEqual({ 1: 3, 2: 2, 3: 1, 4: 1, 5: 1 });
    } finally {
      useKernelThreads(null);
    }
  });
});
