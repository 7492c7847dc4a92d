// Photos for the memory benchmark: the real datasets first (clothing-small-5 as one class, tf-flowers-224-5 as the
// other), then, past their 1,200 photos, variants of them (a deterministic crop of 80–100 % of the photo, mirrored
// every other time, resized back to 224×224 and saved as JPEG), so a 5,000-photo project has 5,000 distinct files.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';

const SIDE = 224;

/** The dataset folders: the shared mirror when there is one (both sets), else the copy in .cache (clothing only). */
function datasets() {
  const mirror = [process.env.TRANSFER_LAB_ASSETS, resolve('..', 'shared', 'assets'), resolve('.cache', 'assets')].filter(Boolean);
  const roots = [];
  for (const name of ['clothing-small-5', 'tf-flowers-224-5']) {
    const found = mirror.map((d) => join(d, 'datasets', name)).find(existsSync);
    if (found) roots.push(found);
  }
  return roots;
}

/** Every photo of a dataset folder (class subfolders), sorted. */
const photosIn = (root) =>
  readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(join(root, d.name)).filter((f) => /\.jpe?g$/i.test(f)).sort().map((f) => join(root, d.name, f)));

/** Variant `k` (≥ 1) of a photo: crop, mirror, bilinear resize to SIDE×SIDE. */
function variant(file, k) {
  const src = jpeg.decode(readFileSync(file), { useTArray: true });
  const frac = 0.8 + 0.2 * (((k * 37) % 11) / 10);
  const size = Math.floor(Math.min(src.width, src.height) * frac);
  const left = Math.floor(((src.width - size) * ((k * 13) % 7)) / 6);
  const top = Math.floor(((src.height - size) * ((k * 29) % 5)) / 4);
  const flip = k % 2 === 1;
  const out = new Uint8Array(SIDE * SIDE * 4);
  for (let y = 0; y < SIDE; y++) {
    const sy = top + ((y + 0.5) * size) / SIDE - 0.5;
    const y0 = Math.max(0, Math.floor(sy));
    const y1 = Math.min(src.height - 1, y0 + 1);
    const fy = Math.min(1, Math.max(0, sy - y0));
    for (let x = 0; x < SIDE; x++) {
      const sx = left + (((flip ? SIDE - 1 - x : x) + 0.5) * size) / SIDE - 0.5;
      const x0 = Math.max(0, Math.floor(sx));
      const x1 = Math.min(src.width - 1, x0 + 1);
      const fx = Math.min(1, Math.max(0, sx - x0));
      for (let c = 0; c < 3; c++) {
        const at = (yy, xx) => src.data[(yy * src.width + xx) * 4 + c];
        const v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1));
        out[(y * SIDE + x) * 4 + c] = Math.round(v);
      }
      out[(y * SIDE + x) * 4 + 3] = 255;
    }
  }
  return jpeg.encode({ data: out, width: SIDE, height: SIDE }, 90).data;
}

/**
 * `n` photo paths in two classes (half each): the datasets' own files, then variants written once under
 * .cache/bench-photos. Returns [class A paths, class B paths] and how many are variants.
 */
export function benchPhotos(n) {
  const roots = datasets();
  if (!roots.length) throw new Error('no dataset under ../shared/assets or .cache/assets');
  // Two classes: one dataset each, or the one dataset's classes split in two.
  const pools = roots.length > 1 ? roots.map(photosIn) : ((all) => [all.slice(0, all.length / 2), all.slice(all.length / 2)])(photosIn(roots[0]));
  const out = [[], []];
  let variants = 0;
  for (const [g, pool] of pools.entries()) {
    const want = g === 0 ? Math.ceil(n / 2) : Math.floor(n / 2);
    for (let i = 0; i < want; i++) {
      const k = Math.floor(i / pool.length);
      const file = pool[i % pool.length];
      if (k === 0) {
        out[g].push(file);
        continue;
      }
      const dir = resolve('.cache', 'bench-photos', `class-${g}`);
      const path = join(dir, `${String(i).padStart(5, '0')}-v${k}.jpg`);
      if (!existsSync(path)) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path, variant(file, k));
      }
      out[g].push(path);
      variants++;
    }
  }
  return { groups: out, variants };
}
