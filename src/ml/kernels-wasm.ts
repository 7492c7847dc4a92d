import * as tf from '@tensorflow/tfjs';
import { ADAM_STEP, adamUpdate, type AdamStep } from './adam-step';
import { RGB_BATCH, writeScaledRgb } from './image';
import type { Pixels } from './types';
import { DEPTHWISE_PARAMS, IM2COL_PARAMS, RowTask, depthwiseFilterRows, im2colRows, relu6BackpropRows, type DepthwiseParams, type Im2colParams } from './row-kernels';

/**
 * Gradient kernels tfjs-backend-wasm 4.22 lacks (Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter,
 * DepthwiseConv2dNativeBackpropInput), plus a fast Conv2DBackpropInput for 1×1 convolutions: what MobileNet's
 * backward pass needs with every layer trainable. BatchNorm in inference mode (FusedBatchNorm's gradient is plain
 * arithmetic) and ReLU6 (LessEqual · Step) already run on wasm's own kernels.
 * Layout is NHWC throughout; "same" padding follows TF (pad_top = ⌊total/2⌋, the extra row goes bottom/right).
 */

/** The slice of tfjs-backend-wasm's BackendWasm these kernels use. */
interface WasmBackendLike {
  /** A new tensor on the wasm heap; its contents are undefined until written. */
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  /** A live view of a tensor's heap memory (invalidated when the heap grows: take views after allocating). */
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
  incRef(dataId: object): void;
}

type Info = tf.TensorInfo;
type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dilations?: number | [number, number];
}

/** Threads for the kernels' own loops (src/worker/kernel-pool.ts): the sum of every thread's partial, or null when a task does not fit. */
export interface KernelThreads {
  readonly threads: number;
  run(kind: RowTask, params: number[]): Float64Array | null;
}

let pool: KernelThreads | null = null;

/** The engine's host gives the kernels their threads once the threaded wasm backend runs (null: the engine's thread only). */
export function useKernelThreads(threads: KernelThreads | null): void {
  pool = threads;
}

/** The kernels' threads now (null: the engine's thread only). */
export const kernelThreads = (): KernelThreads | null => pool;

/** A tensor's first element as an index into the wasm heap's Float32Array. */
const offset = (b: WasmBackendLike, t: Info) => b.typedArrayFromHeap(t).byteOffset / Float32Array.BYTES_PER_ELEMENT;
/** The whole wasm heap as floats (taken after allocating: growing the heap replaces its buffer). */
const heap = (b: WasmBackendLike, t: Info) => new Float32Array(b.typedArrayFromHeap(t).buffer);

/** Calls one of wasm's own kernels with the same backend. */
function call(name: string, backend: WasmBackendLike, inputs: Record<string, Info>, attrs: Record<string, unknown> = {}): Info {
  return tf.getKernel(name, 'wasm')!.kernelFunc({ inputs, attrs, backend } as unknown as Parameters<tf.KernelFunc>[0]) as Info;
}

const reshape = (b: WasmBackendLike, x: Info, shape: number[]) => call('Reshape', b, { x }, { shape });
const matMul = (b: WasmBackendLike, a: Info, c: Info) => call('BatchMatMul', b, { a, b: c }, { transposeA: false, transposeB: false });
/**
 * [rows, cols] → [cols, rows]. wasm's BatchMatMul is ~10× slower with a transpose flag than after this copy; wasm's
 * Transpose is single-threaded, so a big one is shared among the kernel threads.
 */
function transpose2d(b: WasmBackendLike, x: Info): Info {
  const [rows, cols] = x.shape;
  if (!pool || rows * cols < PARALLEL_MIN) return call('Transpose', b, { x }, { perm: [1, 0] });
  const out = b.makeOutput([cols, rows], 'float32');
  pool.run(RowTask.Transpose, [offset(b, x), offset(b, out), rows, cols]);
  return out;
}
const release = (b: WasmBackendLike, ...infos: Info[]) => infos.forEach((t) => b.disposeData(t.dataId));

function convInfo(xShape: number[], filterShape: number[], attrs: ConvAttrs, depthwise: boolean): tf.backend_util.Conv2DInfo {
  if (attrs.dataFormat === 'NCHW') throw new Error('wasm gradient kernels support NHWC only');
  const dilations = attrs.dilations ?? 1;
  if ((Array.isArray(dilations) ? dilations : [dilations]).some((d) => d !== 1)) throw new Error('wasm gradient kernels support dilation 1 only');
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
  );
}

