import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';
import { parseChapters, parseQuiz } from '../src/lessons/parse';
import { formatIssue } from '../src/lessons/types';
import { CHAPTERS_FILE } from '../src/lessons/paths';

/** lessons/chapters.yaml and lessons/<chapter>/quiz.<lang>.yaml, as Vite ids (absolute paths, no query). */
const CONTENT_YAML = /\/lessons\/(?:chapters|[a-z0-9-]+\/quiz\.[A-Za-z-]+)\.yaml$/;

/**
 * Compiles the lesson YAML at build time: each file becomes a module exporting its parsed, schema-checked
 * value as plain data, so no YAML parser ships to the browser. A content error fails the build with the same
 * message lessons:check prints.
 */
export function lessonsYaml(): Plugin {
  return {
    name: 'transfer-lab-lessons-yaml',
    enforce: 'pre',
    load(id) {
      if (!CONTENT_YAML.test(id)) return null;
      this.addWatchFile(id);
      const key = id.slice(id.lastIndexOf('/lessons/'));
      const text = readFileSync(id, 'utf8');
      const parsed = key === CHAPTERS_FILE ? parseChapters(text, key) : parseQuiz(text, key);
      if (parsed.issues.length || !parsed.value) this.error(parsed.issues.map(formatIssue).join('\n'));
      return { code: `export default ${JSON.stringify(parsed.value)};\n`, map: { mappings: '' } };
    },
  };
}
