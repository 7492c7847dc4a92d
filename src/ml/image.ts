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

/**
 * A photo's bytes as RGB floats (alpha dropped), in one loop: x/127.5 − 1 when `scaled`, else the bytes' values.
 * A Slice of the RGBA tensor was ~10 % of wasm's embedding pass once the convolutions ran fused.
 */
function rgbFloats(p: Pixels, scaled: boolean): Float32Array {
  const pixels = p.width * p.height;
  const out = new Float32Array(pixels * 3);
  const [a, b] = scaled ? [1 / 127.5, -1] : [1, 0];
  for (let i = 0, o = 0, at = 0; i < pixels; i++, at += p.channels) {
    out[o++] = p.data[at] * a + b;
    out[o++] = p.data[at + 1] * a + b;
    out[o++] = p.data[at + 2] * a + b;
  }
  return out;
}

/**
 * Pixels → MobileNet input: crop the view, bilinear resize to 224×224, scale bytes to [-1, 1] by x/127.5 − 1
 * (a [0, 1] scaling silently ruins the features), then add the brightness shift. Shape [n, 224, 224, 3].
 * Each photo's intermediates go before the next photo's are made (a tidy per photo): the batch costs its crops and
 * their concatenation.
 */
export function toInputBatch(images: readonly Pixels[], views: readonly View[]): tf.Tensor4D {
  return tf.tidy(() => {
    const crops = images.map((p, i) => tf.tidy(() => {
      checkPixels(p);
      const v = views[i];
      // The app hands over 224×224 centre squares already: resampling them onto the same grid would be wasted work.
      const identity = !v.flip && v.size === IMAGE_SIZE && p.width === IMAGE_SIZE && p.height === IMAGE_SIZE;
      const scaled = identity
        ? tf.tensor4d(rgbFloats(p, true), [1, p.height, p.width, 3])
        : tf.image.cropAndResize(tf.tensor4d(rgbFloats(p, false), [1, p.height, p.width, 3]), [box(v, p)], [0], [IMAGE_SIZE, IMAGE_SIZE]).div(127.5).sub(1);
      return v.brightness === 0 ? scaled : scaled.add(v.brightness).clipByValue(-1, 1);
    }));
    return (crops.length === 1 ? crops[0] : tf.concat(crops, 0)) as tf.Tensor4D;
  });
}
