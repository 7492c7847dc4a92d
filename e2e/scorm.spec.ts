import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { validateXML } from 'xmllint-wasm';
import { test, expect, type Page } from './fixtures';
import { parseQuiz } from '../src/lessons/parse';
import type { Quiz, QuizQuestion } from '../src/lessons/types';
import { MANIFEST, SCHEMAS, SCHEMA_DIR, packageScorm } from '../scripts/scorm/package';

/*
 * The packaged course as an LMS plays it: the SCORM 1.2 zip built from dist/, unzipped and served beside a
 * player page that puts scorm-again's Scorm12API (the LMS side) on its window and loads the package's
 * index.html in an iframe. The server sends .wasm as application/octet-stream, as many LMS file servers do.
 */

const ROOT = resolve(import.meta.dirname, '..');
const MASTERY = 70;
const LEARNER = 'learner-1';
const chapterIds = (parseYaml(readFileSync(join(ROOT, 'lessons', 'chapters.yaml'), 'utf8')) as { chapters: { id: string }[] }).chapters.map((c) => c.id);

function quizOf(chapter: string): Quiz {
  const file = join(ROOT, 'lessons', chapter, 'quiz.en.yaml');
  const parsed = parseQuiz(readFileSync(file, 'utf8'), file);
  expect(parsed.issues).toEqual([]);
  return parsed.value!;
}
const right = (q: QuizQuestion) => q.options.filter((o) => o.correct).map((o) => o.id);
const wrong = (q: QuizQuestion) => [q.options.find((o) => !o.correct)!.id];

/** The LMS's page: its API on the window, the learner's stored record loaded back on a relaunch, as an LMS does. */
const PLAYER = `<!doctype html>
<html><head><meta charset="utf-8"><title>LMS</title><script src="scorm12.js"></script></head>
<body><iframe id="sco" title="course" style="width:100%;height:95vh;border:0"></iframe>
<script>
(async () => {
  const manifest = new DOMParser().parseFromString(await (await fetch('../pkg/imsmanifest.xml')).text(), 'application/xml');
  const mastery = manifest.getElementsByTagNameNS('http://www.adlnet.org/xsd/adlcp_rootv1p2', 'masteryscore')[0]?.textContent ?? '';
  const stored = JSON.parse(sessionStorage.getItem('lms-record') ?? 'null');
  const cmi = stored ?? { core: { student_id: '${LEARNER}', student_name: 'One, Learner' } };
  cmi.core.entry = stored ? (stored.core.exit === 'suspend' ? 'resume' : '') : 'ab-initio';
  cmi.student_data = { mastery_score: mastery };
  window.API = new Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 5 });
  API.loadFromJSON({ cmi }, '');
  // ?refuse=<element>: the LMS refuses that element (as one that caps suspend_data below SCORM's 4,096 would).
  const refuse = new URLSearchParams(location.search).get('refuse');
  if (refuse) {
    const set = API.LMSSetValue.bind(API), last = API.LMSGetLastError.bind(API);
    let refused = false;
    API.LMSSetValue = (k, v) => ((refused = k === refuse) ? 'false' : set(k, v));
    API.LMSGetLastError = () => (refused ? '405' : last());
  }
  window.commits = 0;
  API.on('LMSCommit', () => {
    window.commits++;
    sessionStorage.setItem('lms-record', JSON.stringify(API.renderCommitCMI(true).cmi));
  });
  API.on('LMSFinish', () => sessionStorage.setItem('lms-finished', String(Number(sessionStorage.getItem('lms-finished') ?? 0) + 1)));
  document.getElementById('sco').src = '../pkg/index.html' + (new URLSearchParams(location.search).get('at') ?? '?lang=en');
})();
</script></body></html>`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.xml': 'application/xml',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.woff2': 'font/woff2', '.webmanifest': 'application/manifest+json',
};

