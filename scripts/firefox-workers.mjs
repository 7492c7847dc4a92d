#!/usr/bin/env node
// Why Firefox keeps wasm to one thread (README, Known limits): in a cross-origin isolated page, does `new Worker()`
// inside a worker ever fail to return? Serves scripts/firefox-workers/ with README's headers, and in the browser has
// a fresh worker start nested workers, many times over: back to back ('together'), each after the last answered
// ('one-by-one'), or one alone ('single'). Prints how many tries got stuck and where.
// Usage: node scripts/firefox-workers.mjs [--browser firefox|chromium] [--tries 40] [--children 3] [--port 4371]
// Exit 0 when no try got stuck (then threadsHangHere in src/ml/threads.ts may be lifted), 1 otherwise, 2 without the browser.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import puppeteer from 'puppeteer-core';
import { launchChromium } from './chromium.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1] ?? '']] : pairs), []),
);
const which = args.browser ?? 'firefox';
const tries = Number(args.tries ?? 40);
const children = Number(args.children ?? 3);
const port = Number(args.port ?? 4371);
const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
if (which === 'firefox' && !existsSync(FIREFOX)) {
  console.log(`Firefox is not installed here (${FIREFOX}, or FIREFOX_PATH): apt-get install firefox-esr`);
  process.exit(2);
}

const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', 'scripts/firefox-workers', '--base', '/', '--port', String(port), '--headers'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
let stuck = 0;
let browser;
try {
  // Puppeteer's Firefox and Playwright's Chromium answer the same few calls used here.
  browser = which === 'firefox' ? await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true }) : await launchChromium();
  const page = await browser.newPage();
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
} finally {
  await browser?.close();
  server.kill();
}
process.exit(stuck ? 1 : 0);
