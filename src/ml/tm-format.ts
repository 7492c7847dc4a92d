import type * as tf from '@tensorflow/tfjs';

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

/** metadata.json in TM's image schema: the fields `tmImage.load()` fills in when absent, all given here. */
export function tmMetadata(labels: string[], modelName: string, timeStamp: Date): TmMetadata {
  return {
    tfjsVersion: TM_TARGET.tfjsVersion,
    tmVersion: TM_TARGET.packageVersion,
    packageVersion: TM_TARGET.packageVersion,
    packageName: TM_TARGET.packageName,
    timeStamp: timeStamp.toISOString(),
    userMetadata: { app: 'transfer-lab', input: 'rgb 224x224, centre square crop, pixels / 127.5 - 1' },
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
