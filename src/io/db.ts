import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import { StorageFullError, report, current } from './db-trouble';

export { StorageFullError, onDbTrouble, type DbTrouble } from './db-trouble';

/** One stored photo: the downscaled JPEG, never the original upload. */
export interface PhotoRecord {
  id: string;
  classId: string;
  blob: Blob;
  createdAt: number;
}

/** One class; `order` keeps the cards where the learner put them, whichever tab added them. */
export interface ClassRecord {
  id: string;
  name: string;
  order: number;
}

/** The project's small fields, each its own key so two tabs editing different fields never overwrite each other. */
export interface MetaRecords {
  settings: Record<string, unknown>;
  plan: Record<string, boolean> | null;
  head: unknown | null;
  /** When the project was first stored: it exists from the first visit on, before any photo. */
  createdAt: number;
}
export type MetaKey = keyof MetaRecords;

/** Everything stored, as read in one transaction. */
export interface Snapshot {
  classes: ClassRecord[];
  photos: PhotoRecord[];
  meta: Partial<MetaRecords>;
}

/** The first schema kept the whole project in one record; it is split up on upgrade. */
interface LegacyProjectRecord {
  classes: { id: string; name: string }[];
  settings: Record<string, unknown>;
  plan: Record<string, boolean> | null;
  head: unknown | null;
  savedAt: number;
}

/** A photo as stored where IndexedDB refuses Blobs (WebKit's private windows): its bytes and type instead. */
interface PhotoBytesRecord extends Omit<PhotoRecord, 'blob'> {
  bytes: ArrayBuffer;
  type: string;
}
type StoredPhoto = PhotoRecord | PhotoBytesRecord;

interface LabDB extends DBSchema {
  project: { key: string; value: LegacyProjectRecord };
  photos: { key: string; value: StoredPhoto; indexes: { byClass: string } };
  classes: { key: string; value: ClassRecord };
  meta: { key: string; value: unknown };
}

export const DB_NAME = 'transfer-lab';
const VERSION = 2;

let dbName = DB_NAME;
/**
 * Inside an LMS each package (and learner) gets a database of its own, so two courses on one site never share a
 * project (src/lms). Called before the first read; the project's other keys (journal, tab channel) follow it.
 */
export function namespaceStorage(ns: string): void {
  dbName = `${DB_NAME}@${ns}`;
}
export const storageName = (): string => dbName;

const isQuota = (err: unknown) =>
  (err instanceof DOMException || (err instanceof Error && 'name' in err)) &&
  ((err as Error).name === 'QuotaExceededError' || (err as Error).name === 'NS_ERROR_DOM_QUOTA_REACHED');

async function upgrade(d: IDBPDatabase<LabDB>, oldVersion: number, tx: IDBPTransaction<LabDB, StoreNames<LabDB>[], 'versionchange'>) {
  if (oldVersion < 1) {
    d.createObjectStore('project');
    d.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
  }
  if (oldVersion < 2) {
    d.createObjectStore('classes', { keyPath: 'id' });
    d.createObjectStore('meta');
    const old = await tx.objectStore('project').get('current');
    if (old) {
      const classes = tx.objectStore('classes');
      const meta = tx.objectStore('meta');
      await Promise.all([
        ...old.classes.map((c, i) => classes.put({ id: c.id, name: c.name, order: i })),
        meta.put(old.settings, 'settings'),
        meta.put(old.plan, 'plan'),
        meta.put(old.head, 'head'),
        meta.put(old.savedAt, 'createdAt'),
      ]);
      await tx.objectStore('project').delete('current');
    }
  }
}

let dbPromise: Promise<IDBPDatabase<LabDB>> | null = null;
function db(): Promise<IDBPDatabase<LabDB>> {
  dbPromise ??= openDB<LabDB>(dbName, VERSION, {
    upgrade: (d, oldVersion, _newVersion, tx) => void upgrade(d, oldVersion, tx),
    blocked: () => report('blocked'),
    blocking: () => {
      // A newer version of the app in another tab needs the database: let it have it, and say so here.
      void dbPromise?.then((d) => d.close());
      dbPromise = null;
      report('blocking');
    },
    terminated: () => {
      dbPromise = null;
      report('terminated');
    },
  }).then(
    (d) => {
      if (current() === 'blocked') report(null);
      return d;
    },
    (err: unknown) => {
      dbPromise = null;
      throw err;
    },
  );
  return dbPromise;
}

/** Closes the connection (tests, and a tab stepping aside for a newer version). */
export async function closeDb(): Promise<void> {
  const d = await dbPromise?.catch(() => null);
  d?.close();
  dbPromise = null;
  blobsPromise = null;
}

