import type { TrainSettings } from '../../../app/project.svelte';

/** How the capture button records: frames per second, seconds of countdown, seconds of recording (0: while held). */
export interface CaptureSettings {
  fps: number;
  delay: number;
  duration: number;
}

/** Each setting's range; 10 frames a second while held is how capture always worked. */
export const CAPTURE_RANGE = {
  fps: { min: 1, max: 30, default: 10 },
  delay: { min: 0, max: 10, default: 0 },
  duration: { min: 0, max: 30, default: 0 },
} as const satisfies Record<keyof CaptureSettings, { min: number; max: number; default: number }>;

const FIELD = { fps: 'captureFps', delay: 'captureDelay', duration: 'captureDuration' } as const;

/** A typed or stored value brought into its range (whole numbers; anything unreadable is the default). */
export function clampCapture(key: keyof CaptureSettings, value: unknown): number {
  const r = CAPTURE_RANGE[key];
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? Math.min(r.max, Math.max(r.min, Math.round(n))) : r.default;
}

/** The capture settings of a project; an older project that never had them gets the defaults. */
export function readCapture(s: TrainSettings): CaptureSettings {
  return { fps: clampCapture('fps', s[FIELD.fps]), delay: clampCapture('delay', s[FIELD.delay]), duration: clampCapture('duration', s[FIELD.duration]) };
}

/** Writes one capture setting into the project's settings (the caller schedules the save). */
export function writeCapture(s: TrainSettings, key: keyof CaptureSettings, value: unknown): number {
  const v = clampCapture(key, value);
  s[FIELD[key]] = v;
  return v;
}
