import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { parseQuiz } from '../../src/lessons/parse';
import { CSP_CANARY } from '../csp-log';
import type { Driver } from './driver';

/**
 * The student journey every engine must pass, as a learner does it: chapters with formulas and widgets, one quiz,
 * then the lab — upload, feature extraction, fine-tuning with the frozen proof, held-out predictions, a reload
 * that keeps photos and head, the project export, the Teachable Machine export taken back in, the camera recording
 * and answering live — with no request to another origin and no CSP violation, and a chapter once the server is
 * gone. Few, small photos keep it at a few minutes per engine.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const DATASET = resolve(ROOT, '.cache', 'assets', 'datasets', 'clothing-small-5');
const CLASSES = ['shoes', 'hat'] as const;
/** Photos per class the lab trains on (it holds 1 of them out for validation), and per class held out to judge it (8 in all). */
const TRAIN = 8;
const HELD_OUT = 4;
/** Block 13, the top block: the journey fine-tunes it. */
const TOP_BLOCK = ['conv_dw_13', 'conv_dw_13_bn', 'conv_pw_13', 'conv_pw_13_bn'];

const photos = (cls: string): string[] => {
  const index = JSON.parse(readFileSync(resolve(DATASET, 'index.json'), 'utf8')) as { classes: Record<string, string[]> };
  return (index.classes[cls] ?? []).map((f) => resolve(DATASET, f));
};
const tid = (id: string, more = '') => `[data-testid="${id}"]${more}`;
const card = (i: number) => `${tid('class-card')}:nth-child(${i + 1})`;

/** What the journey measured, for the runner's one line per engine. */
export interface Figures {
  backend: string;
  /** The threads wasm computes on, as the backend badge says ('' on another backend), and the note that says why one. */
  threads: string;
  oneThreadWhy: string;
  heldOutRight: number;
  heldOut: number;
  stepMs: number;
  privateWindow: boolean;
  storageFigure: 'shown' | 'unavailable';
  /** `crossOriginIsolated` in the page and in the engine's worker, after the first reload. */
  crossOriginIsolated: boolean;
  workerIsolated: boolean;
  /** Bytes of the Teachable Machine export's weights.bin. */
  tmWeightsBytes: number;
  /** Frames a 2-second timed recording stored, and the live answers per second the camera got. */
  framesRecorded: number;
  liveFps: number;
  /** CSP reports the server received, the engine's own test violation among them (it proves reports arrive). */
  cspReports: number;
}

/** The static server the journey runs against: `stop` takes the site offline; `reports` are the CSP reports it got so far. */
export interface Site {
  base: string;
  stop: () => Promise<void>;
  reports: () => string[];
}

