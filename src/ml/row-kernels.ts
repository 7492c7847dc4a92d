/**
 * The wasm gradient kernels' typed-array loops, cut into row ranges so several threads can share one call: each
 * reads the wasm heap (shared memory when the backend is threaded) at element offsets and sums into its own
 * partial, which the caller adds up. Plain data in, plain data out: the engine's thread and the kernel pool's
 * workers (src/worker/kernel-pool.worker.ts) run the very same code.
 */

/** A task's kind: its loop and the meaning of its parameters. */
export const RowTask = {
  /** Depthwise filter gradient (see depthwiseFilterRows); rows are (photo, output row) pairs. */
  DepthwiseFilter: 1,
  /** Column sums of a [rows, cols] matrix, params [x, rows, cols]: a reduction over every axis but the last (BatchNorm's and biases' gradients). */
  SumLeading: 2,
  /** ReLU6's backward from its output with the bias gradient, params [dy, y, out, rows, cols] (see relu6BackpropRows). */
  Relu6Backprop: 3,
  /** A convolution's input as columns, params IM2COL_PARAMS (see im2colRows); rows are (photo, output row) pairs. */
  Im2col: 4,
  /** [rows, cols] → [cols, rows], params [x, out, rows, cols]. */
  Transpose: 5,
} as const;
export type RowTask = (typeof RowTask)[keyof typeof RowTask];

/** Parameters of a DepthwiseFilter task, in this order. */
export const DEPTHWISE_PARAMS = ['x', 'dy', 'batch', 'inHeight', 'inWidth', 'inChannels', 'outChannels', 'outHeight', 'outWidth', 'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft'] as const;
export type DepthwiseParams = Record<(typeof DEPTHWISE_PARAMS)[number], number>;

/** Parameters of an Im2col task, in this order. */
export const IM2COL_PARAMS = ['x', 'cols', 'batch', 'inHeight', 'inWidth', 'inChannels', 'outHeight', 'outWidth', 'filterHeight', 'filterWidth', 'strideHeight', 'strideWidth', 'padTop', 'padLeft'] as const;
export type Im2colParams = Record<(typeof IM2COL_PARAMS)[number], number>;

/** Rows of a task: the unit its work is split by. */
export function taskRows(kind: RowTask, p: Float64Array): number {
  switch (kind) {
    case RowTask.DepthwiseFilter: return p[2] * p[7];
    case RowTask.Relu6Backprop: return p[3];
    case RowTask.Im2col: return p[2] * p[6];
    case RowTask.Transpose: return p[2];
    default: return p[1];
  }
}

/** Doubles of a task's partial result. */
export function partialSize(kind: RowTask, p: Float64Array): number {
  switch (kind) {
    case RowTask.DepthwiseFilter: return p[9] * p[10] * p[6];
    case RowTask.Relu6Backprop: return p[4];
    case RowTask.Im2col:
    case RowTask.Transpose: return 0;
    default: return p[2];
  }
}

/** Runs rows [from, to) of a task over `heap` into `out` (zeroed here). */
export function runRows(kind: RowTask, p: Float64Array, heap: Float32Array, from: number, to: number, out: Float64Array): void {
  if (kind === RowTask.DepthwiseFilter) depthwiseFilterRows(heap, depthwiseParams(p), from, to, out);
  else if (kind === RowTask.Relu6Backprop) relu6BackpropRows(heap, p[0], p[1], p[2], p[4], from, to, out);
  else if (kind === RowTask.Im2col) im2colRows(heap, Object.fromEntries(IM2COL_PARAMS.map((k, i) => [k, p[i]])) as Im2colParams, from, to);
  else if (kind === RowTask.Transpose) transposeRows(heap, p[0], p[1], p[2], p[3], from, to);
  else sumLeadingRows(heap, p[0], p[2], from, to, out);
}

const depthwiseParams = (p: Float64Array) => Object.fromEntries(DEPTHWISE_PARAMS.map((k, i) => [k, p[i]])) as DepthwiseParams;

/**
 * ∂L/∂W of a depthwise convolution over output rows [from, to) (row r = photo ⌊r/OH⌋, output row r mod OH):
 * dW[i,j,oc] += Σ_{ox} x_pad[n, oy·s+i, ox·s+j, ⌊oc/m⌋] · dy[n,oy,ox,oc], m the channel multiplier.
 * `x` and `dy` are element offsets into `heap`; `out` holds FH·FW·OC sums.
 */
export function depthwiseFilterRows(heap: Float32Array, d: DepthwiseParams, from: number, to: number, out: Float64Array): void {
  out.fill(0, 0, d.filterHeight * d.filterWidth * d.outChannels);
  for (let r = from; r < to; r++) depthwiseFilterRow(heap, d, r, out);
}

