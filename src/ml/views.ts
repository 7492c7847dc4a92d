import type { Extent, View } from './image';
import type { Sample } from './types';

/** A training photo seen through one fixed view; the view's embedding is cached under the sample's own id. */
export type ViewedSample = Sample & { view?: View };

/** Side of the zoomed-in view, as a fraction of the centre square. */
const ZOOM = 0.85;

/** Views per training photo with cached views, the centre square included. */
export const FIXED_VIEW_COUNT = 2;

/**
 * The fixed views of a photo, each embedded once: the centre square and a mirrored 85 % crop of its middle (zoomed in
 * and flipped at once, the most different second view one more pass through the network buys). Chosen by measurement
 * (scripts/bench-bases.ts, README): on flowers at 20 photos a class, every single extra view tried (mirror, 85 % corner
 * or centre crops, a random view) added about a point of held-out accuracy and cost the same, three extra views added
 * 1.6 points for 3.5× the embedding work, so one view keeps the lab's default within twice the plain run's time.
 */
export function fixedViews(p: Extent): View[] {
  const size = Math.min(p.width, p.height);
  const top = (p.height - size) / 2;
  const left = (p.width - size) / 2;
  const zoom = Math.round(size * ZOOM);
  const margin = (size - zoom) / 2;
  return [
    { top, left, size, flip: false, brightness: 0 },
    { top: top + margin, left: left + margin, size: zoom, flip: true, brightness: 0 },
  ];
}

/** Each photo followed by its extra views (ids `<id>#view<k>`); the centre view keeps the photo's id. */
export function withFixedViews(samples: readonly Sample[]): ViewedSample[] {
  return samples.flatMap((s) => fixedViews(s.pixels).map((view, k) => (k === 0 ? s : { ...s, id: `${s.id}#view${k}`, view })));
}
