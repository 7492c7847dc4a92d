import * as tf from '@tensorflow/tfjs';

/** The Teachable Machine image library our exports target: its loader runs on this tfjs. */
export const TM_TARGET = { packageName: '@teachablemachine/image', packageVersion: '0.8.5', tfjsVersion: '1.3.1', imageSize: 224 } as const;

/** metadata.json of a TM image model, as `tmImage.load()` reads it (custom-mobilenet.ts `Metadata`). */
export interface TmMetadata {
  tfjsVersion: string;
  tmVersion?: string;
  packageVersion: string;
  packageName: string;
  modelName?: string;
  timeStamp?: string;
  labels: string[];
  userMetadata?: Record<string, unknown>;
  grayscale?: boolean;
  imageSize?: number;
}

/** model.json in the layers-model format tfjs 1.x loads: topology plus one weights file. */
export interface TmModelJson {
  modelTopology: unknown;
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  weightsManifest: { paths: ['weights.bin']; weights: tf.io.WeightsManifestEntry[] }[];
}

export class TmFormatError extends Error {
  constructor(
    readonly problem: 'unsupported-layer',
    detail: string,
  ) {
    super(`${problem}: ${detail}`);
    this.name = 'TmFormatError';
  }
}

/** Class names tfjs 1.3.1's deserialiser knows (read from its SerializationMap); anything else fails to load there. */
const TFJS_13_CLASSES = new Set(
  ('Zeros Ones Constant RandomUniform RandomNormal TruncatedNormal Identity VarianceScaling GlorotUniform GlorotNormal HeNormal HeUniform ' +
    'LeCunNormal Orthogonal MaxNorm UnitNorm NonNeg MinMaxNorm L1L2 InputLayer Model Sequential ReLU LeakyReLU PReLU ELU ThresholdedReLU ' +
    'Softmax Conv2D Conv3D Conv2DTranspose SeparableConv2D Conv1D Cropping2D UpSampling2D DepthwiseConv2D Dropout Dense Flatten Activation ' +
    'RepeatVector Reshape Permute Masking Embedding Add Multiply Average Maximum Minimum Concatenate Dot GaussianNoise GaussianDropout ' +
    'AlphaDropout BatchNormalization LayerNormalization ZeroPadding2D MaxPooling1D AveragePooling1D MaxPooling2D AveragePooling2D ' +
    'MaxPooling3D AveragePooling3D GlobalAveragePooling1D GlobalMaxPooling1D GlobalAveragePooling2D GlobalMaxPooling2D').split(' '),
);
const TFJS_13_ACTIVATIONS = new Set('elu selu relu relu6 linear sigmoid hardSigmoid hard_sigmoid softplus softsign tanh softmax logSoftmax'.split(' '));

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The topology rewritten for tfjs 1.3.1: tfjs ≥ 3 may name a functional model 'Functional', which 1.3.1 only
 * knows as 'Model'; every other class name, activation and initializer is checked against what 1.3.1 knows.
 * Throws TmFormatError naming the first thing 1.3.1 could not build. Returns a new object.
 */
