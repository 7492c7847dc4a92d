/** Hash routing: static hosts serve one index.html from any sub-path, no rewrites needed. */
export type Route =
  | { name: 'home' }
  | { name: 'chapter'; id: string }
  | { name: 'lab' }
  | { name: 'not-found'; path: string };

export const CHAPTER_IDS = ['backpropagation', 'feature-extraction', 'layer-freezing'] as const;

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/') return { name: 'home' };
  if (path === '/lab') return { name: 'lab' };
  const m = /^\/chapters\/([a-z-]+)$/.exec(path);
  if (m && (CHAPTER_IDS as readonly string[]).includes(m[1])) return { name: 'chapter', id: m[1] };
  return { name: 'not-found', path };
}
