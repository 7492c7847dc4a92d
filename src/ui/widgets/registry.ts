import type { Component } from 'svelte';
import BackpropExplorerEntry from './BackpropExplorerEntry.svelte';
import ClassActivationEntry from './ClassActivationEntry.svelte';
import EmbeddingMapEntry from './EmbeddingMapEntry.svelte';
import FeatureMapsEntry from './FeatureMapsEntry.svelte';
import FreezingInActionEntry from './FreezingInActionEntry.svelte';
import LayerListEntry from './LayerListEntry.svelte';
import StrategyCompareEntry from './StrategyCompareEntry.svelte';

/**
 * Widgets a lesson places with `::: widget <name>`. Each entry is a tiny wrapper that loads the real widget (and
 * tfjs, the engine, the model) only when the lesson shows it.
 */
export const widgets: Record<string, Component<Record<string, never>>> = {
  'backprop-explorer': BackpropExplorerEntry,
  'strategy-compare': StrategyCompareEntry,
  'freezing-in-action': FreezingInActionEntry,
  'layer-list': LayerListEntry,
  'feature-maps': FeatureMapsEntry,
  'embedding-map': EmbeddingMapEntry,
  'class-activation': ClassActivationEntry,
};
