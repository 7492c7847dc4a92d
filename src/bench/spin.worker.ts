// A fixed amount of pure arithmetic on data that stays in cache: what one core does with no memory traffic and no
// synchronisation, the ceiling any threaded kernel on this machine can approach.
self.onmessage = (e: MessageEvent<number>) => {
  const a = new Float32Array(4096).fill(1);
  const start = performance.now();
  let s = 0;
  for (let r = 0; r < e.data; r++) for (let i = 0; i < a.length; i++) s += a[i] = a[i] * 0.9999 + 0.0001;
  self.postMessage({ ms: performance.now() - start, s });
};
