#!/usr/bin/env node
// Does the engine get WebGL inside WebKit's worker? Opens the built lab on ?backend=webgl in WebKitGTK's MiniBrowser
// (WebKitWebDriver under xvfb-run, spoken to over plain W3C WebDriver) and prints the backend the engine settled on
// and its reason, as the learner reads it. WebKitGTK 2.50 ships WebGL in workers switched off: by default this
// passes `--features=+AllowWebGLInWorkers` (as Safari has it); `--features ''` shows the refusal and its reason.
// Usage: node scripts/webkit-webgl.mjs [--dist dist] [--lang en|pt-BR] [--features +AllowWebGLInWorkers] [--port 4369]
// Exit 0 when the engine runs webgl in its worker, 1 otherwise, 2 when WebKitGTK is not installed.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1] ?? '']] : pairs), []),
);
const DRIVER = '/usr/bin/WebKitWebDriver';
const BROWSER = ['/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser', '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser'].find(existsSync);
if (!existsSync(DRIVER) || !BROWSER) {
  console.log('WebKitGTK is not installed here: apt-get install webkit2gtk-driver xvfb');
  process.exit(2);
}
const port = Number(args.port ?? 4369);
const appPort = port + 1;
const features = args.features ?? '+AllowWebGLInWorkers';
const lang = args.lang ?? 'en';

const children = [];
const start = (cmd, argv) => {
  const child = spawn(cmd, argv, { stdio: 'ignore', detached: true });
  children.push(child);
  return child;
};
const stopAll = () => children.forEach((c) => {
  try {
    process.kill(-c.pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
});
const deadline = setTimeout(() => {
  console.log('webkit-webgl: no answer within 5 minutes');
  stopAll();
  process.exit(1);
}, 300_000);

start('node', ['scripts/static-server.mjs', '--dir', args.dist ?? 'dist', '--base', '/', '--port', String(appPort)]);
start('xvfb-run', ['-a', DRIVER, `--port=${port}`]);

const call = async (method, path, body) => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const { value } = await res.json();
  if (value?.error) throw new Error(`${value.error}: ${value.message}`);
  return value;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let session = null;
let ok = false;
try {
  for (let i = 0; ; i++) {
    try {
      await call('GET', '/status');
      break;
    } catch (err) {
      if (i > 100) throw err;
      await sleep(200);
    }
  }
  const options = { binary: BROWSER, args: ['--automation', ...(features ? [`--features=${features}`] : [])] };
  session = (await call('POST', '/session', { capabilities: { alwaysMatch: { browserName: 'MiniBrowser', 'webkitgtk:browserOptions': options } } })).sessionId;
  await call('POST', `/session/${session}/url`, { url: `http://127.0.0.1:${appPort}/?backend=webgl&lang=${lang}#/lab` });
  const read = `const q = (id) => document.querySelector('[data-testid=' + id + ']');
    return { state: q('model-status')?.dataset.state, backend: q('backend')?.dataset.backend, engine: q('backend')?.dataset.engine,
      title: q('backend')?.title, ua: navigator.userAgent };`;
  let seen;
  do {
    await sleep(1000);
    seen = await call('POST', `/session/${session}/execute/sync`, { script: read, args: [] });
  } while (seen.state !== 'ready' && seen.state !== 'error');
  const version = seen.ua.match(/AppleWebKit\/[\d.]+/)?.[0] ?? 'WebKit';
  console.log(`WebKitGTK (${version}, features "${features}"): model ${seen.state}, backend ${seen.backend}, engine in ${seen.engine}`);
  console.log(`  ${seen.title}`);
  ok = seen.state === 'ready' && seen.backend === 'webgl' && seen.engine === 'worker';
} catch (err) {
  console.log(`webkit-webgl: ${err.message}`);
} finally {
  if (session) await call('DELETE', `/session/${session}`).catch(() => {});
  clearTimeout(deadline);
  stopAll();
}
process.exit(ok ? 0 : 1);
