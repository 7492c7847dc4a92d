/**
 * Gradual unfreezing's schedule (ULMFiT, Howard & Ruder 2018, §3.2): blocks learning during 1-based `epoch` — none
 * for the first `every` epochs (the head alone), then one more block every `every` epochs, never more than `blocks`.
 */
export function blocksAt(epoch: number, every: number, blocks: number): number {
  return Math.min(blocks, Math.floor((epoch - 1) / every));
}
