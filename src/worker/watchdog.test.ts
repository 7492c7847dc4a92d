import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUSY_SILENCE_MS, IDLE_SILENCE_MS, PING_EVERY_MS, Watchdog } from './watchdog';

/** A worker as the watchdog sees it: pings answered at once while it answers, queued while it is blocked. */
function fakeWorker() {
  const queued: (() => void)[] = [];
  let answering = true;
  const w = {
    silent: 0,
    get answering() {
      return answering;
    },
    set answering(v: boolean) {
      answering = v;
      if (v) queued.splice(0).forEach((answer) => answer());
    },
  };
  const dog = new Watchdog(
    () => (answering ? Promise.resolve() : new Promise<void>((r) => queued.push(r))),
    () => w.silent++,
    () => Date.now(),
  );
  return { w, dog };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Watchdog', () => {
  it('leaves an idle worker that answers alone, and gives up on one that stops answering after the idle silence', async () => {
    const { w, dog } = fakeWorker();
    dog.start();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.silent).toBe(0);
    w.answering = false;
    await vi.advanceTimersByTimeAsync(IDLE_SILENCE_MS - PING_EVERY_MS);
    expect(w.silent).toBe(0);
    await vi.advanceTimersByTimeAsync(2 * PING_EVERY_MS);
    expect(w.silent).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.silent, 'said once, then the watchdog stops').toBe(1);
  });

  it('does not kill a worker blocked by a long call: it waits the busy silence, then gives up', async () => {
    const { w, dog } = fakeWorker();
    dog.start();
    w.answering = false;
    let finish = () => {};
    void dog.track(new Promise<void>((r) => (finish = r)));
    await vi.advanceTimersByTimeAsync(BUSY_SILENCE_MS - 2 * PING_EVERY_MS);
    expect(w.silent, 'a synchronous kernel may block the worker for minutes').toBe(0);
    // The call answers: the worker is alive, and the clock starts again from its answer.
    finish();
    w.answering = true;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(w.silent).toBe(0);

    w.answering = false;
    void dog.track(new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(BUSY_SILENCE_MS + 2 * PING_EVERY_MS);
    expect(w.silent).toBe(1);
  });

  it('a check that runs far too late (a frozen or throttled tab) restarts the clock instead of judging', () => {
    let now = 0;
    let silent = 0;
    const dog = new Watchdog(() => new Promise(() => {}), () => silent++, () => now);
    now = 10 * IDLE_SILENCE_MS;
    dog.check();
    expect(silent).toBe(0);
    // On schedule from then on: the silence counts from the thaw.
    for (let t = PING_EVERY_MS; t <= IDLE_SILENCE_MS; t += PING_EVERY_MS) {
      now += PING_EVERY_MS;
      dog.check();
    }
    expect(silent).toBe(0);
    now += PING_EVERY_MS;
    dog.check();
    expect(silent).toBe(1);
  });
});
