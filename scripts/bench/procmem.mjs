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

/**
 * { renderer, gpu, other } resident bytes of every descendant of this process, and `renderers`: each renderer
 * process's own, by pid; null where /proc is missing.
 */
export function chromiumRss() {
  if (!existsSync('/proc/self/stat')) return null;
  const byParent = children();
  const totals = { renderer: 0, gpu: 0, other: 0, renderers: {} };
  const stack = [...(byParent.get(process.pid) ?? [])];
  while (stack.length) {
    const pid = stack.pop();
    stack.push(...(byParent.get(pid) ?? []));
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
      const type = cmd.includes('--type=renderer') ? 'renderer' : cmd.includes('--type=gpu-process') ? 'gpu' : 'other';
      totals[type] += rss;
      if (type === 'renderer') totals.renderers[pid] = rss;
    } catch {
      // the process ended while we looked
    }
  }
  return totals;
}

/**
 * Samples chromiumRss() every `ms` until stop(); returns the peak of each type, and in `renderers` each renderer
 * process's own peak (largest first): the page's (with its workers) beside the browser's other renderers.
 */
export function peakRss(ms = 250) {
  const peak = { renderer: 0, gpu: 0, other: 0 };
  const each = new Map();
  const take = () => {
    const now = chromiumRss();
    if (!now) return;
    for (const k of Object.keys(peak)) peak[k] = Math.max(peak[k], now[k]);
    for (const [pid, rss] of Object.entries(now.renderers)) each.set(pid, Math.max(each.get(pid) ?? 0, rss));
  };
  take();
  const timer = setInterval(take, ms);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { ...peak, renderers: [...each.values()].sort((a, b) => b - a) };
    },
  };
}
