import { parse as parseYaml } from 'yaml';
import { chaptersFromData, quizFromData, type Parsed } from './schema';
import type { ChapterMeta, Issue, Quiz } from './types';

/**
 * The YAML edge of the content files, for Node only (lessons:check, the build plugin, tests): the browser
 * receives quizzes and chapters already parsed and checked at build time.
 */

export type { Parsed } from './schema';
export { checkBlocks, malformedDirectives, splitLesson } from './split';

function readYaml(text: string, file: string, issues: Issue[]): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    issues.push({ file, message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` });
    return undefined;
  }
}

/** lessons/chapters.yaml: the ordered list of chapters with titles and summaries in every language. */
export function parseChapters(text: string, file: string): Parsed<ChapterMeta[]> {
  const issues: Issue[] = [];
  const data = readYaml(text, file, issues);
  return issues.length ? { value: null, issues } : chaptersFromData(data, file);
}

/** A quiz file: `questions:` → id, type (single|multiple), prompt, options (id, text, correct, explanation). */
export function parseQuiz(text: string, file: string): Parsed<Quiz> {
  const issues: Issue[] = [];
  const data = readYaml(text, file, issues);
  return issues.length ? { value: null, issues } : quizFromData(data, file);
}
