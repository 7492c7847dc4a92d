import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Plugin } from 'vite';

/** tfjs-backend-wasm's threaded-SIMD factory: the one whose source tfjs copies into the pthread workers' blobs. */
const THREADED_FACTORY = /tfjs-backend-wasm\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/;

/** Emscripten's guard in the factory, reading `_scriptDir`, a variable of the closure around the factory. */
const GUARD = 'typeof _scriptDir !== "undefined" && _scriptDir';
/**
 * The same guard, safe in any copy: `_scriptDir` only ever comes from `document.currentScript` in a browser, so it
 * is read only where a document exists. Minifiers keep `typeof` on a global (`document`) as it is, while they rewrite
 * `typeof _scriptDir !== "undefined"` into `_scriptDir !== void 0` (legal in the closure, where the variable is
 * declared) — and the pthread workers run `factory.toString()` without that closure: a ReferenceError there.
 */
const SAFE_GUARD = 'typeof document !== "undefined" && _scriptDir';

/** The core count emscripten reports to tfjs's C++ (navigator.hardwareConcurrency in a browser). */
const CORES = 'return navigator["hardwareConcurrency"]}';
/**
 * tfjs's C++ halves that count (a guess at physical cores) and caps the thread pool there, so a 2-core laptop never
 * gets a second thread whatever `setThreadsCount` asks. Reporting twice the count lifts the cap to the logical cores;
 * how many threads run stays the engine's choice (wasmThreadCount in src/ml/backend.ts).
 */
const CORES_UNCAPPED = 'return 2 * navigator["hardwareConcurrency"]}';

/** Emscripten's pool: every pthread worker constructed back to back as the factory starts, loaded later. */
const POOL = 'var pthreadPoolSize=8;while(pthreadPoolSize--){PThread.allocateUnusedWorker()}';
/**
 * As many as XNNPACK takes (the engine runs one thread per logical core, at most 8: wasmThreadCount), less the
 * engine's own: 1 on a 2-core machine instead of 8 workers that each load the factory and the module at start. Only
 * counted here: POOL_LOAD_ONE_BY_ONE constructs them.
 */
const POOL_AS_NEEDED = 'PThread.poolSize=Math.max(1,Math.min(8,navigator["hardwareConcurrency"]||1)-1)';

/** Emscripten's pool load: sends the module to every constructed worker at once, ready when all have answered. */
const POOL_LOAD =
  'var numWorkersToLoad=PThread.unusedWorkers.length;PThread.unusedWorkers.forEach(function(w){PThread.loadWasmModuleToWorker(w,function(){if(!--numWorkersToLoad)removeRunDependency("wasm-instantiate")})})';
/**
 * The same pool, each worker constructed once the last has loaded the module: Firefox now and then never returns from
 * a `new Worker()` inside a worker, far more often when they come back to back (README, Known limits), so each
 * constructor waits for the last worker to answer. Ready, as before, when all have loaded.
 */
const POOL_LOAD_ONE_BY_ONE =
  '(function loadNext(left){if(!left){removeRunDependency("wasm-instantiate");return}PThread.allocateUnusedWorker();PThread.loadWasmModuleToWorker(PThread.unusedWorkers[PThread.unusedWorkers.length-1],function(){loadNext(left-1)})})(PThread.poolSize)';

/** The factory's fixes, in order: what to find, what it becomes, and its name for the build's error. */
const FIXES: readonly (readonly [name: string, find: string, replace: string])[] = [
  ['_scriptDir guard', GUARD, SAFE_GUARD],
  ['core count', CORES, CORES_UNCAPPED],
  ['pthread pool size', POOL, POOL_AS_NEEDED],
  ['pthread pool load', POOL_LOAD, POOL_LOAD_ONE_BY_ONE],
];

/** tfjs' threaded factory with FIXES applied; throws naming the first fix whose text is not in `code`. */
export function fixThreadedFactory(code: string): string {
  return FIXES.reduce((fixed, [name, find, replace]) => {
    if (!fixed.includes(find)) throw new Error(`the ${name} was not found; check the wasm threads fixes against this tfjs version.`);
    return fixed.replace(find, replace);
  }, code);
}

