/**
 * Fine-tuning epoch times in Node, per backend (wasm, cpu): top block with the frozen-prefix cache, top block
 * without it (naive), and every layer trainable; 16 photos at 224×224, batch 16, steady-state epochs (median of
 * epochs after the first). Also prints the multiply-add bound of naive/cached for the top block.
 * Run: npx tsx scripts/measure-finetune.ts [wasm|cpu ...]
 */
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { chooseBackend } from '../src/ml/backend';
import { inventory, plans } from '../src/ml/layers';
import { EMBEDDING_LAYER } from '../src/ml/mobilenet';
import { splitCost } from '../src/ml/suffix';
import { Trainer } from '../src/ml/train';
import type { TrainOptions } from '../src/ml/options';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  // The test fixtures (model and photos from the asset cache) are written for vitest, which gives each module a __dirname.
  Object.assign(globalThis, { __dirname: fileURLToPath(new URL('../src/ml/testing', import.meta.url)) });
  const { photos, testNet } = await import('../src/ml/testing/fixtures');
  const backends = process.argv.slice(2).length ? process.argv.slice(2) : ['wasm', 'cpu'];
  const net = await testNet();
  const samples = photos(['shoes', 'hat'], 8);
  const layers = inventory(net.model);
  const top = plans.topBlocks(layers, 1);
  const bound = splitCost(net.model, top, EMBEDDING_LAYER);
  console.log(
    `multiply-adds per photo: forward ${(bound.forward / 1e6).toFixed(1)} M; block 13: frozen prefix ${(bound.prefix / 1e6).toFixed(1)} M, ` +
      `suffix ${(bound.suffix / 1e6).toFixed(1)} M forward + ${(bound.suffixBackward / 1e6).toFixed(1)} M backward → naive/cached bound ${bound.ratio.toFixed(2)}×`,
  );
  for (const name of backends) {
    await chooseBackend({ requested: name });
    const common: TrainOptions = { mode: 'fine-tune', classNames: ['shoes', 'hat'], batchSize: 16, learningRate: 1e-4, validationSplit: 0, seed: 7, epochs: 4 };
    const trainer = new Trainer(net);
    const epochMs = async (extra: Partial<TrainOptions>) => median((await trainer.train(samples, { ...common, ...extra })).history.slice(1).map((h) => h.ms));
    const cached = await epochMs({ plan: top });
    const naive = await epochMs({ plan: top, useCache: false });
    const all = await epochMs({ plan: plans.everything(layers), epochs: 3 });
    trainer.dispose();
    console.log(`${name}: top block cached ${cached.toFixed(0)} ms, naive ${naive.toFixed(0)} ms (×${(naive / cached).toFixed(2)}), every layer ${all.toFixed(0)} ms per epoch of ${samples.length} photos`);
  }
  await tf.setBackend('cpu');
}

void main();
