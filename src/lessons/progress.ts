/**
 * Quiz progress in localStorage: synchronous and small. Every access is guarded because storage can be
 * missing or refuse writes (private mode, quota, disabled cookies); callers show the error.
 */

export const STORAGE_PREFIX = 'transfer-lab:';
export const quizKey = (chapterId: string) => `${STORAGE_PREFIX}quiz:${chapterId}`;

export interface QuizProgress {
  /** Best score so far and the question count it was out of. */
  best: number;
  total: number;
  /** Latest attempt. */
  last: number;
  attempts: number;
  /** Some attempt got every question right. */
  passed: boolean;
}

export type StorageResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type KeyValueStore = Pick<Storage, 'getItem' | 'setItem'>;

/** Inside an LMS the learner's record there holds the progress (src/lms), not this browser's storage. */
let elsewhere: KeyValueStore | null = null;
export function keepProgressIn(store: KeyValueStore | null): void {
  elsewhere = store;
}

function defaultStorage(): KeyValueStore {
  if (elsewhere) return elsewhere;
  // Reading the property itself throws in some browsers when storage is disabled.
  const s = globalThis.localStorage;
  if (!s) throw new Error('localStorage is not available');
  return s;
}

const isProgress = (v: unknown): v is QuizProgress => {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return ['best', 'total', 'last', 'attempts'].every((k) => typeof p[k] === 'number' && Number.isFinite(p[k])) && typeof p.passed === 'boolean';
};

export function readProgress(chapterId: string, storage?: KeyValueStore): StorageResult<QuizProgress | null> {
  try {
    const raw = (storage ?? defaultStorage()).getItem(quizKey(chapterId));
    if (raw === null) return { ok: true, value: null };
    const parsed: unknown = JSON.parse(raw);
    return { ok: true, value: isProgress(parsed) ? parsed : null };
  } catch (e) {
    // Unparseable data is treated as no progress; an unavailable store is an error to show.
    if (e instanceof SyntaxError) return { ok: true, value: null };
    return { ok: false, error: (e as Error).message };
  }
}

/** Records one attempt and returns the updated progress (best = highest score seen). */
export function recordAttempt(chapterId: string, score: number, total: number, storage?: KeyValueStore): StorageResult<QuizProgress> {
  const before = readProgress(chapterId, storage);
  const prev = before.ok ? before.value : null;
  const better = !prev || score / total > prev.best / prev.total || (score === prev.best && total !== prev.total);
  const next: QuizProgress = {
    best: better ? score : prev.best,
    total: better ? total : prev.total,
    last: score,
    attempts: (prev?.attempts ?? 0) + 1,
    passed: (prev?.passed ?? false) || score === total,
  };
  try {
    (storage ?? defaultStorage()).setItem(quizKey(chapterId), JSON.stringify(next));
    return { ok: true, value: next };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}
