// npm run test:browsers [chromium|firefox|webkit …]: the student journey in each engine against dist/, one line of
// figures per engine. An engine this machine lacks is installed as root on Debian, else skipped with one line that
// names the command to install it; under CI (CI set) a missing engine fails the run.
import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { cspReports } from '../csp-log';
import { chromiumEngine } from './chromium';
import { firefoxEngine } from './firefox';
import { webkitEngine } from './webkit';
import { journey, privateOfflineNotice, type Figures, type Site } from './journey';
import type { Driver, Engine } from './driver';

const ROOT = resolve(import.meta.dirname, '..', '..');
const DIST = process.env.E2E_DIST ?? 'dist';
const PORT = Number(process.env.E2E_PORT ?? 4173);
const ENGINES: Engine[] = [chromiumEngine, firefoxEngine, webkitEngine];
const say = (line: string) => console.log(`[browsers] ${line}`);

/** Where the app is hosted: a sub-path, as an instructor's site puts it. */
const SUB_PATH = '/ml/course/';

/**
 * The built app on its own static server under a sub-path, started per engine so "offline" can be the server going
 * away; it sends no COOP/COEP (the service worker must bring isolation) and collects CSP reports.
 */
async function serve(): Promise<Site> {
  const log = join(mkdtempSync(join(tmpdir(), 'transfer-lab-journey-')), 'csp.log');
  const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', DIST, '--base', SUB_PATH, '--port', String(PORT), '--csp-log', log], { cwd: ROOT, stdio: 'ignore' });
  const base = `http://127.0.0.1:${PORT}${SUB_PATH}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(base)).ok) break;
    } catch {
      if (i > 100 || server.exitCode !== null) throw new Error(`the static server did not start on port ${PORT} (is it in use?)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () =>
    new Promise<void>((done) => {
      // Killed by a signal, a process keeps exitCode null: its 'exit' has already been.
      if (server.exitCode !== null || server.signalCode !== null) return done();
      server.once('exit', () => done());
      server.kill();
    });
  return { base, stop, reports: () => cspReports(log) };
}

/** Installs what an engine lacks where we may (root on Debian); returns what is still missing. */
function ensure(engine: Engine): string[] {
  if (engine.missing().length && process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    say(`${engine.name}: installing ${engine.packages.join(' ')}…`);
    try {
      execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${engine.packages.join(' ')}`, { stdio: 'inherit' });
    } catch {
      say(`${engine.name}: apt-get install did not work`);
    }
  }
  return engine.missing();
}

const duration = (ms: number) => `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

function figuresLine(engine: string, version: string, f: Figures, ms: number): string {
  return (
    `${engine} ${version}: backend ${f.backend}${f.threads ? ` (${f.threads} thread${f.threads === '1' ? `, why: ${f.oneThreadWhy}` : 's'})` : ''}, ${f.heldOutRight}/${f.heldOut} held-out right, ${f.stepMs.toFixed(0)} ms per training step ` +
    `(fine-tune, top block); storage figure ${f.storageFigure}; private-window notice ${f.privateWindow ? 'shown' : 'not needed'}; ` +
    `crossOriginIsolated: page ${f.crossOriginIsolated}, engine worker ${f.workerIsolated}; Teachable Machine zip ${f.tmWeightsBytes} B of weights, imported back; ` +
    `camera: ${f.framesRecorded} frames in a 2 s recording, live ${f.liveFps.toFixed(1)} answers/s; CSP reports: only the engine's own test (${f.cspReports}) — ${duration(ms)}`
  );
}

async function run(engine: Engine): Promise<boolean> {
  const started = Date.now();
  const server = await serve();
  let driver: Driver | null = null;
  let passed = false;
  try {
    driver = await engine.open();
    const version = await driver.version();
    const figures = await journey(driver, server);
    // A guess gets 6 or more of 8 right with probability 14 %; the suite's lab spec judges accuracy on 20 photos.
    if (figures.heldOutRight < 6) throw new Error(`only ${figures.heldOutRight} of ${figures.heldOut} held-out photos right`);
    if (!figures.crossOriginIsolated || !figures.workerIsolated) {
      throw new Error(`not cross-origin isolated after the first reload (page ${figures.crossOriginIsolated}, engine worker ${figures.workerIsolated})`);
    }
    say(figuresLine(engine.name, version, figures, Date.now() - started));
    if (engine.name === 'webkit' && !figures.privateWindow) throw new Error('the ephemeral session showed no private-window notice');
    passed = true;
  } catch (err) {
    say(`${engine.name}: FAILED — ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await driver?.close().catch(() => {});
    await server.stop();
  }
  // Firefox's private window is checked whatever the journey did: one run reports both.
  if (engine.name !== 'firefox') return passed;
  return (await privateWindow(engine)) && passed;
}

/** Firefox's private browsing without service workers: the offline notice must say it needs a normal window. */
async function privateWindow(engine: Engine): Promise<boolean> {
  const server = await serve();
  let driver: Driver | null = null;
  try {
    driver = await engine.open({ privateWindow: true });
    const state = await privateOfflineNotice(driver, server.base);
    if (state !== 'offline-unavailable') throw new Error(`the offline notice says ${state}`);
    say(`${engine.name} private window: the offline notice says offline needs a normal window`);
    return true;
  } catch (err) {
    say(`${engine.name} private window: FAILED — ${err instanceof Error ? err.message : String(err)}`);
    return false;
  } finally {
    await driver?.close().catch(() => {});
    await server.stop();
  }
}

const wanted = process.argv.slice(2);
let ok = existsSync(resolve(ROOT, DIST, 'index.html'));
if (!ok) say(`no ${DIST}/index.html: run npm run build first`);
for (const engine of ENGINES.filter((e) => ok && (wanted.length === 0 || wanted.includes(e.name)))) {
  const missing = ensure(engine);
  if (missing.length) {
    say(`${engine.name}: not installed here (${missing.join(', ')}) — install it with: sudo apt-get install ${engine.packages.join(' ')}`);
    if (process.env.CI) ok = false;
    continue;
  }
  ok = (await run(engine)) && ok;
}
process.exit(ok ? 0 : 1);
