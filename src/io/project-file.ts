import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import type { ClassRecord, MetaRecords, PhotoRecord, Snapshot } from './db';
import { MAX_PIXELS, imageSize, sniffUpload } from './sniff';
import { isBaseId } from '../ml/bases';
import { ProjectFileError } from './project-file-error';

export { ProjectFileError, type ProjectFileProblem } from './project-file-error';

/** The project file: one JSON manifest, the photos as they are stored (JPEG), and the head's weights as raw bytes. */
export const MANIFEST = 'transfer-lab-project.json';
export const FORMAT = 'transfer-lab-project';
export const VERSION = 1;

/** Limits on an imported file, so a hostile or broken zip is refused before it costs memory. */
export const LIMITS = {
  unpackedBytes: 512 * 1024 * 1024,
  manifestBytes: 4 * 1024 * 1024,
  classes: 100,
  photos: 10_000,
  nameLength: 40,
  planEntries: 1_000,
  headBytes: 64 * 1024 * 1024,
};

interface Manifest {
  format: typeof FORMAT;
  version: number;
  exportedAt: string;
  classes: { id: string; name: string }[];
  photos: { id: string; classId: string; path: string; createdAt: number }[];
  settings: Record<string, unknown>;
  plan: Record<string, boolean> | null;
  /** The head snapshot with its weight bytes moved to `headData`. */
  head: (Record<string, unknown> & { data: { file: string } }) | null;
}

const HEAD_DATA = 'head/weights.bin';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Packs the whole stored project into one .zip (photos stored, not recompressed: they are JPEGs already). */
export async function packProject(snap: Snapshot): Promise<Blob> {
  const files: Zippable = {};
  const photos: Manifest['photos'] = [];
  for (const p of snap.photos) {
    const path = `photos/${p.id}.jpg`;
    files[path] = [new Uint8Array(await p.blob.arrayBuffer()), { level: 0 }];
    photos.push({ id: p.id, classId: p.classId, path, createdAt: p.createdAt });
  }
  let head: Manifest['head'] = null;
  const h = snap.meta.head;
  if (isObject(h) && h.data instanceof ArrayBuffer) {
    files[HEAD_DATA] = [new Uint8Array(h.data), { level: 6 }];
    head = { ...h, data: { file: HEAD_DATA } };
  }
  const manifest: Manifest = {
    format: FORMAT,
    version: VERSION,
    exportedAt: new Date().toISOString(),
    classes: snap.classes.map((c) => ({ id: c.id, name: c.name })),
    photos,
    settings: snap.meta.settings ?? {},
    plan: snap.meta.plan ?? null,
    head,
  };
  files[MANIFEST] = strToU8(JSON.stringify(manifest, null, 1));
  const zipped = zipSync(files);
  return new Blob([zipped.buffer as ArrayBuffer], { type: 'application/zip' });
}

const invalid = (detail: string): never => {
  throw new ProjectFileError('invalid', detail);
};
const shortString = (v: unknown, max: number, what: string): string =>
  typeof v === 'string' && v.length > 0 && v.length <= max ? v : invalid(`${what} must be a text of 1 to ${max} characters`);

function checkClasses(v: unknown): ClassRecord[] {
  if (!Array.isArray(v) || v.length < 1 || v.length > LIMITS.classes) invalid(`1 to ${LIMITS.classes} classes expected`);
  const ids = new Set<string>();
  const names = new Set<string>();
  return (v as unknown[]).map((c, order) => {
    if (!isObject(c)) return invalid('a class is not an object');
    const id = shortString(c.id, 64, 'a class id');
    const name = shortString(c.name, LIMITS.nameLength, 'a class name');
    const key = name.trim().toLocaleLowerCase();
    if (ids.has(id) || names.has(key)) invalid(`two classes share the id or name “${name}”`);
    ids.add(id);
    names.add(key);
    return { id, name, order };
  });
}

function checkSettings(v: unknown): Record<string, unknown> {
  if (!isObject(v) || Object.keys(v).length > 50) return invalid('settings must be a small object');
  for (const [k, x] of Object.entries(v)) {
    const ok = typeof x === 'number' ? Number.isFinite(x) : typeof x === 'boolean' || (typeof x === 'string' && x.length <= 40);
    if (!ok || k.length > 40) invalid(`setting “${k.slice(0, 40)}” has an unexpected value`);
  }
  return v;
}

function checkPlan(v: unknown): Record<string, boolean> | null {
  if (v === null || v === undefined) return null;
  if (!isObject(v) || Object.keys(v).length > LIMITS.planEntries) return invalid('the layer plan must map layer names to true/false');
  for (const [k, x] of Object.entries(v)) if (k.length > 100 || typeof x !== 'boolean') invalid('the layer plan must map layer names to true/false');
  return v as Record<string, boolean>;
}

