import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pointwiseGrads } from './kernels-gpu';
import { relativeDiff } from './testing/compare';

// The products run on whichever backend is active; here that is tfjs-backend-cpu, judged against its own kernels.
type Args = Parameters<tf.KernelFunc>[0];
const original = (name: string, args: Args) => tf.getKernel(name, 'cpu')!.kernelFunc(args) as tf.TensorInfo;
const values = (info: tf.TensorInfo) => tf.backend().readSync(info.dataId) as Float32Array;
const dataIds = () => tf.backend().numDataIds();
const random = (shape: number[]) => tf.randomNormal(shape, 0, 1, 'float32', 3);

/** MobileNet v1 0.25's pointwise convolutions at 224×224 (spatial size, in → out channels), at batch 3. */
const SHAPES: [number, number, number][] = [
  [112, 8, 16], [56, 16, 32], [56, 32, 32], [28, 32, 64], [28, 64, 64], [14, 64, 128], [14, 128, 128], [7, 128, 256], [7, 256, 256],
];

describe('pointwise conv gradients as products', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each(SHAPES)('∂W and ∂x match tfjs-backend-cpu at %i px, %i → %i channels', (size, inC, outC) => {
    const x = random([3, size, size, inC]);
    const dy = random([3, size, size, outC]);
    const w = random([1, 1, inC, outC]);
    const before = dataIds();
    const common = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dimRoundingMode: undefined };
    const fArgs = { inputs: { x, dy }, attrs: { ...common, filterShape: [1, 1, inC, outC] }, backend: tf.backend() } as unknown as Args;
    const iArgs = { inputs: { dy, filter: w }, attrs: { ...common, inputShape: x.shape }, backend: tf.backend() } as unknown as Args;
    const got = [pointwiseGrads.filter(fArgs)!, pointwiseGrads.input(iArgs)!];
    const want = [original('Conv2DBackpropFilter', fArgs), original('Conv2DBackpropInput', iArgs)];
    expect(got.map((g) => g.shape)).toEqual(want.map((g) => g.shape));
    got.forEach((g, i) => expect(relativeDiff(values(g), values(want[i]))).toBeLessThan(1e-5));
    // Only the two results were added: every reshape and product in between was released.
    expect(dataIds() - before).toBe(4);
    [...got, ...want].forEach((t) => tf.backend().disposeData(t.dataId));
    tf.dispose([x, dy, w]);
  });

  it('leaves every other convolution to the backend', () => {
    const x = random([2, 8, 8, 4]);
    const dy = random([2, 4, 4, 4]);
    const args = { inputs: { x, dy }, attrs: { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape: [1, 1, 4, 4] }, backend: tf.backend() } as unknown as Args;
    expect(pointwiseGrads.filter(args)).toBeNull();
    const wide = { ...args, attrs: { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 4, 4] } } as unknown as Args;
    expect(pointwiseGrads.filter(wide)).toBeNull();
    tf.dispose([x, dy]);
  });
});
