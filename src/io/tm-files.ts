import { strToU8, unzipSync, zipSync } from 'fflate';
import type { TmMetadata } from '../ml/tm-format';
import { checkModelFiles, MODEL_LIMITS } from './model-limits';
import { TmFileError } from './tm-file-error';

export { TmFileError, type TmProblem } from './tm-file-error';

/** The three files of a Teachable Machine image model, as TM's "Download my model" zip holds them. */
export interface TmExportFiles {
  modelJson: string;
  weights: ArrayBuffer;
  metadata: string;
}

/** metadata.json is a few hundred bytes; anything near this is not a TM metadata file. */
const METADATA_BYTES = 64 * 1024;
const ZIP_ENTRIES = 16;

/** One .zip with model.json, weights.bin and metadata.json at its root, as TM downloads it. */
export function tmZip(files: TmExportFiles): Uint8Array {
  return zipSync({
    'model.json': strToU8(files.modelJson),
    'weights.bin': new Uint8Array(files.weights),
    'metadata.json': strToU8(files.metadata),
  });
}

const baseName = (name: string) => name.split(/[\\/]/).pop() ?? name;
const isZip = (f: File) => /\.zip$/i.test(f.name) || f.type === 'application/zip' || f.type === 'application/x-zip-compressed';

/** The files inside a TM zip (folders flattened, like TM's own zips which have none), with sizes checked before inflating. */
async function unzipTm(zip: File): Promise<File[]> {
  if (zip.size > MODEL_LIMITS.totalBytes) throw new TmFileError('bad-zip', `${zip.size} bytes`);
  let total = 0;
  let entries = 0;
  let inflated: Record<string, Uint8Array>;
  try {
    inflated = unzipSync(new Uint8Array(await zip.arrayBuffer()), {
      filter: (f) => {
        if (f.name.endsWith('/')) return false;
        entries++;
        total += f.originalSize;
        if (entries > ZIP_ENTRIES || total > MODEL_LIMITS.totalBytes) throw new TmFileError('bad-zip', `${entries} entries, ${total} bytes unpacked`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof TmFileError) throw err;
    throw new TmFileError('bad-zip', err instanceof Error ? err.message : String(err));
  }
  return Object.entries(inflated).map(([name, bytes]) => new File([bytes as Uint8Array<ArrayBuffer>], baseName(name)));
}

/** Labels from metadata.json, checked like class names everywhere else: 1..100 short, non-empty strings; RGB at 224. */
export function checkTmMetadata(text: string): TmMetadata {
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch {
    throw new TmFileError('bad-metadata', 'metadata.json is not valid JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new TmFileError('bad-metadata', 'not an object');
  const m = meta as Partial<TmMetadata>;
  const labels = m.labels;
  if (!Array.isArray(labels) || labels.length < 1 || labels.length > MODEL_LIMITS.classes) throw new TmFileError('bad-metadata', 'labels must list 1 to 100 class names');
  if (labels.some((l) => typeof l !== 'string' || l.trim() === '' || l.length > MODEL_LIMITS.classNameLength)) {
    throw new TmFileError('bad-metadata', `labels must be non-empty strings of at most ${MODEL_LIMITS.classNameLength} characters`);
  }
  for (const key of ['modelName', 'packageName', 'packageVersion', 'tfjsVersion', 'tmVersion', 'timeStamp'] as const) {
    const v = m[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > MODEL_LIMITS.stringLength)) throw new TmFileError('bad-metadata', `${key} is not a short string`);
  }
  if (m.imageSize !== undefined && m.imageSize !== 224) throw new TmFileError('bad-input', `imageSize ${String(m.imageSize)}, 224 expected`);
  if (m.grayscale === true) throw new TmFileError('bad-input', 'grayscale models are not supported');
  return m as TmMetadata;
}

/**
 * A Teachable Machine image model from what the learner picked: its zip, or model.json + weights.bin + metadata.json.
 * Everything is checked before TF.js allocates a tensor (sizes, float32 weights, bytes vs shapes, strings, labels).
 */
export async function readTmFiles(picked: File[]): Promise<{ json: File; weights: File[]; metadata: TmMetadata }> {
  const files = (await Promise.all(picked.map((f) => (isZip(f) ? unzipTm(f) : [f])))).flat();
  const metadataFile = files.find((f) => baseName(f.name) === 'metadata.json');
  const json = files.find((f) => f !== metadataFile && /\.json$/i.test(f.name));
  const weights = files.filter((f) => /\.bin$/i.test(f.name));
  if (!json) throw new TmFileError('missing-model-json', 'model.json');
  if (!metadataFile) throw new TmFileError('missing-metadata', 'metadata.json');
  if (weights.length === 0) throw new TmFileError('missing-weights', 'weights.bin');
  if (metadataFile.size > METADATA_BYTES) throw new TmFileError('bad-metadata', `${metadataFile.size} bytes`);
  const metadata = checkTmMetadata(await metadataFile.text());
  checkModelFiles(await json.text(), json.size, weights.map((w) => ({ name: baseName(w.name), size: w.size })));
  return { json, weights, metadata };
}

/** After loading: TM feeds a [1, 224, 224, 3] batch and reads one probability per label. */
export function checkTmShapes(input: (number | null)[], output: (number | null)[], labels: string[]): void {
  if (JSON.stringify(input.slice(1)) !== '[224,224,3]') throw new TmFileError('bad-input', `input ${JSON.stringify(input)}`);
  if (output.length !== 2 || output[1] !== labels.length) {
    throw new TmFileError('labels-mismatch', `the model outputs ${String(output.at(-1))} values, metadata.json lists ${labels.length} labels`);
  }
}
