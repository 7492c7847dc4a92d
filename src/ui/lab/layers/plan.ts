import type { FreezePlan, LayerInfo } from '../../../ml/layers';

/** Sets `trainable` for the weighted layers between two rows (inclusive), as a shift-click does. */
export function setRange(plan: FreezePlan, layers: LayerInfo[], from: string, to: string, trainable: boolean): FreezePlan {
  const names = layers.map((l) => l.name);
  const [a, b] = [names.indexOf(from), names.indexOf(to)].sort((x, y) => x - y);
  const next = { ...plan };
  for (const l of layers.slice(a, b + 1)) if (l.trainableWeights && !l.replaced) next[l.name] = trainable;
  return next;
}

/** A block's switch: on when every weighted layer in it is trainable. */
export function groupState(plan: FreezePlan, layers: LayerInfo[], group: string): 'on' | 'off' | 'mixed' {
  const weighted = layers.filter((l) => l.group === group && l.trainableWeights);
  const on = weighted.filter((l) => plan[l.name]).length;
  return on === 0 ? 'off' : on === weighted.length ? 'on' : 'mixed';
}

export function setGroup(plan: FreezePlan, layers: LayerInfo[], group: string, trainable: boolean): FreezePlan {
  const next = { ...plan };
  for (const l of layers) if (l.group === group && l.trainableWeights) next[l.name] = trainable;
  return next;
}
