#!/usr/bin/env node
// Where wasm's time goes with 1 thread and with all (a diagnosis, not a figure of record): the threads part's engines
// and jobs with every kernel timed (tf.profile), summed by kernel, and the CPU and minor page faults of each renderer
// thread meanwhile (Linux /proc), which show threads that spin and memory that is touched afresh. Under the shared lock on a quiet machine, after `npm run build`:
//   flock /tmp/e2e.lock node scripts/bench/profile.mjs [runs=3] [rows=25]   (PROFILE_JSON=file keeps the raw rows)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { launchChromium } from '../chromium.mjs';

const runs = Number(process.argv[2] ?? 3);
const top = Number(process.argv[3] ?? 25);
const port = 4190;
const ticks = 100; // USER_HZ

/**
 * CPU seconds and minor page faults of every thread of every Chromium renderer process, by "pid/tid name". Faults
 * matter on a virtual machine: where the hypervisor shadows page tables (PVM here) each one costs about 12 µs.
 */
function threadStats() {
  const out = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd;
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmd.includes('--type=renderer')) continue;
    let tids = [];
    try { tids = readdirSync(`/proc/${pid}/task`); } catch { continue; }
    for (const tid of tids) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(`${pid}/${tid} ${name}`, { cpu: (Number(f[11]) + Number(f[12])) / ticks, faults: Number(f[7]) });
      } catch { /* thread ended */ }
    }
  }
  return out;
}

const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', 'dist', '--base', '/', '--port', String(port), '--headers'], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));
const browser = await launchChromium();
const profiles = {};
const cpu = {};
try {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/bench.html`);
  await page.waitForFunction(() => 'startProfileBench' in window);
  const { count, jobs } = await page.evaluate(() => window.startProfileBench(8));
  for (const job of jobs) {
    for (const threads of [1, count]) {
      const before = threadStats();
      const t0 = Date.now();
      profiles[`${job} ${threads}`] = await page.evaluate(([t, j, r]) => window.profileJob(t, j, r), [threads, job, runs]);
      const wall = (Date.now() - t0) / 1000;
      const delta = [...threadStats()].map(([k, s]) => [k, { cpu: s.cpu - (before.get(k)?.cpu ?? 0), faults: s.faults - (before.get(k)?.faults ?? 0) }]);
      const used = delta.filter(([, s]) => s.cpu > 0.02 * wall);
      // Per run of the job: the profiled runs and the warm one before them.
      const faulting = delta.filter(([, s]) => s.faults > 100 * (runs + 1));
      cpu[`${job} ${threads}`] = {
        wall,
        threads: Object.fromEntries(used.map(([k, s]) => [k, Number((s.cpu / wall).toFixed(2))])),
        faultsPerRun: Object.fromEntries(faulting.map(([k, s]) => [k, Math.round(s.faults / (runs + 1))])),
      };
    }
  }
  await page.evaluate(() => window.endProfile());
} finally {
  await browser.close();
  server.kill();
}
if (process.env.PROFILE_JSON) writeFileSync(process.env.PROFILE_JSON, JSON.stringify({ profiles, cpu }, null, 1));

const f = (x) => x.toFixed(1).padStart(8);
const jobs = [...new Set(Object.keys(profiles).map((k) => k.split(' ')[0]))];
for (const job of jobs) {
  const [[k1, one], [kN, all]] = Object.entries(profiles).filter(([k]) => k.startsWith(`${job} `));
  console.log(`\n## ${job}: wall ${f(one.wallMs)} → ${f(all.wallMs)} ms (${(one.wallMs / all.wallMs).toFixed(2)}×); in kernels ${f(one.kernelMs)} → ${f(all.kernelMs)}; outside ${f(one.wallMs - one.kernelMs)} → ${f(all.wallMs - all.kernelMs)}`);
  for (const k of [k1, kN]) console.log(`cores busy per renderer thread (${k}): ${JSON.stringify(cpu[k].threads)}`);
  for (const k of [k1, kN]) console.log(`minor page faults per run and thread (${k}): ${JSON.stringify(cpu[k].faultsPerRun)}`);
  if (all.pool.length) {
    console.log(`kernel pool (${kN}): the engine thread's share and its wait for the helpers, ms per run (a share near the one-thread kernel's ms: the threads ran at half speed)`);
    for (const t of all.pool) console.log(`${t.task.padEnd(28)} ${f(t.ownMs)} ${f(t.waitMs)}  ${t.calls}×`);
  }
  const byName = (p) => p.rows.reduce((m, r) => m.set(r.name, (m.get(r.name) ?? 0) + r.ms), new Map());
  const [n1, nN] = [byName(one), byName(all)];
  console.log('kernel | ms 1 | ms N | ×');
  for (const [name, ms] of [...n1].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${name.padEnd(28)} ${f(ms)} ${f(nN.get(name) ?? 0)} ${((ms / (nN.get(name) ?? NaN)) || 0).toFixed(2)}`);
  const key = (r) => `${r.name} ${r.shape}`;
  const rowsN = new Map(all.rows.map((r) => [key(r), r]));
  console.log(`\nby shape, most ms left with threads (ms 1 → ms N, calls):`);
  const rows = one.rows.map((r) => ({ ...r, n: rowsN.get(key(r))?.ms ?? 0 })).sort((a, b) => b.n - a.n).slice(0, top);
  for (const r of rows) console.log(`${f(r.ms)} → ${f(r.n)}  ×${(r.ms / r.n).toFixed(2)}  ${r.calls}×  ${r.name} ${r.shape}`);
}
