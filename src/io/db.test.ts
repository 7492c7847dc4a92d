import { beforeEach, describe, expect, it } from 'vitest';
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openDB } from 'idb';
import { DB_NAME, StorageFullError, closeDb, keepsBlobs, onDbTrouble, store, type DbTrouble, type PhotoRecord } from './db';

const photo = (id: string, classId: string, createdAt = 0): PhotoRecord => ({ id, classId, blob: new Blob([id], { type: 'image/jpeg' }), createdAt });

beforeEach(async () => {
  await closeDb();
  // A fresh, empty browser profile for every test.
  globalThis.indexedDB = new IDBFactory();
});

describe('project store', () => {
  it('stores classes, photos and meta together and reads them back in order', async () => {
    await store.apply({
      putClasses: [{ id: 'b', name: 'B', order: 1 }, { id: 'a', name: 'A', order: 0 }],
      putPhotos: [photo('p2', 'a', 2), photo('p1', 'b', 1)],
      meta: { plan: { conv1: false }, createdAt: 5 },
    });
    const snap = await store.read();
    expect(snap.classes.map((c) => c.name)).toEqual(['A', 'B']);
    expect(snap.photos.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(await snap.photos[0].blob.text()).toBe('p1');
    expect(snap.meta).toEqual({ plan: { conv1: false }, createdAt: 5 });
  });

  it('keeps nothing of a change that fails part-way', async () => {
    await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }] });
    const broken = { classId: 'a', blob: new Blob(['x']), createdAt: 0 } as unknown as PhotoRecord;
    await expect(store.apply({ putClasses: [{ id: 'n', name: 'New', order: 1 }], putPhotos: [photo('ok', 'n'), broken] })).rejects.toThrow();
    const snap = await store.read();
    expect(snap.classes.map((c) => c.id)).toEqual(['a']);
    expect(snap.photos).toEqual([]);
  });

  it('deleting a class deletes every photo of it, also ones this tab never saw', async () => {
    await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }, { id: 'b', name: 'B', order: 1 }], putPhotos: [photo('1', 'a'), photo('2', 'b')] });
    await store.apply({ putPhotos: [photo('3', 'a')] });
    await store.apply({ deleteClasses: ['a'] });
    const snap = await store.read();
    expect(snap.classes.map((c) => c.id)).toEqual(['b']);
    expect(snap.photos.map((p) => p.id)).toEqual(['2']);
  });

  it('two writers changing different classes never overwrite each other', async () => {
    await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }] });
    await Promise.all([
      store.apply({ putClasses: [{ id: 'a', name: 'cats', order: 0 }] }),
      store.apply({ putClasses: [{ id: 'c', name: 'dogs', order: 2 }], putPhotos: [photo('d1', 'c')] }),
    ]);
    const snap = await store.read();
    expect(snap.classes.map((c) => c.name)).toEqual(['cats', 'dogs']);
    expect(snap.photos.map((p) => p.classId)).toEqual(['c']);
  });

  it('an import replaces everything in one transaction', async () => {
    await store.apply({ putClasses: [{ id: 'old', name: 'Old', order: 0 }], putPhotos: [photo('o', 'old')], meta: { head: { w: 1 } } });
    await store.apply({ replaceAll: true, putClasses: [{ id: 'n', name: 'New', order: 0 }], putPhotos: [photo('n1', 'n')], meta: { plan: null } });
    const snap = await store.read();
    expect(snap.classes.map((c) => c.id)).toEqual(['n']);
    expect(snap.photos.map((p) => p.id)).toEqual(['n1']);
    expect(snap.meta).toEqual({ plan: null });
  });

  it('upgrades the first schema: the one project record becomes class and meta records, photos untouched', async () => {
    const v1 = await openDB(DB_NAME, 1, {
      upgrade(d) {
        d.createObjectStore('project');
        d.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
      },
    });
    await v1.put('project', { classes: [{ id: 'x', name: 'shoes' }, { id: 'y', name: 'hat' }], settings: { epochs: 3 }, plan: null, head: null, savedAt: 9 }, 'current');
    await v1.put('photos', photo('p', 'y'));
    v1.close();
    const snap = await store.read();
    expect(snap.classes).toEqual([{ id: 'x', name: 'shoes', order: 0 }, { id: 'y', name: 'hat', order: 1 }]);
    expect(snap.photos.map((p) => p.id)).toEqual(['p']);
    expect(snap.meta.settings).toEqual({ epochs: 3 });
    expect(snap.meta.createdAt).toBe(9);
  });

  it('a full disk is a StorageFullError, and nothing of that change is kept while what was saved stays', async () => {
    await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }], putPhotos: [photo('saved', 'a')] });
    const { IDBObjectStore } = globalThis as unknown as { IDBObjectStore: { prototype: { put: (...args: unknown[]) => unknown } } };
    const put = IDBObjectStore.prototype.put;
    let calls = 0;
    // The browser refuses the second record of the batch, as it does when the disk fills up mid-write.
    IDBObjectStore.prototype.put = function (this: unknown, ...args: unknown[]) {
      if (++calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      await expect(store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }], putPhotos: [photo('n1', 'a'), photo('n2', 'a')] })).rejects.toBeInstanceOf(StorageFullError);
    } finally {
      IDBObjectStore.prototype.put = put;
    }
    const snap = await store.read();
    expect(snap.photos.map((p) => p.id)).toEqual(['saved']);
  });

  it('says when an older tab blocks the upgrade, and steps aside when a newer version needs the database', async () => {
    const troubles: (DbTrouble | null)[] = [];
    const off = onDbTrouble((t) => troubles.push(t));
    try {
      // An older tab holds version 1 open and ignores requests to close it.
      const old = await openDB(DB_NAME, 1, {
        upgrade(d) {
          d.createObjectStore('project');
          d.createObjectStore('photos', { keyPath: 'id' }).createIndex('byClass', 'classId');
        },
      });
      const reading = store.read();
      await expect.poll(() => troubles).toEqual([null, 'blocked']);
      old.close();
      await reading;
      // The open went through once the older tab closed: the message goes away.
      expect(troubles).toEqual([null, 'blocked', null]);
      // A newer version opens the database: this connection closes so that it can.
      const newer = await openDB(DB_NAME, 3);
      expect(troubles).toEqual([null, 'blocked', null, 'blocking']);
      newer.close();
    } finally {
      off();
    }
  });
});

