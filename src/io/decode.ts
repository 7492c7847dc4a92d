import { IMAGE_SIZE } from '../ml/defaults';
import type { Pixels } from '../ml/types';
import { checkImage, decodeDownscaled, isRejection, type Rejection } from './photos';

/** One scratch canvas per size: live prediction draws every frame, and a canvas per frame is garbage per frame. */
const scratch = new Map<number, OffscreenCanvasRenderingContext2D>();

/** Draws the centre square of an image into `side`×`side` RGBA pixels (the engine's own crop is then a no-op). */
export function centreSquarePixels(source: CanvasImageSource, width: number, height: number, side = IMAGE_SIZE): Pixels {
  const s = Math.min(width, height);
  let ctx = scratch.get(side);
  if (!ctx) {
    const made = new OffscreenCanvas(side, side).getContext('2d', { willReadFrequently: true });
    if (!made) throw new Error('2D canvas unavailable');
    scratch.set(side, (ctx = made));
  }
  // Transparent photos must not show the previous frame through.
  ctx.clearRect(0, 0, side, side);
  ctx.drawImage(source, (width - s) / 2, (height - s) / 2, s, s, 0, 0, side, side);
  return { width: side, height: side, data: ctx.getImageData(0, 0, side, side).data, channels: 4 };
}

/** Decodes an image blob (first frame for GIF) to model-sized pixels; rejects when the browser cannot decode it. */
export async function decodeForModel(blob: Blob, side = IMAGE_SIZE): Promise<Pixels> {
  const bitmap = await createImageBitmap(blob);
  try {
    return centreSquarePixels(bitmap, bitmap.width, bitmap.height, side);
  } finally {
    bitmap.close();
  }
}

/**
 * A photo the learner picked, through the same checks as an upload (bytes, header size, SVG), decoded
 * downscaled so its short side stays near twice the model's input; a rejection names the reason.
 */
export async function decodeUploadForModel(file: File, side = IMAGE_SIZE): Promise<Pixels | Rejection> {
  const checked = await checkImage(file);
  if (isRejection(checked)) return checked;
  const short = Math.min(checked.width, checked.height);
  const long = Math.max(checked.width, checked.height);
  let bitmap: ImageBitmap;
  try {
    bitmap = await decodeDownscaled(checked, Math.max(side, Math.round((long * 2 * side) / short)));
  } catch {
    return { file: file.name, reason: 'corrupt' };
  }
  try {
    return centreSquarePixels(bitmap, bitmap.width, bitmap.height, side);
  } finally {
    bitmap.close();
  }
}
