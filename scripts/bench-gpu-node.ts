/**
 * The engine on WebGPU in Node (Dawn, the `webgpu` package) beside wasm in the same process, on the same 16 photos:
 * what a machine's own adapter gives, where no browser is at hand (a GPU machine without Chromium). Per backend:
 * embedding ms per photo, fine-tuning the top block (block 13) with and without the frozen-prefix cache, and the
 * every-layer epoch; then the engine's own choice with nothing requested (the measured probe, with its reason), as
 * the app makes it. The adapter's vendor, architecture and description say whether WebGPU ran on hardware; on this
 * development machine it is SwiftShader, and the figures say so.
 * Writes bench-gpu-node.json (or BENCH_GPU_NODE_OUT); `npm run bench` with BENCH_PARTS=gpu-node runs it and keeps the
 * figures in bench-results.json (`gpuNode`). On a GPU machine: the kit of scripts/bench/gpu-kit.mjs (README).
 * Env: TRANSFER_LAB_KIT=<folder> reads the model, class names and photos from a kit instead of the repository;
 *      BENCH_REPS=5  BENCH_FT_REPS=2  BENCH_GPU_BACKENDS=webgpu,wasm
 * Run: npx tsx scripts/bench-gpu-node.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { plans } from '../src/ml';
import { isSoftwareAdapter } from '../src/ml/backend';
import type { TrainOptions } from '../src/ml/options';
import type { DecodedSample } from '../src/ml/types';
import { serveFiles } from '../src/ml/testing/file-server';
import { nodeWebGpu } from '../src/ml/testing/webgpu';
import { spread, type Spread } from '../src/bench/stats';
import { EngineHost } from '../src/worker/host';

const reps = Number(process.env.BENCH_REPS ?? 5);
const ftReps = Number(process.env.BENCH_FT_REPS ?? 2);
const backends = (process.env.BENCH_GPU_BACKENDS ?? 'webgpu,wasm').split(',');
const kit = process.env.TRANSFER_LAB_KIT;
const out = process.env.BENCH_GPU_NODE_OUT ?? 'bench-gpu-node.json';
/** Photos per class, from two classes: the browser bench's 16. */
const PER_CLASS = 8;
const CLASSES = ['dress', 'hat'];

export interface NodeGpuFigures {
  embedMsPerImage: Spread | null;
  fineTuneEpochMsCached: Spread | null;
  fineTuneEpochMsNaive: Spread | null;
  fineTuneAllEpochMs: number | null;
  reason: string;
  notes: string;
}

/**
 * What the bench reads: the photos as the lab hands them to the engine (224×224 centre squares), the model's folder
 * and the class names; from a kit, or from the repository's test cache.
 */
async function inputs(): Promise<{ samples: DecodedSample[]; modelDir: string; classNames: string }> {
  if (kit) {
    const index = JSON.parse(readFileSync(path.join(kit, 'photos.json'), 'utf8')) as { id: string; label: number }[];
    const raw = readFileSync(path.join(kit, 'photos.bin'));
    const size = 224 * 224 * 3;
    const samples = index.map(({ id, label }, i) => ({ id, label, pixels: { width: 224, height: 224, channels: 3 as const, data: new Uint8Array(raw.buffer, raw.byteOffset + i * size, size) } }));
    return { samples, modelDir: path.join(kit, 'model'), classNames: path.join(kit, 'imagenet_classes.json') };
  }
  // The test fixtures read the model and decode JPEGs; written for vitest, which gives each module a __dirname.
  Object.assign(globalThis, { __dirname: fileURLToPath(new URL('../src/ml/testing', import.meta.url)) });
  const { squarePhotos, MODEL_DIR, CLASS_NAMES_FILE } = await import('../src/ml/testing/fixtures');
  return { samples: squarePhotos(CLASSES, PER_CLASS), modelDir: MODEL_DIR, classNames: CLASS_NAMES_FILE };
}

/** The folder of tfjs' wasm binaries: the kit's, or tfjs' own. */
const wasmFolder = () => `${kit ? path.resolve(kit, 'wasm') : path.dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')))}/`;

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0];

