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

interface PointwiseAttrs {
  strides: number | [number, number];
  dataFormat: string;
}

/** 1×1 kernel, stride 1, NHWC: the shape both fast paths handle (padding is then zero whatever its mode). */
function pointwise(filterShape: number[], attrs: PointwiseAttrs): boolean {
  const stride = typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : attrs.strides;
  return filterShape[0] === 1 && filterShape[1] === 1 && stride[0] === 1 && stride[1] === 1 && attrs.dataFormat !== 'NCHW';
}

let installed = false;

/** Routes the cpu backend's 1×1 stride-1 NHWC filter and input gradients through the loops above; others are unchanged. */
export function installFastCpuKernels(): void {
  const filterGrad = tf.getKernel('Conv2DBackpropFilter', 'cpu');
  const inputGrad = tf.getKernel('Conv2DBackpropInput', 'cpu');
  if (installed || !filterGrad || !inputGrad) return;
  installed = true;
  tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
  tf.registerKernel({
    ...filterGrad,
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as PointwiseAttrs & { filterShape: number[] };
      if (!pointwise(attrs.filterShape, attrs) || x.dtype !== 'float32') return filterGrad.kernelFunc(args);
      const backend = args.backend as unknown as CpuBackendLike;
      const [n, h, w, inC] = x.shape;
      const outC = dy.shape[3];
      const dw = pointwiseFilterGrad(backend.readSync(x.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array, n * h * w, inC, outC);
      return backend.makeTensorInfo([1, 1, inC, outC], 'float32', dw);
    },
  });
  tf.unregisterKernel('Conv2DBackpropInput', 'cpu');
  tf.registerKernel({
    ...inputGrad,
    kernelFunc: (args) => {
      const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const attrs = args.attrs as unknown as PointwiseAttrs & { inputShape: number[] };
      if (!pointwise(filter.shape, attrs) || dy.dtype !== 'float32') return inputGrad.kernelFunc(args);
      const backend = args.backend as unknown as CpuBackendLike;
      const [n, h, w, inC] = attrs.inputShape;
      const dx = pointwiseInputGrad(backend.readSync(dy.dataId) as Float32Array, backend.readSync(filter.dataId) as Float32Array, n * h * w, inC, dy.shape[3]);
      return backend.makeTensorInfo(attrs.inputShape, 'float32', dx);
    },
  });
}