const isPointwise = (c: tf.backend_util.Conv2DInfo) =>
  c.filterHeight === 1 && c.filterWidth === 1 && c.strideHeight === 1 && c.strideWidth === 1 && c.padInfo.top === 0 && c.padInfo.left === 0 && c.padInfo.bottom === 0 && c.padInfo.right === 0;

/**
 * ∂L/∂W of y = conv2d(x, W): dW[i,j,ci,co] = Σ_{n,h,w} x_pad[n, h·s+i, w·s+j, ci] · dy[n,h,w,co], i.e. one matrix
 * product colsᵀ·dy over the P = n·h·w output pixels, where cols[k][p] (k = (i·fw+j)·inC+ci) holds the input value
 * tap k sees at pixel p (im2col). For 1×1 stride 1 the columns are xᵀ itself; otherwise a typed-array loop
 * gathers them (conv1: 27 taps). Both are shared among the kernel threads; the product runs on wasm's BatchMatMul
 * (XNNPACK).
 */
function conv2DBackpropFilter(args: { inputs: { x: Info; dy: Info }; attrs: ConvAttrs & { filterShape: number[] }; backend: WasmBackendLike }): Info {
  const { inputs: { x, dy }, attrs, backend } = args;
  const c = convInfo(x.shape, attrs.filterShape, attrs, false);
  const pixels = c.batchSize * c.outHeight * c.outWidth;
  const taps = c.filterHeight * c.filterWidth * c.inChannels;
  let cols: Info;
  if (isPointwise(c)) {
    const flat = reshape(backend, x, [pixels, c.inChannels]);
    cols = transpose2d(backend, flat);
    release(backend, flat);
  } else {
    cols = backend.makeOutput([taps, pixels], 'float32');
    const d: Im2colParams = {
      x: offset(backend, x), cols: offset(backend, cols), batch: c.batchSize, inHeight: c.inHeight, inWidth: c.inWidth,
      inChannels: c.inChannels, outHeight: c.outHeight, outWidth: c.outWidth, filterHeight: c.filterHeight,
      filterWidth: c.filterWidth, strideHeight: c.strideHeight, strideWidth: c.strideWidth, padTop: c.padInfo.top, padLeft: c.padInfo.left,
    };
    if (!pool?.run(RowTask.Im2col, IM2COL_PARAMS.map((k) => d[k]))) im2colRows(heap(backend, cols), d, 0, c.batchSize * c.outHeight);
  }
  const dy2 = reshape(backend, dy, [pixels, c.outChannels]);
  const dw = matMul(backend, cols, dy2);
  const out = reshape(backend, dw, attrs.filterShape);
  release(backend, cols, dy2, dw);
  return out;
}

/**
 * ∂L/∂x of a 1×1 stride-1 convolution y = x·W (per pixel): dx = dy·Wᵀ, one BatchMatMul. wasm's own
 * Conv2DBackpropInput (a direct loop) is ~8× slower on MobileNet's pointwise layers; other shapes go to it.
 */
function pointwiseInputGrad(original: tf.KernelFunc) {
  return (args: { inputs: { dy: Info; filter: Info }; attrs: ConvAttrs & { inputShape: number[] }; backend: WasmBackendLike }): Info => {
    const { inputs: { dy, filter }, attrs, backend } = args;
    const c = convInfo(attrs.inputShape, filter.shape, attrs, false);
    if (!isPointwise(c)) return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const w = reshape(backend, filter, [c.inChannels, c.outChannels]);
    const wT = transpose2d(backend, w);
    const dy2 = reshape(backend, dy, [c.batchSize * c.outHeight * c.outWidth, c.outChannels]);
    const dx = matMul(backend, dy2, wT);
    const out = reshape(backend, dx, attrs.inputShape);
    release(backend, w, wT, dy2, dx);
    return out;
  };
}

/**
 * ∂L/∂W of a depthwise convolution: the typed-array loop of row-kernels' depthwiseFilterRows over wasm's heap, its
 * rows (photo × output row) shared among the kernel threads when there are several.
 */
