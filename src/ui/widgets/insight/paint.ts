/** Viridis at five stops (dark violet → yellow): perceptually even and readable without colour vision. */
const STOPS: [number, number, number][] = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

/** Colour of t ∈ [0, 1] on the map, linearly between stops. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [STOPS[i], STOPS[i + 1]];
  return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * f)) as [number, number, number];
}

export interface MapImage {
  values: Float32Array;
  width: number;
  height: number;
  /** Activation drawn as the brightest colour (the channel's own maximum). */
  max: number;
}

/** Svelte action: draws one activation map into a canvas of its own size (CSS scales it up, pixelated). */
export function paintMap(canvas: HTMLCanvasElement, image: MapImage) {
  const draw = ({ values, width, height, max }: MapImage) => {
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(width, height);
    for (let p = 0; p < width * height; p++) {
      const [r, g, b] = viridis(max > 0 ? values[p] / max : 0);
      img.data.set([r, g, b, 255], p * 4);
    }
    ctx.putImageData(img, 0, 0);
  };
  draw(image);
  return { update: draw };
}

export interface FilterImage {
  /** size × size × 3 weights, row-major, RGB last. */
  values: Float32Array;
  size: number;
}

/** Svelte action: draws a filter's RGB weights, 0 as mid-grey and ± its largest magnitude as 0 / 255. */
export function paintFilter(canvas: HTMLCanvasElement, filter: FilterImage) {
  const draw = ({ values, size }: FilterImage) => {
    canvas.width = size;
    canvas.height = size;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const scale = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
    const img = ctx.createImageData(size, size);
    for (let p = 0; p < size * size; p++) {
      for (let c = 0; c < 3; c++) img.data[p * 4 + c] = Math.round(127.5 + (127.5 * values[p * 3 + c]) / scale);
      img.data[p * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  };
  draw(filter);
  return { update: draw };
}
