#!/usr/bin/env node
// Regenerates scripts/assets/assets.lock.json from an assets mirror (facts only: upstream names and sha256).
// Usage: node scripts/assets/make-lock.mjs /path/to/assets   (run when the chosen files change, then commit the JSON)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MODELS, PHOTOS_PER_CLASS, CLOTHING_COMMIT } from './sources.mjs';

const mirror = process.argv[2];
if (!mirror) throw new Error('usage: make-lock.mjs <assets mirror>');
const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

const models = {};
for (const name of MODELS) {
  const dir = join(mirror, 'models', name);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  const files = ['model.json', ...json.weightsManifest.flatMap((g) => g.paths)];
  models[name] = Object.fromEntries(files.map((f) => [f, sha256(join(dir, f))]));
}
const classNames = sha256(join(mirror, 'models', MODELS[0], 'imagenet_classes.json'));

const dataset = join(mirror, 'datasets', 'clothing-small-5');
const rows = readFileSync(join(dataset, 'manifest.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
const byClass = new Map();
for (const [file, label, original, , , , , , , hash] of rows) {
  if (!byClass.has(label)) byClass.set(label, []);
  byClass.get(label).push({ file, line: `${original} ${hash}` });
}
const clothing = [...byClass.values()].flatMap((list) => list.sort((a, b) => a.file.localeCompare(b.file)).slice(0, PHOTOS_PER_CLASS).map((p) => p.line));

/** clothing: "<upstream path> <sha256>"; the local file is the path without its split folder (train/, test/, …). */
const lock = { clothingCommit: CLOTHING_COMMIT, models, classNames, clothing, cat: sha256(join(mirror, 'images', 'cat-purr.png')) };
writeFileSync(new URL('./assets.lock.json', import.meta.url), JSON.stringify(lock, null, 1) + '\n');
console.log(`assets.lock.json: ${Object.keys(models).length} models, ${clothing.length} photos`);
