/** Why the page gave up on its engine worker; 'stuck': inside `new Worker()` (spawn-watch.ts). */
export type LossCause = 'crashed' | 'unresponsive' | 'stuck';

export interface EngineLoss {
  cause: LossCause;
  /** The browser's own words, where it gave any (an `error` event's message); for 'stuck', the script being started. */
  detail: string;
}

/** How often the page asks the worker for a sign of life. */
export const PING_EVERY_MS = 3_000;
/** Silence that means a stuck worker while no call is in flight: an idle worker answers a ping within milliseconds. */
export const IDLE_SILENCE_MS = 12_000;
/** Silence tolerated while a call is in flight: one batch on a slow backend legitimately blocks the worker for minutes. */
export const BUSY_SILENCE_MS = 300_000;

/**
 * Decides when a worker stopped answering, from pings and the calls the page has in flight. A worker is judged
 * only by what the page heard (replies to pings or to calls), never by how long a call takes; a busy worker gets
 * BUSY_SILENCE_MS before it is judged, so long synchronous kernels are not mistaken for a hang. A check that runs
 * far later than scheduled (a frozen or throttled tab) restarts the clock instead of judging.
 */
export class Watchdog {
  private inFlight = 0;
  private lastHeard: number;
  private lastCheck: number;
  private pinging = false;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly onSilent: () => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastHeard = this.lastCheck = now();
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), PING_EVERY_MS);
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Wraps one call to the worker: it counts as in flight until it settles, and its answer is a sign of life. */
  track<T>(call: Promise<T>): Promise<T> {
    this.inFlight++;
    const settle = () => {
      this.inFlight--;
      this.heard();
    };
    call.then(settle, settle);
    return call;
  }

  heard(): void {
    this.lastHeard = this.now();
  }

  /** One tick: judges the silence so far, then pings if no ping is outstanding. */
  check(): void {
    const now = this.now();
    const late = now - this.lastCheck > 3 * PING_EVERY_MS;
    this.lastCheck = now;
    if (late) this.heard();
    const silence = now - this.lastHeard;
    if (silence > (this.inFlight > 0 ? BUSY_SILENCE_MS : IDLE_SILENCE_MS)) {
      this.stop();
      this.onSilent();
      return;
    }
    if (this.pinging) return;
    this.pinging = true;
    this.ping().then(
      () => {
        this.pinging = false;
        this.heard();
      },
      () => (this.pinging = false),
    );
  }
}
