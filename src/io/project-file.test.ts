import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { strToU8, zipSync } from 'fflate';
import { LIMITS, MANIFEST, ProjectFileError, packProject, unpackProject } from './project-file';
import type { Snapshot } from './db';

const photo = (shade: number) => new Blob([new Uint8Array(jpeg.encode({ width: 8, height: 6, data: Buffer.alloc(8 * 6 * 4, shade) }, 90).data)], { type: 'image/jpeg' });
const decodes = async () => {};
const head = (over: Record<string, unknown> = {}) => ({
  format: 'transfer-lab-head@1',
  classNames: ['cats', 'dogs'],
  hiddenUnits: 2,
  embeddingLayer: 'conv_pw_13_relu',
  tunedLayers: [],
  specs: [{ name: 'head/0', shape: [2, 3], dtype: 'float32' }],
  data: new Float32Array([1, 2, 3, 4, 5, 6]).buffer,
  ...over,
});
const project = (): Snapshot => ({
  classes: [{ id: 'c1', name: 'cats', order: 0 }, { id: 'c2', name: 'dogs', order: 1 }],
  photos: [
    { id: 'p1', classId: 'c1', blob: photo(10), createdAt: 1 },
    { id: 'p2', classId: 'c2', blob: photo(200), createdAt: 2 },
  ],
  meta: { settings: { mode: 'feature-extraction', epochs: 5 }, plan: { conv1: false, conv_pw_13: true }, head: head() },
});
const problem = async (file: Blob) => {
  try {
    await unpackProject(file, decodes);
  } catch (err) {
    return err instanceof ProjectFileError ? err.problem : `other: ${String(err)}`;
  }
  return 'accepted';
};
/** A project zip with its manifest edited. */
const edited = async (edit: (m: Record<string, unknown>, files: Record<string, Uint8Array>) => void) => {
  const { unzipSync } = await import('fflate');
  const files = unzipSync(new Uint8Array(await (await packProject(project())).arrayBuffer()));
  const m = JSON.parse(new TextDecoder().decode(files[MANIFEST]));
  edit(m, files);
  files[MANIFEST] = strToU8(JSON.stringify(m));
  return new Blob([zipSync(files)]);
};

describe('project file', () => {
  it('round-trips classes, photo bytes, plan, settings and the head', async () => {
    const before = project();
    const after = await unpackProject(await packProject(before), decodes);
    expect(after.classes).toEqual(before.classes);
    expect(after.photos.map((p) => [p.id, p.classId, p.createdAt])).toEqual([['p1', 'c1', 1], ['p2', 'c2', 2]]);
    expect(new Uint8Array(await after.photos[1].blob.arrayBuffer())).toEqual(new Uint8Array(await before.photos[1].blob.arrayBuffer()));
    expect(after.meta.plan).toEqual(before.meta.plan);
    expect(after.meta.settings).toEqual(before.meta.settings);
    const h = after.meta.head as ReturnType<typeof head>;
    expect(Array.from(new Float32Array(h.data))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(h.specs).toEqual(head().specs);
  });

  it('refuses a truncated zip and a zip of other files', async () => {
    const whole = new Uint8Array(await (await packProject(project())).arrayBuffer());
    expect(await problem(new Blob([whole.slice(0, whole.length - 40)]))).toBe('not-zip');
    expect(await problem(new Blob([strToU8('just text')]))).toBe('not-zip');
    expect(await problem(new Blob([zipSync({ 'notes.txt': strToU8('hello'), 'a.bin': new Uint8Array(64) })]))).toBe('foreign');
    expect(await problem(new Blob([zipSync({ [MANIFEST]: strToU8('{"format":"something-else"}') })]))).toBe('foreign');
  });

  it('refuses a head that is not float32 or whose bytes do not match its shapes', async () => {
    expect(await problem(await edited((m) => ((m.head as { specs: unknown[] }).specs = [{ name: 'head/0', shape: [2, 3], dtype: 'int32' }])))).toBe('invalid');
    expect(await problem(await edited((m) => ((m.head as { specs: unknown[] }).specs = [{ name: 'head/0', shape: [4, 3], dtype: 'float32' }])))).toBe('invalid');
  });

  it('refuses duplicate class names, long names, photos of unknown classes or missing from the zip, and non-images', async () => {
    expect(await problem(await edited((m) => ((m.classes as { name: string }[])[1].name = 'Cats')))).toBe('invalid');
    expect(await problem(await edited((m) => ((m.classes as { name: string }[])[1].name = 'x'.repeat(41))))).toBe('invalid');
    expect(await problem(await edited((m) => ((m.photos as { classId: string }[])[0].classId = 'nope')))).toBe('invalid');
    expect(await problem(await edited((_m, files) => delete files['photos/p1.jpg']))).toBe('invalid');
    expect(await problem(await edited((_m, files) => (files['photos/p1.jpg'] = strToU8('<svg onload="x()"></svg>'))))).toBe('photo');
    expect(await problem(await edited((m) => (m.version = 99)))).toBe('version');
  });

  it('refuses a file that unpacks past the limit, before inflating it', async () => {
    const saved = LIMITS.unpackedBytes;
    LIMITS.unpackedBytes = 1000;
    try {
      expect(await problem(new Blob([zipSync({ [MANIFEST]: strToU8('{}'), 'big.bin': new Uint8Array(5000) })]))).toBe('too-large');
    } finally {
      LIMITS.unpackedBytes = saved;
    }
  });
});
