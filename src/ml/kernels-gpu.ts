import * as tf from '@tensorflow/tfjs';
import { pointwise, type PointwiseAttrs } from './kernels';

/**
 * 1×1 stride-1 convolution gradients as the matrix products they are, on the GPU backend's own BatchMatMul. Over
 * the P = n·h·w pixels, with x as [P, Cin], dy as [P, Cout] and W as [Cin, Cout]:
 *   ∂L/∂W = xᵀ·dy        ∂L/∂x = dy·Wᵀ
 * tfjs' generic conv-gradient shaders are far slower for these on WebGL; measured here (SwiftShader, 16 photos of
 * MobileNet's 7×7×256 top block): filter gradient 189 ms vs 28 ms as a product, input gradient 108 ms vs 25 ms, and
 * 2–10× at every other pointwise shape of the model. On WebGPU (Dawn on SwiftShader, batch 16, every pointwise shape
 * of MobileNet v1 0.25) the filter gradient is 1.5–6× faster as a product, but the input gradient 1.2–8× slower
 * (WebGPU's BatchMatMul with a transposed right operand): there only the filter gradient is routed.
 */

type Info = tf.TensorInfo;
type KernelArgs = Parameters<tf.KernelFunc>[0];
/**
 * What every tfjs backend offers a kernel that builds on its own kernels: `disposeData` drops one reference
 * (Reshape shares its input's data and adds one), which is what WebGL's disposeIntermediateTensorInfo does and
 * the one way WebGPU, which lacks that method, has.
 */
interface BackendLike {
  disposeData(dataId: object): boolean;
}

/** Calls one of the active backend's own kernels (these kernels only run while their backend is the active one). */
const call = (name: string, args: KernelArgs, inputs: Record<string, Info>, attrs: Record<string, unknown>) =>
  tf.getKernel(name, tf.getBackend())!.kernelFunc({ inputs, attrs, backend: args.backend } as KernelArgs) as Info;

/** One product of two reshaped operands, reshaped to `shape`; intermediates are released. */
function product(args: KernelArgs, a: Info, aShape: number[], b: Info, bShape: number[], transposeA: boolean, transposeB: boolean, shape: number[]): Info {
  const backend = args.backend as unknown as BackendLike;
  const a2 = call('Reshape', args, { x: a }, { shape: aShape });
  const b2 = call('Reshape', args, { x: b }, { shape: bShape });
  const prod = call('BatchMatMul', args, { a: a2, b: b2 }, { transposeA, transposeB });
  const out = call('Reshape', args, { x: prod }, { shape });
  [a2, b2, prod].forEach((t) => backend.disposeData(t.dataId));
  return out;
}

/** ∂W = xᵀ·dy for a pointwise convolution; null for any other shape. */
function filterGrad(args: KernelArgs): Info | null {
  const { x, dy } = args.inputs as { x: Info; dy: Info };
  const attrs = args.attrs as unknown as PointwiseAttrs & { filterShape: number[] };
  if (!pointwise(attrs.filterShape, attrs) || x.dtype !== 'float32') return null;
  const [n, h, w, inC] = x.shape;
  const outC = dy.shape[3];
  return product(args, x, [1, n * h * w, inC], dy, [1, n * h * w, outC], true, false, attrs.filterShape);
}

/** ∂x = dy·Wᵀ for a pointwise convolution; null for any other shape. */
function inputGrad(args: KernelArgs): Info | null {
  const { dy, filter } = args.inputs as { dy: Info; filter: Info };
  const attrs = args.attrs as unknown as PointwiseAttrs & { inputShape: number[] };
  if (!pointwise(filter.shape, attrs) || dy.dtype !== 'float32') return null;
  const [n, h, w, outC] = dy.shape;
  const [, , inC] = filter.shape;
  return product(args, dy, [1, n * h * w, outC], filter, [1, inC, outC], false, true, attrs.inputShape);
}

/** The two products, for tests on any backend. */
export const pointwiseGrads = { filter: filterGrad, input: inputGrad };

/** Which gradients each backend takes as products: those measured faster there and judged right (see above). */
const FILTER = { kernel: 'Conv2DBackpropFilter', fast: filterGrad };
const INPUT = { kernel: 'Conv2DBackpropInput', fast: inputGrad };
const ROUTES: Record<string, { kernel: string; fast: (args: KernelArgs) => Info | null }[]> = { webgl: [FILTER, INPUT], webgpu: [FILTER] };

const installed = new Set<string>();

/** Routes a backend's pointwise conv gradients through its BatchMatMul where ROUTES says so; other shapes keep tfjs' kernels. Idempotent. */
export function installGpuKernels(backendName: string): void {
  const routes = ROUTES[backendName];
  if (!routes || installed.has(backendName) || !tf.getKernel('BatchMatMul', backendName)) return;
  installed.add(backendName);
  for (const { kernel, fast } of routes) {
    const original = tf.getKernel(kernel, backendName);
    if (!original) continue;
    tf.unregisterKernel(kernel, backendName);
    tf.registerKernel({ ...original, kernelFunc: (args) => fast(args) ?? original.kernelFunc(args) });
  }
}
