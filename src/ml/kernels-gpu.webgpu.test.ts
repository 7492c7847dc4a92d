import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend, gradientSelfTest } from './backend';
import { pointwiseGrads } from './kernels-gpu';
import { relativeDiff } from './testing/compare';
import { nodeWebGpu } from './testing/webgpu';

// The products on tfjs-backend-webgpu (Dawn in Node, SwiftShader's Vulkan here), judged against tfjs-backend-cpu's kernels.
type Args = Parameters<tf.KernelFunc>[0];
const random = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 3);
const common = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };

/** The two gradients of a pointwise convolution through `kernel` on the active backend, as plain arrays. */
async function gradients(kernel: (name: 'filter' | 'input', args: Args) => tf.TensorInfo, x: tf.Tensor, dy: tf.Tensor, w: tf.Tensor) {
  const [, , inC, outC] = w.shape;
  const fArgs = { inputs: { x, dy }, attrs: { ...common, filterShape: [1, 1, inC, outC] }, backend: tf.backend() } as unknown as Args;
  const iArgs = { inputs: { dy, filter: w }, attrs: { ...common, inputShape: x.shape }, backend: tf.backend() } as unknown as Args;
  const infos = [kernel('filter', fArgs), kernel('input', iArgs)];
  const values = await Promise.all(infos.map((i) => tf.engine().makeTensorFromTensorInfo(i).data()));
  return values as Float32Array[];
}

let setUp: Awaited<ReturnType<typeof nodeWebGpu>>;
beforeAll(async () => {
  setUp = await nodeWebGpu();
  if (!setUp.ok) throw new Error(setUp.why);
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('pointwise conv gradients as products on WebGPU', () => {
  it.each([
    [28, 32, 64],
    [7, 256, 256],
  ])('∂W and ∂x match tfjs-backend-cpu at %i px, %i → %i channels, and every intermediate is released', async (size, inC, outC) => {
    await tf.setBackend('cpu');
    const [x, dy, w] = [random([3, size, size, inC]), random([3, size, size, outC]), random([1, 1, inC, outC])];
    const cpu = (name: 'filter' | 'input', args: Args) =>
      tf.getKernel(name === 'filter' ? 'Conv2DBackpropFilter' : 'Conv2DBackpropInput', 'cpu')!.kernelFunc(args) as tf.TensorInfo;
    const want = await gradients(cpu, x, dy, w);
    const host = await Promise.all([x, dy, w].map((t) => t.data()));
    tf.dispose([x, dy, w]);

    await tf.setBackend('webgpu');
    const [gx, gdy, gw] = [x, dy, w].map((t, i) => tf.tensor(host[i], t.shape));
    const before = tf.backend().numDataIds();
    const got = await gradients((name, args) => pointwiseGrads[name](args)!, gx, gdy, gw);
    // The two results became tensors and were read; nothing else of the products stayed behind.
    expect(tf.backend().numDataIds() - before).toBe(2);
    got.forEach((g, i) => expect(relativeDiff(g, want[i])).toBeLessThan(1e-4));
    tf.dispose([gx, gdy, gw]);
  });

  it('WebGPU with the products passes the engine\'s gradient self-test', async () => {
    const choice = await chooseBackend({ requested: 'webgpu' });
    expect(choice.name).toBe('webgpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'webgpu')).toBeDefined();
    const test = await gradientSelfTest();
    expect(test).toMatchObject({ ok: true, conv: true });
    expect(test.maxDiff).toBeLessThan(1e-3);
  });

  it('a software adapter (SwiftShader here) keeps its rule: WebGPU is left out of the measurement, with the reason', async () => {
    const choice = await chooseBackend();
    expect(choice.tried[0]).toMatchObject({ name: 'webgpu', ok: false, note: { key: 'software-adapter' } });
    expect(choice.timings?.webgpu).toBeUndefined();
    expect(choice.name).not.toBe('webgpu');
  });
});
