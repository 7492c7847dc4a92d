/** An image as raw bytes, row-major, RGB or RGBA (alpha is ignored). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels: 3 | 4;
}

/**
 * A photo held encoded and decoded only for the batch that reads it, so the engine's memory follows the batch and
 * not the project. `width`×`height` is what `load` gives (views are planned before decoding).
 */
export interface EncodedPixels {
  width: number;
  height: number;
  load(): Promise<Pixels>;
}

/** A photo's pixels as they are held: decoded already, or encoded until a batch needs them. */
export type PixelSource = Pixels | EncodedPixels;

/** One labelled photo of the user's dataset; `label` indexes the class names. */
export interface Sample {
  id: string;
  label: number;
  pixels: PixelSource;
}

/** A sample whose pixels are in memory already (tests, the benchmark). */
export type DecodedSample = Sample & { pixels: Pixels };

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export type EngineErrorCode =
  | 'NO_SAMPLES'
  | 'ONE_CLASS'
  | 'TOO_FEW_SAMPLES'
  | 'BAD_SAMPLE'
  | 'BAD_IMAGE'
  | 'BAD_HYPERPARAMETER'
  | 'BAD_PLAN'
  | 'NO_TRAINABLE'
  | 'NOT_TRAINED'
  | 'BUSY'
  | 'CANCELLED'
  | 'MODEL'
  | 'BACKEND'
  | 'LOST';

/**
 * The only error the engine throws on purpose. `message` is plain English for logs;
 * the UI translates by `code` and fills its own sentence from `details`.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly details: Record<string, string | number>;

  constructor(code: EngineErrorCode, message: string, details: Record<string, string | number> = {}) {
    super(message);
    this.name = 'EngineError';
    this.code = code;
    this.details = details;
  }
}