let dir = '';
let zipEntries: Record<string, Uint8Array> = {};
let server: Server;
let origin = '';
const wasmTypes: string[] = [];

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'transfer-lab-scorm-'));
  const { out } = packageScorm({ dist: resolve(ROOT, process.env.E2E_DIST ?? 'dist'), out: join(dir, 'transfer-lab-scorm12.zip'), mastery: MASTERY });
  zipEntries = unzipSync(readFileSync(out));
  for (const [name, bytes] of Object.entries(zipEntries)) {
    mkdirSync(dirname(join(dir, 'pkg', name)), { recursive: true });
    writeFileSync(join(dir, 'pkg', name), bytes);
  }
  server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/lms/player.html') return void res.writeHead(200, { 'content-type': TYPES['.html'] }).end(PLAYER);
    if (path === '/lms/scorm12.js') return void res.writeHead(200, { 'content-type': TYPES['.js'] }).end(readFileSync(join(ROOT, 'node_modules/scorm-again/dist/scorm12.min.js')));
    const file = join(dir, 'pkg', normalize(path.replace(/^\/pkg\//, '')));
    if (!path.startsWith('/pkg/') || !file.startsWith(join(dir, 'pkg')) || !existsSync(file) || statSync(file).isDirectory()) return void res.writeHead(404).end();
    // Anything the server does not know goes out as a generic binary, .wasm included.
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (file.endsWith('.wasm')) wasmTypes.push(type);
    res.writeHead(200, { 'content-type': type });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((r) => server?.close(r));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every request the page and its frame make, to check that none leaves the package's origin. */
function requests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (!/^(data|blob):/.test(r.url())) seen.push(r.url());
  });
  return seen;
}

const sco = (page: Page) => page.frameLocator('#sco');
const scoFrame = (page: Page) => page.frames().find((f) => f.url().includes('/pkg/index.html'))!;
type Record12 = { suspend_data: string; core: Record<string, string> & { score: { raw: string; min: string; max: string } }; objectives: Record<string, { id: string; status: string; score: { raw: string } }> };
const stored = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('lms-record') ?? 'null') as unknown) as Promise<Record12>;
const objectives = (r: Record12) => Object.values(r.objectives).map((o) => ({ id: o.id, raw: Number(o.score.raw), status: o.status }));
const pct = (n: number, total: number) => Math.round((10000 * n) / total) / 100;

async function takeQuiz(page: Page, chapter: string, pick: (q: QuizQuestion) => string[], again = false): Promise<number> {
  const frame = sco(page);
  await frame.getByRole('link', { name: 'Home' }).click();
  await frame.locator(`[data-testid="chapter-card"][data-chapter="${chapter}"]`).getByRole('link').click();
  const quiz = quizOf(chapter);
  await expect(frame.getByTestId('quiz')).toBeVisible();
  // A quiz taken before in this LMS shows its last attempt as it was left: the learner starts over.
  if (again) await frame.getByTestId('quiz-retry').click();
  else await expect(frame.getByTestId('quiz-submit')).toBeVisible();
  for (const q of quiz.questions) {
    for (const o of q.options) {
      const box = frame.locator(`[data-testid="quiz-option"][data-question="${q.id}"][data-option="${o.id}"]`);
      if (pick(q).includes(o.id)) await box.check();
      else if (q.type === 'multiple') await box.uncheck();
    }
  }
  await frame.getByTestId('quiz-submit').click();
  const score = quiz.questions.filter((q) => pick(q).join() === right(q).join()).length;
  await expect(frame.getByTestId('quiz-score')).toHaveAttribute('data-value', String(score));
  return score;
}

