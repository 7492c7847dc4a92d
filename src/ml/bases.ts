/**
 * The base networks the lab can stand on, with their published facts. Data only (no tfjs), so views may import it.
 * Parameters and bytes are those of the model.json + shards the asset setup installs (checked by bases.test.ts).
 */
export interface BaseFacts {
  id: BaseId;
  /** Folder under public/assets/models/. */
  folder: string;
  /** MobileNet's width multiplier α: every layer has α times the channels of the full network. */
  alpha: number;
  /** Width of the embedding the head reads: conv_pw_13_relu has 1024·α channels. */
  embeddingWidth: number;
  params: number;
  /** Download size of model.json plus its weight shards. */
  bytes: number;
  /** Multiply-adds for one 224×224 image (Howard et al. 2017, Table 7). */
  macs: number;
  /** Published ImageNet top-1 accuracy of this checkpoint (fraction). */
  imagenetTop1: number;
  source: string;
}

export type BaseId = 'mobilenet_v1_0.25' | 'mobilenet_v1_0.75';

const SOURCE = 'Howard et al., MobileNets (arXiv:1704.04861), Table 7; tensorflow/models mobilenet_v1.md (224 px checkpoints)';

export const BASES: readonly BaseFacts[] = [
  {
    id: 'mobilenet_v1_0.25',
    folder: 'mobilenet_v1_0.25_224',
    alpha: 0.25,
    embeddingWidth: 256,
    params: 475_544,
    bytes: 1_956_310,
    macs: 41e6,
    imagenetTop1: 0.498,
    source: SOURCE,
  },
  {
    id: 'mobilenet_v1_0.75',
    folder: 'mobilenet_v1_0.75_224',
    alpha: 0.75,
    embeddingWidth: 768,
    params: 2_601_976,
    bytes: 10_457_307,
    macs: 317e6,
    imagenetTop1: 0.684,
    source: SOURCE,
  },
];

/** The base a new project starts on: small and fast, precached by the service worker. */
export const DEFAULT_BASE: BaseId = 'mobilenet_v1_0.25';

export function isBaseId(v: unknown): v is BaseId {
  return BASES.some((b) => b.id === v);
}

export function baseFacts(id: BaseId): BaseFacts {
  return BASES.find((b) => b.id === id)!;
}

/** Which base a loaded model is, told by its own embedding width (the model says it, not a file name); null if neither. */
export function baseByWidth(embeddingWidth: number): BaseId | null {
  return BASES.find((b) => b.embeddingWidth === embeddingWidth)?.id ?? null;
}

/**
 * A measured speed on one base, estimated for another by its multiply-adds: t₂ ≈ t₁ · MACs₂ / MACs₁.
 * An estimate only (small layers use the hardware less well), so the UI marks it as such.
 */
export function scaledMs(measuredMs: number, from: BaseId, to: BaseId): number {
  return (measuredMs * baseFacts(to).macs) / baseFacts(from).macs;
}
