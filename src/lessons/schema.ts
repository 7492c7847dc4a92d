import { LANGS, type ChapterMeta, type Issue, type Quiz, type QuizOption, type QuizQuestion } from './types';

/**
 * Schema checks for the content files, on data already read from YAML. No YAML parser here: the build
 * (src/lessons/vite-plugin.ts) and lessons:check read the YAML and run these same checks.
 */

export interface Parsed<T> {
  value: T | null;
  issues: Issue[];
}

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;

function unknownKeys(obj: Dict, allowed: string[], file: string, where: string | undefined, issues: Issue[]) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      issues.push({ file, where, message: `unknown field "${key}" (expected: ${allowed.join(', ')})` });
    }
  }
}

/** lessons/chapters.yaml: the ordered list of chapters with titles and summaries in every language. */
export function chaptersFromData(data: unknown, file: string): Parsed<ChapterMeta[]> {
  const issues: Issue[] = [];
  const list = isDict(data) ? data.chapters : undefined;
  if (!Array.isArray(list) || list.length === 0) {
    return { value: null, issues: [{ file, message: 'expected a top-level "chapters:" list with at least one chapter' }] };
  }
  const chapters: ChapterMeta[] = [];
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const where = `chapter #${i + 1}`;
    if (!isDict(raw)) {
      issues.push({ file, where, message: 'each chapter must be a mapping with id, title and summary' });
      return;
    }
    unknownKeys(raw, ['id', 'title', 'summary'], file, where, issues);
    const id = raw.id;
    if (typeof id !== 'string' || !ID.test(id)) {
      issues.push({ file, where, message: 'id must be lowercase words joined by "-" (it is also the folder name and the route)' });
      return;
    }
    if (seen.has(id)) issues.push({ file, where: id, message: 'duplicate chapter id' });
    seen.add(id);
    const title = {} as ChapterMeta['title'];
    const summary = {} as ChapterMeta['summary'];
    for (const [field, target] of [['title', title], ['summary', summary]] as const) {
      const value = raw[field];
      if (!isDict(value)) {
        issues.push({ file, where: id, message: `${field} must have one entry per language (${LANGS.join(', ')})` });
        continue;
      }
      for (const lang of LANGS) {
        if (isText(value[lang])) target[lang] = (value[lang] as string).trim();
        else issues.push({ file, where: id, message: `${field} is missing in ${lang}` });
      }
    }
    chapters.push({ id, title, summary });
  });
  return { value: issues.length ? null : chapters, issues };
}

/** A quiz file: `questions:` → id, type (single|multiple), prompt, options (id, text, correct, explanation). */
export function quizFromData(data: unknown, file: string): Parsed<Quiz> {
  const issues: Issue[] = [];
  const list = isDict(data) ? data.questions : undefined;
  if (!isDict(data) || !Array.isArray(list) || list.length === 0) {
    return { value: null, issues: [{ file, message: 'expected a top-level "questions:" list' }] };
  }
  unknownKeys(data, ['questions'], file, undefined, issues);
  const questions: QuizQuestion[] = [];
  const seenQ = new Set<string>();
  list.forEach((raw, qi) => {
    let where = `question #${qi + 1}`;
    if (!isDict(raw)) {
      issues.push({ file, where, message: 'each question must be a mapping' });
      return;
    }
    const id = raw.id;
    if (typeof id !== 'string' || !ID.test(id)) {
      issues.push({ file, where, message: 'question id must be lowercase words joined by "-"' });
      return;
    }
    where = `question ${id}`;
    unknownKeys(raw, ['id', 'type', 'prompt', 'options'], file, where, issues);
    if (seenQ.has(id)) issues.push({ file, where, message: 'duplicate question id' });
    seenQ.add(id);
    const type = raw.type;
    if (type !== 'single' && type !== 'multiple') {
      issues.push({ file, where, message: 'type must be "single" or "multiple"' });
    }
    if (!isText(raw.prompt)) issues.push({ file, where, message: 'prompt is missing' });
    const rawOptions = raw.options;
    if (!Array.isArray(rawOptions) || rawOptions.length < 2) {
      issues.push({ file, where, message: 'needs at least 2 options' });
      return;
    }
    const options: QuizOption[] = [];
    const seenO = new Set<string>();
    rawOptions.forEach((ro, oi) => {
      let owhere = `${where}, option #${oi + 1}`;
      if (!isDict(ro)) {
        issues.push({ file, where: owhere, message: 'each option must be a mapping with id, text, explanation' });
        return;
      }
      const oid = ro.id;
      if (typeof oid !== 'string' || !ID.test(oid)) {
        issues.push({ file, where: owhere, message: 'option id must be lowercase letters/digits joined by "-"' });
        return;
      }
      owhere = `${where}, option ${oid}`;
      unknownKeys(ro, ['id', 'text', 'correct', 'explanation'], file, owhere, issues);
      if (seenO.has(oid)) issues.push({ file, where: owhere, message: 'duplicate option id' });
      seenO.add(oid);
      if (!isText(ro.text)) issues.push({ file, where: owhere, message: 'text is missing' });
      if (!isText(ro.explanation)) issues.push({ file, where: owhere, message: 'explanation is missing' });
      if (ro.correct !== undefined && typeof ro.correct !== 'boolean') {
        issues.push({ file, where: owhere, message: 'correct must be true or false (or left out for false)' });
      }
      options.push({
        id: oid,
        text: String(ro.text ?? '').trim(),
        correct: ro.correct === true,
        explanation: String(ro.explanation ?? '').trim(),
      });
    });
    const nCorrect = options.filter((o) => o.correct).length;
    if (type === 'single' && nCorrect !== 1) {
      issues.push({ file, where, message: `a single-choice question needs exactly one correct option (found ${nCorrect})` });
    }
    if (type === 'multiple' && nCorrect < 1) {
      issues.push({ file, where, message: 'a multiple-choice question needs at least one correct option' });
    }
    questions.push({ id, type: type === 'multiple' ? 'multiple' : 'single', prompt: String(raw.prompt ?? '').trim(), options });
  });
  // Returned even with issues, so the validator can still compare ids across languages.
  return { value: { questions }, issues };
}