test('the package: imsmanifest.xml at the root validates against the SCORM 1.2 schemas and lists every file', async () => {
  const manifest = strFromU8(zipEntries[MANIFEST]);
  for (const s of SCHEMAS) expect(zipEntries[s], `${s} at the package root`).toBeDefined();
  const schemas = SCHEMAS.map((s) => ({ fileName: s, contents: readFileSync(join(SCHEMA_DIR, s), 'utf8') }));
  // libxml2 compiles the content-packaging and ADL schemas; our manifest holds no IMS meta-data (their third schema).
  const driver = `<?xml version="1.0"?><xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x-transfer-lab:scorm12">
    <xsd:import namespace="http://www.imsproject.org/xsd/imscp_rootv1p1p2" schemaLocation="imscp_rootv1p1p2.xsd"/>
    <xsd:import namespace="http://www.adlnet.org/xsd/adlcp_rootv1p2" schemaLocation="adlcp_rootv1p2.xsd"/></xsd:schema>`;
  const validate = (xml: string) => validateXML({ xml: [{ fileName: MANIFEST, contents: xml }], schema: [driver], preload: schemas });
  const result = await validate(manifest);
  expect(result.errors.filter((e) => e.loc?.fileName === MANIFEST)).toEqual([]);
  expect(result.valid).toBe(true);
  expect(manifest).not.toMatch(/<imsmd:|xmlns:imsmd/);
  // The check can fail: a misspelt ADL element and an item without its identifier are refused.
  expect((await validate(manifest.replace(/adlcp:masteryscore/g, 'adlcp:masteryScore'))).valid).toBe(false);
  expect((await validate(manifest.replace(' identifier="transfer-lab-item"', ''))).valid).toBe(false);

  const doc = manifest;
  expect(doc).toContain('<schemaversion>1.2</schemaversion>');
  expect(doc.match(/adlcp:scormtype="sco"/g)).toHaveLength(1);
  expect(doc).toContain(`<adlcp:masteryscore>${MASTERY}</adlcp:masteryscore>`);
  const listed = [...doc.matchAll(/<file href="([^"]+)"\/>/g)].map((m) => decodeURIComponent(m[1]));
  expect(listed.every((h) => !/^([a-z]+:|\/)/.test(h)), 'relative paths only').toBe(true);
  expect(new Set(listed).size).toBe(listed.length);
  expect(listed.sort()).toEqual(Object.keys(zipEntries).filter((f) => f !== MANIFEST).sort());
  expect(listed).toContain('index.html');
  expect(strFromU8(zipEntries['index.html'])).toContain(`<meta name="scorm-mastery-score" content="${MASTERY}" />`);
});

test('quizzes in a SCORM 1.2 runtime: objectives, score and status as taken; a relaunch resumes from suspend_data', async ({ page, context }) => {
  const seen = requests(page);
  const quizzes = Object.fromEntries(chapterIds.map((id) => [id, quizOf(id)]));
  const n = (id: string) => quizzes[id].questions.length;
  const [first, second, third] = chapterIds;
  await page.goto(`${origin}/lms/player.html`);
  await expect(sco(page).getByTestId('chapter-card')).toHaveCount(chapterIds.length);

  await test.step('chapter 1 all right: one objective, the course score counts the others as 0, incomplete', async () => {
    await takeQuiz(page, first, right);
    await expect.poll(async () => objectives(await stored(page))).toEqual([{ id: first, raw: 100, status: 'passed' }]);
    const r = await stored(page);
    expect(Number(r.core.score.raw)).toBe(pct(1, chapterIds.length));
    expect(r.core.score.max).toBe('100');
    expect(r.core.lesson_status).toBe('incomplete');
    expect(r.core.lesson_location).toBe(`#/chapters/${first}`);
  });

  await test.step('the other two, the last all wrong: failed by the mastery score; retaken all right: passed', async () => {
    await takeQuiz(page, second, right);
    await takeQuiz(page, third, wrong);
    await expect.poll(async () => (await stored(page)).core.lesson_status).toBe('failed');
    let r = await stored(page);
    expect(objectives(r)).toEqual([
      { id: first, raw: 100, status: 'passed' },
      { id: second, raw: 100, status: 'passed' },
      { id: third, raw: 0, status: 'failed' },
    ]);
    expect(Number(r.core.score.raw)).toBe(pct(2, 3));
    expect(Number(r.core.score.raw)).toBeLessThan(MASTERY);

    await takeQuiz(page, third, right, true);
    await expect.poll(async () => (await stored(page)).core.lesson_status).toBe('passed');
    r = await stored(page);
    expect(Number(r.core.score.raw)).toBe(100);
    expect(objectives(r)[2]).toEqual({ id: third, raw: 100, status: 'passed' });
    expect(r.suspend_data.length).toBeLessThanOrEqual(4096);
    expect(r.suspend_data.startsWith('1|')).toBe(true);
  });

  await test.step('chapter 1 again with one wrong: its best stays, the last attempt is what the learner sees', async () => {
    const q0 = quizzes[first].questions[0];
    await takeQuiz(page, first, (q) => (q.id === q0.id ? wrong(q) : right(q)), true);
  });

  await test.step('relaunched with the stored record: back where they were, every quiz taken with its scores', async () => {
    await page.reload();
    expect(await page.evaluate(() => sessionStorage.getItem('lms-finished'))).toBe('1');
    const frame = sco(page);
    await expect(frame.getByTestId('quiz')).toBeVisible();
    expect(new URL(scoFrame(page).url()).hash).toBe(`#/chapters/${first}`);
    await expect(frame.getByTestId('quiz-score')).toHaveAttribute('data-value', String(n(first) - 1));
    await expect(frame.getByTestId('quiz-best')).toHaveAttribute('data-value', String(n(first)));
    const q0 = quizzes[first].questions[0];
    await expect(frame.locator(`[data-testid="quiz-question"][data-question="${q0.id}"]`)).toHaveAttribute('data-state', 'wrong');
    await frame.getByRole('link', { name: 'Home' }).click();
    for (const id of chapterIds) {
      const best = frame.locator(`[data-testid="chapter-card"][data-chapter="${id}"]`).getByTestId('chapter-best');
      await expect(best).toHaveAttribute('data-value', String(n(id)));
      await expect(best).toHaveAttribute('data-total', String(n(id)));
    }
  });

  await test.step('no service worker in the frame, storage namespaced, no request off the origin', async () => {
    const frame = scoFrame(page);
    expect(await frame.evaluate(() => navigator.serviceWorker.getRegistrations().then((r) => r.length))).toBe(0);
    expect(context.serviceWorkers()).toHaveLength(0);
    await expect(sco(page).getByTestId('lms-error')).toHaveCount(0);
    const off = seen.filter((u) => new URL(u).origin !== origin);
    expect(off).toEqual([]);
  });

  await test.step('the same package opened outside the LMS registers its service worker as usual', async () => {
    const direct = await context.newPage();
    const registered = context.waitForEvent('serviceworker');
    await direct.goto(`${origin}/pkg/index.html?lang=en`);
    expect((await registered).url()).toContain('/pkg/sw.js');
    await direct.close();
  });
});

