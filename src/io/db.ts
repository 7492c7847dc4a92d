import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** One stored photo: the downscaled JPEG, never the original upload. */
export interface PhotoRecord {
  id: string;
  classId: string;
  blob: Blob;
  createdAt: number;
}

/** Everything about the project except the photos' bytes. */
export interface ProjectRecord {
  classes: { id: string; name: string }[];
  settings: Record<string, unknown>;
  plan: Record<string, boolean> | null;
  head: unknown | null;
  savedAt: number;
}

interface LabDB extends DBSchema {
  project: { key: string; value: ProjectRecord };
  photos: { key: string; value: PhotoRecord; indexes: { byClass: string } };
}

export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super('The browser storage for this site is full.', { cause });
    this.name = 'StorageFullError';
  }
}

const isQuota = (err: unknown) =>
  err instanceof DOMException && (err.name === 'QuotaExceededError' || err.name === 'NS_ERROR_DOM_QUOTA_REACHED');

let dbPromise: Promise<IDBPDatabase<LabDB>> | null = null;
function db(): Promise<IDBPDatabase<LabDB>> {
  dbPromise ??= openDB<LabDB>('transfer-lab', 1, {
    upgrade(d) {
      d.createObjectStore('project');
      d.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
    },
  });
  return dbPromise;
}

/** Writes fail as a whole (one transaction), so a full disk never leaves half a record behind. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw isQuota(err) ? new StorageFullError(err) : err;
  }
}

export const store = {
  loadProject: async () => (await db()).get('project', 'current'),
  saveProject: (p: ProjectRecord) => guarded(async () => void (await (await db()).put('project', p, 'current'))),
  loadPhotos: async () => (await db()).getAll('photos'),
  addPhotos: (photos: PhotoRecord[]) =>
    guarded(async () => {
      const tx = (await db()).transaction('photos', 'readwrite');
      await Promise.all([...photos.map((p) => tx.store.put(p)), tx.done]);
    }),
  deletePhotos: async (ids: string[]) => {
    const tx = (await db()).transaction('photos', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
  },
};
