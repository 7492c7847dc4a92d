import type { ClassActivationMap } from '../worker/insight-api';

/** A box in fractions (0..1) of the photo's width and height. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The engine's map placed on the whole photo: the peak and the seen square in fractions of the photo the learner gave. */
export interface ShownActivation extends Omit<ClassActivationMap, 'peakX' | 'peakY' | 'crop'> {
  peakX: number | null;
  peakY: number | null;
  /** The part of the photo the model saw (the map covers exactly this box). */
  seen: Box;
  /** The photo's own size in pixels (its aspect ratio lays out the view). */
  photoWidth: number;
  photoHeight: number;
}

/** Where the page's centre-square crop (io/decode) sits in a width × height photo. */
export function centreSquareBox(width: number, height: number): Box {
  const side = Math.min(width, height);
  return { x: (width - side) / 2 / width, y: (height - side) / 2 / height, width: side / width, height: side / height };
}

/** The engine's answer (in the square's fractions) carried into the whole photo's fractions. */
export function onPhoto(map: ClassActivationMap, width: number, height: number): ShownActivation {
  const square = centreSquareBox(width, height);
  const { peakX, peakY, crop, ...rest } = map;
  const x = (u: number) => square.x + u * square.width;
  const y = (v: number) => square.y + v * square.height;
  return {
    ...rest,
    peakX: peakX === null ? null : x(peakX),
    peakY: peakY === null ? null : y(peakY),
    seen: { x: x(crop.x), y: y(crop.y), width: crop.width * square.width, height: crop.height * square.height },
    photoWidth: width,
    photoHeight: height,
  };
}