/** The head as the engine stores it: float32 weights whose byte count matches their shapes. */
function checkHead(v: unknown, data: Uint8Array | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (!isObject(v) || v.format !== 'transfer-lab-head@1') return invalid('the trained head is not one Transfer Lab saved');
  // A head belongs to one base network; one naming a base this version does not know could never be loaded.
  if (v.base !== undefined && !isBaseId(v.base)) invalid(`the trained head names an unknown base network (${String(v.base).slice(0, 40)})`);
  if (!data) return invalid(`${HEAD_DATA} is missing`);
  if (data.byteLength > LIMITS.headBytes) return invalid('the trained head is too large');
  const specs = v.specs;
  if (!Array.isArray(specs) || specs.length === 0 || specs.length > 1000) return invalid('the trained head lists no weights');
  let expected = 0;
  for (const s of specs as unknown[]) {
    if (!isObject(s) || typeof s.name !== 'string' || s.name.length > 200) return invalid('a head weight has no name');
    if (s.dtype !== 'float32') return invalid(`head weight ${s.name} is ${String(s.dtype)}, float32 expected`);
    if (!Array.isArray(s.shape) || s.shape.length > 4 || !s.shape.every((d) => Number.isInteger(d) && d > 0 && d <= 1e6)) {
      return invalid(`head weight ${s.name} has an invalid shape`);
    }
    expected += (s.shape as number[]).reduce((a, b) => a * b, 1) * 4;
  }
  if (expected !== data.byteLength) invalid(`the head's weights hold ${data.byteLength} bytes, their shapes need ${expected}`);
  const names = v.classNames;
  if (!Array.isArray(names) || names.length > LIMITS.classes || !names.every((n) => typeof n === 'string' && n.length <= LIMITS.nameLength)) {
    invalid("the trained head's class names are invalid");
  }
  // A copy that owns exactly its bytes, as IndexedDB will store it.
  return { ...v, data: data.slice().buffer };
}

/** Checks a photo's bytes as an upload is checked (format by magic bytes, declared size) and decodes it once. */
async function checkPhoto(path: string, bytes: Uint8Array, decode: (b: Blob) => Promise<void>): Promise<Blob> {
  const verdict = sniffUpload(bytes.byteLength, '', path, bytes.subarray(0, 64));
  if (!verdict.ok) throw new ProjectFileError('photo', verdict.reason, path);
  const size = imageSize(verdict.format, bytes.subarray(0, 1024 * 1024));
  if (!size || size.width * size.height > MAX_PIXELS) throw new ProjectFileError('photo', size ? 'too-many-pixels' : 'corrupt', path);
  const blob = new Blob([bytes.slice().buffer], { type: `image/${verdict.format}` });
  await decode(blob).catch(() => {
    throw new ProjectFileError('photo', 'corrupt', path);
  });
  return blob;
}

/**
 * Reads a project .zip and checks every part of it — manifest, classes, photos, plan, settings, head —
 * before anything is stored; throws a ProjectFileError naming the first problem. `decode` proves a photo
 * decodes (the browser's decoder; tests may pass their own).
 */
export async function unpackProject(file: Blob, decode: (b: Blob) => Promise<void>): Promise<Snapshot> {
  let entries: Record<string, Uint8Array>;
  let unpacked = 0;
  try {
    entries = unzipSync(new Uint8Array(await file.arrayBuffer()), {
      // Declared sizes are summed before inflating, so a zip bomb is refused without being expanded.
      filter: (f) => (unpacked += f.originalSize) <= LIMITS.unpackedBytes,
    });
  } catch {
    throw new ProjectFileError('not-zip');
  }
  if (unpacked > LIMITS.unpackedBytes) throw new ProjectFileError('too-large', String(LIMITS.unpackedBytes / 1024 / 1024));
  const raw = entries[MANIFEST];
  if (!raw) throw new ProjectFileError('foreign');
  if (raw.byteLength > LIMITS.manifestBytes) throw new ProjectFileError('invalid', 'the manifest is too large');
  let m: unknown;
  try {
    m = JSON.parse(strFromU8(raw));
  } catch {
    throw new ProjectFileError('invalid', `${MANIFEST} is not valid JSON`);
  }
  if (!isObject(m) || m.format !== FORMAT) throw new ProjectFileError('foreign');
  if (typeof m.version !== 'number' || m.version > VERSION) throw new ProjectFileError('version');

  const classes = checkClasses(m.classes);
  const known = new Set(classes.map((c) => c.id));
  const list = m.photos;
  if (!Array.isArray(list) || list.length > LIMITS.photos) invalid(`at most ${LIMITS.photos} photos expected`);
  const seen = new Set<string>();
  const photos: PhotoRecord[] = [];
  for (const p of list as unknown[]) {
    if (!isObject(p)) return invalid('a photo entry is not an object');
    const id = shortString(p.id, 64, 'a photo id');
    const path = shortString(p.path, 200, 'a photo path');
    if (seen.has(id)) invalid(`photo ${id} is listed twice`);
    seen.add(id);
    if (typeof p.classId !== 'string' || !known.has(p.classId)) invalid(`photo ${path} belongs to no class of the project`);
    const bytes = entries[path];
    if (!bytes) invalid(`${path} is listed but missing from the zip`);
    const createdAt = typeof p.createdAt === 'number' && Number.isFinite(p.createdAt) ? p.createdAt : photos.length;
    photos.push({ id, classId: p.classId as string, blob: await checkPhoto(path, bytes, decode), createdAt });
  }
  const meta: Partial<MetaRecords> = {
    settings: checkSettings(m.settings ?? {}),
    plan: checkPlan(m.plan),
    head: checkHead(m.head, entries[HEAD_DATA]),
  };
  return { classes, photos, meta };
}
