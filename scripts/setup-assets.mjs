#!/usr/bin/env node
// Puts the MobileNet model, its ImageNet class names and a few sample photos under public/assets/.
// Sources, in order: $TRANSFER_LAB_ASSETS, ../shared/assets, the upstream URLs. Idempotent and verified.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'public', 'assets');
const MODEL = 'mobilenet_v1_0.25_224';
const UPSTREAM_MODEL = `https://storage.googleapis.com/tfjs-models/tfjs/${MODEL}/`;
const UPSTREAM_CLASSES = 'https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json';
const UPSTREAM_SAMPLES = 'https://raw.githubusercontent.com/alexeygrigorev/clothing-dataset-small/master/';
/** Sample classes and how many photos of each the app offers under "Try with sample photos". */
const SAMPLE_CLASSES = ['shoes', 'hat', 't-shirt'];
const SAMPLES_PER_CLASS = 12;

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');
const log = (msg) => { if (!process.env.TRANSFER_LAB_QUIET) console.log(`[assets] ${msg}`); };

function fail(msg) {
  console.error(`\n[assets] ${msg}\n`);
  process.exit(1);
}

/** The byte length every shard must have, from the weights manifest (float32 = 4 bytes). */
function expectedShardBytes(modelJson) {
  const sizes = new Map();
  for (const group of modelJson.weightsManifest) {
    const bytes = group.weights.reduce((sum, w) => sum + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    if (group.paths.length !== 1) throw new Error('multi-path weight groups are not expected');
    sizes.set(group.paths[0], bytes);
  }
  return sizes;
}

function modelIsComplete(dir) {
  const jsonPath = join(dir, 'model.json');
  if (!existsSync(jsonPath) || !existsSync(join(dir, 'imagenet_classes.json'))) return false;
  try {
    const sizes = expectedShardBytes(JSON.parse(readFileSync(jsonPath, 'utf8')));
    for (const [file, bytes] of sizes) {
      const p = join(dir, file);
      if (!existsSync(p) || statSync(p).size !== bytes) return false;
    }
    const classes = JSON.parse(readFileSync(join(dir, 'imagenet_classes.json'), 'utf8'));
    return Array.isArray(classes) && classes.length === 1000;
  } catch {
    return false;
  }
}

/** sha256 lines ("<hex>  <file>") from the mirror's PROVENANCE.md. */
function provenanceHashes(srcDir) {
  const p = join(srcDir, 'PROVENANCE.md');
  if (!existsSync(p)) return new Map();
  const map = new Map();
  for (const m of readFileSync(p, 'utf8').matchAll(/^([0-9a-f]{64})\s+(\S+)$/gm)) map.set(m[2], m[1]);
  return map;
}

function copyModel(srcRoot) {
  const src = join(srcRoot, 'models', MODEL);
  if (!existsSync(join(src, 'model.json'))) return false;
  const dst = join(out, 'model');
  mkdirSync(dst, { recursive: true });
  const hashes = provenanceHashes(src);
  const modelJson = JSON.parse(readFileSync(join(src, 'model.json'), 'utf8'));
  const files = ['model.json', 'imagenet_classes.json', ...expectedShardBytes(modelJson).keys()];
  for (const f of files) {
    const buf = readFileSync(join(src, f));
    const want = hashes.get(f);
    if (want && sha256(buf) !== want) fail(`${join(src, f)} does not match its sha256 in PROVENANCE.md; the mirror is damaged.`);
    writeFileSync(join(dst, f), buf);
  }
  if (!modelIsComplete(dst)) fail(`the model copied from ${src} is incomplete (a shard's size differs from model.json).`);
  log(`model copied from ${src} (${files.length} files, sha256 checked)`);
  return true;
}

async function fetchBuf(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function downloadModel() {
  const dst = join(out, 'model');
  mkdirSync(dst, { recursive: true });
  const jsonBuf = await fetchBuf(`${UPSTREAM_MODEL}model.json`);
  const sizes = expectedShardBytes(JSON.parse(jsonBuf.toString('utf8')));
  writeFileSync(join(dst, 'model.json'), jsonBuf);
  for (const [file, bytes] of sizes) {
    const buf = await fetchBuf(UPSTREAM_MODEL + file);
    if (buf.length !== bytes) throw new Error(`${file}: ${buf.length} bytes, expected ${bytes}`);
    writeFileSync(join(dst, file), buf);
  }
  // Keras' index is {"0": ["n01440764", "tench"], ...}; the app wants a plain array of names.
  const index = JSON.parse((await fetchBuf(UPSTREAM_CLASSES)).toString('utf8'));
  const names = Array.from({ length: 1000 }, (_, i) => index[String(i)][1].replace(/_/g, ' '));
  writeFileSync(join(dst, 'imagenet_classes.json'), JSON.stringify(names));
  log(`model downloaded from ${UPSTREAM_MODEL} (${sizes.size} shards, sizes checked)`);
}

function copySamples(srcRoot) {
  const src = join(srcRoot, 'datasets', 'clothing-small-5');
  const manifestPath = join(src, 'manifest.csv');
  if (!existsSync(manifestPath)) return false;
  const rows = readFileSync(manifestPath, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
  const dst = join(out, 'samples');
  const index = { source: 'clothing-dataset-small (CC0 1.0), github.com/alexeygrigorev/clothing-dataset-small', classes: {} };
  for (const cls of SAMPLE_CLASSES) {
    const picked = rows.filter((r) => r[1] === cls).sort((a, b) => a[0].localeCompare(b[0])).slice(0, SAMPLES_PER_CLASS);
    mkdirSync(join(dst, cls), { recursive: true });
    index.classes[cls] = [];
    for (const [file, , , , , , , , , hash] of picked) {
      const buf = readFileSync(join(src, file));
      if (sha256(buf) !== hash) fail(`${join(src, file)} does not match its sha256 in manifest.csv.`);
      writeFileSync(join(dst, file), buf);
      index.classes[cls].push(file);
    }
  }
  writeFileSync(join(dst, 'index.json'), JSON.stringify(index, null, 1));
  log(`sample photos copied: ${SAMPLE_CLASSES.join(', ')} × ${SAMPLES_PER_CLASS}`);
  return true;
}

async function downloadSamples() {
  // Upstream lists no index; the sample photos are optional, so the app simply hides the button without them.
  log(`sample photos skipped: no local mirror (they are optional; see ${UPSTREAM_SAMPLES})`);
}

function samplesAreComplete() {
  const p = join(out, 'samples', 'index.json');
  if (!existsSync(p)) return false;
  const index = JSON.parse(readFileSync(p, 'utf8'));
  return Object.values(index.classes).flat().every((f) => existsSync(join(out, 'samples', f)));
}

const candidates = [process.env.TRANSFER_LAB_ASSETS, join(root, '..', 'shared', 'assets')].filter(Boolean);
const local = candidates.find((dir) => existsSync(join(dir, 'models', MODEL, 'model.json')));
if (process.env.TRANSFER_LAB_ASSETS && local !== process.env.TRANSFER_LAB_ASSETS) {
  fail(`TRANSFER_LAB_ASSETS=${process.env.TRANSFER_LAB_ASSETS} holds no models/${MODEL}/model.json.`);
}

mkdirSync(out, { recursive: true });
if (modelIsComplete(join(out, 'model'))) {
  log('model already in place');
} else if (local) {
  copyModel(local);
} else {
  try {
    await downloadModel();
  } catch (err) {
    fail(
      `could not get the MobileNet model (${err.message}).\n` +
        `Provide it one of these ways:\n` +
        `  - put the assets folder at ../shared/assets (models/${MODEL}/model.json + shards + imagenet_classes.json), or\n` +
        `  - set TRANSFER_LAB_ASSETS=/path/to/assets, or\n` +
        `  - allow downloads from ${UPSTREAM_MODEL} and ${UPSTREAM_CLASSES}.`,
    );
  }
}
if (!samplesAreComplete()) {
  if (!(local && copySamples(local))) await downloadSamples();
}
