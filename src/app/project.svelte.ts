import { SvelteMap } from 'svelte/reactivity';
import { store, StorageFullError, type PhotoRecord, type ProjectRecord } from '../io/db';
import { newId, prepareUpload, encodeDownscaled, type Rejection } from '../io/photos';
import { SAMPLES_INDEX_URL, assetUrl } from '../io/assets';

export interface Photo {
  id: string;
  classId: string;
  blob: Blob;
  /** Object URL for the thumbnail; revoked when the photo is deleted. */
  url: string;
}

export interface LabClass {
  id: string;
  name: string;
}

export interface TrainSettings {
  mode: 'feature-extraction' | 'fine-tune';
  epochs: number;
  batchSize: number;
  learningRate: number;
  augment: boolean;
}

export const DEFAULT_SETTINGS: TrainSettings = { mode: 'feature-extraction', epochs: 20, batchSize: 16, learningRate: 0.001, augment: false };

/** The learner's project: classes, photos, layer plan, settings and trained head, mirrored into IndexedDB. */
class Project {
  classes = $state<LabClass[]>([]);
  photos = new SvelteMap<string, Photo>();
  settings = $state<TrainSettings>({ ...DEFAULT_SETTINGS });
  plan = $state.raw<Record<string, boolean> | null>(null);
  head = $state.raw<unknown | null>(null);
  /** Rejected files of the last upload per class, shown next to that class. */
  rejections = $state<Record<string, Rejection[]>>({});
  storageError = $state<string | null>(null);
  restored = $state(false);
  /** When the project record last reached IndexedDB (0: not in this visit). */
  savedAt = $state(0);
  /** Class names as last saved, so the UI can tell saved from pending. */
  savedNames = $state('');
  private saveTimer: ReturnType<typeof setTimeout> | null = null;

  photosOf(classId: string): Photo[] {
    return [...this.photos.values()].filter((p) => p.classId === classId);
  }

  async restore(): Promise<void> {
    if (this.restored) return;
    try {
      const [record, photos] = await Promise.all([store.loadProject(), store.loadPhotos()]);
      if (record) {
        this.classes = record.classes;
        this.settings = { ...DEFAULT_SETTINGS, ...(record.settings as Partial<TrainSettings>) };
        this.plan = record.plan;
        this.head = record.head;
      } else {
        this.classes = [
          { id: newId(), name: 'A' },
          { id: newId(), name: 'B' },
        ];
      }
      const known = new Set(this.classes.map((c) => c.id));
      for (const p of photos.sort((a, b) => a.createdAt - b.createdAt)) {
        if (known.has(p.classId)) this.photos.set(p.id, { ...p, url: URL.createObjectURL(p.blob) });
      }
    } catch (err) {
      this.storageError = `IndexedDB: ${err instanceof Error ? err.message : String(err)}`;
      if (this.classes.length === 0) this.classes = [{ id: newId(), name: 'A' }, { id: newId(), name: 'B' }];
    }
    this.restored = true;
    // A pending burst (settings being typed) is written when the tab is hidden or closed.
    addEventListener('pagehide', () => this.saveTimer && void this.saveNow());
  }

  /** Saves the small project record soon after a burst of changes (photos are written as they arrive). */
  scheduleSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveNow(), 200);
  }

  async saveNow(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const record: ProjectRecord = {
      classes: $state.snapshot(this.classes),
      settings: $state.snapshot(this.settings),
      plan: this.plan,
      head: this.head,
      savedAt: Date.now(),
    };
    try {
      await store.saveProject(record);
      this.storageError = null;
      this.savedAt = record.savedAt;
      this.savedNames = record.classes.map((c) => c.name).join('\n');
    } catch (err) {
      this.storageError = err instanceof StorageFullError ? 'quota' : String(err);
    }
  }

  // Class edits are single, deliberate actions: saved at once, so a reload right after loses nothing.
  addClass(name: string): void {
    this.classes.push({ id: newId(), name });
    void this.saveNow();
  }

  renameClass(id: string, name: string): void {
    const c = this.classes.find((x) => x.id === id);
    if (c) c.name = name;
    void this.saveNow();
  }

  async deleteClass(id: string): Promise<void> {
    const gone = this.photosOf(id).map((p) => p.id);
    await store.deletePhotos(gone);
    for (const pid of gone) this.forget(pid);
    this.classes = this.classes.filter((c) => c.id !== id);
    void this.saveNow();
  }

  async deletePhoto(id: string): Promise<void> {
    await store.deletePhotos([id]);
    this.forget(id);
  }

  private forget(id: string): void {
    const p = this.photos.get(id);
    if (p) URL.revokeObjectURL(p.url);
    this.photos.delete(id);
  }

  /** Stores the photos first and shows them after, so what is on screen is always what is saved. */
  private async commit(classId: string, blobs: Blob[]): Promise<boolean> {
    const now = Date.now();
    const records: PhotoRecord[] = blobs.map((blob, i) => ({ id: newId(), classId, blob, createdAt: now + i }));
    try {
      await store.addPhotos(records);
    } catch (err) {
      this.storageError = err instanceof StorageFullError ? 'quota' : String(err);
      return false;
    }
    for (const r of records) this.photos.set(r.id, { ...r, url: URL.createObjectURL(r.blob) });
    return true;
  }

  /** Adds every valid file; each rejected one gets its own reason, and the valid ones of the batch still land. */
  async addFiles(classId: string, files: File[], onProgress?: (done: number, total: number) => void): Promise<void> {
    const rejected: Rejection[] = [];
    const blobs: Blob[] = [];
    let done = 0;
    for (const file of files) {
      const result = await prepareUpload(file);
      if ('blob' in result) blobs.push(result.blob);
      else rejected.push(result);
      onProgress?.(++done, files.length);
      // Write in chunks so a 1,000-photo folder never holds every decoded image at once.
      if (blobs.length >= 25) await this.commit(classId, blobs.splice(0));
    }
    if (blobs.length) await this.commit(classId, blobs);
    this.rejections = { ...this.rejections, [classId]: rejected };
  }

  async addFrame(classId: string, video: HTMLVideoElement): Promise<void> {
    await this.commit(classId, [await encodeDownscaled(video)]);
  }

  /** Fills up to three classes with the bundled sample photos (when the assets include them). */
  async loadSamples(onProgress?: (done: number, total: number) => void): Promise<boolean> {
    const res = await fetch(SAMPLES_INDEX_URL());
    if (!res.ok) return false;
    const index = (await res.json()) as { classes: Record<string, string[]> };
    const entries = Object.entries(index.classes).slice(0, 3);
    const total = entries.reduce((n, [, files]) => n + files.length, 0);
    let done = 0;
    for (const [i, [name, files]] of entries.entries()) {
      let cls = this.classes[i];
      if (!cls || this.photosOf(cls.id).length > 0) {
        this.addClass(name);
        cls = this.classes[this.classes.length - 1];
      } else {
        this.renameClass(cls.id, name);
      }
      const blobs = await Promise.all(files.map(async (f) => (await fetch(assetUrl(`samples/${f}`))).blob()));
      await this.commit(cls.id, blobs);
      done += files.length;
      onProgress?.(done, total);
    }
    this.scheduleSave();
    return true;
  }
}

export const project = new Project();
