import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fixThreadedFactory, xnnPoolAddress } from './vite-plugin-wasm-threads';

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

describe("tfjs' threaded factory, fixed for the build", () => {
  const factory = readFileSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js'), 'utf8');
  const fixed = fixThreadedFactory(factory);

  it('still parses, keeps the guard typeof-safe and constructs no pthread worker as the factory starts', () => {
    expect(() => new Function(fixed)).not.toThrow();
    expect(fixed).toContain('typeof document !== "undefined" && _scriptDir');
    expect(fixed).not.toContain('while(pthreadPoolSize--)');
    expect(fixed).not.toContain('PThread.unusedWorkers.forEach');
  });

  it('constructs each pthread worker once the last has loaded the module, and is ready when all have', () => {
    // The fixed pool start and load, run against a PThread whose workers load when the test says so.
    const start = /initMainThread:function\(\)\{(.*?)\}/.exec(fixed)![1];
    const load = /(\(function loadNext.*?\(PThread\.poolSize\))/.exec(fixed)![1];
    const events: string[] = [];
    const pending: (() => void)[] = [];
    const PThread = {
      unusedWorkers: [] as number[],
      poolSize: 0,
      allocateUnusedWorker() {
        events.push(`new Worker ${this.unusedWorkers.length + 1}`);
        this.unusedWorkers.push(this.unusedWorkers.length + 1);
      },
      loadWasmModuleToWorker(worker: number, loaded: () => void) {
        events.push(`load ${worker}`);
        pending.push(() => (events.push(`loaded ${worker}`), loaded()));
      },
    };
    new Function('PThread', 'navigator', start)(PThread, { hardwareConcurrency: 4 });
    expect(PThread.poolSize).toBe(3);
    expect(PThread.unusedWorkers).toEqual([]);
    new Function('PThread', 'removeRunDependency', load)(PThread, (what: string) => events.push(`ready (${what})`));
    while (pending.length) pending.shift()!();
    expect(events).toEqual([
      'new Worker 1', 'load 1', 'loaded 1',
      'new Worker 2', 'load 2', 'loaded 2',
      'new Worker 3', 'load 3', 'loaded 3',
      'ready (wasm-instantiate)',
    ]);
  });

  it('names the fix whose text another tfjs version lacks', () => {
    expect(() => fixThreadedFactory(factory.replace('var numWorkersToLoad=', 'var workersLeft='))).toThrow(/pthread pool load was not found/);
  });
});
