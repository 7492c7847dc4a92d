import { chartPalette, type ChartPalette } from './chart-marks';

/** The charts' colours, read again when the OS switches light or dark; call from a component's setup. */
export function livePalette(): { readonly current: ChartPalette } {
  let palette = $state(chartPalette());
  $effect(() => {
    const dark = matchMedia('(prefers-color-scheme: dark)');
    const update = () => (palette = chartPalette());
    dark.addEventListener('change', update);
    return () => dark.removeEventListener('change', update);
  });
  return {
    get current() {
      return palette;
    },
  };
}
