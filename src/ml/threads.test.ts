import { describe, expect, it } from 'vitest';
import { wasmThreadCount } from './threads';

describe('wasm threads', () => {
  it('one per core, within 1–8', () => {
    expect([wasmThreadCount(2), wasmThreadCount(4), wasmThreadCount(16), wasmThreadCount(undefined), wasmThreadCount(0)]).toEqual([2, 4, 8, 1, 1]);
  });
});
