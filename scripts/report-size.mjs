#!/usr/bin/env node
// The home page's initial JavaScript, gzipped, against its budget; then (a report, not a test) when
// tfjs first loads and the time to interactive, on a production build served locally in headless Chromium.
// `--check` does only the size part, deterministically, and fails above the budget: `npm test` runs it after the build.
// Run `npm run build` first.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';

/** The budget of the home page's initial JavaScript: the entry script and its modulepreloads, gzipped. */
export const HOME_JS_BUDGET_KB = 60;

const dist = resolve('dist');
if (!existsSync(join(dist, 'index.html'))) {
  console.error('dist/index.html is missing: run `npm run build` first.');
  process.exit(1);
}
const html = readFileSync(join(dist, 'index.html'), 'utf8');
// The initial JS is the entry script plus what Vite preloads for it; dynamic chunks (tfjs, lab, chapters) come later.
const initial = [...html.matchAll(/<(?:script[^>]+src|link[^>]+rel="modulepreload"[^>]+href)="\.?\/?([^"]+\.js)"/g)].map((m) => m[1]);
if (initial.length === 0) {
  console.error('dist/index.html names no script: the size check cannot see the home page.');
  process.exit(1);
}
const isTfjs = (code) => code.includes('@tensorflow/tfjs') || /registerKernel|tfjs-core/.test(code);
let total = 0;
console.log('initial JavaScript of the home page:');
for (const file of initial) {
  const code = readFileSync(join(dist, file));
  const gz = gzipSync(code).length;
  const tf = isTfjs(code.toString('utf8'));
  // tfjs counts like anything else: on the home page it would be the regression the budget is there to catch.
  console.log(`  ${file.padEnd(40)} ${(gz / 1024).toFixed(1).padStart(7)} KB gz${tf ? '  (holds tfjs: it belongs to the lab)' : ''}`);
  total += gz;
}
const within = total <= HOME_JS_BUDGET_KB * 1024;
console.log(`total: ${(total / 1024).toFixed(1)} KB gzipped — budget ≤ ${HOME_JS_BUDGET_KB} KB → ${within ? 'met' : 'NOT met'}`);
if (process.argv.includes('--check')) {
  if (!within) console.error(`The home page's initial JavaScript is over its budget (${HOME_JS_BUDGET_KB} KB gz, scripts/report-size.mjs): load what only the lab or the chapters need with them.`);
  process.exit(within ? 0 : 1);
}

const { launchChromium } = await import('./chromium.mjs');
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
