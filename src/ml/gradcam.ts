import * as tf from '@tensorflow/tfjs';
import { centreView, checkPixels } from './image';
import { EMBEDDING_LAYER, preprocess } from './mobilenet';
import { EngineError } from './types';
import type { Pixels } from './types';

/** Where a model "looked" for one class in one photo. */
export interface ClassActivation {
  /** The class explained: the one asked for, else the model's top class. */
  classIndex: number;
  /** Rows × columns of the map (7 × 7 at MobileNet's embedding cut). */
  height: number;
  width: number;
  /** The map, row-major, 0..1 (1 at the peak); all zeros when nothing in the photo speaks for the class. */
  grid: Float32Array;
  /** Centre of the peak's cell in the photo as handed in (0..1 of its width and height); null for an all-zero map. */
  peakX: number | null;
  peakY: number | null;
  /** The centre square the model saw, as fractions of the photo: the map covers exactly this box. */
  crop: { x: number; y: number; width: number; height: number };
  /** Softmax of the scores: what the model predicts for the photo. */
  probabilities: Float32Array;
  /** αₖ, the weight of each feature channel (length C). */
  channelWeights: Float32Array;
}

/** Softmax as a layer: an Activation layer set to softmax (MobileNet's act_softmax, the head's head_softmax) or a Softmax layer. */
function isSoftmax(layer: tf.layers.Layer): boolean {
  const cls = layer.getClassName();
  return cls === 'Softmax' || (cls === 'Activation' && (layer.getConfig() as { activation?: string }).activation === 'softmax');
}

/**
 * The model cut in two at `layerName`: image → feature map A, and A → class scores z (the layers between the cut and
 * the softmax, in inference mode, flattened to [n, classes]). The models here are chains (MobileNet, the trainer's
 * exported pipeline), so the layers after the cut, in order, are the path from A to z.
 */
function splitAtFeatures(model: tf.LayersModel, layerName: string): { features: tf.LayersModel; scores: (a: tf.Tensor) => tf.Tensor2D } {
  const cut = model.layers.findIndex((l) => l.name === layerName);
  if (cut < 0) throw new EngineError('MODEL', `The model has no layer named ${layerName}.`, { layer: layerName });
  const after = model.layers.slice(cut + 1);
  const softmax = after.findIndex(isSoftmax);
  if (softmax < 0) throw new EngineError('MODEL', `The model has no softmax layer after ${layerName}: its class scores cannot be told apart.`);
  const head = after.slice(0, softmax);
  return {
    features: tf.model({ inputs: model.inputs, outputs: model.layers[cut].output as tf.SymbolicTensor }),
    scores: (a) => {
      const z = head.reduce((h, layer) => layer.apply(h, { training: false }) as tf.Tensor, a);
      return z.reshape([z.shape[0], -1]) as tf.Tensor2D;
    },
  };
}

/**
 * Grad-CAM (Selvaraju et al., 2017) for one photo and one class.
 *
 * Let Aᵏ (k = 1..C) be the feature map at `layerName` (h × w per channel; 7 × 7 × 256 at MobileNet v1 0.25's
 * conv_pw_13_relu) and z_c the class's score before the softmax. Then
 *   αₖ = (1 / hw) Σᵢⱼ ∂z_c / ∂Aᵏᵢⱼ          (how much channel k raises the class's score, on average)
 *   L  = ReLU(Σₖ αₖ Aᵏ)                      (where those channels fire; ReLU keeps the evidence for c)
 * and the grid is L / max L (zeros when max L = 0). The peak is the centre of L's largest cell, mapped from the
 * centre square the preprocessing crops back to the photo's own coordinates.
 *
 * `model` is any chain image → … → `layerName` → … → softmax: MobileNet itself (ImageNet's head) or a trainer's
 * exported pipeline (its fine-tuned base and head). Every value is read back asynchronously (a synchronous read breaks
 * WebGPU) and no tensor outlives the call.
 */
export async function classActivation(model: tf.LayersModel, pixels: Pixels, classIndex?: number, layerName: string = EMBEDDING_LAYER): Promise<ClassActivation> {
  checkPixels(pixels);
  const { features, scores } = splitAtFeatures(model, layerName);
  const { a, z } = tf.tidy(() => {
    const a = features.predict(preprocess(pixels)) as tf.Tensor4D;
    return { a, z: tf.softmax(scores(a)) };
  });
  try {
    const probabilities = (await z.data()) as Float32Array;
    const c = classIndex ?? probabilities.indexOf(Math.max(...probabilities));
    if (!Number.isInteger(c) || c < 0 || c >= probabilities.length) {
      throw new EngineError('BAD_HYPERPARAMETER', `There is no class ${c}: the model has ${probabilities.length}.`, { name: 'classIndex', value: c });
    }
    const [, height, width] = a.shape;
    const { map, weights } = tf.tidy(() => {
      const gradient = tf.grad((x: tf.Tensor) => tf.sum(tf.slice(scores(x), [0, c], [1, 1])))(a);
      const weights = tf.mean(gradient, [0, 1, 2]);
      return { map: tf.relu(tf.sum(tf.mul(a, weights), -1)).reshape([height * width]), weights };
    });
    const [grid, channelWeights] = (await Promise.all([map.data(), weights.data()]).finally(() => tf.dispose([map, weights]))) as Float32Array[];
    const peak = grid.indexOf(Math.max(...grid));
    const top = grid[peak];
    if (top > 0) grid.forEach((v, i) => (grid[i] = v / top));
    const view = centreView(pixels);
    const crop = { x: view.left / pixels.width, y: view.top / pixels.height, width: view.size / pixels.width, height: view.size / pixels.height };
    const at = (cell: number, cells: number, start: number, extent: number) => start + ((cell + 0.5) / cells) * extent;
    return {
      classIndex: c,
      height,
      width,
      grid,
      peakX: top > 0 ? at(peak % width, width, crop.x, crop.width) : null,
      peakY: top > 0 ? at(Math.floor(peak / width), height, crop.y, crop.height) : null,
      crop,
      probabilities,
      channelWeights,
    };
  } finally {
    tf.dispose([a, z]);
  }
}
