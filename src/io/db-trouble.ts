// The database's troubles and its full-storage error, apart from the database code (and idb), so the shell and the
// error mapper on the home page can name them without loading it.

export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super('The browser storage for this site is full.', { cause });
    this.name = 'StorageFullError';
  }
}

/** Why the database cannot be used right now, for the UI to name with a way out. */
export type DbTrouble = 'blocked' | 'blocking' | 'terminated';

type Listener = (trouble: DbTrouble | null) => void;
const listeners = new Set<Listener>();
let trouble: DbTrouble | null = null;
/** The database's trouble right now (null: none). */
export const current = (): DbTrouble | null => trouble;
/**
 * Tells the UI about an open blocked by an older tab, a newer tab waiting on us, or the browser closing the
 * database; null once a blocked open goes through after all. The listener hears the current state at once.
 */
export function onDbTrouble(fn: Listener): () => void {
  listeners.add(fn);
  fn(trouble);
  return () => listeners.delete(fn);
}
/** db.ts says what happened to its connection. */
export const report = (t: DbTrouble | null): void => {
  trouble = t;
  listeners.forEach((fn) => fn(t));
};
