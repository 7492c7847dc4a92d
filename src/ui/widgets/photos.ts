import type { Sample } from '../../ml/types';
import { project } from '../../app/project.svelte';
import { decodeForModel } from '../../io/decode';
import { SAMPLES_INDEX_URL, assetUrl } from '../../io/assets';

/** Where the experiment's photos came from. */
export type PhotoSource = 'lab' | 'samples';

export interface WidgetPhotos {
  source: PhotoSource;
  classNames: string[];
  samples: Sample[];
}

/** Sample classes the experiments use when the lab has too few photos: two classes, as in the lab's e2e. */
const SAMPLE_CLASSES = 2;

/**
 * The lab's classes that have at least 2 photos, if at least two such classes exist; otherwise null.
 * Up to `perClass` photos per class, the oldest first (the order the lab shows them in).
 */
function fromLab(perClass: number): { name: string; photos: { id: string; blob: Blob }[] }[] | null {
  const classes = project.classes
    .map((c) => ({ name: c.name.trim() || c.id, photos: project.photosOf(c.id).slice(0, perClass) }))
    .filter((c) => c.photos.length >= 2);
  return classes.length >= 2 ? classes : null;
}

/** Decoded sample photos, kept for the visit so two widgets (or two runs) do not fetch and decode them again. */
const decoded = new Map<string, Promise<Sample['pixels']>>();

function decodeOnce(key: string, blob: () => Promise<Blob>): Promise<Sample['pixels']> {
  let p = decoded.get(key);
  if (!p) {
    p = blob().then((b) => decodeForModel(b));
    p.catch(() => decoded.delete(key));
    decoded.set(key, p);
  }
  return p;
}

/** Says which photos `loadPhotos` would use, without decoding anything. */
export async function photoSource(): Promise<PhotoSource> {
  await project.restore();
  return fromLab(Number.MAX_SAFE_INTEGER) ? 'lab' : 'samples';
}

/**
 * The learner's lab photos (≥ 2 classes with ≥ 2 photos each), else the bundled sample photos, decoded to
 * model-sized pixels one at a time with progress. Stops early (returns null) when `signal` aborts.
 */
export async function loadPhotos(
  perClass: number,
  onProgress: (done: number, total: number) => void,
  signal: AbortSignal,
): Promise<WidgetPhotos | null> {
  await project.restore();
  const lab = fromLab(perClass);
  let classes: { name: string; items: { id: string; blob: () => Promise<Blob> }[] }[];
  let source: PhotoSource;
  if (lab) {
    source = 'lab';
    classes = lab.map((c) => ({ name: c.name, items: c.photos.map((p) => ({ id: `lab:${p.id}`, blob: async () => p.blob })) }));
  } else {
    source = 'samples';
    const res = await fetch(SAMPLES_INDEX_URL());
    if (!res.ok) throw new Error(`sample photos: HTTP ${res.status}`);
    const index = (await res.json()) as { classes: Record<string, string[]> };
    classes = Object.entries(index.classes)
      .slice(0, SAMPLE_CLASSES)
      .map(([name, files]) => ({
        name,
        items: files.slice(0, perClass).map((f) => ({
          id: `sample:${f}`,
          blob: async () => {
            const r = await fetch(assetUrl(`samples/${f}`));
            if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
            return r.blob();
          },
        })),
      }));
  }
  const total = classes.reduce((n, c) => n + c.items.length, 0);
  const samples: Sample[] = [];
  onProgress(0, total);
  for (const [label, c] of classes.entries()) {
    for (const item of c.items) {
      if (signal.aborted) return null;
      samples.push({ id: item.id, label, pixels: await decodeOnce(item.id, item.blob) });
      onProgress(samples.length, total);
    }
  }
  return { source, classNames: classes.map((c) => c.name), samples };
}
