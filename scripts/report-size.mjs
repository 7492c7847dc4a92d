#!/usr/bin/env node
// Report (not a test): the home page's initial JavaScript, gzipped, without tfjs, and its time to interactive
// on a production build served locally in headless Chromium. Run `npm run build` first.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import { launchChromium } from './chromium.mjs';

const dist = resolve('dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/index.html is missing: run `npm run build` first.');
  process.exit(1);
}
const html = readFileSync(join(dist, 'index.html'), 'utf8');
// The initial JS is the entry script plus what Vite preloads for it; dynamic chunks (tfjs, lab, chapters) come later.
const initial = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]);
const isTfjs = (code) => code.includes('@tensorflow/tfjs') || /registerKernel|tfjs-core/.test(code);
let total = 0;
console.log('initial JavaScript of the home page:');
for (const file of initial) {
  const code = readFileSync(join(dist, file));
  const gz = gzipSync(code).length;
  const tf = isTfjs(code.toString('utf8'));
  console.log(`  ${file.padEnd(40)} ${(gz / 1024).toFixed(1).padStart(7)} KB gz${tf ? '  (tfjs, excluded)' : ''}`);
  if (!tf) total += gz;
}
console.log(`total (without tfjs): ${(total / 1024).toFixed(1)} KB gzipped — target ≤ 150 KB → ${total <= 150 * 1024 ? 'met' : 'NOT met'}`);

const port = 4180;
const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore' });
try {
  await waitForPort(port);
  const browser = await launchChromium();
  const times = [];
  for (let i = 0; i < 5; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/#/`, { waitUntil: 'commit' });
    // Interactive: the home heading is rendered and the language switch accepts input.
    await page.getByTestId('lang').selectOption('en', { timeout: 30_000 });
    await page.locator('h1').waitFor();
    times.push(await page.evaluate(() => performance.now()));
    await context.close();
  }
  console.log(await tfjsBeforeIdle(browser, port));
  await browser.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(`navigation → interactive home page (vite preview, 5 cold loads): median ${median.toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times.at(-1).toFixed(0)} ms — target ≤ 1000 ms → ${median <= 1000 ? 'met' : 'NOT met'}`);
} finally {
  server.kill();
}

/**
 * Loads #/ and records when the first script holding tfjs (or the engine's worker) is requested, and when the page
 * first goes idle (requestIdleCallback without a timeout); the home page must do no tfjs work before that.
 */
async function tfjsBeforeIdle(browser, p) {
  const context = await browser.newContext();
  await context.addInitScript(() => requestIdleCallback(() => (window.__firstIdle = performance.now())));
  const page = await context.newPage();
  const requests = [];
  page.on('request', (req) => requests.push({ url: req.url(), at: Date.now() }));
  const t0 = Date.now();
  await page.goto(`http://127.0.0.1:${p}/#/`);
  await page.waitForTimeout(4000);
  const idle = await page.evaluate(() => window.__firstIdle ?? null);
  await context.close();
  const heavy = requests.find((r) => /\.js(\?|$)/.test(r.url) && (/worker/i.test(r.url) || isTfjs(readFileSync(join(dist, new URL(r.url).pathname.replace(/^\//, '')), 'utf8'))));
  if (!heavy) return 'tfjs on #/: not loaded at all in the first 4 s';
  const at = heavy.at - t0;
  const verdict = idle != null && at >= idle ? 'after the first idle → met' : 'BEFORE the first idle → NOT met';
  return `tfjs on #/: first idle at ${idle?.toFixed(0) ?? '—'} ms, first tfjs/worker script requested at ≈${at} ms (${new URL(heavy.url).pathname}) — ${verdict}`;
}

async function waitForPort(p) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`http://127.0.0.1:${p}/`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`vite preview did not start on port ${p}`);
}
