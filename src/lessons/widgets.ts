/**
 * Widget names a lesson may place with a line `::: widget <name>`.
 * The components live in src/ui/widgets/registry.ts; a name listed here whose component is not
 * built yet renders nothing. lessons:check rejects names not in this list.
 */
export const KNOWN_WIDGETS = ['backprop-explorer', 'layer-list', 'strategy-compare', 'freezing-in-action', 'feature-maps', 'embedding-map', 'class-activation'] as const;
export type WidgetName = (typeof KNOWN_WIDGETS)[number];

export function isKnownWidget(name: string): name is WidgetName {
  return (KNOWN_WIDGETS as readonly string[]).includes(name);
}
