// What the engine's thread and the kernel pool's helpers agree on (kernel-pool.ts, kernel-pool.worker.ts); no tfjs here.

/** Slots of the control block: a generation counter the helpers wait on, how many are still at work, the task, stop. */
export const GEN = 0;
export const PENDING = 1;
export const KIND = 2;
export const STOP = 3;
/** Slots of the control block and of the task parameters. */
export const SLOTS = 32;
/** Doubles of one thread's partial: a depthwise filter gradient of 1,024 channels (9 × 1,024), column sums of 16,384. */
export const PARTIAL = 16_384;

/** What a helper gets once, before it starts waiting for tasks. */
export interface PoolInit {
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  params: SharedArrayBuffer;
  partials: SharedArrayBuffer;
  index: number;
  threads: number;
}

/** Thread `t`'s share of `rows` split over `threads`: [from, to). */
export const share = (rows: number, t: number, threads: number): [number, number] => [Math.floor((t * rows) / threads), Math.floor(((t + 1) * rows) / threads)];
