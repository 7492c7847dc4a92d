import type { BackendChoice, MobileNet } from '../ml';
import { CLASS_NAMES_URL, MODEL_URL } from '../io/assets';
import { wasmPaths } from '../io/wasm-paths';

export type ModelState = 'idle' | 'loading' | 'ready' | 'error';

/** Loads tfjs, picks the backend and loads MobileNet once, on demand, so the home page never waits for it. */
class EngineStore {
  backend = $state.raw<BackendChoice | null>(null);
  modelState = $state<ModelState>('idle');
  /** 0..1 while the weights download. */
  progress = $state(0);
  error = $state<string | null>(null);
  net = $state.raw<MobileNet | null>(null);
  private pending: Promise<MobileNet> | null = null;

  ensure(): Promise<MobileNet> {
    this.pending ??= this.load().catch((err: unknown) => {
      this.modelState = 'error';
      this.error = err instanceof Error ? err.message : String(err);
      this.pending = null;
      throw err;
    });
    return this.pending;
  }

  private async load(): Promise<MobileNet> {
    this.modelState = 'loading';
    this.error = null;
    const ml = await import('../ml');
    this.backend = await ml.chooseBackend({
      requested: new URLSearchParams(location.search).get('backend'),
      wasmPaths,
    });
    const res = await fetch(CLASS_NAMES_URL());
    if (!res.ok) throw new Error(`ImageNet class names: HTTP ${res.status} at ${CLASS_NAMES_URL()}`);
    const classNames = (await res.json()) as string[];
    const net = await ml.loadMobileNet(MODEL_URL(), classNames, (f) => (this.progress = f));
    this.net = net;
    this.modelState = 'ready';
    return net;
  }
}

export const engine = new EngineStore();