describe('where IndexedDB refuses Blobs (WebKit private windows)', () => {
  /** The store as WebKit's ephemeral sessions have it: any record holding a Blob fails to be written. */
  function refuseBlobs(): () => void {
    const proto = globalThis.IDBObjectStore.prototype;
    const put = proto.put;
    proto.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      const holdsBlob = value instanceof Blob || (typeof value === 'object' && value !== null && Object.values(value).some((v) => v instanceof Blob));
      if (holdsBlob) throw new DOMException('Error preparing Blob/File data to be stored in object store', 'UnknownError');
      return put.call(this, value, key);
    } as typeof put;
    return () => (proto.put = put);
  }

  it('notices it once and keeps the photos as bytes, read back as the same Blobs', async () => {
    const restore = refuseBlobs();
    try {
      expect(await keepsBlobs()).toBe(false);
      await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }], putPhotos: [photo('p1', 'a', 1)] });
      const [p] = (await store.read()).photos;
      expect(p.blob).toBeInstanceOf(Blob);
      expect(p.blob.type).toBe('image/jpeg');
      expect(await p.blob.text()).toBe('p1');
      expect((await store.read()).meta).toEqual({});
    } finally {
      restore();
    }
  });

  it('keeps Blobs as they are where the browser takes them', async () => {
    expect(await keepsBlobs()).toBe(true);
    await store.apply({ putClasses: [{ id: 'a', name: 'A', order: 0 }], putPhotos: [photo('p1', 'a', 1)] });
    const d = await openDB(DB_NAME);
    const raw = (await d.get('photos', 'p1')) as { blob?: unknown };
    d.close();
    expect(raw.blob).toBeInstanceOf(Blob);
  });
});
