import { viridis } from '../widgets/insight/paint';

/** Opacity where the map is 0 and where it peaks: a faint tint keeps the map readable on any photo, the peak lets the photo show through. */
const MIN_ALPHA = 0.2;
const MAX_ALPHA = 0.75;

/** Colour and opacity of a map value v ∈ [0, 1]: viridis, more opaque where the model looked more. */
export function heatColour(v: number): [number, number, number, number] {
  const t = Math.min(1, Math.max(0, v));
  return [...viridis(t), Math.round(255 * (MIN_ALPHA + (MAX_ALPHA - MIN_ALPHA) * t))];
}

/** The legend's CSS gradient: the same colours and opacities as the map, from none to the peak. */
export function heatGradient(stops = 5): string {
  const colours = Array.from({ length: stops }, (_, i) => {
    const [r, g, b, a] = heatColour(i / (stops - 1));
    return `rgba(${r}, ${g}, ${b}, ${(a / 255).toFixed(3)})`;
  });
  return `linear-gradient(to right, ${colours.join(', ')})`;
}

export interface HeatImage {
  grid: Float32Array;
  width: number;
  height: number;
}

/**
 * Svelte action: draws the coarse map (7×7) into the canvas at the canvas's own size, upsampled by the browser's
 * bilinear image smoothing, as Grad-CAM maps are shown.
 */
export function paintHeat(canvas: HTMLCanvasElement, image: HeatImage) {
  const draw = ({ grid, width, height }: HeatImage) => {
    const small = document.createElement('canvas');
    small.width = width;
    small.height = height;
    const sctx = small.getContext('2d');
    const ctx = canvas.getContext('2d');
    if (!sctx || !ctx) return;
    const img = sctx.createImageData(width, height);
    grid.forEach((v, p) => img.data.set(heatColour(v), p * 4));
    sctx.putImageData(img, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
  };
  draw(image);
  return { update: draw };
}

/** Thirds of the photo a point falls in, as an i18n key part: 'top-left' … 'bottom-right', 'centre' in the middle. */
export function region(x: number, y: number): string {
  const third = (v: number) => (v < 1 / 3 ? 0 : v < 2 / 3 ? 1 : 2);
  const row = ['top', 'middle', 'bottom'][third(y)];
  const col = ['left', 'centre', 'right'][third(x)];
  return row === 'middle' && col === 'centre' ? 'centre' : `${row}-${col}`;
}
