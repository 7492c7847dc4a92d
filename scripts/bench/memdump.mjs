// Chromium's own memory accounting (memory-infra) per process and allocator, over CDP: which allocator of which
// process holds a renderer's memory (malloc, partition_alloc, v8 per isolate, skia, gpu…), beyond what VmRSS says.
// CLI (diagnosis, under flock /tmp/e2e.lock, after `npm run build`):
//   MEMDUMP_NO_HEADERS=1 node scripts/bench/memdump.mjs 300,2000   → dumps with the lab open, after upload and
//   after training, per project size (also in .cache/memdump.json). Without the variable the app is cross-origin
//   isolated and its renderer cannot answer: the engine's wasm threads sit in Atomics.wait and never run the dump.

/** Bytes of a memory-infra scalar attribute (hex strings in the trace). */
const bytesOf = (attr) => (attr ? Number.parseInt(attr.value, 16) : 0);

/**
 * One detailed memory dump of every Chromium process, taken after a forced GC (deterministic). Returns
 * [{ pid, name, labels, residentBytes, privateFootprintBytes, allocators: { 'malloc': bytes, 'v8/main': bytes, … } }].
 */
export async function memoryDump(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const events = [];
  cdp.on('Tracing.dataCollected', ({ value }) => events.push(...value));
  const complete = new Promise((done) => cdp.once('Tracing.tracingComplete', done));
  await cdp.send('Tracing.start', {
    transferMode: 'ReportEvents',
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], excludedCategories: ['*'], memoryDumpConfig: { triggers: [] } },
  });
  // Tracing reaches every process a moment after start. `success` is false whenever any one process (a utility
  // process, say) did not answer; the others' dumps are still in the trace.
  await new Promise((r) => setTimeout(r, 1000));
  await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach();
  const procs = new Map();
  const proc = (pid) => {
    if (!procs.has(pid)) procs.set(pid, { pid, name: '', labels: '', residentBytes: 0, privateFootprintBytes: 0, allocators: {} });
    return procs.get(pid);
  };
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'process_name') proc(e.pid).name = e.args.name;
    if (e.ph === 'M' && e.name === 'process_labels') proc(e.pid).labels = e.args.labels;
    if (e.ph !== 'v' || !e.args?.dumps) continue;
    const p = proc(e.pid);
    const { allocators = {}, process_totals: totals = {} } = e.args.dumps;
    if (totals.resident_set_bytes) p.residentBytes = Number.parseInt(totals.resident_set_bytes, 16);
    if (totals.private_footprint_bytes) p.privateFootprintBytes = Number.parseInt(totals.private_footprint_bytes, 16);
    for (const [path, dump] of Object.entries(allocators)) {
      const depth = path.split('/').length;
      // Top level, and one level down where the top level mixes owners (v8 per isolate, partitions, blink's caches).
      const wanted = depth === 1 || (depth === 2 && /^(v8|partition_alloc|blink_gc|skia|web_cache|gpu|malloc|cc|discardable)\//.test(path)) || /^partition_alloc\/partitions\/[^/]+$/.test(path) || /^v8\/[^/]+\/heap$/.test(path);
      if (wanted && dump.attrs?.size) p.allocators[path] = Math.max(p.allocators[path] ?? 0, bytesOf(dump.attrs.size));
    }
  }
  return [...procs.values()].filter((p) => p.residentBytes || Object.keys(p.allocators).length);
}

/** The `n` largest allocators of one process dump, in MB (one decimal), largest first. */
export function topAllocators(proc, n = 12) {
  return Object.fromEntries(
    Object.entries(proc.allocators)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => [k, Math.round(v / 2 ** 20 * 10) / 10]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { spawn } = await import('node:child_process');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const { launchChromium } = await import('../chromium.mjs');
  const { openLab, upload, train, settle } = await import('./lab.mjs');
  const { benchPhotos } = await import('./photos.mjs');
  const { chromiumRss } = await import('./procmem.mjs');
  const sizes = (process.argv[2] ?? '300,2000').split(',').map(Number);
  const port = 4190;
  const server = spawn(process.execPath, ['scripts/static-server.mjs', '--dir', 'dist', '--base', '/', '--port', String(port), ...(process.env.MEMDUMP_NO_HEADERS ? [] : ['--headers'])], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const browser = await launchChromium();
  const report = {};
  const show = (label, dump) => {
    const kb = (pid, field) => {
      try {
        return Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/${field === 'Pss' ? 'smaps_rollup' : 'status'}`, 'utf8'))?.[1] ?? 0) / 1024);
      } catch {
        return null;
      }
    };
    report[label] = dump.map((p) => ({ pid: p.pid, name: p.name, labels: p.labels, vmRssMB: kb(p.pid, 'VmRSS'), pssMB: kb(p.pid, 'Pss'), rssMB: Math.round(p.residentBytes / 2 ** 20), pfMB: Math.round(p.privateFootprintBytes / 2 ** 20), top: topAllocators(p, 40) }));
    console.log(`\n== ${label}`, JSON.stringify(Object.fromEntries(Object.keys(chromiumRss().renderers).map((pid) => [pid, { vmRssMB: kb(pid, 'VmRSS'), pssMB: kb(pid, 'Pss') }]))));
    for (const p of report[label]) console.log(p.pid, p.name, p.labels, `VmRSS ${p.vmRssMB} MB, PSS ${p.pssMB} MB, private ${p.pfMB} MB`, JSON.stringify(p.top));
  };
  try {
    for (const n of sizes) {
      const { context, page } = await openLab(browser, `http://127.0.0.1:${port}/`, process.env.BENCH_MEMORY_BACKEND ?? 'wasm');
      try {
        show(`${n}: lab open`, await memoryDump(browser));
        await upload(page, benchPhotos(n).groups);
        await settle(page);
        show(`${n}: after upload`, await memoryDump(browser));
        await train(page, 5);
        show(`${n}: after training`, await memoryDump(browser));
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    server.kill();
  }
  writeFileSync('.cache/memdump.json', JSON.stringify(report, null, 2));
}