/**
 * One output row of depthwiseFilterRows. A function of its own, called once a row: V8 then optimises it as a whole
 * after a few calls. With every loop in one function called once a kernel, it compiled the innermost loop on stack
 * replacement and threw that code away each time the loop ended ("exit from OSR'd inner loop"), once a kernel call.
 */
function depthwiseFilterRow(heap: Float32Array, d: DepthwiseParams, r: number, out: Float64Array): void {
  const { x, dy, inHeight: H, inWidth: W, inChannels: C, outChannels: OC, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = d;
  const { strideHeight: sh, strideWidth: sw, padTop, padLeft } = d;
  const m = OC / C;
  const n = Math.floor(r / OH);
  const oy = r - n * OH;
  const dyRow = dy + r * OW * OC;
  for (let i = 0; i < FH; i++) {
    const y = oy * sh + i - padTop;
    if (y < 0 || y >= H) continue;
    const xRow = x + (n * H + y) * W * C;
    for (let j = 0; j < FW; j++) {
      // Output columns whose tap j lands inside the row: 0 ≤ ox·s + j − pad_left < W.
      const first = Math.max(0, Math.ceil((padLeft - j) / sw));
      const last = Math.min(OW - 1, Math.floor((W - 1 + padLeft - j) / sw));
      const w0 = (i * FW + j) * OC;
      for (let oc = 0; oc < OC; oc++) {
        let acc = 0;
        let xi = xRow + (first * sw + j - padLeft) * C + Math.floor(oc / m);
        let di = dyRow + first * OC + oc;
        for (let ox = first; ox <= last; ox++, xi += sw * C, di += OC) acc += heap[xi] * heap[di];
        out[w0 + oc] += acc;
      }
    }
  }
}

/** out[c] = Σ_{r ∈ [from, to)} x[r·cols + c], `x` an element offset into `heap`. */
export function sumLeadingRows(heap: Float32Array, x: number, cols: number, from: number, to: number, out: Float64Array): void {
  out.fill(0, 0, cols);
  for (let r = from; r < to; r++) {
    const row = x + r * cols;
    for (let c = 0; c < cols; c++) out[c] += heap[row + c];
  }
}

/**
 * ReLU6's backward read off its output, over rows [from, to) of [rows, cols] (cols = channels):
 * out = dy where 0 < y < 6 (y was clamped: elsewhere the gradient is 0), and `sums[c]` += out[r, c], the gradient
 * of the bias added before the clamp. `dy`, `y` and `out` are element offsets into `heap`.
 */
export function relu6BackpropRows(heap: Float32Array, dy: number, y: number, out: number, cols: number, from: number, to: number, sums: Float64Array): void {
  sums.fill(0, 0, cols);
  for (let r = from; r < to; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) {
      const v = heap[y + row + c];
      // Branch-free: activations sit on both sides of the clamps at random.
      const g = heap[dy + row + c] * (+(v > 0) & +(v < 6));
      heap[out + row + c] = g;
      sums[c] += g;
    }
  }
}

/**
 * The columns of a convolution's filter gradient over output rows [from, to) (row r = photo ⌊r/OH⌋, output row
 * r mod OH): cols[k][p] = x_pad at tap k = (i·FW + j)·C + c of output pixel p, zero in the padding; P pixels in all.
 */
export function im2colRows(heap: Float32Array, d: Im2colParams, from: number, to: number): void {
  for (let r = from; r < to; r++) im2colRow(heap, d, r);
}

/** One output row of im2colRows, a function of its own for the reason depthwiseFilterRow gives. */
function im2colRow(heap: Float32Array, d: Im2colParams, r: number): void {
  const { x, cols, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = d;
  const { strideHeight: sh, strideWidth: sw, padTop, padLeft } = d;
  const pixels = d.batch * OH * OW;
  const n = Math.floor(r / OH);
  const oy = r - n * OH;
  for (let ox = 0, p = r * OW; ox < OW; ox++, p++) {
    for (let i = 0; i < FH; i++) {
      const y = oy * sh + i - padTop;
      for (let j = 0; j < FW; j++) {
        const xx = ox * sw + j - padLeft;
        const inside = y >= 0 && y < H && xx >= 0 && xx < W;
        const src = x + ((n * H + y) * W + xx) * C;
        const k0 = cols + (i * FW + j) * C * pixels + p;
        for (let c = 0; c < C; c++) heap[k0 + c * pixels] = inside ? heap[src + c] : 0;
      }
    }
  }
}

/** out[c][r] = x[r][c] for source rows [from, to) of a [rows, cols] matrix (offsets into `heap`). */
export function transposeRows(heap: Float32Array, x: number, out: number, rows: number, cols: number, from: number, to: number): void {
  for (let r = from; r < to; r++) {
    const src = x + r * cols;
    for (let c = 0; c < cols; c++) heap[out + c * rows + r] = heap[src + c];
  }
}
