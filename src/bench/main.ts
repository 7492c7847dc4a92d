import * as tf from '@tensorflow/tfjs';
import { chooseBackend, loadMobileNet, plans, inventory, Trainer, type Sample } from '../ml';
import { decodeForModel, centreSquarePixels } from '../io/decode';
import { CLASS_NAMES_URL, MODEL_URL, SAMPLES_INDEX_URL, assetUrl } from '../io/assets';
import { wasmPaths } from '../io/wasm-paths';
import { bareEmbed, bareHeadEpoch, median } from './bare';

export interface BackendFigures {
  embedMsPerImage: number | null;
  bareEmbedMsPerImage: number | null;
  headEpochMs: number | null;
  bareHeadEpochMs: number | null;
  fineTuneEpochMsCached: number | null;
  fineTuneEpochMsNaive: number | null;
  tensorLeak: number | null;
  livePredictionFps: number | null;
  photos: number;
  backendReason: string;
  notes: string;
}

const status = (s: string) => (document.getElementById('status')!.textContent = s);

async function photos(perClass: number): Promise<{ samples: Sample[]; classNames: string[] }> {
  const index = (await (await fetch(SAMPLES_INDEX_URL())).json()) as { classes: Record<string, string[]> };
  const classNames = Object.keys(index.classes).slice(0, 2);
  const samples: Sample[] = [];
  for (const [label, name] of classNames.entries()) {
    for (const f of index.classes[name].slice(0, perClass)) {
      const blob = await (await fetch(assetUrl(`samples/${f}`))).blob();
      samples.push({ id: f, label, pixels: await decodeForModel(blob) });
    }
  }
  return { samples, classNames };
}

/** Frames per second of webcam → pixels → trained pipeline → probabilities, one frame at a time, for `ms`. */
async function liveFps(trainer: Trainer, ms: number): Promise<number> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  let frames = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    await trainer.predict(centreSquarePixels(video, video.videoWidth, video.videoHeight));
    frames++;
    await new Promise((r) => requestAnimationFrame(r));
  }
  const fps = (frames * 1000) / (performance.now() - t0);
  stream.getTracks().forEach((t) => t.stop());
  return fps;
}

async function run(backend: string, perClass: number): Promise<BackendFigures> {
  const notes: string[] = [];
  const choice = await chooseBackend({ requested: backend, wasmPaths });
  if (choice.name !== backend) throw new Error(`backend ${backend} unavailable: ${choice.reason}`);
  const classNames = (await (await fetch(CLASS_NAMES_URL())).json()) as string[];
  const net = await loadMobileNet(MODEL_URL(), classNames);
  const data = await photos(perClass);
  const n = data.samples.length;
  const f: BackendFigures = {
    embedMsPerImage: null, bareEmbedMsPerImage: null, headEpochMs: null, bareHeadEpochMs: null,
    fineTuneEpochMsCached: null, fineTuneEpochMsNaive: null, tensorLeak: null, livePredictionFps: null,
    photos: n, backendReason: choice.reason, notes: '',
  };
  const common = { classNames: data.classNames, batchSize: 16, learningRate: 1e-3, validationSplit: 0, seed: 7 };

  status(`${backend}: warm-up`);
  // One throwaway pass so shader compilation and weight upload are not billed to the first figure.
  const warm = new Trainer(net);
  await warm.train(data.samples.slice(0, 2).concat(data.samples.slice(-2)), { ...common, mode: 'feature-extraction', epochs: 1 });
  warm.dispose();

  status(`${backend}: bare tfjs`);
  const bare = await bareEmbed(net, data.samples.map((s) => s.pixels));
  f.bareEmbedMsPerImage = bare.msPerImage;
  f.bareHeadEpochMs = await bareHeadEpoch(bare.embeddings, data.samples.map((s) => s.label), data.classNames.length, 6);
  bare.embeddings.dispose();

  status(`${backend}: engine feature extraction`);
  const trainer = new Trainer(net);
  let embedMs = 0;
  const fe = await trainer.train(data.samples, { ...common, mode: 'feature-extraction', epochs: 6 }, (e) => {
    if (e.type === 'embed') embedMs += e.ms;
  });
  f.embedMsPerImage = embedMs / n;
  f.headEpochMs = median(fe.history.slice(1).map((h) => h.ms));

  status(`${backend}: live prediction`);
  try {
    f.livePredictionFps = await liveFps(trainer, 3000);
  } catch (err) {
    notes.push(`live prediction: ${err instanceof Error ? err.message : String(err)}`);
  }

  const plan = plans.topBlocks(inventory(net.model), 1);
  for (const useCache of [true, false]) {
    status(`${backend}: fine-tune top block, cache ${useCache}`);
    try {
      const ft = await trainer.train(data.samples, { ...common, mode: 'fine-tune', plan, epochs: 3, learningRate: 1e-4, useCache });
      const ms = median(ft.history.slice(1).map((h) => h.ms));
      if (useCache) f.fineTuneEpochMsCached = ms;
      else f.fineTuneEpochMsNaive = ms;
    } catch (err) {
      notes.push(`fine-tune (${useCache ? 'cached' : 'naive'}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  trainer.dispose();

  status(`${backend}: tensor leak over 5 cycles`);
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) {
    const t = new Trainer(net);
    await t.train(data.samples, { ...common, mode: 'feature-extraction', epochs: 1 });
    await t.predict(data.samples[0].pixels);
    t.dispose();
  }
  f.tensorLeak = tf.memory().numTensors - before;
  net.dispose();
  f.notes = notes.join('; ');
  status(`${backend}: done`);
  return f;
}

(window as unknown as { runBench: typeof run }).runBench = run;
