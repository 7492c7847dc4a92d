#!/usr/bin/env node
// Benchmark (not a test): engine vs bare tfjs on every backend that runs here, in headless Chromium against the
// production build, plus the tab's memory with 1,000 photos in a project. Prints a table, writes bench-results.json.
// Options (env): BENCH_BACKENDS=webgpu,webgl,wasm,cpu  BENCH_PER_CLASS=8  BENCH_PHOTOS=1000 (0 skips the memory run)
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { launchChromium } from './chromium.mjs';

const backends = (process.env.BENCH_BACKENDS ?? 'webgpu,webgl,wasm,cpu').split(',');
const perClass = Number(process.env.BENCH_PER_CLASS ?? 8);
const memoryPhotos = Number(process.env.BENCH_PHOTOS ?? 1000);
const port = 4190;

if (!existsSync('dist/bench.html')) {
  console.log('building the production bundle…');
  if (spawnSync('npm', ['run', 'build'], { stdio: 'inherit' }).status !== 0) process.exit(1);
}
const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', 'dist', '--base', '/', '--port', String(port)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const base = `http://127.0.0.1:${port}/`;
const browser = await launchChromium();
const results = { machine: `${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${browser.version()}`, backends: {}, memory: null };

try {
  for (const backend of backends) {
    const context = await browser.newContext({ permissions: ['camera'] });
    const page = await context.newPage();
    const t0 = Date.now();
    try {
      await page.goto(`${base}bench.html`);
      await page.waitForFunction(() => 'runBench' in window);
      const figures = await page.evaluate(([b, n]) => window.runBench(b, n), [backend, perClass]);
      results.backends[backend] = figures;
      console.log(`${backend}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    } catch (err) {
      results.backends[backend] = { ...nulls(), notes: String(err.message ?? err).split('\n')[0] };
      console.log(`${backend}: failed — ${results.backends[backend].notes}`);
    }
    await context.close();
  }
  if (memoryPhotos > 0) results.memory = await memoryRun(memoryPhotos);
} finally {
  await browser.close();
  server.kill();
}

printTable(results);
writeFileSync('bench-results.json', JSON.stringify(results, null, 2));
console.log('\nwritten: bench-results.json');

function nulls() {
  return { embedMsPerImage: null, bareEmbedMsPerImage: null, headEpochMs: null, bareHeadEpochMs: null, fineTuneEpochMsCached: null, fineTuneEpochMsNaive: null, tensorLeak: null, livePredictionFps: null };
}

/** Uploads N photos into a project through the app, then trains feature extraction; reports JS heap and timings. */
async function memoryRun(n) {
  const shared = process.env.TRANSFER_LAB_ASSETS ?? resolve('..', 'shared', 'assets');
  const files = [];
  for (const set of ['clothing-small-5', 'tf-flowers-224-5']) {
    const root = join(shared, 'datasets', set);
    if (!existsSync(root)) continue;
    for (const cls of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const f of readdirSync(join(root, cls.name)).filter((x) => /\.jpe?g$/i.test(x))) files.push({ cls: `${set}/${cls.name}`, path: join(root, cls.name, f) });
    }
  }
  if (files.length === 0) return { notes: `no photos under ${shared}/datasets` };
  const picked = Array.from({ length: n }, (_, i) => files[i % files.length]);
  // Two classes, clothing vs flowers: every photo is uploaded through the class cards' file inputs.
  const groups = [picked.filter((f) => f.cls.startsWith('clothing')).map((f) => f.path), picked.filter((f) => !f.cls.startsWith('clothing')).map((f) => f.path)].filter((g) => g.length);
  const backend = process.env.BENCH_MEMORY_BACKEND ?? 'wasm';
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const heap = async () => {
    await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
    const { metrics } = await cdp.send('Performance.getMetrics');
    return Math.round(metrics.find((m) => m.name === 'JSHeapUsedSize').value / 2 ** 20);
  };
  await page.goto(`${base}?backend=${backend}&lang=en#/lab`);
  await page.getByTestId('model-status').and(page.locator('[data-state=ready]')).waitFor({ timeout: 180_000 });
  const heapEmpty = await heap();
  const t0 = Date.now();
  for (const [i, paths] of groups.entries()) {
    const card = page.getByTestId('class-card').nth(i);
    await card.getByTestId('class-upload').setInputFiles(paths);
    await card.locator(`[data-testid=sample-count][data-value="${paths.length}"]`).waitFor({ timeout: 600_000 });
  }
  const uploadS = (Date.now() - t0) / 1000;
  const heapLoaded = await heap();
  await page.getByTestId('epochs').fill('5');
  await page.getByTestId('epochs').press('Tab');
  const t1 = Date.now();
  await page.getByTestId('train').click();
  await page.locator('[data-testid=train-status][data-state=done]').waitFor({ timeout: 900_000 });
  const trainS = (Date.now() - t1) / 1000;
  const heapTrained = await heap();
  const responsive = await page.evaluate(() => new Promise((r) => { const t = performance.now(); setTimeout(() => r(performance.now() - t), 0); }));
  await context.close();
  return { photos: n, backend, heapEmptyMB: heapEmpty, heapLoadedMB: heapLoaded, heapTrainedMB: heapTrained, uploadSeconds: uploadS, trainSeconds: trainS, timerLatencyMs: Math.round(responsive) };
}

function printTable(r) {
  const fmt = (v, d = 1) => (v == null || Number.isNaN(v) ? '—' : v.toFixed(d));
  const ratio = (a, b) => (a == null || b == null || !b ? '—' : (a / b).toFixed(2));
  console.log(`\nmachine: ${r.machine}\n`);
  console.log('backend | embed ms/img (bare) | engine/bare thrpt | head epoch ms (bare) | engine/bare thrpt | fine-tune epoch ms cached / naive | naive/cached | leak | live fps');
  console.log('---|---|---|---|---|---|---|---|---');
  for (const [b, f] of Object.entries(r.backends)) {
    console.log(
      `${b} | ${fmt(f.embedMsPerImage)} (${fmt(f.bareEmbedMsPerImage)}) | ${ratio(f.bareEmbedMsPerImage, f.embedMsPerImage)} | ${fmt(f.headEpochMs)} (${fmt(f.bareHeadEpochMs)}) | ${ratio(f.bareHeadEpochMs, f.headEpochMs)} | ${fmt(f.fineTuneEpochMsCached, 0)} / ${fmt(f.fineTuneEpochMsNaive, 0)} | ${ratio(f.fineTuneEpochMsNaive, f.fineTuneEpochMsCached)} | ${f.tensorLeak ?? '—'} | ${fmt(f.livePredictionFps)}${f.notes ? `  (${f.notes})` : ''}`,
    );
  }
  if (r.memory) console.log(`\n1,000-photo project: ${JSON.stringify(r.memory)}`);
}
