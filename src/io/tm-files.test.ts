import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ModelLimitError } from './model-limits';
import { checkTmMetadata, checkTmShapes, readTmFiles, TmFileError, tmZip } from './tm-files';

/** A model.json whose manifest needs one 2×3 float32 kernel and 3 biases: 36 bytes in weights.bin. */
const modelJson = (dtype = 'float32') =>
  JSON.stringify({
    modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [] } },
    format: 'layers-model',
    weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'd/kernel', shape: [2, 3], dtype }, { name: 'd/bias', shape: [3], dtype }] }],
  });
const metadata = (labels: unknown = ['a', 'b', 'c'], extra: Record<string, unknown> = {}) => JSON.stringify({ tfjsVersion: '1.3.1', packageName: '@teachablemachine/image', labels, ...extra });
const zipFile = (entries: Record<string, Uint8Array>, name = 'tm-model.zip') => new File([zipSync(entries) as Uint8Array<ArrayBuffer>], name);
const problem = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    return err instanceof TmFileError || err instanceof ModelLimitError ? err.problem : `other: ${String(err)}`;
  }
  return 'accepted';
};

describe('Teachable Machine files', () => {
  it('reads back its own zip: model.json, weights.bin and the labels of metadata.json', async () => {
    const zip = tmZip({ modelJson: modelJson(), weights: new Float32Array(9).buffer, metadata: metadata() });
    const read = await readTmFiles([new File([zip as Uint8Array<ArrayBuffer>], 'my-model.zip')]);
    expect(read.json.name).toBe('model.json');
    expect(read.weights.map((w) => [w.name, w.size])).toEqual([['weights.bin', 36]]);
    expect(read.metadata.labels).toEqual(['a', 'b', 'c']);
  });

  it('reads the three loose files too, whatever order they are picked in', async () => {
    const files = [new File([metadata()], 'metadata.json'), new File([new Float32Array(9)], 'weights.bin'), new File([modelJson()], 'model.json')];
    expect((await readTmFiles(files)).metadata.labels).toHaveLength(3);
  });

  it('refuses, each with its own reason: no weights.bin, no metadata.json, no model.json, a broken zip, weights that do not match, int weights', async () => {
    const full = { 'model.json': strToU8(modelJson()), 'weights.bin': new Uint8Array(36), 'metadata.json': strToU8(metadata()) };
    const { 'weights.bin': _w, ...noWeights } = full;
    const { 'metadata.json': _m, ...noMetadata } = full;
    const { 'model.json': _j, ...noModel } = full;
    expect(await problem(readTmFiles([zipFile(noWeights)]))).toBe('missing-weights');
    expect(await problem(readTmFiles([zipFile({ ...noWeights, 'other.bin': new Uint8Array(36) })]))).toBe('missing-weights');
    expect(await problem(readTmFiles([zipFile(noMetadata)]))).toBe('missing-metadata');
    expect(await problem(readTmFiles([zipFile(noModel)]))).toBe('missing-model-json');
    expect(await problem(readTmFiles([new File([new Uint8Array([80, 75, 3, 4, 1, 2])], 'broken.zip')]))).toBe('bad-zip');
    expect(await problem(readTmFiles([zipFile({ ...full, 'weights.bin': new Uint8Array(32) })]))).toBe('weights-mismatch');
    expect(await problem(readTmFiles([zipFile({ ...full, 'model.json': strToU8(modelJson('int32')) })]))).toBe('not-float32');
    expect(await problem(readTmFiles([zipFile(full)]))).toBe('accepted');
  });

  it('refuses a zip that would unpack past the size limit before inflating it', async () => {
    const big = zipSync({ 'weights.bin': new Uint8Array(65 * 1024 * 1024) }, { level: 1 });
    expect(big.length).toBeLessThan(1024 * 1024);
    expect(await problem(readTmFiles([new File([big as Uint8Array<ArrayBuffer>], 'bomb.zip')]))).toBe('bad-zip');
  });

  it('checks metadata.json: labels present, short and non-empty; RGB at 224', () => {
    const reason = (text: string) => {
      try {
        checkTmMetadata(text);
        return 'accepted';
      } catch (err) {
        return (err as TmFileError).problem;
      }
    };
    expect(reason(metadata())).toBe('accepted');
    expect(reason('{nope')).toBe('bad-metadata');
    expect(reason(metadata([]))).toBe('bad-metadata');
    expect(reason(metadata(['a', 7]))).toBe('bad-metadata');
    expect(reason(metadata(['a', ' ']))).toBe('bad-metadata');
    expect(reason(metadata(['a', 'x'.repeat(41)]))).toBe('bad-metadata');
    expect(reason(metadata(Array.from({ length: 101 }, (_, i) => `c${i}`)))).toBe('bad-metadata');
    expect(reason(metadata(['a'], { modelName: 'm'.repeat(201) }))).toBe('bad-metadata');
    expect(reason(metadata(['a'], { imageSize: 96 }))).toBe('bad-input');
    expect(reason(metadata(['a'], { grayscale: true }))).toBe('bad-input');
  });

  it('after loading: input 224×224×3 and one output unit per label', () => {
    expect(() => checkTmShapes([null, 224, 224, 3], [null, 3], ['a', 'b', 'c'])).not.toThrow();
    expect(() => checkTmShapes([null, 224, 224, 3], [null, 2], ['a', 'b', 'c'])).toThrow(/labels-mismatch: the model outputs 2 values, metadata.json lists 3 labels/);
    expect(() => checkTmShapes([null, 96, 96, 3], [null, 3], ['a', 'b', 'c'])).toThrow(/bad-input/);
  });
});
