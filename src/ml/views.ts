import type { Extent, View } from './image';
import type { Sample } from './types';

/** A training photo seen through one fixed view; the view's embedding is cached under the sample's own id. */
export type ViewedSample = Sample & { view?: View };

/** Side of the zoomed-in view, as a fraction of the centre square. */
const ZOOM = 0.5;

/** Views per training photo with cached views, the centre square included (and views a prediction averages then). */
export const FIXED_VIEW_COUNT = 2;

/**
 * The fixed views of a photo, each embedded once: the centre square and the middle half of it, zoomed in 2× and
 * mirrored (the object seen close up, the most different second view one more pass through the network buys). A head
 * trained on them predicts by averaging them (Trainer.predict). Chosen by measurement (scripts/exp-views.ts, then
 * scripts/bench-bases.ts): on flowers at 20 photos a class, the lab's recipe on v1 0.75 over 8 seeds of photos held
 * out 0.743 plain, 0.754 with a mirrored 85 % crop, 0.767 with it averaged at prediction, and 0.775 with this view
 * averaged (0.70 → 0.85 zoom: 0.771–0.767; an unmirrored half 0.774); on v1 0.25 0.684 plain, 0.695, 0.726 with this
 * view averaged. Every single extra view costs the same; three views (0.784) exceed twice the plain run's time.
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
