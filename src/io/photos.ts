import { sniffUpload, type UploadVerdict } from './sniff';

/** Longest side of a stored photo: plenty for a 224-pixel model, small enough for 1,000 photos. */
export const STORED_MAX_SIDE = 448;

export type Rejection = { file: string; reason: Exclude<UploadVerdict, { ok: true }>['reason'] | 'corrupt'; format?: string };

/** Unique enough for local records, and unlike crypto.randomUUID it also works on plain-http hosts. */
export const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Re-encodes a decoded image as a JPEG with its longest side ≤ maxSide (never upscaled). */
export async function encodeDownscaled(source: ImageBitmap | HTMLVideoElement, maxSide = STORED_MAX_SIDE): Promise<Blob> {
  const w = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
  const h = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
  const scale = Math.min(1, maxSide / Math.max(w, h));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale)));
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
}

/** Checks one upload by its bytes, decodes it (first frame for GIF) and returns the stored JPEG, or why not. */
export async function prepareUpload(file: File): Promise<{ blob: Blob } | Rejection> {
  const head = new Uint8Array(await file.slice(0, 64).arrayBuffer());
  const verdict = sniffUpload(file.size, file.type, file.name, head);
  if (!verdict.ok) return { file: file.name, reason: verdict.reason, format: verdict.format };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { file: file.name, reason: 'corrupt' };
  }
  try {
    return { blob: await encodeDownscaled(bitmap) };
  } finally {
    bitmap.close();
  }
}
