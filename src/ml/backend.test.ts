import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { chooseBackend, gradientSelfTest, isSoftwareAdapter, pickBackend, rankMeasured, type StepTimings } from './backend';
import type { BackendName } from './types';

afterAll(async () => {
  await tf.setBackend('cpu');
});

/** Swaps a wasm kernel for `kernelFunc` (or removes it) while `body` runs, then puts the real one back. */
async function withWasmKernel<T>(name: string, kernelFunc: tf.KernelFunc | null, body: () => Promise<T>): Promise<T> {
  const real = tf.getKernel(name, 'wasm')!;
  tf.unregisterKernel(name, 'wasm');
  if (kernelFunc) tf.registerKernel({ ...real, kernelFunc });
  try {
    return await body();
  } finally {
    if (kernelFunc) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(real);
  }
}

describe('backend choice', () => {
  it('recognises software WebGPU adapters', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true, info: { vendor: 'intel' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'ada' } })).toBe(false);
  });

  it('ranks backends by one inference step plus one training step of the probe', () => {
    const here = rankMeasured({ webgl: { infer: 99, train: 400 }, wasm: { infer: 15, train: 40 }, cpu: { infer: 178, train: 900 } });
    expect(here.order).toEqual(['wasm', 'webgl', 'cpu']);
    expect(here.reason).toMatch(/^WASM measured fastest for inference and training \(WASM 15\.0 ms inference \+ 40\.0 ms training, 9\.1× faster than WEBGL/);
    // Faster inference alone does not win when training costs more than it saves.
    const gpu = rankMeasured({ webgl: { infer: 20, train: 30 }, wasm: { infer: 10, train: 60 } });
    expect(gpu.order).toEqual(['webgl', 'wasm']);
    expect(rankMeasured({ cpu: { infer: 5, train: 9 } })).toMatchObject({ order: ['cpu'], reason: expect.stringMatching(/the only one measured/) });
    // The learner's version carries the figures themselves, for the sentence in their language.
    expect(here.note).toEqual({ key: 'fastest', values: { best: 'wasm', infer: 15, train: 40, times: 9.1, next: 'webgl', nextInfer: 99, nextTrain: 400 } });
    expect(rankMeasured({ cpu: { infer: 5.04, train: 9 } }).note).toEqual({ key: 'only-measured', values: { best: 'cpu', infer: 5, train: 9 } });
  });

  it('the gradient self-test passes on wasm with its gradient kernels, fails with a zero kernel or a missing one', async () => {
    await chooseBackend({ requested: 'wasm' });
    expect(tf.getBackend()).toBe('wasm');
    const good = await gradientSelfTest();
    expect(good.ok).toBe(true);
    expect(good.conv).toBe(true);
    expect(good.maxDiff).toBeLessThan(1e-3);

    const zeros: tf.KernelFunc = ({ attrs, backend }) =>
      tf.getKernel('Fill', 'wasm')!.kernelFunc({ inputs: {}, attrs: { shape: (attrs as { filterShape: number[] }).filterShape, value: 0, dtype: 'float32' }, backend });
    const broken = await withWasmKernel('DepthwiseConv2dNativeBackpropFilter', zeros, gradientSelfTest);
    expect(broken.ok).toBe(false);
    expect(broken.maxDiff).toBeGreaterThan(0.1);

    const missing = await withWasmKernel('Conv2DBackpropFilter', null, gradientSelfTest);
    expect(missing).toMatchObject({ ok: false, conv: false });

    const restored = await gradientSelfTest();
    expect(restored).toEqual(good);
  });

  it('uses a requested backend; wasm can fine-tune', async () => {
    expect(await chooseBackend({ requested: 'CPU' })).toMatchObject({ name: 'cpu', reason: 'cpu requested', notes: [{ key: 'requested', values: { backend: 'cpu' } }] });
    expect(tf.getBackend()).toBe('cpu');
    expect(await chooseBackend({ requested: 'wasm' })).toMatchObject({ name: 'wasm' });
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
  });

  it('says why wasm runs on one thread when more were asked and the runtime shares no memory (Node, as WebKitGTK)', async () => {
    // 4 cores, 4 threads asked; tfjs in Node, like WebKitGTK 2.50 isolated, finds no SharedArrayBuffer to share.
    vi.stubGlobal('navigator', { hardwareConcurrency: 4 });
    try {
      const choice = await chooseBackend({ requested: 'wasm', threads: 4 });
      expect(choice).toMatchObject({ name: 'wasm', threads: 1 });
      expect(choice.notes.at(-1)).toEqual({ key: 'one-thread-no-shared-memory', values: { asked: 4 } });
      expect(choice.reason).toMatch(/1 thread, not 4/);
      // One thread asked (a page not yet isolated, or one core): nothing to explain.
      expect((await chooseBackend({ requested: 'wasm', threads: 1 })).notes.map((n) => n.key)).not.toContain('one-thread-no-shared-memory');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('measures inference and training per backend and takes the best ranked one (Node has wasm and cpu)', async () => {
    const choice = await chooseBackend();
    const timings = choice.timings!;
    expect(Object.keys(timings).sort()).toEqual(['cpu', 'wasm']);
    for (const t of Object.values(timings)) {
      expect(t.infer).toBeGreaterThan(0);
      expect(t.train).toBeGreaterThan(0);
    }
    expect(choice.name).toBe(rankMeasured(timings).order[0]);
    expect(choice.reason).toMatch(/measured fastest for inference and training/);
    expect(tf.getBackend()).toBe(choice.name);
    // Plain numbers: the choice crosses a worker boundary unchanged.
    expect(JSON.parse(JSON.stringify(choice))).toEqual(choice);
  });

  it('falls back with reasons when the requested backend and WebGPU are unavailable (Node has neither)', async () => {
    const choice = await chooseBackend({ requested: 'webgl', measure: false });
    expect(choice.tried[0]).toMatchObject({ name: 'webgl', ok: false });
    expect(choice.tried[1]).toMatchObject({ name: 'webgpu', ok: false, reason: 'this browser has no WebGPU' });
    expect(choice.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(choice.reason).toMatch(/requested webgl did not work/);
    expect(choice.notes.map((n) => n.key)).toEqual(['requested-failed', 'init-error', 'no-webgpu', 'first-works']);
    expect(choice.notes[1].values).toMatchObject({ backend: 'webgl', detail: expect.any(String) });
  });

  describe('the measured choice, on timings a real GPU would give (injected: this machine has none)', () => {
    /** Backends that time as given and pass the self-test unless named in `broken`. */
    const probes = (timings: Partial<Record<BackendName, StepTimings | Error>>, broken: BackendName[] = []) => {
      let active: BackendName | null = null;
      return {
        activate: async (name: BackendName) => ((active = name), null),
        time: async () => {
          const t = timings[active!];
          if (t instanceof Error) throw t;
          return t!;
        },
        check: async (name: BackendName) =>
          broken.includes(name) ? { text: `${name} failed the gradient self-test`, note: { key: 'self-test', values: { backend: name, diff: '1.0e+0' } } } : null,
      };
    };
    const all: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

    it('takes WebGPU on a hardware adapter when it measures fastest, and says by how much', async () => {
      const picked = await pickBackend(all, true, probes({ webgpu: { infer: 2, train: 6 }, webgl: { infer: 5, train: 15 }, wasm: { infer: 4, train: 30 }, cpu: { infer: 50, train: 400 } }));
      expect(picked.name).toBe('webgpu');
      expect(picked.steps[0].note).toEqual({ key: 'fastest', values: { best: 'webgpu', infer: 2, train: 6, times: 2.5, next: 'webgl', nextInfer: 5, nextTrain: 15 } });
    });

    it('leaves a GPU that measures slower than wasm for these small batches', async () => {
      const picked = await pickBackend(all, true, probes({ webgpu: { infer: 9, train: 40 }, webgl: { infer: 12, train: 60 }, wasm: { infer: 3, train: 20 }, cpu: { infer: 50, train: 400 } }));
      expect(picked.name).toBe('wasm');
      expect(picked.steps[0].text).toMatch(/^WASM measured fastest .*2\.1× faster than WEBGPU 9\.0 ms inference \+ 40\.0 ms training/);
    });

    it('a fastest GPU that fails the gradient self-test gives way to the next, and the reason says why', async () => {
      const picked = await pickBackend(all, true, probes({ webgpu: { infer: 1, train: 2 }, webgl: { infer: 5, train: 15 }, wasm: { infer: 4, train: 30 }, cpu: new Error('out of memory') }, ['webgpu']));
      expect(picked.name).toBe('webgl');
      expect(picked.steps.map((x) => x.note.key)).toEqual(['fastest', 'self-test']);
      expect(picked.tried).toEqual([
        expect.objectContaining({ name: 'cpu', ok: false, note: { key: 'probe-failed', values: { backend: 'cpu', detail: 'out of memory' } } }),
        expect.objectContaining({ name: 'webgpu', ok: false }),
        expect.objectContaining({ name: 'webgl', ok: true, note: { key: 'probe', values: { infer: 5, train: 15 } } }),
      ]);
      expect(picked.timings.cpu).toBeUndefined();
    });

    it('without measuring, the first in the given order that passes the self-test', async () => {
      const picked = await pickBackend(all, false, probes({}, ['webgpu']));
      expect(picked).toMatchObject({ name: 'webgl', timings: {} });
      expect(picked.steps.map((x) => x.note.key)).toEqual(['self-test', 'first-works']);
      expect((await pickBackend(['cpu'], false, probes({}, ['cpu']))).name).toBeNull();
    });
  });
});
