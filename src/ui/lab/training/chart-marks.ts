import type uPlot from 'uplot';

export interface ChartPalette {
  fg: string;
  muted: string;
  border: string;
  loss: string;
  acc: string;
}

/** The colour tokens the lab's charts are drawn with; read again when the OS switches between light and dark. */
export function chartPalette(): ChartPalette {
  const css = getComputedStyle(document.documentElement);
  const token = (name: string) => css.getPropertyValue(name).trim();
  return { fg: token('--fg'), muted: token('--muted'), border: token('--border'), loss: token('--bad'), acc: token('--trainable') };
}

/** A dashed vertical line at canvas x `x` with a label at its top (phase switch, block release, kept epoch, suggested rate). */
export function verticalMark(u: uPlot, x: number, label: string, c: Pick<ChartPalette, 'fg' | 'muted'>, row = 0): void {
  const dpr = devicePixelRatio || 1;
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = c.muted;
  ctx.lineWidth = dpr;
  ctx.setLineDash([4 * dpr, 4 * dpr]);
  ctx.beginPath();
  ctx.moveTo(x, u.bbox.top);
  ctx.lineTo(x, u.bbox.top + u.bbox.height);
  ctx.stroke();
  ctx.fillStyle = c.fg;
  ctx.font = `${12 * dpr}px sans-serif`;
  ctx.fillText(label, x + 4 * dpr, u.bbox.top + (14 + 14 * row) * dpr);
  ctx.restore();
}
