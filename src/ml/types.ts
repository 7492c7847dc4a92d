/** An image as raw bytes, row-major, RGB or RGBA (alpha is ignored). */
export interface Pixels {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
  channels: 3 | 4;
}

/** One labelled photo of the user's dataset; `label` indexes the class names. */
export interface Sample {
  id: string;
  label: number;
  pixels: Pixels;
}

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
