import * as tf from '@tensorflow/tfjs';

/**
 * MobileNet's conv → BatchNorm → ReLU6 triples as one fused convolution each. BatchNorm in inference mode is the
 * per-channel affine map x·a + (β − μ·a) with a = γ/√(σ² + ε), so
 *   relu6(BN(conv(x, W))) = relu6(conv(x, W′) + b′),  W′ = W·a (over the output channels),  b′ = β − μ·a,
 * one XNNPACK convolution with a bias and ReLU6 as its output clamp on wasm — threaded there, where BatchNorm,
 * Minimum and their gradients are single-threaded elementwise kernels (~55 % of the embedding pass).
 */

/** A convolution (no bias, linear) followed by a last-axis BatchNorm and, usually, ReLU6. */
export interface ConvBlock {
  conv: tf.layers.Layer;
  bn: tf.layers.Layer;
  relu6: boolean;
  depthwise: boolean;
}

/** One step of a chain of layers: a foldable block, or a layer run as itself. */
export type Step = { block: ConvBlock } | { layer: tf.layers.Layer };

interface ConvConfig {
  useBias?: boolean;
  activation?: string;
  dataFormat?: string;
  dilationRate?: number | number[];
  strides: [number, number];
  padding: 'same' | 'valid';
}

const config = <T>(layer: tf.layers.Layer) => layer.getConfig() as unknown as T;

function foldableConv(layer: tf.layers.Layer | undefined): boolean {
  const cls = layer?.getClassName();
  if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') return false;
  const c = config<ConvConfig>(layer!);
  return !c.useBias && c.activation === 'linear' && c.dataFormat === 'channelsLast' && [c.dilationRate].flat().every((d) => d === undefined || d === 1);
}

function lastAxisBatchNorm(layer: tf.layers.Layer | undefined): boolean {
  if (layer?.getClassName() !== 'BatchNormalization') return false;
  const axis = [config<{ axis: number | number[] }>(layer).axis].flat();
  return axis.length === 1 && (axis[0] === -1 || axis[0] === (layer.inputSpec?.[0]?.ndim ?? 4) - 1);
}

const isRelu6 = (layer: tf.layers.Layer | undefined) => layer?.getClassName() === 'Activation' && config<{ activation: string }>(layer).activation === 'relu6';

/** A chain of layers cut into foldable blocks and the layers between them. */
export function steps(layers: readonly tf.layers.Layer[]): Step[] {
  const out: Step[] = [];
  for (let i = 0; i < layers.length; i++) {
    if (foldableConv(layers[i]) && lastAxisBatchNorm(layers[i + 1])) {
      const relu6 = isRelu6(layers[i + 2]);
      out.push({ block: { conv: layers[i], bn: layers[i + 1], relu6, depthwise: layers[i].getClassName() === 'DepthwiseConv2D' } });
      i += relu6 ? 2 : 1;
    } else {
      out.push({ layer: layers[i] });
    }
  }
  return out;
}

/** A BatchNormalization layer's weight by its Keras name (gamma, beta, moving_mean, moving_variance), if it has it. */
const bnWeight = (layer: tf.layers.Layer, name: string) => layer.weights.find((w) => w.originalName.endsWith(`/${name}`))?.read();

/** BatchNorm in inference mode as x·scale + shift: scale = γ/√(σ² + ε), shift = β − μ·scale. Differentiable in γ and β. */
export function batchNormAffine(layer: tf.layers.Layer): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
  const { epsilon } = config<{ epsilon: number }>(layer);
  const gamma = bnWeight(layer, 'gamma');
  const beta = bnWeight(layer, 'beta');
  const a = tf.rsqrt(tf.add(bnWeight(layer, 'moving_variance')!, epsilon));
  const scale = (gamma ? tf.mul(gamma, a) : a) as tf.Tensor1D;
  const shift = tf.neg(tf.mul(bnWeight(layer, 'moving_mean')!, scale));
  return { scale, shift: (beta ? tf.add(beta, shift) : shift) as tf.Tensor1D };
}

/** W′ = W·a and b′ = β − μ·a of a block, from its layers' current weights (differentiable in W, γ and β). */
export function foldWeights(block: ConvBlock): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
  const kernel = block.conv.weights[0].read() as tf.Tensor4D;
  const { scale, shift } = batchNormAffine(block.bn);
  // A depthwise kernel is [fh, fw, C, m]: output channel c·m + q is scaled by a[c·m + q].
  const a = block.depthwise ? scale.reshape([kernel.shape[2], kernel.shape[3]]) : scale;
  return { filter: tf.mul(kernel, a), bias: shift };
}

/**
 * The block's convolution with folded weights, ReLU6 (when the block has it) as the fused activation. The kernel is
 * called directly: under a gradient tape tf.fused.* runs a non-linear activation unfused (conv, add, relu6).
 */
export function convolve(block: ConvBlock, x: tf.Tensor4D, filter: tf.Tensor4D, bias: tf.Tensor1D): tf.Tensor4D {
  const { strides, padding: pad } = config<ConvConfig>(block.conv);
  const attrs = { strides, pad, dataFormat: 'NHWC', dilations: [1, 1], activation: block.relu6 ? 'relu6' : 'linear' };
  return tf.engine().runKernel(block.depthwise ? 'FusedDepthwiseConv2D' : 'FusedConv2D', { x, filter, bias }, attrs) as tf.Tensor4D;
}

/** The weights a folded block depends on: a fold stays valid while each still holds the same data. */
const sources = (block: ConvBlock) => [block.conv.weights[0], ...block.bn.weights].map((w) => w.read().dataId);

/**
 * Folded weights of frozen blocks, kept between calls (wasm keys its packed XNNPACK operator by the filter tensor,
 * so a filter made anew each call would be repacked each call). Refolded when a layer's weights change (fine-tuning,
 * reset, a loaded project): every write swaps a variable's data. Keyed by layer name, so copies of one model can
 * share: with `shared` (the folds of the model's original weights), a block `pristine` says still holds them is
 * looked up there, and a fresh copy (a new training slot) folds and packs nothing of what it did not train.
 */
export class FoldedWeights {
  private readonly entries = new Map<string, { sources: object[]; filter: tf.Tensor4D; bias: tf.Tensor1D }>();

  constructor(private readonly shared?: { folds: FoldedWeights; pristine: (block: ConvBlock) => boolean }) {}

  get(block: ConvBlock): { filter: tf.Tensor4D; bias: tf.Tensor1D } {
    if (this.shared?.pristine(block)) return this.shared.folds.get(block);
    const now = sources(block);
    const name = block.conv.name;
    const held = this.entries.get(name);
    if (held && held.sources.every((s, i) => s === now[i])) return held;
    if (held) tf.dispose([held.filter, held.bias]);
    const { filter, bias } = tf.tidy(() => foldWeights(block));
    const entry = { sources: now, filter: tf.keep(filter), bias: tf.keep(bias) };
    this.entries.set(name, entry);
    return entry;
  }

  dispose(): void {
    this.entries.forEach((e) => tf.dispose([e.filter, e.bias]));
    this.entries.clear();
  }
}
