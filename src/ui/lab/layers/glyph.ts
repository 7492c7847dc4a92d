import type { LayerKind } from '../../../ml/layers';

/** A short visual mark per layer type; the type's name is always given in text beside it. */
export const glyphs: Record<LayerKind, string> = {
  input: '⇢',
  conv: '▦',
  depthwise: '▤',
  batchnorm: 'β',
  relu: '⌐',
  pooling: '▾',
  reshape: '⤡',
  dropout: '◌',
  dense: '●',
  softmax: 'σ',
  other: '·',
};

export const formatShape = (shape: (number | null)[]) => shape.slice(1).join('×');
export const formatCount = (n: number, locale: string) => n.toLocaleString(locale);
