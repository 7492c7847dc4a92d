/** Hash routing: static hosts serve one index.html from any sub-path, no rewrites needed. */
export type Route =
  | { name: 'home' }
  | { name: 'chapter'; id: string }
  | { name: 'lab' }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/lab') return { name: 'lab' };
  // Any chapter id routes; the chapter page itself says when lessons/chapters.yaml has no such chapter.
  const m = /^\/chapters\/([a-z0-9-]+)$/.exec(path);
  if (m) return { name: 'chapter', id: m[1] };
  return { name: 'not-found', path };
}
