// Every feature's strings, in a chunk loaded on demand: the home page's own are already in the first script (index.ts
// globs them eagerly), so only the others add bytes here.
export const files = import.meta.glob<Record<string, unknown>>('./messages/*/*.json', { eager: true, import: 'default' });