/** One backend's figures, measured as src/bench/main.ts measures the browser's (same photos, options and reps). */
async function measure(backend: string, base: string, samples: DecodedSample[]): Promise<NodeGpuFigures> {
  const host = new EngineHost('page');
  const info = await host.init({ modelUrl: `${base}model.json`, classNamesUrl: `${base}imagenet_classes.json`, wasmPaths: wasmFolder(), requested: backend });
  if (info.backend.name !== backend) throw new Error(`${backend} unavailable: ${info.backend.reason}`);
  await host.putSamples(samples.map(({ id, pixels }) => ({ id, pixels })));
  const refs = samples.map(({ id, label }) => ({ id, label }));
  const common = { classNames: CLASSES, batchSize: 16, learningRate: 1e-3, validationSplit: 0, seed: 7 };
  const layers = info.layers;
  const notes: string[] = [];
  let run = 1;
  const train = async (options: TrainOptions, onEvent?: Parameters<EngineHost['train']>[4]) => {
    const slot = `run-${run}`;
    try {
      return await host.train(slot, run++, refs, options, onEvent);
    } finally {
      await host.disposeSlot(slot);
    }
  };
  const embedMs = async () => {
    let ms = 0;
    await train({ ...common, mode: 'feature-extraction', epochs: 1 }, (e) => {
      if (e.type === 'embed') ms += e.ms;
    });
    return ms / samples.length;
  };
  const f: NodeGpuFigures = { embedMsPerImage: null, fineTuneEpochMsCached: null, fineTuneEpochMsNaive: null, fineTuneAllEpochMs: null, reason: info.backend.reason, notes: '' };

  console.log(`${backend}: warm-up, then embedding × ${reps}`);
  await embedMs();
  const embeds: number[] = [];
  for (let i = 0; i < reps; i++) embeds.push(await embedMs());
  f.embedMsPerImage = spread(embeds);

  console.log(`${backend}: fine-tune block 13, cached and naive × ${ftReps}`);
  const topBlock = plans.topBlocks(layers, 1);
  try {
    const epochs = { cached: [] as number[], naive: [] as number[] };
    for (let i = 0; i < ftReps; i++) {
      for (const useCache of i % 2 ? [false, true] : [true, false]) {
        const r = await train({ ...common, mode: 'fine-tune', plan: topBlock, epochs: 3, learningRate: 1e-4, useCache });
        epochs[useCache ? 'cached' : 'naive'].push(...r.history.slice(1).map((h) => h.ms));
      }
    }
    f.fineTuneEpochMsCached = spread(epochs.cached);
    f.fineTuneEpochMsNaive = spread(epochs.naive);
  } catch (err) {
    notes.push(`fine-tune block 13: ${errText(err)}`);
  }

  console.log(`${backend}: fine-tune every layer`);
  try {
    const r = await train({ ...common, mode: 'fine-tune', plan: plans.everything(layers), epochs: 2, learningRate: 1e-5 });
    f.fineTuneAllEpochMs = r.history[1].ms;
  } catch (err) {
    notes.push(`fine-tune all layers: ${errText(err)}`);
  }
  f.notes = notes.join('; ');
  return f;
}

async function main(): Promise<void> {
  const gpu = await nodeWebGpu();
  const adapter = gpu.ok ? await navigator.gpu.requestAdapter() : null;
  const info = (adapter as unknown as { info?: Record<string, string> } | null)?.info ?? null;
  const adapterFacts = adapter
    ? { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', description: info?.description ?? '', software: isSoftwareAdapter(adapter as never) }
    : null;
  console.log(`Node ${process.version}; WebGPU adapter: ${adapterFacts ? `${adapterFacts.vendor} ${adapterFacts.architecture} (${adapterFacts.description})${adapterFacts.software ? ', software' : ''}` : gpu.ok ? 'none' : gpu.why}`);

  const { samples, modelDir, classNames } = await inputs();
  // Over HTTP, as the browser loads them.
  const server = await serveFiles((pathname) => {
    const name = path.basename(pathname);
    return name === 'imagenet_classes.json' ? classNames : path.join(modelDir, name);
  });
  const results: Record<string, NodeGpuFigures | { notes: string }> = {};
  try {
    for (const backend of backends) {
      if (backend === 'webgpu' && !gpu.ok) {
        results[backend] = { notes: gpu.why };
        continue;
      }
      try {
        results[backend] = await measure(backend, server.base, samples);
      } catch (err) {
        results[backend] = { notes: errText(err) };
      }
      console.log(`${backend}: ${JSON.stringify(results[backend])}`);
    }
    // The app's own choice: nothing requested, so the engine measures its candidates (webgpu only on hardware).
    const auto = await new EngineHost('page').init({ modelUrl: `${server.base}model.json`, classNamesUrl: `${server.base}imagenet_classes.json`, wasmPaths: wasmFolder(), requested: null });
    const choice = { name: auto.backend.name, reason: auto.backend.reason, timings: auto.backend.timings ?? null };
    console.log(`the engine's choice: ${choice.name} — ${choice.reason}`);
    const figures = {
      when: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, tfjs ${tf.version.tfjs}`,
      adapter: adapterFacts,
      settings: { photos: samples.length, reps, ftReps },
      backends: results,
      choice,
    };
    writeFileSync(out, JSON.stringify(figures, null, 2));
    console.log(`written: ${out}`);
  } finally {
    await server.close();
  }
}

await main();
// Dawn keeps Node's event loop alive.
process.exit(0);
