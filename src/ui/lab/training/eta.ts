/** Seconds left at the average pace so far, or null until there is a pace to go by. */
export function etaSeconds(done: number, total: number, elapsedMs: number): number | null {
  if (done <= 0 || total <= done || elapsedMs <= 0) return null;
  return ((total - done) * elapsedMs) / done / 1000;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}
