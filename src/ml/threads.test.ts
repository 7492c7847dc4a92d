import { describe, expect, it } from 'vitest';
import { threadsHangHere, wasmThreadCount } from './threads';

describe('wasm threads', () => {
  it('one per core, within 1–8', () => {
    expect([wasmThreadCount(2), wasmThreadCount(4), wasmThreadCount(16), wasmThreadCount(undefined), wasmThreadCount(0)]).toEqual([2, 4, 8, 1, 1]);
  });

  it('keeps Firefox to one thread, and only Firefox (not Safari, Chrome or WebKitGTK)', () => {
    expect(threadsHangHere('Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0')).toBe(true);
    expect(threadsHangHere('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15')).toBe(false);
    expect(threadsHangHere('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36')).toBe(false);
    expect(threadsHangHere('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/60.5 Safari/605.1.15')).toBe(false);
  });
});
