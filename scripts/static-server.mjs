#!/usr/bin/env node
// A tiny static server that mounts a folder under a sub-path, like an instructor's nginx `location /ml/course/`.
// Usage: node scripts/static-server.mjs --dir dist --base /some/sub/path/ --port 4174 [--headers] [--csp-log FILE]
// --headers sends what README asks of a server (COOP/COEP for cross-origin isolation, the CSP) on every response.
// --csp-log FILE (for tests) also sends the app's own policy as Content-Security-Policy-Report-Only with a report-uri
// on this server, and appends each report it receives to FILE as one line `csp-report <json>`: a violation (a request
// to another origin among them, since every fetch directive allows only this origin) is then seen in any browser, in
// its workers too (e2e/csp-log.ts reads it).
import { createServer } from 'node:http';
import { appendFileSync, createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const dir = resolve(args.dir ?? 'dist');
const base = (args.base ?? '/').replace(/\/?$/, '/');
const port = Number(args.port ?? 4174);
const { SERVER_HEADERS } = process.argv.includes('--headers') ? await import('./csp.mjs') : { SERVER_HEADERS: {} };
const REPORT_PATH = `${base}__csp-report`;
const reportLog = args['csp-log'];
const { CSP, HEADER_CSP } = reportLog ? await import('./csp.mjs') : {};
/** The policy the browser enforces on a response of this type (a page: the meta tag's and the header's; a worker: the header's), reported here. */
const reportOnly = (type) => (CSP ? { 'Content-Security-Policy-Report-Only': `${type.startsWith('text/html') ? CSP : HEADER_CSP}; report-uri ${REPORT_PATH}` } : {});
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
  if (CSP && req.method === 'POST' && url.pathname === REPORT_PATH) {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      appendFileSync(reportLog, `csp-report ${body.replace(/\s+/g, ' ')}\n`);
      res.writeHead(204).end();
    });
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
  const type = types[extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, {
    'content-type': type,
    'cache-control': file.endsWith('sw.js') ? 'no-cache' : 'public, max-age=0',
    ...SERVER_HEADERS,
    ...reportOnly(type),
  });
  createReadStream(file).pipe(res);
}).listen(port, '127.0.0.1', () => console.log(`serving ${dir} at http://127.0.0.1:${port}${base}`));
