import { project } from '../../app/project.svelte';
import type { RunPhoto } from '../../app/run.svelte';
import { SAMPLES_INDEX_URL, assetUrl } from '../../io/assets';

/** Where the experiment's photos came from. */
export type PhotoSource = 'lab' | 'samples';

export interface WidgetPhotos {
  source: PhotoSource;
  classNames: string[];
  /** Decoded by the run store only when the engine does not hold them already. */
  photos: RunPhoto[];
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

/** Says which photos `loadPhotos` would use, without decoding anything. */
export async function photoSource(): Promise<PhotoSource> {
  await project.restore();
  return fromLab(Number.MAX_SAFE_INTEGER) ? 'lab' : 'samples';
}

/** The learner's lab photos (≥ 2 classes with ≥ 2 photos each), else the bundled sample photos; nothing decoded yet. */
export async function loadPhotos(perClass: number): Promise<WidgetPhotos> {
  await project.restore();
  const lab = fromLab(perClass);
  if (lab) {
    return {
      source: 'lab',
      classNames: lab.map((c) => c.name),
      photos: lab.flatMap((c, label) => c.photos.map((p) => ({ id: `lab:${p.id}`, label, blob: async () => p.blob }))),
    };
  }
  const res = await fetch(SAMPLES_INDEX_URL());
  if (!res.ok) throw new Error(`sample photos: HTTP ${res.status}`);
  const index = (await res.json()) as { classes: Record<string, string[]> };
  const classes = Object.entries(index.classes).slice(0, SAMPLE_CLASSES);
  return {
    source: 'samples',
    classNames: classes.map(([name]) => name),
    photos: classes.flatMap(([, files], label) =>
      files.slice(0, perClass).map((f) => ({
        id: `sample:${f}`,
        label,
        blob: async () => {
          const r = await fetch(assetUrl(`samples/${f}`));
          if (!r.ok) throw new Error(`${f}: HTTP ${r.status}`);
          return r.blob();
        },
      })),
    ),
  };
}
