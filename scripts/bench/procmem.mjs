// Resident memory of the Chromium processes this Node process launched (Linux /proc), by process type:
// the renderer (page + its workers) and the GPU process hold what tfjs allocates, beyond the JS heap.
import { existsSync, readFileSync, readdirSync } from 'node:fs';

function children() {
  const byParent = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(pid));
    } catch {
      // the process ended while we looked
    }
  }
  return byParent;
}

/** A /proc field in kB, as bytes (0 when the process is gone). */
function kB(pid, file, field) {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/${file}`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** PSS: each shared page (Chromium's own library, mapped by every process) counted once across them, not per process. */
const pss = (pid) => kB(pid, 'smaps_rollup', 'Pss');

/** The app's renderer is the one running a dedicated worker (the engine); the browser's spare renderers run none. */
function runsWorker(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).some((t) => readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').startsWith('DedicatedWorker'));
  } catch {
    return false;
  }
}

/**
 * { renderer, gpu, other } resident bytes of every descendant of this process; `renderers`: each renderer
 * process's own, by pid; `rendererPss`: the renderers' PSS summed; `browserUi`: the RSS of Chromium's own UI
 * renderer (`--top-chrome-webui`: the browser's WebUI, there with no page at all); `app`: the renderer that runs the
 * engine's worker ({ pid, rss, pss }, null when none does); null where /proc is missing.
 */
export function chromiumRss() {
  if (!existsSync('/proc/self/stat')) return null;
  const byParent = children();
  const totals = { renderer: 0, gpu: 0, other: 0, rendererPss: 0, browserUi: 0, renderers: {}, app: null };
  const stack = [...(byParent.get(process.pid) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    stack.push(...(byParent.get(pid) ?? []));
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const rss = kB(pid, 'status', 'VmRSS');
      const type = cmd.includes('--type=renderer') ? 'renderer' : cmd.includes('--type=gpu-process') ? 'gpu' : 'other';
      totals[type] += rss;
      if (type !== 'renderer') continue;
      totals.renderers[pid] = rss;
      if (cmd.includes('--top-chrome-webui')) totals.browserUi += rss;
      const p = pss(pid);
      totals.rendererPss += p;
      if (runsWorker(pid) && rss > (totals.app?.rss ?? 0)) totals.app = { pid, rss, pss: p };
    } catch {
      // the process ended while we looked
    }
  }
  return totals;
}

/**
 * Samples chromiumRss() every `ms` until stop(); returns the peak of each type, `rendererPss` (peak of the sum),
 * `browserUi` (peak of Chromium's UI renderer),
 * `app` (the engine's renderer: peak RSS and peak PSS), and in `renderers` each renderer process's own peak
 * (largest first): the page's (with its workers) beside the browser's other renderers.
 */
export function peakRss(ms = 250) {
  const peak = { renderer: 0, gpu: 0, other: 0, rendererPss: 0, browserUi: 0 };
  const app = { rss: 0, pss: 0 };
  const each = new Map();
  const take = () => {
    const now = chromiumRss();
    if (!now) return;
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], now[k]);
    if (now.app) [app.rss, app.pss] = [Math.max(app.rss, now.app.rss), Math.max(app.pss, now.app.pss)];
    for (const [pid, rss] of Object.entries(now.renderers)) each.set(pid, Math.max(each.get(pid) ?? 0, rss));
  };
  take();
  const timer = setInterval(take, ms);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { ...peak, app: app.rss ? app : null, renderers: [...each.values()].sort((a, b) => b - a) };
    },
  };
}
