import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from './defaults';
import { EngineError } from './types';
import type { PixelSource, Pixels } from './types';

/** Where to sample one image: a square in pixel units, optionally mirrored, plus a brightness shift. */
export interface View {
  top: number;
  left: number;
  size: number;
  flip: boolean;
  brightness: number;
}

/** Throws BAD_IMAGE unless `p` is a well-formed RGB/RGBA byte image; tfjs would only assert later. */
export function checkPixels(p: Pixels, id = 'image'): void {
  const ok =
    p != null &&
    Number.isInteger(p.width) &&
    Number.isInteger(p.height) &&
    p.width > 0 &&
    p.height > 0 &&
    (p.channels === 3 || p.channels === 4) &&
    (p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray) &&
    p.data.length === p.width * p.height * p.channels;
  if (!ok) {
    const got = p?.data ? `${p.data.length} bytes` : 'no data';
    throw new EngineError(
      'BAD_IMAGE',
      `${id}: expected ${p?.width}×${p?.height}×${p?.channels} bytes of RGB/RGBA pixels, got ${got}.`,
      { id, width: p?.width ?? 0, height: p?.height ?? 0, channels: p?.channels ?? 0 },
    );
  }
}

/** An image's extent, all that planning a view needs (it is known before a held photo is decoded). */
export interface Extent {
  width: number;
  height: number;
}

export const isDecoded = (p: PixelSource): p is Pixels => 'data' in p;

/** Throws BAD_IMAGE unless `p` is well-formed pixels or an encoded photo of a valid extent. */
export function checkSource(p: PixelSource, id = 'image'): void {
  if (p && !isDecoded(p) && typeof p.load === 'function' && Number.isInteger(p.width) && Number.isInteger(p.height) && p.width > 0 && p.height > 0) return;
  checkPixels(p as Pixels, id);
}

/**
 * These photos' pixels, decoding the ones held encoded (once each, however many views of a photo the batch has).
 * Only a batch is ever decoded at a time: the decoded copies go when the batch's tensor is made.
 */
export async function decodeAll(sources: readonly PixelSource[]): Promise<Pixels[]> {
  const decoded = new Map<PixelSource, Promise<Pixels>>();
  return Promise.all(
    sources.map((p) => {
      if (isDecoded(p)) return p;
      let pending = decoded.get(p);
      if (!pending) decoded.set(p, (pending = p.load()));
      return pending;
    }),
  );
}

/** The centre square: keeps the aspect ratio instead of squashing the photo. */
export function centreView(p: Extent): View {
  const size = Math.min(p.width, p.height);
  return { top: (p.height - size) / 2, left: (p.width - size) / 2, size, flip: false, brightness: 0 };
}

/** Normalised [y1, x1, y2, x2] box for cropAndResize; x1 > x2 samples the crop mirrored. */
function box(v: View, p: Pixels): [number, number, number, number] {
  const norm = (at: number, extent: number) => (extent > 1 ? at / (extent - 1) : 0);
  const y1 = norm(v.top, p.height);
  const y2 = norm(v.top + v.size - 1, p.height);
  const x1 = norm(v.left, p.width);
  const x2 = norm(v.left + v.size - 1, p.width);
  return v.flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2];
}

/** A kernel of our own on wasm (kernels-wasm.ts): photos of one size → their rgbBatch, written into the backend's memory. */
export const RGB_BATCH = 'TransferLabRgbBatch';

/**
 * A photo's RGB into `out` from element `at`, alpha dropped, scaled to MobileNet's range: x·(1/127.5) − 1
 * (a [0, 1] scaling silently ruins the features).
 */
export function writeScaledRgb(p: Pixels, out: Float32Array, at: number): void {
  const { data, channels } = p;
  const pixels = p.width * p.height;
  const a = 1 / 127.5;
  for (let i = 0, o = at, k = 0; i < pixels; i++, k += channels) {
    out[o++] = data[k] * a - 1;
    out[o++] = data[k + 1] * a - 1;
    out[o++] = data[k + 2] * a - 1;
  }
}

/**
 * Photos of one size as scaled RGB [n, h, w, 3], each photo once. Where the backend has RGB_BATCH the floats are
 * written straight into its memory: a tensor made from a fresh JavaScript array costs that array's new pages
 * (~3 ms a megabyte on the benchmark's machine) and a copy — once a third of wasm's embedding pass.
 */
function rgbBatch(photos: readonly Pixels[]): tf.Tensor4D {
  if (tf.getKernel(RGB_BATCH, tf.getBackend())) return tf.engine().runKernel(RGB_BATCH, {}, { photos } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  const { width, height } = photos[0];
  const out = new Float32Array(photos.length * width * height * 3);
  photos.forEach((p, i) => writeScaledRgb(p, out, i * width * height * 3));
  return tf.tensor4d(out, [photos.length, height, width, 3]);
}

/**
 * Pixels → MobileNet input: crop the view, bilinear resize to 224×224, scale bytes to [-1, 1] (writeScaledRgb),
 * then add the brightness shift. Shape [n, 224, 224, 3]. Photos of one size go as one batch, scaled before cropping
 * (bilinear weights sum to 1, so crop and scaling commute up to rounding; an identity box samples exactly); the
 * app hands over 224×224 centre squares, which are not resampled at all. The batch costs its scaled RGB and the crops.
 */
export function toInputBatch(images: readonly Pixels[], views: readonly View[]): tf.Tensor4D {
  images.forEach((p) => checkPixels(p));
  const [first] = images;
  const sameSize = images.every((p) => p.width === first.width && p.height === first.height && p.channels === first.channels);
  if (!sameSize) return tf.tidy(() => tf.concat(images.map((p, i) => viewsOf([p], [views[i]])), 0) as tf.Tensor4D);
  return viewsOf(images, views);
}

/** toInputBatch for photos of one size. */
function viewsOf(images: readonly Pixels[], views: readonly View[]): tf.Tensor4D {
  return tf.tidy(() => {
    // A photo with several views goes over once.
    const photos = [...new Set(images)];
    const index = images.map((p) => photos.indexOf(p));
    const scaled = rgbBatch(photos);
    const identity = (v: View, p: Pixels) => !v.flip && v.size === IMAGE_SIZE && p.width === IMAGE_SIZE && p.height === IMAGE_SIZE;
    let out: tf.Tensor4D;
    if (!views.every((v, i) => identity(v, images[i]))) {
      out = tf.image.cropAndResize(scaled, views.map((v, i) => box(v, images[i])), index, [IMAGE_SIZE, IMAGE_SIZE]);
    } else out = index.every((k, i) => k === i) ? scaled : tf.gather(scaled, index);
    if (views.every((v) => v.brightness === 0)) return out;
    // x/127.5 − 1 stays within [-1, 1]: adding 0 and clipping leaves a photo without a shift as it was.
    return out.add(tf.tensor4d(views.map((v) => v.brightness), [views.length, 1, 1, 1])).clipByValue(-1, 1) as tf.Tensor4D;
  });
}