export function forTfjs13(topology: unknown): unknown {
  const walk = (v: unknown, path: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`));
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = walk(x, `${path}.${k}`);
    if (typeof out.class_name === 'string' && 'config' in out) {
      if (out.class_name === 'Functional') out.class_name = 'Model';
      if (!TFJS_13_CLASSES.has(out.class_name as string)) throw new TmFormatError('unsupported-layer', `${out.class_name as string} at ${path}`);
    }
    if (path.endsWith('.config') && typeof out.activation === 'string' && !TFJS_13_ACTIVATIONS.has(out.activation)) {
      throw new TmFormatError('unsupported-layer', `activation ${out.activation} at ${path}`);
    }
    return out;
  };
  return walk(topology, 'modelTopology');
}

/** model.json for TM: the 1.3.1-safe topology and one manifest group whose only file is weights.bin. */
export function tmModelJson(artifacts: Pick<tf.io.ModelArtifacts, 'modelTopology' | 'weightSpecs'>): TmModelJson {
  return {
    modelTopology: forTfjs13(artifacts.modelTopology),
    format: 'layers-model',
    generatedBy: 'Transfer Lab',
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  };
}

/**
 * Pixels as the lab feeds them, s = x/127.5 − 1, and as TM's capture() feeds them, t = x/127 − 1 (utils/tf.ts).
 * Each is an affine map of the other per channel: s = t·a + (a − 1) with a = 127/127.5, and t = s/a + (1/a − 1).
 */
export const TM_TO_LAB = { scale: 127 / 127.5, shift: 127 / 127.5 - 1 };
export const LAB_TO_TM = { scale: 127.5 / 127, shift: 127.5 / 127 - 1 };
export const INPUT_SCALE_LAYER = 'tm_input_scale';

/** A frozen 1×1 depthwise conv, y_c = x_c·scale + shift on each of the 3 channels: the affine map above as a layer 1.3.1 knows. */
function scaleLayerConfig(inbound: string): Record<string, unknown> {
  return {
    name: INPUT_SCALE_LAYER,
    class_name: 'DepthwiseConv2D',
    config: {
      name: INPUT_SCALE_LAYER,
      trainable: false,
      kernel_size: [1, 1],
      strides: [1, 1],
      padding: 'valid',
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      depth_multiplier: 1,
      activation: 'linear',
      use_bias: true,
      depthwise_initializer: { class_name: 'Ones', config: {} },
      bias_initializer: { class_name: 'Zeros', config: {} },
      depthwise_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      depthwise_constraint: null,
      bias_constraint: null,
    },
    inbound_nodes: [[[inbound, 0, 0, {}]]],
  };
}

type NodeRef = [string, number, number, unknown?];
type LayerJson = { name: string; class_name: string; config: unknown; inbound_nodes: NodeRef[][] };

/**
 * Puts the affine input map right after a functional model's single input: every layer that read the input reads
 * the map's output instead. Its two weights (kernel [1,1,3,1], bias [3]) are appended to the specs and the bytes.
 */
export function withInputScale(
  topology: unknown,
  specs: tf.io.WeightsManifestEntry[],
  weights: ArrayBuffer,
  map: { scale: number; shift: number },
): { topology: unknown; specs: tf.io.WeightsManifestEntry[]; weights: ArrayBuffer } {
  const model = topology as { class_name?: string; config?: { layers?: LayerJson[]; input_layers?: NodeRef[] } };
  const inputs = model.config?.input_layers;
  const layers = model.config?.layers;
  if (!['Model', 'Functional'].includes(model.class_name ?? '') || !layers || inputs?.length !== 1) {
    throw new TmFormatError('unsupported-layer', 'the input scale needs a functional model with one input');
  }
  if (layers.some((l) => l.name === INPUT_SCALE_LAYER)) throw new TmFormatError('unsupported-layer', `${INPUT_SCALE_LAYER} is already there`);
  const input = inputs[0][0];
  const rewired = layers.map((l) => ({
    ...l,
    inbound_nodes: l.inbound_nodes.map((node) => node.map((ref) => (ref[0] === input ? ([INPUT_SCALE_LAYER, ...ref.slice(1)] as NodeRef) : ref))),
  }));
  const at = rewired.findIndex((l) => l.name === input) + 1;
  rewired.splice(at, 0, scaleLayerConfig(input) as LayerJson);
  const extra = new Float32Array([map.scale, map.scale, map.scale, map.shift, map.shift, map.shift]);
  const bytes = new Uint8Array(weights.byteLength + extra.byteLength);
  bytes.set(new Uint8Array(weights), 0);
  bytes.set(new Uint8Array(extra.buffer), weights.byteLength);
  return {
    topology: { ...model, config: { ...model.config, layers: rewired } },
    specs: [
      ...specs,
      { name: `${INPUT_SCALE_LAYER}/depthwise_kernel`, shape: [1, 1, 3, 1], dtype: 'float32' },
      { name: `${INPUT_SCALE_LAYER}/bias`, shape: [3], dtype: 'float32' },
    ],
    weights: bytes.buffer,
  };
}

/** The lab's trained pipeline as TM's model.json + weights.bin: TM's pixel scaling mapped to the lab's, then 1.3.1-safe. */
export function tmExport(artifacts: tf.io.ModelArtifacts): { json: TmModelJson; weights: ArrayBuffer } {
  const data = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
  const scaled = withInputScale(artifacts.modelTopology, artifacts.weightSpecs ?? [], data, TM_TO_LAB);
  return { json: tmModelJson({ modelTopology: scaled.topology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: scaled.specs }), weights: scaled.weights };
}

/**
 * An imported TM model wrapped so it reads the lab's pixels: the inverse map in front, frozen. The TM model stays
 * one nested layer (wrapper.layers[2]) so it can be exported again as it came.
 */
export function readingLabPixels(tmModel: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: [224, 224, 3], name: 'lab_pixels' });
  const scale = tf.layers.depthwiseConv2d({ name: INPUT_SCALE_LAYER, kernelSize: 1, useBias: true, trainable: false });
  const output = tmModel.apply(scale.apply(input)) as tf.SymbolicTensor;
  const { scale: a, shift: b } = LAB_TO_TM;
  tf.tidy(() => scale.setWeights([tf.fill([1, 1, 3, 1], a), tf.fill([3], b)]));
  return tf.model({ inputs: input, outputs: output, name: 'tm_model_on_lab_pixels' });
}

/** The TM model inside readingLabPixels' wrapper, or null when this model is not such a wrapper. */
export function unwrapTm(model: tf.LayersModel): tf.LayersModel | null {
  const inner = model.layers[2] as unknown as tf.LayersModel | undefined;
  return model.layers[1]?.name === INPUT_SCALE_LAYER && inner && Array.isArray((inner as { layers?: unknown }).layers) ? inner : null;
}

/** metadata.json in TM's image schema: the fields `tmImage.load()` fills in when absent, all given here. */
export function tmMetadata(labels: string[], modelName: string, timeStamp: Date): TmMetadata {
  return {
    tfjsVersion: TM_TARGET.tfjsVersion,
    tmVersion: TM_TARGET.packageVersion,
    packageVersion: TM_TARGET.packageVersion,
    packageName: TM_TARGET.packageName,
    timeStamp: timeStamp.toISOString(),
    userMetadata: { app: 'transfer-lab', input: 'rgb 224x224, centre square crop, pixels / 127 - 1 (as @teachablemachine/image feeds them)' },
    modelName,
    labels: labels.slice(),
    imageSize: TM_TARGET.imageSize,
  };
}

/** One leaf layer of an imported model, nested models opened up, with a group for the list. */
export interface TmLayer {
  name: string;
  className: string;
  /** Layers of one block share a group: the name up to its first number, with role words dropped. */
  group: string;
  outputShape: (number | null)[];
  params: number;
}

/** Words that name a layer's role inside a block (MobileNet v1/v2, Keras naming), not the block itself. */
const ROLE_WORDS = new Set(['dw', 'pw', 'depthwise', 'expand', 'project', 'bn', 'relu', 'pad', 'add']);

/**
 * A layer name's block, generically: drop role words, keep the tokens up to the first number.
 * `conv_dw_5_bn` and `conv_pw_5_relu` → `conv_5`; `block_3_expand_BN` → `block_3`; `expanded_conv_project` → `expanded_conv`;
 * `bn_Conv1`, `Conv1_relu` → `Conv1`. No MobileNet v1 names are assumed.
 */
export function blockOf(name: string): string {
  const tokens = name.split('_').filter((t) => !ROLE_WORDS.has(t.toLowerCase()));
  const number = tokens.findIndex((t) => /^\d+$/.test(t));
  const kept = number >= 0 ? tokens.slice(0, number + 1) : tokens;
  return kept.join('_') || name;
}

/** The leaf layers in order (a TM model nests Sequentials and a functional base); input layers, which hold nothing, skipped. */
export function leafLayers(model: tf.LayersModel): TmLayer[] {
  const out: TmLayer[] = [];
  const visit = (layer: tf.layers.Layer) => {
    const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
    if (Array.isArray(inner)) {
      inner.forEach(visit);
      return;
    }
    if (layer.getClassName() === 'InputLayer') return;
    const shape = layer.outputShape;
    out.push({
      name: layer.name,
      className: layer.getClassName(),
      group: blockOf(layer.name),
      outputShape: (Array.isArray(shape[0]) ? shape[0] : shape) as (number | null)[],
      params: layer.countParams(),
    });
  };
  model.layers.forEach(visit);
  return out;
}
