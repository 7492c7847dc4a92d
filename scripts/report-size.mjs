#!/usr/bin/env node
// The home page's initial JavaScript, gzipped, and what the service worker stores for offline use, each against its
// budget; then (a report, not a test) when tfjs first loads and the time to interactive, on a production build served
// locally in headless Chromium. `--check` does only the size part, deterministically, and fails above a budget or on
// a precached script the app never loads: `npm test` runs it after the build.
// Run `npm run build` first.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';

/** The budget of the home page's initial JavaScript: the entry script and its modulepreloads, gzipped. */
export const HOME_JS_BUDGET_KB = 60;
/**
 * The budget of the offline copy: every file the service worker precaches at the first visit, as stored (Cache
 * Storage counts it against the site's quota, which is small in private windows and on phones), in MB.
 */
export const OFFLINE_BUDGET_MB = 10;

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
const offline = offlineCopy();
if (process.argv.includes('--check')) {
  if (!within) console.error(`The home page's initial JavaScript is over its budget (${HOME_JS_BUDGET_KB} KB gz, scripts/report-size.mjs): load what only the lab or the chapters need with them.`);
  if (!offline.within) console.error(`The offline copy is over its budget (${OFFLINE_BUDGET_MB} MB, scripts/report-size.mjs): precache only what a learner's visit needs (vite.config.ts, injectManifest).`);
  if (offline.unreached.length) console.error(`The service worker precaches scripts the app never loads (the benchmark's?): ${offline.unreached.join(', ')}. Leave them out in vite.config.ts (globIgnores).`);
  process.exit(within && offline.within && !offline.unreached.length ? 0 : 1);
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

/**
 * The service worker's precache list (dist/sw.js), its stored and gzipped size, and the scripts, styles, wasm and
 * fonts in it that nothing reachable from index.html names (found by following file names through the code).
 */
function offlineCopy() {
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]);
  if (urls.length === 0) {
    console.error('dist/sw.js lists no precached file: the size check cannot see the offline copy.');
    process.exit(1);
  }
  let stored = 0;
  let gz = 0;
  for (const url of urls) {
    const bytes = readFileSync(join(dist, url));
    stored += bytes.length;
    gz += gzipSync(bytes).length;
  }
  const code = /\.(js|css|wasm|woff2?)$/;
  const names = readdirSync(join(dist, 'assets')).filter((f) => code.test(f));
  const reached = new Set();
  const queue = ['index.html'];
  while (queue.length) {
    const file = queue.pop();
    if (reached.has(file)) continue;
    reached.add(file);
    if (!/\.(js|css|html)$/.test(file)) continue;
    const text = readFileSync(join(dist, file), 'utf8');
    for (const name of names) if (!reached.has(`assets/${name}`) && text.includes(name)) queue.push(`assets/${name}`);
  }
  const unreached = urls.filter((u) => code.test(u) && !reached.has(u));
  const mb = (n) => (n / 1e6).toFixed(1);
  const within = stored <= OFFLINE_BUDGET_MB * 1e6;
  console.log(`offline copy (precached at the first visit): ${urls.length} files, ${mb(stored)} MB stored (${mb(gz)} MB gzipped) — budget ≤ ${OFFLINE_BUDGET_MB} MB → ${within ? 'met' : 'NOT met'}; scripts the app never loads: ${unreached.length ? unreached.join(', ') : 'none'}`);
  return { within, unreached };
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
