import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { xnnPoolAddress } from './vite-plugin-wasm-threads';

const binary = (name: string) => readFileSync(createRequire(import.meta.url).resolve(`@tensorflow/tfjs-backend-wasm/dist/${name}`));

describe("XNNPACK's pool address in tfjs' binaries", () => {
  it('is read from get_threads_count in the threaded and the single-threaded binary', () => {
    // tfjs-backend-wasm 4.22.0: `i32.const 23564; i32.load` (threaded) and `i32.const 23228` (SIMD only).
    expect(xnnPoolAddress(binary('tfjs-backend-wasm-threaded-simd.wasm'))).toBe(23564);
    expect(xnnPoolAddress(binary('tfjs-backend-wasm-simd.wasm'))).toBe(23228);
  });

  it('is null for a module whose get_threads_count starts otherwise', () => {
    const bytes = Uint8Array.from(binary('tfjs-backend-wasm-threaded-simd.wasm'));
    const at = Buffer.from(bytes).indexOf(Buffer.from([0x01, 0x01, 0x7f, 0x41, 0x8c, 0xb8, 0x01, 0x28]));
    expect(at).toBeGreaterThan(0);
    bytes[at + 7] = 0x29; // i64.load instead of i32.load
    expect(xnnPoolAddress(bytes)).toBeNull();
    expect(xnnPoolAddress(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]))).toBeNull();
  });
});
