import type { View } from './image';
import type { Pixels, Sample } from './types';

/** A training photo seen through one fixed view; the view's embedding is cached under the sample's own id. */
export type ViewedSample = Sample & { view?: View };

/** Side of the corner crops, as a fraction of the centre square. */
const CROP = 0.85;

/** Views per training photo with cached views, the centre square included. */
export const FIXED_VIEW_COUNT = 4;

/**
 * Four fixed views of a photo, embedded once each: the centre square, its mirror image, and 85 % crops of its top-left
 * and bottom-right corners. Augmentation that keeps the cache: the head sees four inputs per photo every epoch.
 */
export function fixedViews(p: Pixels): View[] {
  const size = Math.min(p.width, p.height);
  const top = (p.height - size) / 2;
  const left = (p.width - size) / 2;
  const crop = Math.round(size * CROP);
  const far = size - crop;
  return [
    { top, left, size, flip: false, brightness: 0 },
    { top, left, size, flip: true, brightness: 0 },
    { top, left, size: crop, flip: false, brightness: 0 },
    { top: top + far, left: left + far, size: crop, flip: false, brightness: 0 },
  ];
}

/** Each photo followed by its three extra views (ids `<id>#view<k>`); the centre view keeps the photo's id. */
export function withFixedViews(samples: readonly Sample[]): ViewedSample[] {
  return samples.flatMap((s) => fixedViews(s.pixels).map((view, k) => (k === 0 ? s : { ...s, id: `${s.id}#view${k}`, view })));
}
