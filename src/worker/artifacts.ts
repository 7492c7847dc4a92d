import * as tf from '@tensorflow/tfjs';
import type { ExportMeta } from '../io/model-files';
import type { ExportedFiles } from './api';

/** The model's topology and weights in memory (a worker has no `downloads://`: the page saves the files). */
export async function toArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved) throw new Error('the model produced no artifacts');
  return saved;
}

/** The same two files `model.save('downloads://name')` writes: name.json (topology + manifest) and name.weights.bin. */
export async function toFiles(model: tf.LayersModel, classNames: string[], name: string): Promise<ExportedFiles> {
  const meta: ExportMeta = { app: 'transfer-lab', classNames, input: 'rgb 224x224, centre square crop, pixels / 127.5 - 1' };
  model.setUserDefinedMetadata(meta as unknown as Record<string, unknown>);
  const a = await toArtifacts(model);
  const weightsName = `${name}.weights.bin`;
  const json = {
    modelTopology: a.modelTopology,
    format: a.format,
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy,
    weightsManifest: [{ paths: [`./${weightsName}`], weights: a.weightSpecs ?? [] }],
    userDefinedMetadata: a.userDefinedMetadata,
  };
  const weights = a.weightData ? tf.io.CompositeArrayBuffer.join(a.weightData) : new ArrayBuffer(0);
  return { jsonName: `${name}.json`, json: JSON.stringify(json), weightsName, weights };
}
