import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES_FILE, MODELS_DIR, squarePhotos } from '../ml/testing/fixtures';
import { serveFiles } from '../ml/testing/file-server';
import { EngineHost } from './host';

/** The wasm binaries from the package, as the app serves them from its own origin. */
const WASM = Object.fromEntries(
  ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'].map((f) => [f, path.resolve('node_modules/@tensorflow/tfjs-backend-wasm/dist', f)]),
);

/** Both bases served over HTTP as the app serves them: assets/models/<folder>/… */
let server: Awaited<ReturnType<typeof serveFiles>>;
let root = '';

beforeAll(async () => {
  server = await serveFiles((pathname) => {
    const parts = pathname.split('/').filter(Boolean);
    return parts.at(-1) === 'imagenet_classes.json' ? CLASS_NAMES_FILE : path.join(MODELS_DIR, path.basename(parts.at(-2) ?? ''), path.basename(parts.at(-1) ?? ''));
  });
  root = server.base;
});
afterAll(async () => {
  await server.close();
  await tf.setBackend('cpu');
});

describe('EngineHost: switching base', () => {
  it('loads 0.75 on the same backend, keeps the photos, drops the old head, refuses it, trains anew and leaks nothing', async () => {
    const host = new EngineHost('page');
    const url = (folder: string) => `${root}models/${folder}/model.json`;
    const info = await host.init({ modelUrl: url('mobilenet_v1_0.25_224'), classNamesUrl: `${root}imagenet_classes.json`, wasmPaths: WASM, requested: 'wasm' });
    expect(info.backend).toMatchObject({ name: 'wasm' });
    expect(info.embeddingSize).toBe(256);
    const baseline = (await host.memory()).numTensors;

    const samples = squarePhotos(['dress', 'shoes'], 3);
    await host.putSamples(samples.map(({ id, pixels }) => ({ id, pixels })));
    const refs = samples.map(({ id, label }) => ({ id, label }));
    const options = { mode: 'feature-extraction' as const, classNames: ['dress', 'shoes'], epochs: 2, batchSize: 3, learningRate: 1e-3, validationSplit: 0 };
    await host.train('lab', 1, refs, options);
    const small = (await host.headWeights('lab'))!;
    expect(small.base).toBe('mobilenet_v1_0.25');

    const wide = await host.switchBase(url('mobilenet_v1_0.75_224'));
    expect(wide.backend.name).toBe('wasm');
    expect(wide.embeddingSize).toBe(768);
    expect(wide.layers.find((l) => l.name === 'conv_pw_13')!.outputShape).toEqual([null, 7, 7, 768]);
    expect(await host.missingSamples(samples.map((s) => s.id))).toEqual([]);
    expect(await host.headWeights('lab')).toBeNull();
    await expect(host.loadHead('lab', small)).rejects.toMatchObject({ details: { problem: 'other-base' } });
    expect((await host.predict('lab', samples[0].pixels)).from).toBe('imagenet');
    expect(await host.embedSpeed(1)).toBeGreaterThan(0);

    await host.train('lab', 2, refs, options);
    expect((await host.headWeights('lab'))!.base).toBe('mobilenet_v1_0.75');
    expect((await host.predict('lab', samples[0].pixels)).from).toBe('trained');

    // Back on 0.25 its own head loads again, and the tensors are those of one base and one head, as at the start.
    await host.switchBase(url('mobilenet_v1_0.25_224'));
    expect(await host.loadHead('lab', small)).toEqual(['dress', 'shoes']);
    await host.disposeSlot('lab');
    expect((await host.memory()).numTensors).toBe(baseline);
  });
});