test('inside the LMS frame the lab works: wasm served as a generic binary loads, the camera records, storage is the package\'s own', async ({ page }) => {
  const seen = requests(page);
  await page.goto(`${origin}/lms/player.html?at=${encodeURIComponent('?lang=en&backend=wasm#/lab')}`);
  const frame = sco(page);
  await expect(frame.getByTestId('model-status')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
  await expect(frame.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm');
  expect(wasmTypes.length).toBeGreaterThan(0);
  expect(new Set(wasmTypes)).toEqual(new Set(['application/octet-stream']));

  // A same-origin frame needs no allow="camera" from the LMS: the camera starts and records.
  await frame.getByRole('button', { name: 'Turn on the webcam' }).click();
  const card = frame.getByTestId('class-card').first();
  const capture = card.getByTestId('capture');
  await expect(capture).toBeEnabled();
  await capture.hover();
  await page.mouse.down();
  await expect(card.getByTestId('sample-count')).not.toHaveAttribute('data-value', '0');
  await page.mouse.up();
  await expect(capture).toHaveAttribute('data-saving', 'false');

  const dbs = await scoFrame(page).evaluate(() => indexedDB.databases().then((list) => list.map((d) => d.name)));
  expect(dbs.length).toBeGreaterThan(0);
  expect(dbs.every((name) => name?.startsWith('transfer-lab@')), `namespaced: ${dbs.join(', ')}`).toBe(true);
  expect(seen.filter((u) => new URL(u).origin !== origin)).toEqual([]);
});

test('an element the LMS refuses is logged and told once; the course and the rest of the record go on', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => m.type() === 'warning' && m.text().startsWith('LMS:') && warnings.push(m.text()));
  await page.goto(`${origin}/lms/player.html?refuse=cmi.suspend_data`);
  const [first, second] = chapterIds;
  await takeQuiz(page, first, right);
  const notice = sco(page).getByTestId('lms-error');
  await expect(notice).toHaveAttribute('data-code', '405');
  await expect(notice).toContainText('cmi.suspend_data');
  await takeQuiz(page, second, right);
  await expect.poll(async () => objectives(await stored(page)).map((o) => o.id)).toEqual([first, second]);
  await expect(sco(page).getByTestId('lms-error')).toHaveCount(1);
  expect(warnings.length, 'every refusal is logged').toBe(2);
  await sco(page).getByTestId('lms-error').getByRole('button').click();
  await expect(sco(page).getByTestId('lms-error')).toHaveCount(0);
});
