import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_NAMES_FILE, MODEL_DIR, squarePhotos } from '../ml/testing/fixtures';
import { serveFiles } from '../ml/testing/file-server';
import type { TrainEvent } from '../ml';
import { EngineHost } from './host';

/** The host as the page drives it, on the cpu backend, loading the model over HTTP as the browser does. */
let server: Awaited<ReturnType<typeof serveFiles>>;
let base = '';

beforeAll(async () => {
  server = await serveFiles((pathname) => {
    const name = path.basename(pathname);
    return name === 'imagenet_classes.json' ? CLASS_NAMES_FILE : path.join(MODEL_DIR, name);
  });
  base = server.base;
});
afterAll(() => server.close());

describe('EngineHost', () => {
  it('trains through sample ids, leaks no tensor across cycles, cancels within a batch and carries the head across a backend switch', async () => {
    const host = new EngineHost('page');
    const info = await host.init({ modelUrl: `${base}model.json`, classNamesUrl: `${base}imagenet_classes.json`, wasmPaths: {}, requested: 'cpu' });
    expect(info.backend).toMatchObject({ name: 'cpu', engineIn: 'page' });
    expect(info.embeddingSize).toBe(256);

    const samples = squarePhotos(['dress', 'shoes'], 3);
    expect(await host.keepSamples(samples.map((s) => s.id))).toEqual(samples.map((s) => s.id));
    // Node has no OffscreenCanvas: the engine takes no file it could not decode, and the page sends pixels instead.
    expect(await host.putPhotos([{ id: samples[0].id, blob: new Blob([]) }])).toBe(false);
    expect(await host.missingSamples([samples[0].id])).toEqual([samples[0].id]);
    await host.putSamples(samples.map(({ id, pixels }) => ({ id, pixels })));
    expect(await host.keepSamples(samples.map((s) => s.id))).toEqual([]);
    const refs = samples.map(({ id, label }) => ({ id, label }));
    const options = { mode: 'feature-extraction' as const, classNames: ['dress', 'shoes'], epochs: 2, batchSize: 2, learningRate: 1e-3, validationSplit: 0.34 };

    expect((await host.predict('lab', samples[0].pixels)).from).toBe('imagenet');
    // What the lab does after a run: save the head, redraw the embedding map (which reads the whole pipeline).
    const afterRun = async () => {
      await host.headWeights('lab');
      await host.embeddingMap('lab', refs.map((r) => r.id));
    };
    await host.train('lab', 1, refs, options);
    await afterRun();
    const settled = (await host.memory()).numTensors;
    await host.train('lab', 2, refs, options);
    await afterRun();
    expect((await host.memory()).numTensors).toBe(settled);

    const batches: TrainEvent[] = [];
    const cancelled = await host.train('lab', 3, refs, { ...options, epochs: 50 }, (e) => {
      if (e.type !== 'batch') return;
      batches.push(e);
      if (batches.length === 1) void host.cancel(3);
    });
    expect(cancelled.cancelled).toBe(true);
    expect(batches.length).toBeLessThanOrEqual(2);
    expect((await host.memory()).numTensors).toBe(settled);

    await host.train('lab', 4, refs, options);
    const before = await host.predict('lab', samples[0].pixels);
    expect(before.from).toBe('trained');
    await host.switchBackend('cpu');
    const after = await host.predict('lab', samples[0].pixels);
    expect(after.from).toBe('trained');
    expect(after.top.map((r) => r.label)).toEqual(before.top.map((r) => r.label));
    after.top.forEach((r, i) => expect(r.probability).toBeCloseTo(before.top[i].probability, 5));

    await host.disposeSlot('lab');
    expect((await host.predict('lab', samples[0].pixels)).from).toBe('imagenet');
    await expect(host.train('lab', 5, [{ id: 'never-sent', label: 0 }, ...refs], options)).rejects.toThrow(/was not handed/);
  });
});
