import { LAB_RECIPE } from '../ml/defaults';
import type { Augmentation, LabMode, Recipe } from '../ml/recipe';

/** The training recipe (ml/recipe.ts) plus the lab's other choices, stored flat as a project file keeps settings. */
export interface TrainSettings extends Recipe {
  /** The base network (src/ml/bases.ts id); MobileNet v1 0.25 when unset. */
  base?: string;
  /** Webcam capture (flat, as a project file stores settings): frames per second, seconds before it starts, seconds it lasts (0: while held). */
  captureFps?: number;
  captureDelay?: number;
  captureDuration?: number;
}

export const DEFAULT_SETTINGS: TrainSettings = { ...LAB_RECIPE };

const MODES: readonly string[] = ['feature-extraction', 'fine-tune', 'two-phase', 'gradual'] satisfies LabMode[];
const AUGMENTATIONS: readonly string[] = ['off', 'cached-views', 'random'] satisfies Augmentation[];

/**
 * Settings as stored (IndexedDB, a project file, another tab), over the defaults. Projects saved before the
 * augmentation choice have `augment: true` for random views while fine-tuning; unknown modes or choices (a newer
 * version's) fall back to the defaults instead of reaching the engine.
 */
export function settingsFrom(stored: Record<string, unknown> | undefined): TrainSettings {
  const { augment, ...rest } = (stored ?? {}) as Partial<TrainSettings> & { augment?: unknown };
  const s: TrainSettings = { ...DEFAULT_SETTINGS, ...rest };
  // Such a project trained without views unless it fine-tuned with augment on: it keeps that, not today's default.
  if (rest.augmentation === undefined && augment !== undefined) s.augmentation = augment === true && s.mode === 'fine-tune' ? 'random' : 'off';
  if (!MODES.includes(s.mode)) s.mode = DEFAULT_SETTINGS.mode;
  if (!AUGMENTATIONS.includes(s.augmentation)) s.augmentation = DEFAULT_SETTINGS.augmentation;
  return s;
}
