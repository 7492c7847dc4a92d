/**
 * Fine-tuning epoch times in Node, per backend (wasm, cpu): top block with the frozen-prefix cache, top block
 * without it (naive), and every layer trainable; 16 photos at 224×224, batch 16, steady-state epochs (median of
 * epochs after the first). Wall-clock ms as the trainer reports them, and in brackets the process's CPU ms per epoch,
 * which a machine shared with other jobs inflates far less (tfjs runs on one thread here). Also prints the
 * multiply-add bound of naive/cached for the top block.
 * Run: npx tsx scripts/measure-finetune.ts [wasm] [cpu] [--top-only]
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
interface Epochs {
  wall: number[];
  cpu: number[];
}
const fmt = (e: Epochs) => `${median(e.wall).toFixed(0)} ms [cpu ${median(e.cpu).toFixed(0)} ms]`;
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main(): Promise<void> {
  // The test fixtures (model and photos from the asset cache) are written for vitest, which gives each module a __dirname.
  Object.assign(globalThis, { __dirname: fileURLToPath(new URL('../src/ml/testing', import.meta.url)) });
  const { photos, testNet } = await import('../src/ml/testing/fixtures');
  const args = process.argv.slice(2);
  const named = args.filter((a) => !a.startsWith('--'));
  const backends = named.length ? named : ['wasm', 'cpu'];
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
    const common: TrainOptions = { mode: 'fine-tune', classNames: ['shoes', 'hat'], batchSize: 16, learningRate: 1e-4, validationSplit: 0, seed: 7, epochs: 8 };
    const trainer = new Trainer(net);
    const epochMs = async (extra: Partial<TrainOptions>): Promise<Epochs> => {
      let last = 0;
      const cpu: number[] = [];
      const onEvent = (e: { type: string }) => {
        if (e.type === 'batch' && !last) last = cpuMs();
        if (e.type !== 'epoch') return;
        cpu.push(cpuMs() - last);
        last = cpuMs();
      };
      // The first batch event starts the clock, so the first epoch's figure misses one step: it is dropped anyway.
      const wall = (await trainer.train(samples, { ...common, ...extra }, onEvent)).history.map((h) => h.ms);
      return { wall: wall.slice(1), cpu: cpu.slice(1) };
    };
    const cached = await epochMs({ plan: top });
    const naive = await epochMs({ plan: top, useCache: false, epochs: 5 });
    const ratio = `×${(median(naive.wall) / median(cached.wall)).toFixed(2)} [cpu ×${(median(naive.cpu) / median(cached.cpu)).toFixed(2)}]`;
    console.log(`${name}, ${samples.length} photos: top block cached ${fmt(cached)}, naive ${fmt(naive)}, naive/cached ${ratio}`);
    if (!args.includes('--top-only')) console.log(`${name}, ${samples.length} photos: every layer trainable ${fmt(await epochMs({ plan: plans.everything(layers), epochs: 4 }))}`);
    trainer.dispose();
  }
  await tf.setBackend('cpu');
}

void main();
