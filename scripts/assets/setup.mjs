#!/usr/bin/env node
// Fills the git-ignored asset caches: public/assets/ (model, class names, sample photos the app serves) and
// .cache/assets/ (the photos tests read). Every file comes from, in order: $TRANSFER_LAB_ASSETS, ../shared/assets,
// its upstream home (sources.mjs), and is checked against the sha256 in assets.lock.json. Idempotent.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAT_URL, CLASS_INDEX_URL, MODELS, SAMPLE_CLASSES, SAMPLES_PER_CLASS, clothingUrl, modelUrl } from './sources.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const lock = JSON.parse(readFileSync(join(here, 'assets.lock.json'), 'utf8'));
const MODEL = MODELS[0];
const publicDir = join(root, 'public', 'assets');
const testDir = join(root, '.cache', 'assets');

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const log = (msg) => { if (!process.env.TRANSFER_LAB_QUIET) console.log(`[assets] ${msg}`); };

const envMirror = process.env.TRANSFER_LAB_ASSETS;
if (envMirror && !existsSync(join(envMirror, 'models', MODEL, 'model.json'))) {
  fail(`TRANSFER_LAB_ASSETS=${envMirror} holds no models/${MODEL}/model.json.`);
}
const mirrors = [envMirror, join(root, '..', 'shared', 'assets')].filter((d) => d && existsSync(d));

function fail(msg) {
  console.error(`\n[assets] ${msg}\n`);
  process.exit(1);
}

function write(file, buf) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, buf);
}

/** A file's bytes from the first mirror that has it with the right sha256, else from `url`; null if nowhere. */
async function obtain(mirrorPath, url, want) {
  for (const dir of mirrors) {
    const p = join(dir, mirrorPath);
    if (!existsSync(p)) continue;
    const buf = readFileSync(p);
    if (want && sha256(buf) !== want) fail(`${p} does not match its sha256 in scripts/assets/assets.lock.json; the mirror is damaged.`);
    return { buf, from: dir };
  }
  if (unreachable) return { error: `${url}: skipped, ${unreachable}` };
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const buf = Buffer.from(await res.arrayBuffer());
    if (want && sha256(buf) !== want) fail(`${url} does not match its sha256 in scripts/assets/assets.lock.json.`);
    return { buf, from: url };
  } catch (err) {
    // A network failure (not an HTTP status) will repeat for every file: stop asking.
    if (err.cause) unreachable = `no network (${err.cause.code ?? err.cause.message})`;
    return { error: `${url}: ${err.cause?.code ?? err.message}` };
  }
}

let unreachable = null;
const missing = [];
const sources = new Set();
/** Puts every [target, mirrorPath, url, sha256] in place unless already there; returns how many were fetched. */
async function fill(items) {
  let fetched = 0;
  for (const [target, mirrorPath, url, want] of items) {
    if (existsSync(target)) continue;
    const got = await obtain(mirrorPath, url, want);
    if (got.error) {
      missing.push(got.error);
      continue;
    }
    write(target, got.buf);
    sources.add(got.from.startsWith('http') ? new URL(got.from).origin : got.from);
    fetched++;
  }
  return fetched;
}

// Every base the app offers, under public/assets/models/<name>/.
const modelItems = MODELS.flatMap((name) =>
  Object.entries(lock.models[name]).map(([f, want]) => [join(publicDir, 'models', name, f), join('models', name, f), modelUrl(name) + f, want]),
);
const fetchedModel = await fill(modelItems);

// ImageNet class names (one list for every base): the mirror's array, or Keras' index converted (its upstream
// bytes have no pinned hash here).
const classesFile = join(publicDir, 'imagenet_classes.json');
if (!existsSync(classesFile)) {
  const local = mirrors.map((d) => join(d, 'models', MODEL, 'imagenet_classes.json')).find(existsSync);
  if (local) {
    const buf = readFileSync(local);
    if (sha256(buf) !== lock.classNames) fail(`${local} does not match its sha256 in scripts/assets/assets.lock.json.`);
    write(classesFile, buf);
  } else {
    try {
      const index = await (await fetch(CLASS_INDEX_URL)).json();
      const names = Array.from({ length: 1000 }, (_, i) => index[String(i)][1].replace(/_/g, ' '));
      if (names.some((n) => typeof n !== 'string' || !n)) throw new Error('unexpected format');
      write(classesFile, JSON.stringify(names));
    } catch (err) {
      missing.push(`${CLASS_INDEX_URL}: ${err.cause?.code ?? err.message}`);
    }
  }
}

// Photos: the test cache holds every locked clothing photo and the cat; the app's samples are a few of them.
const clothing = lock.clothing.map((line) => {
  const [upstream, want] = line.split(' ');
  const file = upstream.split('/').slice(1).join('/');
  return { file, upstream, want };
});
const photoItems = clothing.map(({ file, upstream, want }) => [join(testDir, 'datasets', 'clothing-small-5', file), join('datasets', 'clothing-small-5', file), clothingUrl(upstream), want]);
photoItems.push([join(testDir, 'images', 'cat-purr.png'), join('images', 'cat-purr.png'), CAT_URL, lock.cat]);
const fetchedPhotos = await fill(photoItems);

if (missing.length) {
  fail(
    `${missing.length} asset file(s) could not be obtained, e.g.\n  ${missing.slice(0, 3).join('\n  ')}\n` +
      `Provide them one of these ways:\n` +
      `  1. set TRANSFER_LAB_ASSETS=/path/to/assets (a mirror with models/${MODEL}/, datasets/clothing-small-5/, images/), or\n` +
      `  2. put that mirror at ../shared/assets beside this project, or\n` +
      `  3. allow downloads from storage.googleapis.com and raw.githubusercontent.com (the upstream homes in scripts/assets/sources.mjs).`,
  );
}

const byClass = {};
for (const { file } of clothing) (byClass[file.split('/')[0]] ??= []).push(file);
write(join(testDir, 'datasets', 'clothing-small-5', 'index.json'), JSON.stringify({ classes: byClass }, null, 1));

// Sample photos the app offers under "Try with sample photos" (also what the chapter widgets train on).
const samples = { source: 'clothing-dataset-small (CC0 1.0), github.com/alexeygrigorev/clothing-dataset-small', classes: {} };
for (const cls of SAMPLE_CLASSES) {
  samples.classes[cls] = byClass[cls].slice(0, SAMPLES_PER_CLASS);
  for (const f of samples.classes[cls]) {
    const target = join(publicDir, 'samples', f);
    if (!existsSync(target)) write(target, readFileSync(join(testDir, 'datasets', 'clothing-small-5', f)));
  }
}
write(join(publicDir, 'samples', 'index.json'), JSON.stringify(samples, null, 1));

const from = sources.size ? ` from ${[...sources].join(', ')}` : '';
log(fetchedModel || fetchedPhotos ? `model files added: ${fetchedModel}, photos added: ${fetchedPhotos}${from} (sha256 checked)` : 'all assets in place');
