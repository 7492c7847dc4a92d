#!/usr/bin/env node
// A tiny static server that mounts a folder under a sub-path, like an instructor's nginx `location /ml/course/`.
// Usage: node scripts/static-server.mjs --dir dist --base /some/sub/path/ --port 4174 [--headers]
// --headers sends what README asks of a server (COOP/COEP for cross-origin isolation, the CSP) on every response.
import { createServer } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const dir = resolve(args.dir ?? 'dist');
const base = (args.base ?? '/').replace(/\/?$/, '/');
const port = Number(args.port ?? 4174);
const { SERVER_HEADERS } = process.argv.includes('--headers') ? await import('./csp.mjs') : { SERVER_HEADERS: {} };
const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css',
  '.json': 'application/json', '.webmanifest': 'application/manifest+json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.wasm': 'application/wasm', '.woff2': 'font/woff2', '.ico': 'image/x-icon',
};

createServer((req, res) => {
  let url;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
    decodeURIComponent(url.pathname);
  } catch {
    res.writeHead(400).end('malformed URL'); // e.g. "/%E0%A4%A": a bad request, not a crash
    return;
  }
  if (!url.pathname.startsWith(base)) {
    res.writeHead(404).end('not under ' + base);
    return;
  }
  const rel = normalize(decodeURIComponent(url.pathname.slice(base.length))).replace(/^(\.\.[/\\])+/, '');
  let file = join(dir, rel);
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  if (!file.startsWith(dir) || !existsSync(file)) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, {
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('sw.js') ? 'no-cache' : 'public, max-age=0',
    ...SERVER_HEADERS,
  });
  createReadStream(file).pipe(res);
}).listen(port, '127.0.0.1', () => console.log(`serving ${dir} at http://127.0.0.1:${port}${base}`));