let blobsPromise: Promise<boolean> | null = null;
/**
 * Whether IndexedDB here keeps Blobs: WebKit's private windows (Safari Private Browsing, an ephemeral
 * WebKitWebDriver session) refuse them. Asked once with a tiny write that is aborted, so nothing is kept.
 */
export function keepsBlobs(): Promise<boolean> {
  blobsPromise ??= db().then(async (d) => {
    const tx = d.transaction('meta', 'readwrite');
    const done = tx.done.catch(() => {});
    let ok = true;
    try {
      await tx.store.put(new Blob([new Uint8Array(1)]), 'blob-probe');
    } catch {
      ok = false;
    }
    try {
      tx.abort();
    } catch {
      /* a refused write has aborted it already */
    }
    await done;
    return ok;
  });
  blobsPromise.catch(() => (blobsPromise = null));
  return blobsPromise;
}

const toStored = async (p: PhotoRecord): Promise<StoredPhoto> => {
  if (await keepsBlobs()) return p;
  const { blob, ...rest } = p;
  return { ...rest, bytes: await blob.arrayBuffer(), type: blob.type };
};
const fromStored = (p: StoredPhoto): PhotoRecord => {
  if (!('bytes' in p)) return p;
  const { bytes, type, ...rest } = p;
  return { ...rest, blob: new Blob([bytes], { type }) };
};

/** Writes fail as a whole (one transaction), so a full disk never leaves half a change behind. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw isQuota(err) ? new StorageFullError(err) : err;
  }
}

/** One atomic change: classes, photos and meta fields written or deleted together, or not at all. */
export interface Change {
  putClasses?: ClassRecord[];
  deleteClasses?: string[];
  putPhotos?: PhotoRecord[];
  deletePhotos?: string[];
  meta?: Partial<MetaRecords>;
  /** Empties every store first: an import replaces the whole project in the same transaction. */
  replaceAll?: boolean;
}

export const store = {
  /** Reads classes, photos and meta in one transaction, so they are consistent with each other. */
  async read(): Promise<Snapshot> {
    const tx = (await db()).transaction(['classes', 'photos', 'meta'], 'readonly');
    const metaStore = tx.objectStore('meta');
    const [classes, photos, keys, values] = await Promise.all([
      tx.objectStore('classes').getAll(),
      tx.objectStore('photos').getAll(),
      metaStore.getAllKeys(),
      metaStore.getAll(),
      tx.done,
    ]);
    const meta = Object.fromEntries(keys.map((k, i) => [k, values[i]])) as Partial<MetaRecords>;
    return { classes: classes.sort((a, b) => a.order - b.order), photos: photos.map(fromStored).sort((a, b) => a.createdAt - b.createdAt), meta };
  },

  apply(change: Change): Promise<void> {
    return guarded(async () => {
      // Converted before the transaction opens: awaiting anything but IndexedDB inside it would commit it early.
      const putPhotos = await Promise.all((change.putPhotos ?? []).map(toStored));
      const tx = (await db()).transaction(['classes', 'photos', 'meta'], 'readwrite');
      const classes = tx.objectStore('classes');
      const photos = tx.objectStore('photos');
      const meta = tx.objectStore('meta');
      const ops: Promise<unknown>[] = [];
      const abort = (err: unknown) => {
        try {
          tx.abort();
        } catch {
          /* already finished or aborted */
        }
        throw err;
      };
      try {
        if (change.replaceAll) ops.push(classes.clear(), photos.clear(), meta.clear());
        for (const id of change.deletePhotos ?? []) ops.push(photos.delete(id));
        for (const id of change.deleteClasses ?? []) {
          // Every photo of a deleted class goes with it, including ones another tab added meanwhile.
          ops.push(photos.index('byClass').getAllKeys(id).then((keys) => Promise.all(keys.map((k) => photos.delete(k)))));
          ops.push(classes.delete(id));
        }
        for (const c of change.putClasses ?? []) ops.push(classes.put(c));
        for (const p of putPhotos) ops.push(photos.put(p));
        for (const [k, v] of Object.entries(change.meta ?? {})) ops.push(meta.put(v, k));
      } catch (err) {
        // A record the store refuses outright (no key) throws here, before any request: drop the rest too.
        for (const op of [...ops, tx.done]) op.catch(() => {});
        abort(err);
      }
      // A failed request aborts the transaction; tx.done then rejects with the reason, nothing is kept.
      await Promise.all([...ops.map((op) => op.catch(abort)), tx.done]);
    });
  },
};
