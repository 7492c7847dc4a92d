/** What each step of the lab's flow (classes → training → preview) needs next, from plain inputs. */
import { classProblem } from '../../../ml/class-rule';
import { MIN_PHOTOS_PER_CLASS } from '../../../ml/defaults';
import type { LabMode } from '../../../ml/recipe';

/** A step's state: `data-state` on its header. */
export type StepState = 'needs-photos' | 'ready' | 'running' | 'done' | 'waiting';

export interface FlowInput {
  /** Each class's name and photo count, in the lab's order. */
  classes: { name: string; photos: number }[];
  /** The lab's training status. */
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'error';
  /** A head (trained or imported) answers predictions. */
  trained: boolean;
  /** Why training cannot start, as `lab.blocker()` says (null: it can). */
  blocker: 'one-class' | 'few-photos' | 'model' | null;
  /** The training mode; fine-tuning reads its switches from the layer list, which sits below the three steps. */
  mode: LabMode;
}

/** One step: its state and the i18n key (under `flow.`) of its one-line status, with the values it needs. */
export interface Step {
  state: StepState;
  key: string;
  values?: Record<string, string | number>;
}

export function classesStep({ classes }: FlowInput): Step {
  const problem = classProblem(classes);
  if (problem?.key === 'one-class') return { state: 'needs-photos', key: 'classes.oneClass' };
  if (problem) return { state: 'needs-photos', key: 'classes.fewPhotos', values: { min: MIN_PHOTOS_PER_CLASS, name: problem.name, n: problem.n } };
  const photos = classes.reduce((sum, c) => sum + c.photos, 0);
  return { state: 'done', key: 'classes.done', values: { photos, classes: classes.length } };
}

export function trainStep(input: FlowInput): Step {
  if (input.status === 'running') return { state: 'running', key: 'train.running' };
  if (input.status === 'done') return { state: 'done', key: 'train.done' };
  // The same rule as lab.blocker() (classProblem), read from the counts the flow is given.
  if (classesStep(input).state !== 'done') {
    return { state: 'waiting', key: 'train.needsPhotos' };
  }
  if (input.blocker === 'model') return { state: 'waiting', key: 'train.model' };
  if (input.status === 'error') return { state: 'ready', key: 'train.failed' };
  if (input.status === 'cancelled') return { state: 'ready', key: 'train.cancelled' };
  // A head restored from an earlier visit: ready to use, and to retrain.
  if (input.trained) return { state: 'done', key: 'train.restored' };
  return { state: 'ready', key: input.mode === 'fine-tune' ? 'train.readyFineTune' : 'train.ready' };
}

export function previewStep(input: FlowInput): Step {
  if (input.status === 'running') return { state: 'waiting', key: 'preview.running' };
  if (input.trained) return { state: 'ready', key: 'preview.trained' };
  return { state: 'waiting', key: 'preview.untrained' };
}

/** The three steps, in the order the learner takes them. */
export function flowSteps(input: FlowInput): [Step, Step, Step] {
  return [classesStep(input), trainStep(input), previewStep(input)];
}
