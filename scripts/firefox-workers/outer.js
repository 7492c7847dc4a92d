// Starts `children` nested workers: 'together' back to back, 'one-by-one' each after the last has answered. It says
// each step first, so a silence after "constructing k" means the constructor itself never returned.
const answer = (worker) =>
  Promise.race([
    new Promise((resolve) => {
      worker.onmessage = () => resolve(true);
      worker.postMessage('hello');
    }),
    new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
  ]);

self.onmessage = async ({ data: { mode, children } }) => {
  const workers = [];
  let answered = true;
  for (let k = 0; k < children; k++) {
    postMessage({ step: `constructing ${k}` });
    workers.push(new Worker('child.js', { type: 'module' }));
    postMessage({ step: `constructed ${k}` });
    if (mode === 'one-by-one') answered &&= await answer(workers[k]);
  }
  if (mode === 'together') answered = (await Promise.all(workers.map(answer))).every(Boolean);
  workers.forEach((w) => w.terminate());
  postMessage({ result: answered ? 'ok' : 'silent child' });
};
