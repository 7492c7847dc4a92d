import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SPAWN_STUCK_MS, announceSpawns, watchSpawns } from './spawn-watch';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** The engine's worker as the page sees it: an EventTarget whose messages are what announceSpawns posted. */
function engineWorker(constructor: (url: string) => object) {
  const page = new EventTarget();
  const scope = {
    Worker: function (this: object, url: string) {
      return constructor(url);
    } as unknown as typeof Worker,
    postMessage: (data: unknown) => page.dispatchEvent(new MessageEvent('message', { data })),
  };
  announceSpawns(scope);
  return { page, scope };
}

describe('spawn watch', () => {
  it('announces every new Worker(), before and after, and returns the real worker', () => {
    const made = { made: true };
    const { page, scope } = engineWorker(() => made);
    const said: unknown[] = [];
    page.addEventListener('message', (e) => said.push((e as MessageEvent).data));
    expect(new scope.Worker!('https://example.edu/lab/assets/tfjs-backend-wasm-threaded-simd.worker.js?v=1')).toBe(made);
    const script = 'tfjs-backend-wasm-threaded-simd.worker.js';
    expect(said).toEqual([{ transferLabSpawn: 'begin', script }, { transferLabSpawn: 'end', script }]);
  });

  it('says "end" even when the constructor throws, so a refused worker is not taken for a stuck one', () => {
    const { page, scope } = engineWorker(() => {
      throw new Error('refused by CSP');
    });
    const stuck = vi.fn();
    watchSpawns(page, stuck);
    expect(() => new scope.Worker!('blob:x')).toThrow('refused by CSP');
    vi.advanceTimersByTime(3 * SPAWN_STUCK_MS);
    expect(stuck).not.toHaveBeenCalled();
  });

  it('gives up once on a constructor that never returns, after SPAWN_STUCK_MS', () => {
    const page = new EventTarget();
    const stuck = vi.fn();
    watchSpawns(page, stuck);
    const post = (s: 'begin' | 'end', script: string) => page.dispatchEvent(new MessageEvent('message', { data: { transferLabSpawn: s, script } }));
    post('begin', 'blob');
    post('end', 'blob');
    post('begin', 'kernel-pool.worker.js');
    vi.advanceTimersByTime(SPAWN_STUCK_MS - 1);
    expect(stuck).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(stuck).toHaveBeenCalledTimes(1);
    expect(stuck).toHaveBeenCalledWith('kernel-pool.worker.js');
    // Stopped watching: later signals change nothing.
    post('begin', 'blob');
    vi.advanceTimersByTime(3 * SPAWN_STUCK_MS);
    expect(stuck).toHaveBeenCalledTimes(1);
  });

  it('waits once more when its check ran late (the page was busy), and ignores every other message', () => {
    const page = new EventTarget();
    const stuck = vi.fn();
    let clock = 0;
    watchSpawns(page, stuck, () => clock);
    page.dispatchEvent(new MessageEvent('message', { data: { id: 'comlink-reply', value: 1 } }));
    page.dispatchEvent(new MessageEvent('message', { data: { transferLabSpawn: 'begin', script: 'blob' } }));
    clock = 10 * SPAWN_STUCK_MS;
    vi.advanceTimersByTime(SPAWN_STUCK_MS);
    expect(stuck).not.toHaveBeenCalled();
    page.dispatchEvent(new MessageEvent('message', { data: { transferLabSpawn: 'end', script: 'blob' } }));
    vi.advanceTimersByTime(3 * SPAWN_STUCK_MS);
    expect(stuck).not.toHaveBeenCalled();
  });

  it('stops watching when asked', () => {
    const page = new EventTarget();
    const stuck = vi.fn();
    const stop = watchSpawns(page, stuck);
    page.dispatchEvent(new MessageEvent('message', { data: { transferLabSpawn: 'begin', script: 'blob' } }));
    stop();
    vi.advanceTimersByTime(3 * SPAWN_STUCK_MS);
    expect(stuck).not.toHaveBeenCalled();
  });
});
