#!/usr/bin/env node
// Why the page watches the engine's `new Worker()` calls (src/worker/spawn-watch.ts; README, Known limits): in a
// cross-origin isolated page, does `new Worker()` inside a worker ever fail to return? Serves scripts/firefox-workers/
// with README's headers, and in the browser has a fresh worker start nested workers, many times over: back to back
// ('together'), each after the last answered ('one-by-one'), or one alone ('single'). Prints how many tries got stuck
// and where.
// Usage: node scripts/firefox-workers.mjs [--browser firefox|chromium] [--tries 40] [--children 3] [--port 4371]
// Exit 0 when no try got stuck (then src/worker/spawn-watch.ts has nothing to catch there), 1 otherwise, 2 without the browser.
// With --lab N it opens the built lab (dist/, isolated by the host's headers) N times instead and prints how each
// engine start ended: its threads, its time, and the constructors the page caught stuck; exit 0 when every start got
// its model ready. --cores N (with --lab) makes the engine's worker see N cores, as on a bigger laptop: it then starts
// N − 1 of tfjs' pthreads and N − 1 kernel threads, on however many cores this machine has.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer from 'puppeteer-core';
import { launchChromium } from './chromium.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1] ?? '']] : pairs), []),
);
const which = args.browser ?? 'firefox';
const tries = Number(args.tries ?? 40);
const children = Number(args.children ?? 3);
const port = Number(args.port ?? 4371);
const labStarts = Number(args.lab ?? 0);
const cores = Number(args.cores ?? 0);
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
if (which === 'firefox' && !existsSync(FIREFOX)) {
  console.log(`Firefox is not installed here (${FIREFOX}, or FIREFOX_PATH): apt-get install firefox-esr`);
  process.exit(2);
}

const served = labStarts ? ['--dir', cores ? withCores(cores) : 'dist', '--base', '/lab/'] : ['--dir', 'scripts/firefox-workers', '--base', '/'];
const server = spawn(process.execPath, ['scripts/static-server.mjs', ...served, '--port', String(port), '--headers'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
let stuck = 0;
let browser;
try {
  // Puppeteer's Firefox and Playwright's Chromium answer the same few calls used here.
  browser = which === 'firefox' ? await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true }) : await launchChromium();
  const page = await browser.newPage();
  stuck = labStarts ? await engineStarts(page, labStarts) : await nestedWorkers(page);
} finally {
  await browser?.close();
  server.kill();
}
process.exit(stuck ? 1 : 0);

/** The probe page's tries, every way; returns how many got stuck. */
async function nestedWorkers(page) {
  let stuck = 0;
  await page.goto(`http://127.0.0.1:${port}/index.html`);
  await page.evaluate('new Promise((r) => (window.tryOnce ? r() : addEventListener("load", () => r())))');
  if (!(await page.evaluate('isolated()'))) throw new Error('the probe page is not cross-origin isolated');
  console.log(`${which} ${await browser.version()}, cross-origin isolated; ${tries} tries per way, ${children} nested workers each`);
  for (const [mode, n] of [['together', children], ['one-by-one', children], ['single', 1]]) {
    const where = [];
    for (let i = 0; i < tries; i++) {
      const r = await page.evaluate(`tryOnce(${JSON.stringify(mode)}, ${n})`);
      if (r.result !== 'ok') where.push(r.result === 'stuck' ? `try ${i + 1}: stuck after "${r.last}"` : `try ${i + 1}: ${r.result}`);
    }
    stuck += where.length;
    console.log(`${mode.padEnd(10)} (${n} nested): ${where.length} of ${tries} stuck${where.length ? ` — ${where.join('; ')}` : ''}`);
  }
  return stuck;
}

/** A copy of dist/ whose engine worker reports `n` cores (navigator.hardwareConcurrency); returns its folder. */
function withCores(n) {
  const dir = mkdtempSync(join(tmpdir(), 'lab-cores-'));
  cpSync('dist', dir, { recursive: true });
  const engine = readdirSync(join(dir, 'assets')).find((f) => /^engine\.worker-.*\.js$/.test(f));
  const file = join(dir, 'assets', engine);
  const prelude = `Object.defineProperty(WorkerNavigator.prototype, 'hardwareConcurrency', { get: () => ${n} });\n`;
  writeFileSync(file, prelude + readFileSync(file, 'utf8'));
  return dir;
}

/** Opens the lab `n` times; the console's "lost (stuck: script)" lines say what the page caught. Returns the starts that failed. */
async function engineStarts(page, n) {
  if (!existsSync('dist/index.html')) throw new Error('no build in dist/: npm run build first');
  console.log(`${which} ${await browser.version()}: the built lab, isolated by the host's headers, opened ${n} times${cores ? `, its engine seeing ${cores} cores` : ''}`);
  let start = 0;
  const caught = [];
  page.on('console', (m) => {
    const hit = /lost \(stuck: ([^)]*)\)/.exec(m.text());
    if (hit) caught.push({ start, script: hit[1] });
  });
  const ends = [];
  for (start = 1; start <= n; start++) {
    const t0 = Date.now();
    await page.goto(`http://127.0.0.1:${port}/lab/?lang=en&start=${start}#/lab`);
    let seen;
    do {
      await new Promise((r) => setTimeout(r, 250));
      seen = await page.evaluate(`({ state: document.querySelector('[data-testid=model-status]')?.getAttribute('data-state'), backend: document.querySelector('[data-testid=backend]')?.getAttribute('data-backend'), threads: document.querySelector('[data-testid=backend]')?.getAttribute('data-threads'), notice: document.querySelector('[data-testid=engine-recovery]')?.getAttribute('data-state') ?? null, isolated: crossOriginIsolated })`);
    } while (seen.state !== 'ready' && seen.state !== 'error' && Date.now() - t0 < 120_000);
    const stuckHere = caught.filter((c) => c.start === start).map((c) => c.script);
    ends.push({ ...seen, ms: Date.now() - t0, stuck: stuckHere });
    console.log(`start ${start}: ${seen.state}, ${seen.backend}, ${seen.threads} thread(s), ${Date.now() - t0} ms${seen.isolated ? '' : ', NOT isolated'}${stuckHere.length ? `; caught stuck: ${stuckHere.join(', ')}` : ''}${seen.notice ? `; notice: ${seen.notice}` : ''}`);
  }
  const median = (xs) => (xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] : "–");
  const clean = ends.filter((e) => !e.stuck.length && e.state === 'ready');
  const restarted = ends.filter((e) => e.stuck.length);
  console.log(
    `${n} lab starts: ${clean.length} ready at once (median ${median(clean.map((e) => e.ms))} ms); ${restarted.length} caught stuck and restarted ` +
      `(${restarted.filter((e) => e.threads !== '1').length} with threads again, ${restarted.filter((e) => e.threads === '1').length} on one thread; median ${median(restarted.map((e) => e.ms))} ms); ` +
      `${ends.filter((e) => e.notice).length} with a recovery notice; ${ends.filter((e) => e.state !== 'ready').length} not ready; stuck constructors: ${caught.map((c) => c.script).join(', ') || 'none'}`,
  );
  return ends.filter((e) => e.state !== 'ready').length;
}
