import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { loadMobileNet } from '../mobilenet';
import type { MobileNet } from '../mobilenet';
import type { Pixels, DecodedSample } from '../types';

export const MODELS_DIR = path.resolve(__dirname, '../../../public/assets/models');
export const MODEL_DIR = path.join(MODELS_DIR, 'mobilenet_v1_0.25_224');
export const CLASS_NAMES_FILE = path.resolve(__dirname, '../../../public/assets/imagenet_classes.json');
/** The test-photo cache that `npm install` fills (scripts/assets/setup.mjs); tests read nothing else. */
export const TEST_ASSETS = path.resolve(__dirname, '../../../.cache/assets');
export const DATASET_DIR = path.join(TEST_ASSETS, 'datasets', 'clothing-small-5');
export const CAT_PNG = path.join(TEST_ASSETS, 'images', 'cat-purr.png');

/** An IOHandler that reads model.json and its shards from disk (Node has no fetch of file URLs). */
export function fileHandler(dir: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
      const shards = json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(dir, p))));
      const all = Buffer.concat(shards);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
      return { modelTopology: json.modelTopology, weightSpecs, weightData };
    },
  };
}

let shared: Promise<MobileNet> | null = null;

/** The real MobileNet v1 0.25 on the cpu backend, loaded once per test file. */
export function testNet(): Promise<MobileNet> {
  shared ??= (async () => {
    await tf.setBackend('cpu');
    const names = JSON.parse(readFileSync(CLASS_NAMES_FILE, 'utf8')) as string[];
    return loadMobileNet(fileHandler(MODEL_DIR), names);
  })();
  return shared;
}

/** Area-average downscale so the longer side is at most `max`: keeps tests fast, like the app's upload step. */
export function shrink(p: Pixels, max = 224): Pixels {
  const scale = Math.max(p.width, p.height) / max;
  if (scale <= 1) return p;
  const width = Math.round(p.width / scale);
  const height = Math.round(p.height / scale);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const y0 = Math.floor(y * scale);
    const y1 = Math.max(y0 + 1, Math.floor((y + 1) * scale));
    for (let x = 0; x < width; x++) {
      const x0 = Math.floor(x * scale);
      const x1 = Math.max(x0 + 1, Math.floor((x + 1) * scale));
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += p.data[(yy * p.width + xx) * p.channels + c];
        data[(y * width + x) * 3 + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return { width, height, data, channels: 3 };
}

/** The centre square of a photo, area-averaged to `side`×`side`: what the app's decoder hands the engine. */
export function centreSquare(p: Pixels, side = 224): Pixels {
  const s = Math.min(p.width, p.height);
  const top = Math.floor((p.height - s) / 2);
  const left = Math.floor((p.width - s) / 2);
  const data = new Uint8Array(s * s * 3);
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      for (let c = 0; c < 3; c++) data[(y * s + x) * 3 + c] = p.data[((top + y) * p.width + left + x) * p.channels + c];
    }
  }
  return shrink({ width: s, height: s, data, channels: 3 }, side);
}

export function readJpeg(file: string): Pixels {
  const img = jpeg.decode(readFileSync(file), { useTArray: true, formatAsRGBA: false });
  return { width: img.width, height: img.height, data: img.data, channels: 3 };
}

export function readPng(file: string): Pixels {
  const img = PNG.sync.read(readFileSync(file));
  return { width: img.width, height: img.height, data: new Uint8Array(img.data), channels: 4 };
}

/** Cached photo files of a class, sorted by name (index.json is written by the asset setup). */
export function photoFiles(cls: string): string[] {
  const index = JSON.parse(readFileSync(path.join(DATASET_DIR, 'index.json'), 'utf8')) as { classes: Record<string, string[]> };
  return index.classes[cls] ?? [];
}

/** `perClass` photos of each class starting at `offset`, shrunk to `max`; labels follow `classes` order. */
export function photos(classes: string[], perClass: number, max = 224, offset = 0): DecodedSample[] {
  return classes.flatMap((cls, label) =>
    photoFiles(cls)
      .slice(offset, offset + perClass)
      .map((file) => ({ id: file, label, pixels: shrink(readJpeg(path.join(DATASET_DIR, file)), max) })),
  );
}

/** Like `photos`, but 224×224 centre squares: exactly what the lab feeds the engine after decoding an upload. */
export function squarePhotos(classes: string[], perClass: number, offset = 0): DecodedSample[] {
  return classes.flatMap((cls, label) =>
    photoFiles(cls)
      .slice(offset, offset + perClass)
      .map((file) => ({ id: file, label, pixels: centreSquare(readJpeg(path.join(DATASET_DIR, file))) })),
  );
}
