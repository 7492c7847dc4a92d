import { SvelteMap } from 'svelte/reactivity';
import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { keepsBlobs, store, storageName, StorageFullError, type Change, type ClassRecord, type PhotoRecord, type Snapshot } from '../io/db';
import { newId, prepareUpload, encodeDownscaled, STORED_MAX_SIDE, type Rejection } from '../io/photos';
import { SAMPLES_INDEX_URL, assetUrl } from '../io/assets';
import { storageInfo, type StorageInfo } from '../io/storage';
import { DEFAULT_SETTINGS, settingsFrom, type TrainSettings } from './settings';

export { DEFAULT_SETTINGS, type TrainSettings } from './settings';

export interface Photo {
  id: string;
  classId: string;
  /** The downscaled JPEG; views draw it into a canvas (Thumb.svelte), never an <img src="blob:…">. */
  blob: Blob;
  /** When it was stored: the order photos are shown in. */
  createdAt: number;
}

export interface LabClass {
  id: string;
  name: string;
}

/** Longest class name; a name is shown on a card, a chart axis and an exported model. */
export const MAX_NAME = 40;

/** Why a class name is refused. */
export type NameProblem = 'empty' | 'duplicate';

/** Something about the stored project the learner should know (shown once, dismissible). */
export type ProjectNotice = { key: 'recovered'; n: number; name: string } | null;

/** How long the photos of a "remove all" stay in memory, so the learner can bring them back. */
export const UNDO_MS = 10_000;

/** The last "remove all": which class, how many photos, and the token that undoes it. */
export interface ClearedPhotos {
  token: string;
  classId: string;
  n: number;
}

/** Other tabs of the lab hear about every write on this channel and re-read the store. */
const channelName = () => `${storageName()}:project`;

/**
 * Small edits (class names, settings, layer plan) that may not have reached IndexedDB yet: a reload aborts a
 * transaction still in flight, so each edit is first written here synchronously and replayed on the next load.
 */