/** Polls a page function until `ok` holds for its result; fails with `what` and the last value after `ms`. */
async function until<T>(d: Driver, what: string, fn: string, args: unknown[], ok: (v: T) => boolean, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  let last: T | undefined;
  let error: unknown;
  while (Date.now() < end) {
    try {
      last = await d.call<T>(fn, ...args);
      error = undefined;
      if (ok(last)) return last;
    } catch (err) {
      error = err; // a navigation in progress: try again
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${d.engine}: timed out after ${ms / 1000} s waiting for ${what} (last: ${JSON.stringify(last)}${error ? `, ${String(error)}` : ''})`);
}

const ATTR = '(css, name) => document.querySelector(css)?.getAttribute(name) ?? null';
const attr = (d: Driver, css: string, name: string) => d.call<string | null>(ATTR, css, name);
const waitAttr = (d: Driver, css: string, name: string, want: RegExp, ms?: number) =>
  until<string | null>(d, `${css} ${name} ~ ${want}`, ATTR, [css, name], (v) => v !== null && want.test(v), ms) as Promise<string>;
const waitFor = (d: Driver, css: string, ms?: number) =>
  until<boolean>(d, css, '(css) => !!document.querySelector(css)', [css], Boolean, ms);

async function step<T>(d: Driver, name: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    if (process.env.JOURNEY_VERBOSE) console.log(`[browsers] ${d.engine}: ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
}

/** Waits for the model; returns the backend the app chose by itself (no ?backend=). */
async function modelReady(d: Driver): Promise<string> {
  // Ready in 5 s here once cached; 2 min leaves a slow CI machine room and a hung engine fails soon.
  await waitAttr(d, tid('model-status'), 'data-state', /^ready$/, 120_000);
  return (await attr(d, tid('backend'), 'data-backend')) ?? '';
}

async function chapters(d: Driver, base: string): Promise<void> {
  for (const id of ['backpropagation', 'feature-extraction', 'layer-freezing']) {
    await step(d, `chapter ${id}`, async () => {
      await d.goto(`${base}#/chapters/${id}`);
      await waitFor(d, tid('quiz'));
      const lang = await d.call<string>('() => document.documentElement.lang');
      const lesson = readFileSync(resolve(ROOT, 'lessons', id, `lesson.${lang}.md`), 'utf8');
      const widgets = lesson.match(/^::: widget /gm)?.length ?? 0;
      if (/\$[^$\n]+\$/.test(lesson)) await waitFor(d, '.prose .katex');
      // Every widget of the lesson has loaded its code and drawn itself, none shows an error.
      await until<{ n: number; loading: number; errors: number }>(
        d,
        `${widgets} widgets drawn in ${id}`,
        `() => { const w = [...document.querySelectorAll('[data-widget]')];
           return { n: w.length, loading: w.filter((x) => x.querySelector('.widget-loading')).length, errors: w.filter((x) => x.querySelector('[role=alert]')).length }; }`,
        [],
        (v) => v.n === widgets && v.loading === 0 && v.errors === 0,
      );
      if (id === 'backpropagation') {
        // One step of the backprop explorer: the forward pass shows its loss.
        await d.click(tid('backprop-step'));
        await waitAttr(d, tid('backprop-loss'), 'data-shown', /^true$/);
        await quiz(d, id, lang);
      }
    });
  }
}

/** Answers the chapter's quiz right, from the instructors' own file, and checks the full score. */
async function quiz(d: Driver, chapter: string, lang: string): Promise<void> {
  const file = resolve(ROOT, 'lessons', chapter, `quiz.${lang}.yaml`);
  const parsed = parseQuiz(readFileSync(file, 'utf8'), file).value!;
  for (const q of parsed.questions) {
    for (const o of q.options.filter((x) => x.correct)) await d.click(`${tid('quiz-option')}[data-question="${q.id}"][data-option="${o.id}"]`);
  }
  await d.click(tid('quiz-submit'));
  const total = String(parsed.questions.length);
  await waitAttr(d, tid('quiz-score'), 'data-value', new RegExp(`^${total}$`));
  if ((await attr(d, tid('quiz-score'), 'data-total')) !== total) throw new Error(`${d.engine}: quiz total is not ${total}`);
}

/** Uploads each held-out photo to the preview; returns the label the lab answers for each. */
async function predictEach(d: Driver, files: string[]): Promise<string[]> {
  const labels: string[] = [];
  for (const file of files) {
    await d.upload(tid('predict-upload'), [file]);
    labels.push(await waitAttr(d, `${tid('prediction')}[data-input="${basename(file)}"]`, 'data-label', /.+/));
  }
  return labels;
}

/** Trains in `mode` with the lab's own epochs and rates, as a learner who leaves them does. */
async function train(d: Driver, mode: string, again = false): Promise<void> {
  await d.select(tid('train-mode'), mode);
  await d.click(tid('train'));
  await waitAttr(d, tid('train-status'), 'data-state', /^(done|error)$/, 300_000);
  // Firefox, now and then: the engine got stuck starting a thread (README, Known limits); the run started over by itself.
  if (await d.call<boolean>(`() => !!document.querySelector('${tid('train-started-over')}')`)) {
    console.log(`[browsers] ${d.engine}: the engine got stuck starting a thread during ${mode} training; the run started over by itself`);
  }
  if ((await attr(d, tid('train-status'), 'data-state')) !== 'done') {
    const why = await d.call<string>(`() => document.querySelector('[aria-labelledby=train-heading] [role=alert]')?.textContent ?? ''`);
    // Stuck again as it started over: the message says to try again once the engine is restarted, and a learner would.
    if (!again && (await attr(d, tid('engine-recovery'), 'data-cause')) === 'stuck') {
      await waitAttr(d, tid('engine-recovery'), 'data-state', /^recovered$/, 120_000);
      console.log(`[browsers] ${d.engine}: the engine got stuck starting a thread during ${mode} training and was restarted; training again`);
      return train(d, mode, true);
    }
    throw new Error(`${d.engine}: ${mode} training failed: ${why}`);
  }
}

/** Clicks a button that downloads a .zip (the page hands the browser a Blob URL) and returns the zip's bytes. */
async function downloadZip(d: Driver, button: string): Promise<Uint8Array> {
  // Only watches: every Blob URL the page makes for a zip from now on is kept so its bytes can be read back.
  await d.call(`() => { window.__zips = []; if (window.__watching) return; window.__watching = true; const make = URL.createObjectURL;
    URL.createObjectURL = (b) => { if (b instanceof Blob && b.type === 'application/zip') window.__zips.push(b); return make.call(URL, b); }; }`);
  await d.click(button);
  await until<number>(d, `the .zip of ${button}`, '() => window.__zips.length', [], (n) => n > 0);
  const b64 = await d.call<string>(`async () => { const bytes = new Uint8Array(await window.__zips[0].arrayBuffer()); let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000)); return btoa(s); }`);
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

/** Exports the project as the learner does (the button) and reads the .zip the page hands to the browser. */
async function exportProject(d: Driver): Promise<{ classes: string[]; photos: number; head: boolean }> {
  const files = unzipSync(await downloadZip(d, tid('project-export')));
  const manifest = JSON.parse(strFromU8(files['transfer-lab-project.json'])) as { classes: { name: string }[]; photos: unknown[]; head: unknown };
  return { classes: manifest.classes.map((c) => c.name), photos: manifest.photos.length, head: manifest.head !== null && 'head/weights.bin' in files };
}

/**
 * The Teachable Machine export, as a learner takes it to TM's own page: its three files, the labels in order, a
 * weights.bin exactly as long as model.json's manifest says; then the same .zip taken back in through the import.
 */
async function teachableRoundTrip(d: Driver): Promise<number> {
  const zip = await downloadZip(d, tid('model-export-tm'));
  const files = unzipSync(zip);
  const names = Object.keys(files).sort().join();
  if (names !== 'metadata.json,model.json,weights.bin') throw new Error(`${d.engine}: the Teachable Machine zip holds ${names}`);
  const labels = (JSON.parse(strFromU8(files['metadata.json'])) as { labels: string[] }).labels;
  if (labels.join() !== CLASSES.join()) throw new Error(`${d.engine}: Teachable Machine labels ${labels}`);
  const model = JSON.parse(strFromU8(files['model.json'])) as { weightsManifest: { weights: { shape: number[]; dtype: string }[] }[] };
  const bytes = model.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
  if (bytes !== files['weights.bin'].length) throw new Error(`${d.engine}: weights.bin is ${files['weights.bin'].length} bytes, model.json says ${bytes}`);
  const dir = mkdtempSync(join(tmpdir(), 'transfer-lab-tm-'));
  try {
    const file = join(dir, 'my-model.zip');
    writeFileSync(file, zip);
    await d.upload(tid('model-import-tm'), [file]);
    await waitAttr(d, tid('model-import-tm-status'), 'data-state', /^(ok|error)$/);
    if ((await attr(d, tid('model-import-tm-status'), 'data-state')) !== 'ok') {
      throw new Error(`${d.engine}: the exported Teachable Machine zip was refused: ${await d.call<string>(`() => document.querySelector('[data-testid="model-import-tm-status"]').textContent`)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return bytes;
}

/** The browser's test camera (each engine's fake device): a timed 2-second recording into the first class, then live answers. */
async function camera(d: Driver): Promise<{ frames: number; fps: number }> {
  await d.click(tid('webcam-start'));
  await until<boolean>(d, 'camera frames', `() => { const v = document.querySelector('video'); return !!v && v.readyState >= 2 && v.videoWidth > 0; }`, [], Boolean);
  await d.click(`${tid('capture-settings')} summary`);
  await d.fill(tid('capture-duration'), '2');
  const capture = `${card(0)} ${tid('capture')}`;
  await d.click(capture);
  await waitAttr(d, capture, 'data-phase', /^recording$/);
  await waitAttr(d, capture, 'data-phase', /^idle$/);
  await waitAttr(d, capture, 'data-saving', /^false$/);
  const frames = Number(await attr(d, `${card(0)} ${tid('sample-count')}`, 'data-value')) - TRAIN;
  // 10 frames a second for 2 s; a slow machine stores fewer, but a timed run is never one snapshot nor longer than asked.
  if (!(frames >= 2 && frames <= 20)) throw new Error(`${d.engine}: a 2-second recording stored ${frames} frames`);
  await d.click(tid('live-toggle'));
  const live = `${tid('prediction')}[data-input="webcam"]`;
  const label = await waitAttr(d, live, 'data-label', /.+/);
  if (!(CLASSES as readonly string[]).includes(label)) throw new Error(`${d.engine}: the camera is answered "${label}", not one of the classes`);
  const fps = Number(await waitAttr(d, tid('live-fps'), 'data-value', /^(?!0$)[\d.]+$/));
  await d.click(tid('live-toggle'));
  return { frames, fps };
}

/**
 * Every fetch directive of the app's policy allows only its own origin (and blob:, data:, the camera's stream), so
 * a request to another origin is a CSP violation too, and the server's report-only copy of the policy reports
 * both. A request the page makes on purpose to the canary (a documentation address) must be reported: that shows
 * this engine sends reports; any other report is a failure.
 */
async function noForeignRequestNorViolation(d: Driver, site: Site): Promise<number> {
  await d.call('(host) => { fetch(`http://${host}/transfer-lab-canary`).catch(() => {}); }', CSP_CANARY);
  for (const end = Date.now() + 30_000; !site.reports().some((r) => r.includes(CSP_CANARY)); ) {
    if (Date.now() > end) throw new Error(`${d.engine}: no CSP report reached the server in 30 s, so violations could not be seen`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const others = site.reports().filter((r) => !r.includes(CSP_CANARY));
  if (others.length) throw new Error(`${d.engine}: ${others.length} CSP report(s): ${others.join('\n')}`);
  return site.reports().length;
}

const isolated = (d: Driver) =>
  d.call<boolean>(`() => globalThis.crossOriginIsolated === true`);

/**
 * The whole journey against the app at `site.base`. `site.stop` takes the site offline (the server is gone), for
 * the last step: a chapter opens from the service worker's copy.
 */
export async function journey(d: Driver, site: Site): Promise<Figures> {
  const base = site.base;
  await step(d, 'first visit: ready offline', async () => {
    await d.goto(`${base}#/`);
    await waitAttr(d, tid('pwa-notice'), 'data-state', /^offline-ready$/, 180_000);
    // Where the notice offers a reload to train on every core (the page is not isolated yet), the learner takes it.
    const faster = await d.call<boolean>(`() => !!document.querySelector('[data-testid="pwa-faster"]')`);
    await d.click(faster ? tid('pwa-faster') : `${tid('pwa-notice')} button.secondary`);
    if (faster) await until<boolean>(d, 'cross-origin isolation after the reload', '() => globalThis.crossOriginIsolated === true', [], Boolean);
  });
  await chapters(d, base);

  const [shoes, hats] = CLASSES.map(photos);
  const heldOut = [...shoes.slice(-HELD_OUT), ...hats.slice(-HELD_OUT)];
  const truth = heldOut.map((f) => (shoes.includes(f) ? 'shoes' : 'hat'));

  const backend = await step(d, 'lab: model', async () => {
    await d.goto(`${base}#/lab`);
    return modelReady(d);
  });
  const storageFigure = await step(d, 'lab: storage figure', async () => {
    await waitFor(d, tid('storage-usage'));
    return (await attr(d, tid('storage-usage'), 'data-unavailable')) === 'true' ? ('unavailable' as const) : ('shown' as const);
  });
  await step(d, 'lab: upload', async () => {
    for (const [i, name] of CLASSES.entries()) {
      await d.fill(`${card(i)} ${tid('class-name')}`, name);
      await waitAttr(d, card(i), 'data-class', new RegExp(`^${name}$`));
      await d.upload(`${card(i)} ${tid('class-upload')}`, [shoes, hats][i].slice(0, TRAIN));
      await waitAttr(d, `${card(i)} ${tid('sample-count')}`, 'data-value', new RegExp(`^${TRAIN}$`));
    }
  });
  const privateWindow = !!(await d.call<boolean>(`() => !!document.querySelector('[data-testid="private-window"]')`));

  await step(d, 'lab: feature extraction', () => train(d, 'feature-extraction'));
  const stepMs = await step(d, 'lab: fine-tune the top block', async () => {
    // The layer list's "top 1 block" preset, as a learner would pick it.
    await d.click(`${tid('layer-list')} .top-n button`);
    for (const layer of TOP_BLOCK) await waitAttr(d, `${tid('layer-row')}[data-layer="${layer}"]`, 'data-trainable', /^true$/);
    await train(d, 'fine-tune');
    const changed = await attr(d, tid('frozen-check'), 'data-changed');
    const checked = Number(await attr(d, tid('frozen-check'), 'data-checked'));
    if (changed !== '0' || !(checked > 0)) throw new Error(`${d.engine}: frozen-check changed ${changed} of ${checked}`);
    // The chart's legend speaks the app's language: no uPlot default ("Value") left in it.
    const legend = await d.call<string>(`() => document.querySelector('.u-legend')?.textContent ?? ''`);
    if (!legend || /Value/.test(legend)) throw new Error(`${d.engine}: chart legend "${legend}"`);
    return Number(await attr(d, tid('train-status'), 'data-step-ms'));
  });

  const answers = await step(d, 'lab: 8 held-out photos', () => predictEach(d, heldOut));
  if (!answers.every((a) => (CLASSES as readonly string[]).includes(a))) throw new Error(`${d.engine}: answers ${answers} are not the classes`);
  const heldOutRight = answers.filter((a, i) => a === truth[i]).length;
  if (process.env.JOURNEY_VERBOSE) console.log(`[browsers] ${d.engine}: answers ${answers.join(' ')} for ${truth.join(' ')}`);

  await step(d, 'lab: reload keeps photos and head', async () => {
    await d.reload();
    for (const i of [0, 1]) await waitAttr(d, `${card(i)} ${tid('sample-count')}`, 'data-value', new RegExp(`^${TRAIN}$`));
    await modelReady(d);
    // The restored head answers the first and last held-out photos exactly as before the reload.
    const again = await predictEach(d, [heldOut[0], heldOut.at(-1)!]);
    if (again[0] !== answers[0] || again[1] !== answers.at(-1)) throw new Error(`${d.engine}: after the reload the head answers ${again}, before ${answers}`);
  });
  const crossOriginIsolated = await isolated(d);
  const threads = (await attr(d, tid('backend'), 'data-threads')) ?? '';
  // Isolated now: one thread on this multi-core machine must come with its reason in the backend's details (a note: one-thread-…).
  const oneThreadWhy = threads === '1' ? ((await attr(d, tid('backend'), 'data-notes')) ?? '').split(' ').find((k) => k.startsWith('one-thread')) ?? '' : '';
  if (threads === '1' && !oneThreadWhy) throw new Error(`${d.engine}: wasm runs on 1 thread and its details do not say why (notes: ${await attr(d, tid('backend'), 'data-notes')})`);
  // The engine's worker reports its own crossOriginIsolated through the backend badge.
  const workerIsolated = (await attr(d, tid('backend'), 'data-engine')) === 'worker' && (await attr(d, tid('backend'), 'data-isolated')) === 'true';

  await step(d, 'lab: project export', async () => {
    const zip = await exportProject(d);
    if (zip.classes.join() !== CLASSES.join() || zip.photos !== 2 * TRAIN || !zip.head) throw new Error(`${d.engine}: exported ${JSON.stringify(zip)}`);
  });

  const tmWeightsBytes = await step(d, 'lab: Teachable Machine export, and back in', () => teachableRoundTrip(d));
  const cam = await step(d, 'lab: camera', () => camera(d));
  const cspReports = await step(d, 'no request to another origin, no CSP violation', () => noForeignRequestNorViolation(d, site));

  await step(d, 'offline: a chapter, then the lab, from the service worker', async () => {
    await site.stop();
    await d.goto(`${base}#/chapters/layer-freezing`);
    await d.reload();
    await waitFor(d, tid('quiz'));
    await waitFor(d, '.prose h2');
    // The lab offline: the model from the cache, still isolated, the stored head answering a held-out photo.
    await d.goto(`${base}#/lab`);
    await modelReady(d);
    if (!(await isolated(d))) throw new Error(`${d.engine}: offline, the page is not cross-origin isolated`);
    const [offline] = await predictEach(d, [heldOut[1]]);
    if (!(CLASSES as readonly string[]).includes(offline)) throw new Error(`${d.engine}: offline, the lab answers "${offline}"`);
  });
  return {
    backend,
    threads,
    oneThreadWhy,
    heldOutRight,
    heldOut: heldOut.length,
    stepMs,
    privateWindow,
    storageFigure,
    crossOriginIsolated,
    workerIsolated,
    tmWeightsBytes,
    framesRecorded: cam.frames,
    liveFps: cam.fps,
    cspReports,
  };
}

/** A private window where there is no service worker: the offline notice says offline needs a normal window. */
export async function privateOfflineNotice(d: Driver, base: string): Promise<string> {
  await d.goto(`${base}#/`);
  return waitAttr(d, tid('pwa-notice'), 'data-state', /^offline-(unavailable|ready)$/, 120_000);
}