/**
 * The broken pattern in built code: in the threaded factory's script-directory code (right after it reads
 * `self.location.href` and `document.currentScript.src`), a guard that reads a variable without `typeof`.
 */
export function brokenScriptDirGuard(code: string): string | null {
  const worker = code.indexOf('tfjs-backend-wasm-threaded-simd.worker.js');
  if (worker < 0) return null;
  const at = code.lastIndexOf('location.href', worker);
  if (at < 0) return 'the threaded factory has no script-directory code to check';
  const src = code.indexOf('document.currentScript.src', at);
  const blob = code.indexOf('.indexOf(`blob:`)', src) >= 0 ? code.indexOf('.indexOf(`blob:`)', src) : code.indexOf('.indexOf("blob:")', src);
  if (src < 0 || blob < 0) return 'the threaded factory has no script-directory code to check';
  const guard = code.slice(code.indexOf(')', src) + 1, blob);
  return /typeof\s*document/.test(guard) ? null : guard.trim().slice(0, 80);
}

/**
 * Where tfjs' threaded binary keeps XNNPACK's thread pool (the C global `threadpool`), read from the code of its
 * exported `get_threads_count`: `i32.const <address>; i32.load` as its first instructions after one i32 local.
 * Null when the function does not start so (another tfjs build): the engine then never switches the pool off.
 */
export function xnnPoolAddress(wasm: Uint8Array): number | null {
  let p = 8;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = wasm[p++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  const name = () => {
    const length = leb();
    return new TextDecoder().decode(wasm.subarray(p, (p += length)));
  };
  const limits = () => {
    const flags = wasm[p++];
    leb();
    if (flags & 1) leb();
  };
  let imported = 0;
  let exported = -1;
  let code = -1;
  while (p < wasm.length) {
    const id = wasm[p++];
    const end = leb() + p;
    if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        name();
        name();
        const kind = wasm[p++];
        if (kind === 0) {
          leb();
          imported++;
        } else if (kind === 1) {
          p++;
          limits();
        } else if (kind === 2) limits();
        else p += 2;
      }
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) {
        const what = name();
        const kind = wasm[p++];
        const index = leb();
        if (kind === 0 && what === 'get_threads_count') exported = index;
      }
    } else if (id === 10) code = p;
    p = end;
  }
  if (exported < imported || code < 0) return null;
  p = code;
  for (let n = leb(), i = 0; i < n; i++) {
    const size = leb();
    if (i === exported - imported) {
      const body = wasm.subarray(p, p + size);
      if (body[0] !== 1 || body[1] !== 1 || body[2] !== 0x7f || body[3] !== 0x41) return null;
      p += 4;
      const address = leb();
      return wasm[p] === 0x28 && wasm[p + 1] === 2 && wasm[p + 2] === 0 ? address : null;
    }
    p += size;
  }
  return null;
}

/** The threaded binary the app ships (src/io/wasm-paths.ts). */
const threadedBinary = () => readFileSync(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm'));

/**
 * Lets the wasm backend's threads work in the built app: rewrites the threaded factory's `_scriptDir` guard before
 * the minifier sees it (tfjs-backend-wasm README, "JS Minification"), lifts the thread cap to the logical cores and
 * starts only the pthread workers the engine uses, one at a time;
 * fails the build when a bundle still holds the broken guard (a tfjs upgrade that moves it, a minifier that rewrites
 * the new one).
 */
export function wasmThreads(): Plugin {
  return {
    name: 'transfer-lab-wasm-threads',
    enforce: 'pre',
    // The engine switches XNNPACK's pool off while data-parallel peers have the other cores (src/worker/xnn-pool.ts).
    config: () => ({ define: { __XNN_POOL_ADDRESS__: JSON.stringify(xnnPoolAddress(threadedBinary())) } }),
    transform(code, id) {
      if (!THREADED_FACTORY.test(id)) return null;
      try {
        return { code: fixThreadedFactory(code), map: null };
      } catch (err) {
        this.error(`${id}: ${(err as Error).message}`);
      }
    },
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const broken = brokenScriptDirGuard(chunk.code);
        if (broken) this.error(`${chunk.fileName}: the wasm threads' _scriptDir guard is broken in the built code (${broken}): pthread workers would fail.`);
      }
    },
  };
}
