import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseBackend } from './backend';
import { BASES, baseByWidth, scaledMs, type BaseFacts } from './bases';
import { inventory, paramTotals, plans } from './layers';
import { EMBEDDING_LAYER, loadMobileNet, type MobileNet } from './mobilenet';
import { splitCost } from './suffix';
import { CLASS_NAMES_FILE, MODELS_DIR, fileHandler, squarePhotos } from './testing/fixtures';
import { Trainer } from './train';
import type { DecodedSample } from './types';
import type { TrainOptions } from './options';

const nets = new Map<string, MobileNet>();
const classNames = ['shoes', 'hat'];
let few: DecodedSample[];
let probe: DecodedSample;

beforeAll(async () => {
  // The backend the app settles on here (kernels for fine-tuning installed, self-test passed): fast enough for 0.75.
  expect(await chooseBackend({ requested: 'wasm' })).toMatchObject({ name: 'wasm' });
  const names = JSON.parse(readFileSync(CLASS_NAMES_FILE, 'utf8')) as string[];
  for (const b of BASES) nets.set(b.id, await loadMobileNet(fileHandler(path.join(MODELS_DIR, b.folder)), names));
  few = squarePhotos(classNames, 3);
  probe = squarePhotos(classNames, 1, 10)[0];
});

afterAll(async () => {
  nets.forEach((n) => n.dispose());
  await tf.setBackend('cpu');
});

const netOf = (b: BaseFacts) => nets.get(b.id)!;
const modelJson = (b: BaseFacts) => JSON.parse(readFileSync(path.join(MODELS_DIR, b.folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;

describe.each(BASES.map((b) => [b.id, b] as const))('base %s', (_id, b) => {
  it('its facts are the installed files: parameters from model.json, bytes on disk, embedding width from the model', () => {
    const params = modelJson(b).weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, c) => a * c, 1), 0);
    expect(b.params).toBe(params);
    const dir = path.join(MODELS_DIR, b.folder);
    expect(b.bytes).toBe(readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0));
    const width = netOf(b).model.getLayer(EMBEDDING_LAYER).outputShape.at(-1) as number;
    expect(width).toBe(b.embeddingWidth);
    expect(baseByWidth(width)).toBe(b.id);
    // The published multiply-adds match the model's own convolutions (the ImageNet classifier adds well under 1 %).
    const forward = splitCost(netOf(b).model, plans.featureExtraction(inventory(netOf(b).model)), EMBEDDING_LAYER).forward;
    expect(Math.abs(forward - b.macs) / b.macs).toBeLessThan(0.03);
  });

  it('inventory: pointwise widths of 1024·α, every parameter counted once, plans by block name', () => {
    const layers = inventory(netOf(b).model);
    expect(layers.find((l) => l.name === 'conv_pw_13')!.outputShape).toEqual([null, 7, 7, 1024 * b.alpha]);
    expect(layers.find((l) => l.name === 'conv_pw_1')!.outputShape).toEqual([null, 112, 112, 64 * b.alpha]);
    expect(layers.reduce((n, l) => n + l.params, 0)).toBe(b.params);
    const top = plans.topBlocks(layers, 1);
    expect(Object.keys(top).filter((k) => top[k])).toEqual(['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn']);
    const totals = paramTotals(layers, top, 0);
    const imagenetHead = layers.filter((l) => l.group === 'imagenet-head').reduce((n, l) => n + l.params, 0);
    expect(totals.trainable + totals.frozen).toBe(b.params - imagenetHead);
  });

  it('feature extraction caches one embedding of the model width per photo; fine-tuning the top block leaves every frozen weight bit-identical', async () => {
    const trainer = new Trainer(netOf(b));
    const options: TrainOptions = { mode: 'feature-extraction', classNames, epochs: 2, batchSize: 4, learningRate: 1e-3, seed: 3, validationSplit: 0 };
    const fe = await trainer.train(few, options);
    expect(fe.cacheBytes).toBe(few.length * b.embeddingWidth * 4);
    const ft = await trainer.train(few, { ...options, mode: 'fine-tune', epochs: 1, plan: plans.topBlocks(inventory(netOf(b).model), 1) });
    expect(ft.cachedLayer).toBe('conv_pw_12_relu');
    // conv_pw_12_relu is 7×7×(1024·α) per photo.
    expect(ft.cacheBytes).toBe(few.length * 7 * 7 * 1024 * b.alpha * 4);
    expect(ft.frozenCheck.checked).toBeGreaterThan(0);
    expect(ft.frozenCheck.changed).toBe(0);
    trainer.dispose();
  });
});

describe('persistence across bases', () => {
  it('a head remembers its base; it restores on that base and is refused on the other, which keeps no head', async () => {
    const [small, wide] = BASES;
    const trainer = new Trainer(netOf(wide));
    await trainer.train(few, { mode: 'feature-extraction', classNames, epochs: 2, batchSize: 4, learningRate: 1e-3, seed: 5, validationSplit: 0 });
    const saved = await trainer.headWeights();
    expect(saved.base).toBe(wide.id);
    const direct = (await trainer.predict(probe.pixels)).probabilities;

    const same = new Trainer(netOf(wide));
    await same.loadHead(saved);
    (await same.predict(probe.pixels)).probabilities.forEach((p, i) => expect(p).toBeCloseTo(direct[i], 5));

    const other = new Trainer(netOf(small));
    await expect(other.loadHead(saved)).rejects.toMatchObject({ code: 'MODEL', details: { problem: 'other-base', saved: wide.id, current: small.id } });
    expect(other.trained).toBe(false);
    // A head saved before the choice existed has no base: it was trained on 0.25, so 0.75 refuses it too.
    await expect(same.loadHead({ ...saved, base: undefined })).rejects.toMatchObject({ details: { problem: 'other-base' } });
    [trainer, same, other].forEach((t) => t.dispose());
  });

  it('a speed measured on one base is scaled to the other by multiply-adds', () => {
    const [small, wide] = BASES;
    expect(scaledMs(10, small.id, wide.id)).toBeCloseTo((10 * wide.macs) / small.macs, 9);
    expect(scaledMs(scaledMs(7, wide.id, small.id), small.id, wide.id)).toBeCloseTo(7, 9);
  });
});