function depthwiseBackpropFilter(args: { inputs: { x: Info; dy: Info }; attrs: ConvAttrs & { filterShape: number[] }; backend: WasmBackendLike }): Info {
  const { inputs: { x, dy }, attrs, backend } = args;
  const c = convInfo(x.shape, attrs.filterShape, attrs, true);
  const d: DepthwiseParams = {
    x: offset(backend, x), dy: offset(backend, dy), batch: c.batchSize, inHeight: c.inHeight, inWidth: c.inWidth,
    inChannels: c.inChannels, outChannels: c.outChannels, outHeight: c.outHeight, outWidth: c.outWidth,
    filterHeight: c.filterHeight, filterWidth: c.filterWidth, strideHeight: c.strideHeight, strideWidth: c.strideWidth,
    padTop: c.padInfo.top, padLeft: c.padInfo.left,
  };
  const out = backend.makeOutput(attrs.filterShape, 'float32');
  let sums = pool?.run(RowTask.DepthwiseFilter, DEPTHWISE_PARAMS.map((k) => d[k])) ?? null;
  if (!sums) {
    sums = new Float64Array(c.filterHeight * c.filterWidth * c.outChannels);
    depthwiseFilterRows(heap(backend, x), d, 0, c.batchSize * c.outHeight, sums);
  }
  backend.typedArrayFromHeap(out).set(sums);
  return out;
}

/**
 * ∂L/∂x of a depthwise convolution is the transposed convolution: dx = depthwise(dy↑s, rot180(W)), where dy↑s
 * spreads dy over a grid with s−1 zeros between neighbours (nothing to do for stride 1) and the explicit padding
 * (fh−1−pad_top on top, the rest at the bottom so the output has the input's size) lines the flipped taps up:
 * dx[n,y,x,c] = Σ_{i,j} W[i,j,c] · dy[n, (y+pad_top−i)/s, (x+pad_left−j)/s, c] over the terms with integer indexes.
 * The convolution itself is wasm's DepthwiseConv2dNative (XNNPACK). With a multiplier m > 1 the m output
 * channels of each input channel are summed afterwards.
 */
function depthwiseBackpropInput(args: { inputs: { dy: Info; filter: Info }; attrs: ConvAttrs & { inputShape: number[] }; backend: WasmBackendLike }): Info {
  const { inputs: { dy, filter }, attrs, backend } = args;
  const c = convInfo(attrs.inputShape, filter.shape, attrs, true);
  const { filterHeight: FH, filterWidth: FW, inChannels: C, outHeight: OH, outWidth: OW, strideHeight: sh, strideWidth: sw } = c;
  const m = c.outChannels / C;
  const spreadH = (OH - 1) * sh + 1;
  const spreadW = (OW - 1) * sw + 1;
  const spread = sh === 1 && sw === 1 ? dy : backend.makeOutput([c.batchSize, spreadH, spreadW, c.outChannels], 'float32');
  const rotated = backend.makeOutput([FH, FW, C * m, 1], 'float32');
  if (spread !== dy) dilate(backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(spread), c);
  const w = backend.typedArrayFromHeap(filter);
  const r = backend.typedArrayFromHeap(rotated);
  const per = C * m;
  for (let i = 0; i < FH; i++) for (let j = 0; j < FW; j++) r.set(w.subarray(((FH - 1 - i) * FW + (FW - 1 - j)) * per, ((FH - 1 - i) * FW + (FW - 1 - j) + 1) * per), (i * FW + j) * per);
  const top = FH - 1 - c.padInfo.top;
  const left = FW - 1 - c.padInfo.left;
  const pad = [[0, 0], [top, c.inHeight - 1 + FH - spreadH - top], [left, c.inWidth - 1 + FW - spreadW - left], [0, 0]];
  const full = call('DepthwiseConv2dNative', backend, { x: spread, filter: rotated }, { strides: 1, pad, dilations: 1 });
  release(backend, rotated, ...(spread === dy ? [] : [spread]));
  if (m === 1) return full;
  const grouped = reshape(backend, full, [...attrs.inputShape, m]);
  const out = call('Sum', backend, { x: grouped }, { axis: [4], keepDims: false });
  release(backend, full, grouped);
  return out;
}

/** Below this many elements a reduction is not worth waking the kernel threads for. */
const PARALLEL_MIN = 1 << 16;

