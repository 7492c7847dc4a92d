// Vite copies the wasm binaries into the build with hashed names; the wasm backend gets their URLs.
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export const wasmPaths: Record<string, string> = {
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
};

/** The same files as absolute URLs against the page's base: a worker would resolve relative ones against its script. */
export function absoluteWasmPaths(base: string): Record<string, string> {
  return Object.fromEntries(Object.entries(wasmPaths).map(([name, url]) => [name, new URL(url, base).href]));
}
