import { project } from '../../../app/project.svelte';
import { errorDetail, errorText, type Translate } from '../../../app/errors';
import { StorageFullError, store, type Snapshot } from '../../../io/db';
import { packProject, unpackProject } from '../../../io/project-file';

export type ImportResult =
  | { ok: true; classes: number; photos: number }
  /** `stage` says whether the file was refused ('check') or could not be stored ('save'); `error` is named by errorText. */
  | { ok: false; stage: 'check' | 'save'; error: unknown };

const RESULT_KEY = 'transfer-lab:import-result';

/** Downloads the stored project as one .zip; only ever on the learner's click, nothing leaves the device. */
export async function exportProject(): Promise<void> {
  await project.saveNow();
  const blob = await packProject(await store.read());
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = 'transfer-lab-project.zip';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const decodes = async (b: Blob) => (await createImageBitmap(b)).close();

/** The whole file checked, nothing stored yet: what an import or a project link is about to put in place. */
export type CheckedProject = { ok: true; snap: Snapshot } | { ok: false; stage: 'check'; error: unknown };

/** Checks every part of a project file (src/io/project-file.ts) without storing anything. */
export async function checkProject(file: Blob): Promise<CheckedProject> {
  try {
    return { ok: true, snap: await unpackProject(file, decodes) };
  } catch (err) {
    return { ok: false, stage: 'check', error: err };
  }
}

/**
 * Replaces the project with a checked one in one transaction and reloads, so the trained head, plan and every
 * store start from it. A project that cannot be stored leaves the current one untouched.
 */
export async function replaceProject(snap: Snapshot): Promise<ImportResult> {
  if (!(await project.replaceWith(snap))) {
    const stored = project.storageError;
    return { ok: false, stage: 'save', error: stored === 'quota' ? new StorageFullError(null) : new Error(stored ?? '') };
  }
  const result: ImportResult = { ok: true, classes: snap.classes.length, photos: snap.photos.length };
  try {
    sessionStorage.setItem(RESULT_KEY, JSON.stringify(result));
    location.reload();
  } catch {
    /* no sessionStorage: the result is shown without a reload, the head loads on the next visit */
  }
  return result;
}

/** Checks the whole file first, then replaces the project; a refused file leaves the current project untouched. */
export async function importProject(file: Blob): Promise<ImportResult> {
  const checked = await checkProject(file);
  return checked.ok ? replaceProject(checked.snap) : checked;
}

/** What the learner is told about an import, whichever way the file came. */
export function importResultText(r: ImportResult, $t: Translate): string {
  if (r.ok) return $t('lab.project.imported', { values: { classes: r.classes, photos: r.photos } });
  if (r.stage === 'save') return $t('lab.project.error.storage', { values: { detail: errorDetail(r.error, $t) } });
  return `${errorText(r.error, $t)} ${$t('lab.project.unchanged')}`;
}

/** The result of an import that reloaded the page, once. */
export function takeImportResult(): ImportResult | null {
  try {
    const raw = sessionStorage.getItem(RESULT_KEY);
    sessionStorage.removeItem(RESULT_KEY);
    return raw ? (JSON.parse(raw) as ImportResult) : null;
  } catch {
    return null;
  }
}