/**
 * A sum over every axis but the last — BatchNorm's ∂L/∂γ and ∂L/∂β, Σ_{n,h,w} over NHWC — as column sums shared
 * among the kernel threads, without the transpose wasm's own Sum makes first. Other reductions, small ones and a
 * single thread stay with wasm's kernel.
 */
function leadingSum(original: tf.KernelFunc) {
  return (args: { inputs: { x: Info }; attrs: { axis: number | number[]; keepDims: boolean }; backend: WasmBackendLike }): Info => {
    const { inputs: { x }, attrs, backend } = args;
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const cols = x.shape[rank - 1];
    const rows = tf.util.sizeFromShape(x.shape.slice(0, -1));
    const leading = rank > 1 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    const sums = pool && x.dtype === 'float32' && leading && rows * cols >= PARALLEL_MIN ? pool.run(RowTask.SumLeading, [offset(backend, x), rows, cols]) : null;
    if (!sums) return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const out = backend.makeOutput(attrs.keepDims ? [...x.shape.slice(0, -1).map(() => 1), cols] : [cols], 'float32');
    backend.typedArrayFromHeap(out).set(sums);
    return out;
  };
}

/** A kernel of our own (no tfjs op has it): ReLU6's backward from its output, [dy, y] → [masked dy, its sum per channel]. */
export const RELU6_BACKPROP = 'TransferLabRelu6Backprop';

/**
 * With m = dy ⊙ [0 < y < 6]: returns m and Σ_{n,h,w} m (a folded block's bias gradient) from one pass over the
 * wasm heap, shared among the kernel threads. wasm's own Greater/Less/LogicalAnd broadcast a scalar at ~75 ms each
 * per 16-photo step of the whole network; this is one loop.
 */
function relu6Backprop(args: { inputs: { dy: Info; y: Info }; backend: WasmBackendLike }): Info[] {
  const { inputs: { dy, y }, backend } = args;
  const cols = dy.shape[dy.shape.length - 1];
  const rows = tf.util.sizeFromShape(dy.shape) / cols;
  const out = backend.makeOutput(dy.shape, 'float32');
  const params = [offset(backend, dy), offset(backend, y), offset(backend, out), rows, cols];
  let sums = pool && rows * cols >= PARALLEL_MIN ? pool.run(RowTask.Relu6Backprop, params) : null;
  if (!sums) {
    sums = new Float64Array(cols);
    relu6BackpropRows(heap(backend, out), params[0], params[1], params[2], cols, 0, rows, sums);
  }
  const bias = backend.makeOutput([cols], 'float32');
  backend.typedArrayFromHeap(bias).set(sums);
  return [out, bias];
}

/**
 * A clone that shares its data, as the cpu and webgl backends' Identity does (tensors are immutable; the data goes
 * when its last holder does). wasm's own copies it, and the gradient tape clones every tensor a backward pass saves:
 * two activations per layer per step.
 */
