import { lab } from '../../../app/lab.svelte';
import { pwa } from '../../../app/pwa.svelte';

let installed = false;

/**
 * While a training run is going, "Reload to update" waits and leaving the page asks first. Installed once
 * from the lab and never removed: a run keeps going when the learner moves on to a chapter.
 */
export function guardTraining(): void {
  if (installed) return;
  installed = true;
  const running = () => lab.status === 'running';
  pwa.watchBusy(running);
  addEventListener('beforeunload', (e) => {
    if (!running()) return;
    e.preventDefault();
    // Older browsers show the prompt only when returnValue is set.
    e.returnValue = '';
  });
}
