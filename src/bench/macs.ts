import type { MobileNet } from '../ml';

/** Multiply-adds of one image through each conv layer: H·W·k·k·Cin·Cout (depthwise: H·W·k·k·C), from the model. */
export function convMacs(net: MobileNet): { layer: string; macs: number }[] {
  const out: { layer: string; macs: number }[] = [];
  for (const l of net.model.layers) {
    const cls = l.getClassName();
    if (cls !== 'Conv2D' && cls !== 'DepthwiseConv2D') continue;
    const [, h, w, cOut] = l.outputShape as number[];
    const [kh, kw, cIn] = l.getWeights()[0].shape;
    out.push({ layer: l.name, macs: cls === 'Conv2D' ? h * w * kh * kw * cIn * cOut : h * w * kh * kw * cOut });
  }
  return out;
}

/**
 * The arithmetic limit of the frozen-prefix cache for a plan whose first trainable conv is `firstTrainable`:
 * naive epoch ≈ prefix forward + suffix forward + suffix backward (≈ 2× forward: dx and dW), cached ≈ the last two.
 * Returns naive/cached, the most a cache can gain; the head's own cost is left out (tiny).
 */
export function cacheBound(net: MobileNet, firstTrainable: string): { bound: number; prefixMacs: number; suffixMacs: number } {
  const layers = convMacs(net);
  const cut = layers.findIndex((l) => l.layer === firstTrainable);
  const sum = (xs: { macs: number }[]) => xs.reduce((a, b) => a + b.macs, 0);
  const prefixMacs = sum(layers.slice(0, cut));
  const suffixMacs = sum(layers.slice(cut));
  return { bound: (prefixMacs + 3 * suffixMacs) / (3 * suffixMacs), prefixMacs, suffixMacs };
}
