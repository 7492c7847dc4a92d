import type { BackendNote } from '../ml/backend';
import type { Translate } from './errors';

/** Why the engine runs on its backend, step by step, in the learner's language (the English `reason` is for logs). */
export function backendWhy(notes: BackendNote[], $t: Translate): string {
  return notes.map((n) => $t(`engine.why.${n.key}`, { values: n.values ?? {} })).join('; ');
}
