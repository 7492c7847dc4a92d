import { HEADER_BYTES, MAX_PIXELS, imageSize, sniffUpload, type UploadVerdict } from './sniff';

/** Longest side of a stored photo: plenty for a 224-pixel model, small enough for 1,000 photos. */
export const STORED_MAX_SIDE = 448;

export type RejectReason = Exclude<UploadVerdict, { ok: true }>['reason'] | 'corrupt' | 'unreadable' | 'too-many-pixels';
export type Rejection = { file: string; reason: RejectReason; format?: string; width?: number; height?: number };

/** A file that passed every check before decoding: its format and the size its header declares. */
export interface CheckedImage {
  file: Blob;
  name: string;
  width: number;
  height: number;
}

/** Unique enough for local records, and unlike crypto.randomUUID it also works on plain-http hosts. */
export const newId = () => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;

/** Re-encodes a decoded image as a JPEG with its longest side ≤ maxSide (never upscaled). */
export async function encodeDownscaled(source: ImageBitmap | HTMLVideoElement, maxSide = STORED_MAX_SIDE): Promise<Blob> {
  const w = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
  const h = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
  const scale = Math.min(1, maxSide / Math.max(w, h));
  const canvas = new OffscreenCanvas(Math.max(1, Math.round(w * scale)), Math.max(1, Math.round(h * scale)));
  // A CPU canvas: a GPU one makes convertToBlob wait on a GPU readback on the main thread (up to 0.85 s a photo
  // under a software GPU) and keeps a transfer buffer of uploaded bitmaps in the renderer; this one is read once.
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
}

/**
 * Checks a file by its bytes and its header's declared size before any decoder sees it:
 * a read error, a non-image, an SVG, or more than MAX_PIXELS each get their own reason.
 */
export async function checkImage(file: File): Promise<CheckedImage | Rejection> {
  let head: Uint8Array;
  try {
    head = new Uint8Array(await file.slice(0, HEADER_BYTES).arrayBuffer());
  } catch {
    // The file moved, changed or lost permission after it was picked.
    return { file: file.name, reason: 'unreadable' };
  }
  const verdict = sniffUpload(file.size, file.type, file.name, head.subarray(0, 64));
  if (!verdict.ok) return { file: file.name, reason: verdict.reason, format: verdict.format };
  let size = imageSize(verdict.format, head);
  // A JPEG's frame header can sit behind more than HEADER_BYTES of EXIF and thumbnails: look further, once.
  if (!size && verdict.format === 'jpeg' && file.size > head.length) {
    size = imageSize('jpeg', new Uint8Array(await file.arrayBuffer().catch(() => new ArrayBuffer(0))));
  }
  if (!size) return { file: file.name, reason: 'corrupt' };
  if (size.width * size.height > MAX_PIXELS) return { file: file.name, reason: 'too-many-pixels', ...size };
  return { file, name: file.name, ...size };
}

export const isRejection = (r: CheckedImage | Rejection): r is Rejection => 'reason' in r;

/**
 * Decodes a checked image with its longest side at most `maxSide`, letting the decoder downscale
 * (a 6000×4000 photo never becomes a 96 MB bitmap). Only one side is given, so the aspect ratio survives
 * whatever EXIF orientation the browser applies.
 */
export async function decodeDownscaled(img: CheckedImage, maxSide: number): Promise<ImageBitmap> {
  const long = Math.max(img.width, img.height);
  if (long <= maxSide) return createImageBitmap(img.file);
  const opts: ImageBitmapOptions = { resizeQuality: 'high' };
  if (img.width >= img.height) opts.resizeWidth = Math.round((img.width * maxSide) / long);
  else opts.resizeHeight = Math.round((img.height * maxSide) / long);
  return createImageBitmap(img.file, opts);
}

/** Checks one upload, decodes it (first frame for GIF) and returns the stored JPEG, or why not. Never throws. */
export async function prepareUpload(file: File): Promise<{ blob: Blob } | Rejection> {
  const checked = await checkImage(file);
  if (isRejection(checked)) return checked;
  let bitmap: ImageBitmap;
  try {
    bitmap = await decodeDownscaled(checked, STORED_MAX_SIDE);
  } catch {
    return { file: file.name, reason: 'corrupt' };
  }
  try {
    return { blob: await encodeDownscaled(bitmap) };
  } catch {
    return { file: file.name, reason: 'corrupt' };
  } finally {
    bitmap.close();
  }
}
