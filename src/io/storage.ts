/** How much this site stores, how much it may, and whether the browser promised not to evict it. */
export interface StorageInfo {
  used: number;
  quota: number;
  persisted: boolean;
}

/**
 * 'unavailable' where the browser has no StorageManager (WebKitGTK, an http:// page other than localhost, old
 * browsers); null when asking failed this time.
 */
export async function storageInfo(): Promise<StorageInfo | 'unavailable' | null> {
  if (!navigator.storage?.estimate) return 'unavailable';
  try {
    const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? false]);
    return { used: usage, quota, persisted };
  } catch {
    return null;
  }
}
