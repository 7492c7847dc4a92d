import { createReadStream, existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Serves files over HTTP on a free local port, as the app's host serves its assets (the engine fetches its model):
 * `fileFor` maps a request's decoded path to a file, or null; anything missing is a 404.
 */
export async function serveFiles(fileFor: (pathname: string) => string | null): Promise<{ base: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const file = fileFor(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    if (!file || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
