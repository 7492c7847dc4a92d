// A fixed amount of pure arithmetic on data that stays in cache: what one core does with no memory traffic and no
// synchronisation, the ceiling any threaded kernel on this machine can approach.

/** One pass over the array. A function of its own: as an inner loop in the handler, V8 compiled it on stack
 *  replacement and threw that code away at every exit from it (thousands of deopts a run, recompiled on the
 *  background threads the measurement is meant to leave alone). */
function pass(a: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] = a[i] * 0.9999 + 0.0001;
  return s;
}

self.onmessage = (e: MessageEvent<number>) => {
  const a = new Float32Array(4096).fill(1);
  // Optimised before the clock starts.
  for (let r = 0; r < 200; r++) pass(a);
  const start = performance.now();
  let s = 0;
  for (let r = 0; r < e.data; r++) s += pass(a);
  self.postMessage({ ms: performance.now() - start, s });
};
