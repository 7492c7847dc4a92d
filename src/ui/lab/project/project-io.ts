import { project } from '../../../app/project.svelte';
import { store } from '../../../io/db';
import { ProjectFileError, packProject, unpackProject, type ProjectFileProblem } from '../../../io/project-file';

export type ImportResult =
  | { ok: true; classes: number; photos: number }
  | { ok: false; problem: ProjectFileProblem | 'storage'; detail: string; file: string };

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

/**
 * Checks the whole file first, then replaces the project in one transaction and reloads, so the trained head,
 * plan and every store start from the imported project. A refused file leaves the current project untouched.
 */
export async function importProject(file: File): Promise<ImportResult> {
  let snap;
  try {
    snap = await unpackProject(file, decodes);
  } catch (err) {
    if (err instanceof ProjectFileError) return { ok: false, problem: err.problem, detail: err.detail, file: err.file };
    return { ok: false, problem: 'invalid', detail: err instanceof Error ? err.message : String(err), file: '' };
  }
  if (!(await project.replaceWith(snap))) return { ok: false, problem: 'storage', detail: project.storageError ?? '', file: '' };
  const result: ImportResult = { ok: true, classes: snap.classes.length, photos: snap.photos.length };
  try {
    sessionStorage.setItem(RESULT_KEY, JSON.stringify(result));
    location.reload();
  } catch {
    /* no sessionStorage: the result is shown without a reload, the head loads on the next visit */
  }
  return result;
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
