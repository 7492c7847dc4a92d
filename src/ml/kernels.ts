import * as tf from '@tensorflow/tfjs';

/** The slice of the cpu backend a kernel needs: read an input's floats, make an output. */
interface CpuBackendLike {
  readSync(dataId: object): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

/**
 * ∂L/∂W of a 1×1, stride-1 convolution is a matrix product: dW[ci][co] = Σ_p x[p][ci] · dy[p][co] over every
 * pixel p of the batch. tfjs-backend-cpu's generic Conv2DBackpropFilter walks a 7-deep loop through TensorBuffer
 * accessors and needs ~15 s for MobileNet's conv_pw_13 on 16 photos; this loop needs well under a second.
 */
export function pointwiseFilterGrad(x: Float32Array, dy: Float32Array, pixels: number, inC: number, outC: number): Float32Array {
  const dw = new Float32Array(inC * outC);
  for (let p = 0; p < pixels; p++) {
    const xRow = p * inC;
    const dyRow = p * outC;
    for (let ci = 0; ci < inC; ci++) {
      const xv = x[xRow + ci];
      if (xv === 0) continue; // ReLU outputs are mostly zeros
      const out = ci * outC;
      for (let co = 0; co < outC; co++) dw[out + co] += xv * dy[dyRow + co];
    }
  }
  return dw;
}

/**
 * ∂L/∂x of a 1×1, stride-1 convolution: dx[p][ci] = Σ_co dy[p][co] · W[ci][co], i.e. dy·Wᵀ — a dot product of
 * two contiguous rows per output value, where the generic Conv2DBackpropInput walks TensorBuffer accessors.
 */
export function pointwiseInputGrad(dy: Float32Array, w: Float32Array, pixels: number, inC: number, outC: number): Float32Array {
  const dx = new Float32Array(pixels * inC);
  for (let p = 0; p < pixels; p++) {
    const dyRow = p * outC;
    for (let ci = 0; ci < inC; ci++) {
      const wRow = ci * outC;
      let sum = 0;
      for (let co = 0; co < outC; co++) sum += dy[dyRow + co] * w[wRow + co];
      dx[p * inC + ci] = sum;
    }
  }
  return dx;
}

/**
 * ∂L/∂W of a depthwise convolution with channel multiplier m (NHWC, dilation 1):
 * dW[i,j,c,q] = Σ_{n,h,w} x_pad[n, h·s+i, w·s+j, c] · dy[n,h,w,c·m+q]. The innermost loop runs along an output
 * row with the sum in a local float64: conv_dw_1 sums 200,000 products per weight for 16 photos. Used by the cpu
 * backend (its generic kernel needs ~300 ms for conv_dw_13 on 16 photos, this ~5 ms) and by the wasm backend
 * (nothing in wasm fits a per-channel correlation summed over the batch).
 */
export function depthwiseFilterGrad(xs: Float32Array, dys: Float32Array, c: tf.backend_util.Conv2DInfo): Float64Array {
  const { inHeight: H, inWidth: W, inChannels: C, outChannels: OC, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = c;
  const { strideHeight: sh, strideWidth: sw, padInfo: pad } = c;
  const m = OC / C;
  const sum = new Float64Array(FH * FW * OC);
  for (let n = 0; n < c.batchSize; n++) {
    for (let oy = 0; oy < OH; oy++) {
      const dyRow = (n * OH + oy) * OW * OC;
      for (let i = 0; i < FH; i++) {
        const y = oy * sh + i - pad.top;
        if (y < 0 || y >= H) continue;
        const xRow = (n * H + y) * W * C;
        for (let j = 0; j < FW; j++) {
          // Output columns whose tap j lands inside the row: 0 ≤ ox·s + j − pad_left < W.
          const first = Math.max(0, Math.ceil((pad.left - j) / sw));
          const last = Math.min(OW - 1, Math.floor((W - 1 + pad.left - j) / sw));
          const w0 = (i * FW + j) * OC;
          for (let oc = 0; oc < OC; oc++) {
            let acc = 0;
            let xi = xRow + (first * sw + j - pad.left) * C + Math.floor(oc / m);
            let di = dyRow + first * OC + oc;
            for (let ox = first; ox <= last; ox++, xi += sw * C, di += OC) acc += xs[xi] * dys[di];
            sum[w0 + oc] += acc;
          }
        }
      }
    }
  }
  return sum;
}

/**
 * A 1×1, stride-1 convolution y = x·W per pixel: y[p] = Σ_ci x[p][ci] · W[ci], row by row (skipping ReLU zeros),
 * where tfjs-backend-cpu's Conv2D needs ~4× longer for conv_pw_13 on 16 photos.
 */
export function pointwiseConv(x: Float32Array, w: Float32Array, pixels: number, inC: number, outC: number): Float32Array {
  const y = new Float32Array(pixels * outC);
  for (let p = 0; p < pixels; p++) {
    const out = p * outC;
    for (let ci = 0; ci < inC; ci++) {
      const xv = x[p * inC + ci];
      if (xv === 0) continue;
      const row = ci * outC;
      for (let co = 0; co < outC; co++) y[out + co] += xv * w[row + co];
    }
  }
  return y;
}

export interface PointwiseAttrs {
  strides: number | [number, number];
  pad: unknown;
  dataFormat: string;
}

/** 1×1 kernel, stride 1, no padding, NHWC: a matrix product per pixel ('same' pads nothing for a 1×1 kernel). */
export function pointwise(filterShape: number[], attrs: PointwiseAttrs): boolean {
  const stride = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  const unpadded = attrs.pad === 'same' || attrs.pad === 'valid' || attrs.pad === 0;
  return filterShape[0] === 1 && filterShape[1] === 1 && stride[0] === 1 && stride[1] === 1 && unpadded && attrs.dataFormat !== 'NCHW';
}

let installed = false;

type KernelArgs = Parameters<tf.KernelFunc>[0];

/** Replaces a cpu kernel by `fast` where it returns a result; elsewhere the original runs. */
function override(name: string, fast: (args: KernelArgs, backend: CpuBackendLike) => tf.TensorInfo | null): void {
  const original = tf.getKernel(name, 'cpu')!;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({ ...original, kernelFunc: (args) => fast(args, args.backend as unknown as CpuBackendLike) ?? original.kernelFunc(args) });
}

const floats = (backend: CpuBackendLike, t: tf.TensorInfo) => backend.readSync(t.dataId) as Float32Array;

/**
 * Routes the cpu backend's 1×1 stride-1 NHWC convolutions (forward, filter and input gradients) and its depthwise
 * filter gradients (NHWC, dilation 1) through the loops above; other shapes keep tfjs' kernels. Idempotent.
 */
export function installFastCpuKernels(): void {
  if (installed || !tf.getKernel('Conv2DBackpropFilter', 'cpu')) return;
  installed = true;
  override('Conv2D', ({ inputs, attrs }, backend) => {
    const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as PointwiseAttrs & { dilations?: number | number[] };
    if (!pointwise(filter.shape, a) || [a.dilations ?? 1].flat().some((d) => d !== 1) || x.dtype !== 'float32') return null;
    const [n, h, w, inC] = x.shape;
    const outC = filter.shape[3];
    return backend.makeTensorInfo([n, h, w, outC], 'float32', pointwiseConv(floats(backend, x), floats(backend, filter), n * h * w, inC, outC));
  });
  override('Conv2DBackpropFilter', ({ inputs, attrs }, backend) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as PointwiseAttrs & { filterShape: number[] };
    if (!pointwise(a.filterShape, a) || x.dtype !== 'float32') return null;
    const [n, h, w, inC] = x.shape;
    const outC = dy.shape[3];
    return backend.makeTensorInfo([1, 1, inC, outC], 'float32', pointwiseFilterGrad(floats(backend, x), floats(backend, dy), n * h * w, inC, outC));
  });
  override('Conv2DBackpropInput', ({ inputs, attrs }, backend) => {
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const a = attrs as unknown as PointwiseAttrs & { inputShape: number[] };
    if (!pointwise(filter.shape, a) || dy.dtype !== 'float32') return null;
    const [n, h, w, inC] = a.inputShape;
    return backend.makeTensorInfo(a.inputShape, 'float32', pointwiseInputGrad(floats(backend, dy), floats(backend, filter), n * h * w, inC, dy.shape[3]));
  });
  override('DepthwiseConv2dNativeBackpropFilter', ({ inputs, attrs }, backend) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const a = attrs as unknown as { strides: number | [number, number]; pad: 'same' | 'valid' | number; dilations?: number | number[]; dimRoundingMode?: 'floor' | 'round' | 'ceil'; filterShape: number[] };
    if ([a.dilations ?? 1].flat().some((d) => d !== 1) || x.dtype !== 'float32') return null;
    const c = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode, true);
    return backend.makeTensorInfo(a.filterShape, 'float32', Float32Array.from(depthwiseFilterGrad(floats(backend, x), floats(backend, dy), c)));
  });
}
