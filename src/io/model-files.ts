import * as tf from '@tensorflow/tfjs';
import { checkModelFiles } from './model-limits';

/** Metadata saved inside model.json so an exported model knows its classes. */
export interface ExportMeta {
  app: 'transfer-lab';
  classNames: string[];
  input: 'rgb 224x224, centre square crop, pixels / 127.5 - 1';
}

/** Saves the full pipeline as TF.js files (model.json + weights.bin) through the browser's download. */
export async function downloadModel(model: tf.LayersModel, classNames: string[], name = 'transfer-lab-model'): Promise<void> {
  const meta: ExportMeta = { app: 'transfer-lab', classNames, input: 'rgb 224x224, centre square crop, pixels / 127.5 - 1' };
  model.setUserDefinedMetadata(meta as unknown as Record<string, unknown>);
  await model.save(`downloads://${name}`);
}

/** Why exported model files are refused (model-limits' problems come through as they are); the UI has a message for each. */
export type ModelFileProblem = 'missing-json' | 'missing-weights' | 'unreadable' | 'not-ours';

export class ModelFileError extends Error {
  constructor(
    readonly problem: ModelFileProblem,
    detail = '',
  ) {
    super(detail ? `${problem}: ${detail}` : problem);
    this.name = 'ModelFileError';
  }
}

/** Loads an exported model from the files a learner picked: model.json plus its weight files. */
export async function readModelFiles(files: File[]): Promise<{ model: tf.LayersModel; classNames: string[] }> {
  const json = files.find((f) => f.name.endsWith('.json'));
  const weights = files.filter((f) => f !== json);
  if (!json) throw new ModelFileError('missing-json');
  if (weights.length === 0) throw new ModelFileError('missing-weights');
  // Sizes, dtypes, byte counts and strings are checked before TF.js allocates a single tensor.
  checkModelFiles(await json.text(), json.size, weights);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.browserFiles([json, ...weights]));
  } catch (err) {
    throw new ModelFileError('unreadable', err instanceof Error ? err.message : String(err));
  }
  const meta = model.getUserDefinedMetadata() as Partial<ExportMeta> | undefined;
  const outputs = model.outputs[0].shape.at(-1);
  const inputOk = JSON.stringify(model.inputs[0].shape.slice(1)) === '[224,224,3]';
  if (meta?.app !== 'transfer-lab' || !Array.isArray(meta.classNames) || meta.classNames.length !== outputs || !inputOk) {
    model.dispose();
    throw new ModelFileError('not-ours');
  }
  return { model, classNames: meta.classNames };
}
