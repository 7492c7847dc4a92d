/** One answer of the engine: a label and its probability (0..1). */
export interface Scored {
  label: string;
  probability: number;
}

export interface Bar extends Scored {
  /** The most likely class (exactly one bar; the first in order on a tie). */
  top: boolean;
}

/** Below this top probability the preview says it is not sure, rather than presenting a guess as an answer. */
export const LOW_CONFIDENCE = 0.6;

/** How many of MobileNet's 1,000 ImageNet classes the preview shows when nothing is trained. */
export const IMAGENET_SHOWN = 3;

function markTop(bars: Scored[]): Bar[] {
  let best = 0;
  bars.forEach((b, i) => {
    if (b.probability > bars[best].probability) best = i;
  });
  return bars.map((b, i) => ({ ...b, top: i === best }));
}

/**
 * One bar per class in the classes' own order, whatever the engine's ranking: the bars never swap places
 * between frames, only their lengths change. Repeated names are matched in turn; a class the answer lacks gets 0.
 */
export function barsInClassOrder(answer: Scored[], classes: string[]): Bar[] {
  const left = [...answer];
  const bars = classes.map((label) => {
    const i = left.findIndex((a) => a.label === label);
    const probability = i >= 0 ? left.splice(i, 1)[0].probability : 0;
    return { label, probability };
  });
  return markTop(bars);
}

/** MobileNet's own head has 1,000 classes: its `n` most likely, most likely first (so this order follows the ranking). */
export function rankedBars(answer: Scored[], n = IMAGENET_SHOWN): Bar[] {
  return markTop([...answer].sort((a, b) => b.probability - a.probability).slice(0, n));
}

/** The model is not sure when even its best class stays under LOW_CONFIDENCE. */
export function lowConfidence(bars: Bar[]): boolean {
  const top = bars.find((b) => b.top);
  return !top || top.probability < LOW_CONFIDENCE;
}
