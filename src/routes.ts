/** Hash routing: static hosts serve one index.html from any sub-path, no rewrites needed. */
export type Route =
  | { name: 'home' }
  | { name: 'chapter'; id: string }
  /** `project`: a project zip to open, relative to the site (an instructor's link, `#/lab?project=projects/x.zip`). */
  | { name: 'lab'; project?: string }
  | { name: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const [path, query = ''] = (hash.replace(/^#/, '') || '/').split(/\?(.*)/s);
  if (path === '/') return { name: 'home' };
  if (path === '/lab') {
    const project = new URLSearchParams(query).get('project');
    return project ? { name: 'lab', project } : { name: 'lab' };
  }
  // Any chapter id routes; the chapter page itself says when lessons/chapters.yaml has no such chapter.
  const m = /^\/chapters\/([a-z0-9-]+)$/.exec(path);
  if (m) return { name: 'chapter', id: m[1] };
  return { name: 'not-found', path };
}