function sharedIdentity(original: tf.KernelFunc) {
  return (args: { inputs: { x: Info }; backend: WasmBackendLike }): Info => {
    const { inputs: { x }, backend } = args;
    if (x.dtype === 'string') return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Photos of one size → their scaled RGB [n, h, w, 3] (image.ts), written straight into the wasm heap. */
function rgbBatch(args: { attrs: { photos: Pixels[] }; backend: WasmBackendLike }): Info {
  const { attrs: { photos }, backend } = args;
  const { width, height } = photos[0];
  const out = backend.makeOutput([photos.length, height, width, 3], 'float32');
  const values = backend.typedArrayFromHeap(out);
  photos.forEach((p, i) => writeScaledRgb(p, values, i * width * height * 3));
  return out;
}

/**
 * A contiguous slice as one copy out of the heap. wasm's own reads its whole input through readSync first, a fresh
 * copy of it per call (16 photos of 224×224×3: ~28 ms a slice on the benchmark's machine, mostly new pages).
 */
function heapSlice(original: tf.KernelFunc) {
  return (args: { inputs: { x: Info }; attrs: { begin: number | number[]; size: number | number[] }; backend: WasmBackendLike }): Info => {
    const { inputs: { x }, attrs, backend } = args;
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin, attrs.size);
    if (x.dtype === 'string' || !tf.slice_util.isSliceContinous(x.shape, begin, size)) return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info;
    const from = tf.slice_util.computeFlatOffset(begin, tf.util.computeStrides(x.shape));
    const out = backend.makeOutput(size, x.dtype);
    backend.typedArrayFromHeap(out).set(backend.typedArrayFromHeap(x).subarray(from, from + tf.util.sizeFromShape(size)));
    return out;
  };
}

/**
 * Unpack along the first axis (a bottleneck cache stores a batch photo by photo) as one copy per row out of the
 * heap; wasm's own makes each row with a whole-input readSync (see heapSlice): ~450 ms for 16 photos of the input.
 */
function heapUnpack(original: tf.KernelFunc) {
  return (args: { inputs: { value: Info }; attrs: { axis: number }; backend: WasmBackendLike }): Info[] => {
    const { inputs: { value }, attrs, backend } = args;
    const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
    if (axis !== 0 || value.dtype === 'string') return original(args as unknown as Parameters<tf.KernelFunc>[0]) as Info[];
    const shape = value.shape.slice(1);
    const size = tf.util.sizeFromShape(shape);
    const outs = Array.from({ length: value.shape[0] }, () => backend.makeOutput(shape, value.dtype));
    // Views after every allocation: growing the heap replaces its buffer.
    const from = backend.typedArrayFromHeap(value);
    outs.forEach((o, i) => backend.typedArrayFromHeap(o).set(from.subarray(i * size, (i + 1) * size)));
    return outs;
  };
}

/** dy↑s: dy[n,h,w,c] lands at [n, h·s, w·s, c] of a zero grid. */
function dilate(dy: Float32Array, out: Float32Array, c: tf.backend_util.Conv2DInfo): void {
  const channels = c.outChannels;
  const spreadH = (c.outHeight - 1) * c.strideHeight + 1;
  const spreadW = (c.outWidth - 1) * c.strideWidth + 1;
  out.fill(0);
  for (let n = 0; n < c.batchSize; n++) {
    for (let h = 0; h < c.outHeight; h++) {
      for (let w = 0; w < c.outWidth; w++) {
        const from = ((n * c.outHeight + h) * c.outWidth + w) * channels;
        out.set(dy.subarray(from, from + channels), ((n * spreadH + h * c.strideHeight) * spreadW + w * c.strideWidth) * channels);
      }
    }
  }
}

let installed = false;

/**
 * One Adam step of one variable on the wasm heap (adam-step.ts): tfjs' Adam runs about a dozen kernels per variable,
 * each a dispatch and, with threads, several waking XNNPACK's pool for a few hundred floats.
 */
function adamStep(args: { inputs: { x: Info; m: Info; v: Info; g: Info }; attrs: AdamStep; backend: WasmBackendLike }): Info[] {
  const { inputs: { x, m, v, g }, attrs, backend } = args;
  const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const [xs, ms, vs, gs, xo, mo, vo] = [x, m, v, g, ...outs].map((t) => backend.typedArrayFromHeap(t));
  adamUpdate(attrs, xs, ms, vs, gs, xo, mo, vo);
  return outs;
}

/**
 * Registers the gradient kernels on the wasm backend. Idempotent; call it once wasm's own kernels are registered
 * (after importing @tensorflow/tfjs-backend-wasm), e.g. when the wasm backend is activated.
 */
export function installWasmKernels(): void {
  const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (installed || !input) return;
  installed = true;
  const register = (kernelName: string, kernelFunc: unknown) => {
    const existing = tf.getKernel(kernelName, 'wasm');
    if (existing) tf.unregisterKernel(kernelName, 'wasm');
    // Keeps the replaced kernel's setupFunc: wasm runs it when the backend starts, and our fallback calls that kernel.
    tf.registerKernel({ ...existing, kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  };
  register('Conv2DBackpropFilter', conv2DBackpropFilter);
  register('Conv2DBackpropInput', pointwiseInputGrad(input.kernelFunc));
  register('DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter);
  register('DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput);
  register('Sum', leadingSum(tf.getKernel('Sum', 'wasm')!.kernelFunc));
  register(RELU6_BACKPROP, relu6Backprop);
  register('Identity', sharedIdentity(tf.getKernel('Identity', 'wasm')!.kernelFunc));
  register('Slice', heapSlice(tf.getKernel('Slice', 'wasm')!.kernelFunc));
  register('Unpack', heapUnpack(tf.getKernel('Unpack', 'wasm')!.kernelFunc));
  register(RGB_BATCH, rgbBatch);
  register(ADAM_STEP, adamStep);
}