const journalKey = () => `${storageName()}:pending-edits`;
interface Journal {
  names: Record<string, string>;
  settings?: Record<string, unknown>;
  plan?: Record<string, boolean> | null;
}
function readJournal(): Journal {
  try {
    const j = JSON.parse(localStorage.getItem(journalKey()) ?? '{}') as Partial<Journal>;
    return { ...j, names: j.names ?? {} };
  } catch {
    return { names: {} };
  }
}
function writeJournal(j: Journal): void {
  try {
    if (Object.keys(j.names).length || 'settings' in j || 'plan' in j) localStorage.setItem(journalKey(), JSON.stringify(j));
    else localStorage.removeItem(journalKey());
  } catch {
    /* no localStorage: edits still reach IndexedDB, only a reload mid-write can lose the very last one */
  }
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const sameName = (a: string, b: string) => a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/**
 * The learner's project: classes, photos, layer plan, settings and trained head, mirrored into IndexedDB.
 * Every change is written at once as one transaction of its own records (never the whole project), so two tabs
 * never overwrite each other's work and a reload right after any action loses nothing.
 */
class Project {
  classes = $state<LabClass[]>([]);
  photos = new SvelteMap<string, Photo>();
  settings = $state<TrainSettings>({ ...DEFAULT_SETTINGS });
  plan = $state.raw<Record<string, boolean> | null>(null);
  head = $state.raw<unknown | null>(null);
  /** Rejected files of the last upload per class, shown next to that class. */
  rejections = $state<Record<string, Rejection[]>>({});
  /** A refused name per class id, while the learner is typing it. */
  nameProblems = $state<Record<string, { name: string; problem: NameProblem }>>({});
  storageError = $state<string | null>(null);
  notice = $state<ProjectNotice>(null);
  storage = $state<StorageInfo | 'unavailable' | null>(null);
  /** IndexedDB here refuses Blobs (a WebKit private window): photos are kept as bytes, and last only as long as the window. */
  privateWindow = $state(false);
  restored = $state(false);
  /** When the project last reached IndexedDB (0: not in this visit). */
  savedAt = $state(0);
  /** Class names as last saved, so the UI can tell saved from pending. */
  savedNames = $state('');
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private restoring: Promise<void> | null = null;
  private channel: BroadcastChannel | null = null;
  /** What this tab last wrote or read of the meta fields, so saveNow writes only what changed here. */
  private lastMeta: { settings: string; plan: unknown; head: unknown } = { settings: '', plan: null, head: null };
  private persistAsked = false;
  /** The last "remove all", while it can still be undone (the notice reads it). */
  cleared = $state<ClearedPhotos | null>(null);
  /** Its photos, kept only in memory: the store has already forgotten them. */
  private clearedRecords: PhotoRecord[] = [];
  private undoTimer: ReturnType<typeof setTimeout> | null = null;

  /** Photos grouped by class once per change of the photos, not once per reader (every card, step and blocker asks). */
  private readonly byClass = $derived.by(() => {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- rebuilt whole by the $derived, never mutated after
    const groups = new Map<string, Photo[]>();
    for (const p of this.photos.values()) {
      const group = groups.get(p.classId);
      if (group) group.push(p);
      else groups.set(p.classId, [p]);
    }
    return groups;
  });

  photosOf(classId: string): Photo[] {
    return this.byClass.get(classId)?.slice() ?? [];
  }

  /** Loads the stored project once (concurrent callers share the same load). */
  restore(): Promise<void> {
    this.restoring ??= this.load();
    return this.restoring;
  }

  private async load(): Promise<void> {
    try {
      let snap = await store.read();
      if (snap.classes.length === 0) {
        // The project exists in the store before its first photo, so nothing can ever point at an unknown class.
        const start: ClassRecord[] = [
          { id: newId(), name: 'A', order: 0 },
          { id: newId(), name: 'B', order: 1 },
        ];
        await store.apply({ putClasses: start, meta: { createdAt: snap.meta.createdAt ?? Date.now(), settings: { ...DEFAULT_SETTINGS } } });
        snap = { ...snap, classes: start };
      }
      snap = await this.replay(await this.recoverOrphans(snap));
      this.show(snap);
      this.privateWindow = !(await keepsBlobs());
    } catch (err) {
      this.storageError = `IndexedDB: ${message(err)}`;
      if (this.classes.length === 0) this.classes = [{ id: newId(), name: 'A' }, { id: newId(), name: 'B' }];
    }
    this.restored = true;
    this.listen();
    void this.refreshUsage();
  }

  /** Edits made just before the last reload, which may not have reached the store, are written now. */
  private async replay(snap: Snapshot): Promise<Snapshot> {
    const pending = readJournal();
    const classes = snap.classes.map((c) => {
      const name = pending.names[c.id];
      const clash = name !== undefined && snap.classes.some((o) => o.id !== c.id && sameName(o.name, name));
      return name === undefined || !name.trim() || clash ? c : { ...c, name: name.slice(0, MAX_NAME) };
    });
    const changed = classes.filter((c, i) => c !== snap.classes[i]);
    const meta: Change['meta'] = {};
    if (pending.settings) meta.settings = pending.settings;
    if ('plan' in pending) meta.plan = pending.plan ?? null;
    if (changed.length || Object.keys(meta).length) await store.apply({ putClasses: changed, meta });
    writeJournal({ names: {} });
    return { ...snap, classes, meta: { ...snap.meta, ...meta } };
  }

  /** Photos whose class is gone (an older version's bug, a tab closed mid-write) land in a class of their own. */
  private async recoverOrphans(snap: Snapshot): Promise<Snapshot> {
    const known = new Set(snap.classes.map((c) => c.id));
    const orphans = snap.photos.filter((p) => !known.has(p.classId));
    if (orphans.length === 0) return snap;
    const base = get(_)('lab.storage.recoveredName');
    let name = base;
    for (let n = 2; snap.classes.some((c) => sameName(c.name, name)); n++) name = `${base} ${n}`;
    const recovered: ClassRecord = { id: newId(), name, order: Math.max(0, ...snap.classes.map((c) => c.order)) + 1 };
    const moved = orphans.map((p) => ({ ...p, classId: recovered.id }));
    await store.apply({ putClasses: [recovered], putPhotos: moved });
    this.notice = { key: 'recovered', n: orphans.length, name };
    const ids = new Set(moved.map((p) => p.id));
    return { ...snap, classes: [...snap.classes, recovered], photos: [...snap.photos.filter((p) => !ids.has(p.id)), ...moved] };
  }

  /** Makes the view match a snapshot of the store: classes, meta fields, and the photos added or gone. */
  private show(snap: Snapshot): void {
    this.classes = snap.classes.map((c) => ({ id: c.id, name: c.name }));
    this.orders = new Map(snap.classes.map((c) => [c.id, c.order]));
    this.settings = settingsFrom(snap.meta.settings as Record<string, unknown> | undefined);
    this.plan = snap.meta.plan ?? null;
    this.head = snap.meta.head ?? null;
    this.lastMeta = { settings: JSON.stringify(this.settings), plan: this.plan, head: this.head };
    const stored = new Set(snap.photos.map((p) => p.id));
    for (const id of [...this.photos.keys()]) if (!stored.has(id)) this.photos.delete(id);
    for (const p of snap.photos) if (!this.photos.has(p.id)) this.photos.set(p.id, p);
    this.markSaved();
  }

  private listen(): void {
    if (typeof BroadcastChannel !== 'undefined' && !this.channel) {
      this.channel = new BroadcastChannel(channelName());
      this.channel.onmessage = () => void this.reread();
    }
    // A pending burst (settings being typed) is written when the tab is hidden or closed.
    const flush = () => this.saveTimer && void this.saveNow();
    addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());
  }

  /** Another tab wrote: re-read the store, which holds both tabs' changes, and show it. */
  private async reread(): Promise<void> {
    if (this.saveTimer) await this.saveNow();
    try {
      // A photo the other tab added to a class this tab deleted at the same moment is recovered, not hidden.
      this.show(await this.recoverOrphans(await store.read()));
    } catch (err) {
      this.storageError = message(err);
    }
  }

  private markSaved(): void {
    this.savedAt = Date.now();
    this.savedNames = this.classes.map((c) => c.name).join('\n');
  }

  /** Writes one change; on failure nothing of it is kept, and the reason is shown. */
  private async write(change: Change): Promise<boolean> {
    try {
      await store.apply(change);
    } catch (err) {
      this.storageError = err instanceof StorageFullError ? 'quota' : message(err);
      void this.refreshUsage();
      return false;
    }
    this.storageError = null;
    this.markSaved();
    this.channel?.postMessage('changed');
    void this.refreshUsage();
    return true;
  }

  private record(id: string): ClassRecord | null {
    const i = this.classes.findIndex((c) => c.id === id);
    return i < 0 ? null : { id, name: this.classes[i].name, order: this.order(id) };
  }

  /** Each class's stored place, so cards stay where they were added, whichever tab added them. */
  private orders = new Map<string, number>();
  private order(id: string): number {
    return this.orders.get(id) ?? this.classes.findIndex((c) => c.id === id);
  }

  async refreshUsage(): Promise<void> {
    this.storage = await storageInfo();
  }

  /** Saves the settings, plan and head soon after a burst of changes (everything else is written as it happens). */
  scheduleSave(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveNow(), 200);
  }

  /** Writes the meta fields this tab changed since it last wrote or read them. */
  async saveNow(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const settings = JSON.stringify(this.settings);
    const meta: Change['meta'] = {};
    if (settings !== this.lastMeta.settings) meta.settings = $state.snapshot(this.settings) as unknown as Record<string, unknown>;
    if (this.plan !== this.lastMeta.plan) meta.plan = this.plan;
    if (this.head !== this.lastMeta.head) meta.head = this.head;
    const next = { settings, plan: this.plan, head: this.head };
    if (Object.keys(meta).length === 0 && this.savedAt) return;
    const j = readJournal();
    if (meta.settings) j.settings = meta.settings;
    if ('plan' in meta) j.plan = meta.plan;
    writeJournal(j);
    if (!(await this.write({ meta }))) return;
    this.lastMeta = next;
    const now = readJournal();
    if (JSON.stringify(now.settings) === JSON.stringify(j.settings)) delete now.settings;
    if (JSON.stringify(now.plan) === JSON.stringify(j.plan)) delete now.plan;
    writeJournal(now);
  }

  /** Why `name` cannot be the name of class `id` (another class has it, or it is blank), or null. */
  nameProblem(id: string | null, name: string): NameProblem | null {
    if (!name.trim()) return 'empty';
    return this.classes.some((c) => c.id !== id && sameName(c.name, name)) ? 'duplicate' : null;
  }

  /** `base`, or `base 2`, `base 3`… whichever no class has yet. */
  uniqueName(base: string): string {
    let name = base.slice(0, MAX_NAME);
    for (let n = 2; this.nameProblem(null, name); n++) name = `${base.slice(0, MAX_NAME - 4)} ${n}`;
    return name;
  }

  // Class edits are single, deliberate actions: saved at once, so a reload right after loses nothing.
  async addClass(name: string): Promise<string | null> {
    const cls = { id: newId(), name: this.uniqueName(name) };
    const order = Math.max(this.classes.length, ...this.orders.values()) + 1;
    this.orders.set(cls.id, order);
    if (!(await this.write({ putClasses: [{ ...cls, order }] }))) return null;
    this.classes.push(cls);
    return cls.id;
  }

  /**
   * Renames as the learner types (`final` when they leave the field, which trims the name); a blank or
   * duplicate name is refused (kept aside with its reason), never saved.
   */
  renameClass(id: string, name: string, final = false): NameProblem | null {
    const typed = (final ? name.trim() : name).slice(0, MAX_NAME);
    const problem = this.nameProblem(id, typed);
    if (problem) {
      this.nameProblems = { ...this.nameProblems, [id]: { name: typed, problem } };
      return problem;
    }
    this.dropNameProblem(id);
    const c = this.classes.find((x) => x.id === id);
    if (!c || c.name === typed) return null;
    c.name = typed;
    const j = readJournal();
    writeJournal({ ...j, names: { ...j.names, [id]: typed } });
    void this.write({ putClasses: [this.record(id)!] }).then((ok) => {
      const now = readJournal();
      if (ok && now.names[id] === typed) {
        delete now.names[id];
        writeJournal(now);
      }
    });
    return null;
  }

  /** Forgets a refused name once the learner leaves the field (the saved name is shown again). */
  dropNameProblem(id: string): void {
    const { [id]: _gone, ...rest } = this.nameProblems;
    this.nameProblems = rest;
  }

  async deleteClass(id: string): Promise<void> {
    this.dropUndo();
    if (!(await this.write({ deleteClasses: [id] }))) return;
    for (const p of this.photosOf(id)) this.photos.delete(p.id);
    this.classes = this.classes.filter((c) => c.id !== id);
    this.markSaved();
  }

  async deletePhoto(id: string): Promise<void> {
    this.dropUndo();
    if (await this.write({ deletePhotos: [id] })) this.photos.delete(id);
  }

  /**
   * "Remove all": every photo of the class leaves the store at once (a reload never brings back what the
   * learner removed), and stays in memory for UNDO_MS, or until the next change, so undoClear can put it back.
   * Returns the undo token, or null when there was nothing to remove or the store refused.
   */
  async clearPhotos(classId: string): Promise<string | null> {
    this.dropUndo();
    const gone = this.photosOf(classId);
    if (gone.length === 0 || !(await this.write({ deletePhotos: gone.map((p) => p.id) }))) return null;
    this.clearedRecords = gone.map(({ id, blob, createdAt }) => ({ id, classId, blob, createdAt }));
    for (const p of gone) this.photos.delete(p.id);
    this.cleared = { token: newId(), classId, n: gone.length };
    this.pauseUndo(false);
    return this.cleared.token;
  }

  /** Puts back the photos of the last "remove all" (same ids, same order) in one transaction; false once expired. */
  async undoClear(token: string): Promise<boolean> {
    if (this.cleared?.token !== token) return false;
    const records = this.clearedRecords;
    const cls = this.record(this.cleared.classId);
    if (!cls) {
      this.dropUndo();
      return false;
    }
    // Kept while the write runs: if the store refuses (a full disk), the learner can still try again.
    this.pauseUndo(true);
    if (!(await this.write({ putClasses: [cls], putPhotos: records }))) {
      this.pauseUndo(false);
      return false;
    }
    for (const r of records) if (!this.photos.has(r.id)) this.photos.set(r.id, r);
    this.dropUndo();
    return true;
  }

  /** Stops the undo clock while the learner is on the notice (reading it, reaching it by keyboard); restarts it after. */
  pauseUndo(paused: boolean): void {
    if (this.undoTimer) clearTimeout(this.undoTimer);
    this.undoTimer = null;
    const token = this.cleared?.token;
    if (!paused && token) this.undoTimer = setTimeout(() => this.cleared?.token === token && this.dropUndo(), UNDO_MS);
  }

  /** The removed photos are gone for good: their blobs are let go. */
  private dropUndo(): void {
    if (this.undoTimer) clearTimeout(this.undoTimer);
    this.undoTimer = null;
    this.cleared = null;
    this.clearedRecords = [];
  }

  /** Stores the photos with their class in one transaction, and shows them after: what is on screen is saved. */
  private async commit(classId: string, blobs: Blob[]): Promise<boolean> {
    const cls = this.record(classId);
    if (!cls) return false;
    const now = Date.now();
    const records: PhotoRecord[] = blobs.map((blob, i) => ({ id: newId(), classId, blob, createdAt: now + i }));
    if (!(await this.write({ putClasses: [cls], putPhotos: records }))) return false;
    for (const r of records) this.photos.set(r.id, r);
    void this.askPersistence();
    return true;
  }

  /** Once there is something worth keeping, ask the browser not to evict it under storage pressure. */
  private async askPersistence(): Promise<void> {
    if (this.persistAsked || !navigator.storage?.persist) return;
    this.persistAsked = true;
    if (!(await navigator.storage.persisted())) await navigator.storage.persist();
    await this.refreshUsage();
  }

  /**
   * Adds every valid file; each rejected or unreadable one gets its own reason, the valid ones of the batch
   * still land, and the progress callback always reaches the end (also when storing fails).
   */
  async addFiles(classId: string, files: File[], onProgress?: (done: number, total: number) => void): Promise<void> {
    this.dropUndo();
    const rejected: Rejection[] = [];
    const blobs: Blob[] = [];
    let done = 0;
    this.rejections = { ...this.rejections, [classId]: [] };
    for (const file of files) {
      const result = await prepareUpload(file).catch((): Rejection => ({ file: file.name, reason: 'unreadable' }));
      if ('blob' in result) blobs.push(result.blob);
      else rejected.push(result);
      onProgress?.(++done, files.length);
      // Write in chunks so a 1,000-photo folder never holds every decoded image at once; a full disk stops the rest.
      if (blobs.length >= 25 && !(await this.commit(classId, blobs.splice(0)))) break;
    }
    if (blobs.length) await this.commit(classId, blobs);
    onProgress?.(files.length, files.length);
    this.rejections = { ...this.rejections, [classId]: rejected };
  }

  /** A webcam frame taken now, at the stored size; encoding waits for addFrames, so a recording keeps its pace. */
  takeFrame(video: HTMLVideoElement): Promise<ImageBitmap> {
    const scale = Math.min(1, STORED_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    return createImageBitmap(video, { resizeWidth: Math.max(1, Math.round(video.videoWidth * scale)), resizeHeight: Math.max(1, Math.round(video.videoHeight * scale)) });
  }

  /** Frames taken by a recording, encoded and stored in one transaction (the bitmaps are released). */
  async addFrames(classId: string, frames: ImageBitmap[]): Promise<boolean> {
    this.dropUndo();
    try {
      return await this.commit(classId, await Promise.all(frames.map((f) => encodeDownscaled(f))));
    } finally {
      frames.forEach((f) => f.close());
    }
  }

  /** Replaces the whole project in one transaction (an imported file); the view follows from the store. */
  async replaceWith(snap: Snapshot): Promise<boolean> {
    this.dropUndo();
    if (!(await this.write({ replaceAll: true, putClasses: snap.classes, putPhotos: snap.photos, meta: { ...snap.meta, createdAt: Date.now() } }))) {
      return false;
    }
    this.show(await store.read());
    return true;
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
      let id: string | null = this.classes[i]?.id ?? null;
      if (!id || this.photosOf(id).length > 0) id = await this.addClass(name);
      else if (this.renameClass(id, name)) this.renameClass(id, this.uniqueName(name));
      if (!id) return true;
      const blobs = await Promise.all(files.map(async (f) => (await fetch(assetUrl(`samples/${f}`))).blob()));
      await this.commit(id, blobs);
      done += files.length;
      onProgress?.(done, total);
    }
    return true;
  }
}

export const project = new Project();
