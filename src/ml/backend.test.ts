import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseBackend, gradientSelfTest, isSoftwareAdapter, rankMeasured } from './backend';

afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('backend choice', () => {
  it('recognises software WebGPU adapters', () => {
    expect(isSoftwareAdapter({ info: { vendor: 'google', architecture: 'swiftshader' } })).toBe(true);
    expect(isSoftwareAdapter({ isFallbackAdapter: true, info: { vendor: 'intel' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' } })).toBe(true);
    expect(isSoftwareAdapter({ info: { vendor: 'nvidia', architecture: 'ada' } })).toBe(false);
  });

  it('prefers a backend that can fine-tune unless wasm is more than 3× faster', () => {
    // This machine's numbers (ML-NOTES): wasm 15.6, webgl 99, cpu 178 ms → wasm, with the caveat spelled out.
    const slowGl = rankMeasured({ webgl: 99, wasm: 15.6, cpu: 178 });
    expect(slowGl.order).toEqual(['wasm', 'webgl', 'cpu']);
    expect(slowGl.reason).toMatch(/WASM measured 6\.3× faster than WEBGL.*cannot fine-tune/);
    const closeCall = rankMeasured({ webgl: 40, wasm: 15, cpu: 178 });
    expect(closeCall.order).toEqual(['webgl', 'cpu', 'wasm']);
    expect(closeCall.reason).toMatch(/^WEBGL measured fastest among backends that can fine-tune/);
    expect(rankMeasured({ cpu: 100 }).order).toEqual(['cpu']);
  });

  it('passes the gradient self-test on cpu', async () => {
    await tf.setBackend('cpu');
    expect(await gradientSelfTest()).toEqual({ ok: true, maxDiff: 0, conv: true });
  });

  it('uses a requested backend', async () => {
    const choice = await chooseBackend({ requested: 'CPU' });
    expect(choice).toMatchObject({ name: 'cpu', reason: 'cpu requested', canFineTune: true });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('falls back with reasons when the requested backend and WebGPU are unavailable (Node has neither)', async () => {
    const choice = await chooseBackend({ requested: 'webgl', measure: false });
    expect(choice.tried[0]).toMatchObject({ name: 'webgl', ok: false });
    expect(choice.tried[1]).toMatchObject({ name: 'webgpu', ok: false, reason: 'this browser has no WebGPU' });
    expect(['wasm', 'cpu']).toContain(choice.name);
    expect(tf.getBackend()).toBe(choice.name);
    expect(choice.reason).toMatch(/requested webgl did not work/);
    expect(choice.canFineTune).toBe(choice.name !== 'wasm');
  });
});
