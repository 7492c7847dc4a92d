import { inspectMarkdown, renderMath, type MarkdownFacts } from './markdown';
import { checkAbsolutes, checkLengths, checkPositions, quizStats, type QuizStats } from './gaming';
import { checkBlocks, malformedDirectives, parseChapters, parseQuiz, splitLesson } from './parse';
import { CHAPTERS_FILE, lessonFile, quizFile } from './paths';
import { LANGS, type Issue, type Lang, type Quiz } from './types';

export { formatIssue } from './types';
import { isKnownWidget, KNOWN_WIDGETS } from './widgets';

/**
 * Everything `npm run lessons:check` enforces, over an in-memory map of files
 * (key: '/lessons/<chapter>/<file>', as in paths.ts; value: the file's text).
 */

export const MIN_QUESTIONS = 5;
/** "Check your understanding" blocks each lesson needs inside its text, before the quiz. */
export const MIN_CHECKS = 2;

export interface ValidationReport {
  issues: Issue[];
  chapters: number;
  questions: number;
  widgets: number;
  /** Words of lesson text per chapter and language. */
  words: Record<string, Partial<Record<Lang, number>>>;
  /** Where the right answers sit, per chapter and language (printed by lessons:check). */
  quizStats: Record<string, Partial<Record<Lang, QuizStats>>>;
}

const show = (file: string) => file.replace(/^\//, '');
const sameList = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function validateLessons(files: Record<string, string>): ValidationReport {
  const issues: Issue[] = [];
  const report: ValidationReport = { issues, chapters: 0, questions: 0, widgets: 0, words: {}, quizStats: {} };

  const chaptersText = files[CHAPTERS_FILE];
  if (chaptersText === undefined) {
    issues.push({ file: CHAPTERS_FILE, message: 'missing: it lists the chapters in order with their titles and summaries' });
    return report;
  }
  const parsed = parseChapters(chaptersText, CHAPTERS_FILE);
  issues.push(...parsed.issues);
  const chapters = parsed.value ?? [];
  report.chapters = chapters.length;

  const listed = new Set(chapters.map((c) => c.id));
  for (const path of Object.keys(files)) {
    const m = /^\/lessons\/([^/]+)\/[^/]+$/.exec(path);
    if (m && !listed.has(m[1])) {
      issues.push({ file: path, message: `folder "${m[1]}" is not listed in ${show(CHAPTERS_FILE)}` });
    } else if (m && !LANGS.some((l) => path === lessonFile(m[1], l) || path === quizFile(m[1], l))) {
      issues.push({ file: path, message: `unexpected file: a chapter folder holds lesson.<lang>.md and quiz.<lang>.yaml for ${LANGS.join(', ')}` });
    }
  }

  for (const chapter of chapters) {
    const lessons: Partial<Record<Lang, { facts: MarkdownFacts; widgets: string[]; checks: number; file: string }>> = {};
    const quizzes: Partial<Record<Lang, { quiz: Quiz; file: string }>> = {};
    report.words[chapter.id] = {};
    report.quizStats[chapter.id] = {};

    for (const lang of LANGS) {
      const lf = lessonFile(chapter.id, lang);
      const text = files[lf];
      if (text === undefined) issues.push({ file: lf, message: `missing: chapter "${chapter.id}" has no ${lang} lesson` });
      else lessons[lang] = checkLesson(text, lf, issues);
      if (lessons[lang]) report.words[chapter.id][lang] = lessons[lang].facts.words;

      const qf = quizFile(chapter.id, lang);
      const qtext = files[qf];
      if (qtext === undefined) {
        issues.push({ file: qf, message: `missing: chapter "${chapter.id}" has no ${lang} quiz` });
        continue;
      }
      const q = parseQuiz(qtext, qf);
      issues.push(...q.issues);
      if (q.value) {
        quizzes[lang] = { quiz: q.value, file: qf };
        checkQuizFormulas(q.value, qf, issues);
        const stats = quizStats(q.value, lang);
        report.quizStats[chapter.id][lang] = stats;
        if (lang === LANGS[0]) checkPositions(stats, qf, issues);
        checkLengths(stats, qf, issues);
        checkAbsolutes(stats, qf, issues);
        if (q.value.questions.length < MIN_QUESTIONS) {
          issues.push({ file: qf, message: `has ${q.value.questions.length} questions; each quiz needs at least ${MIN_QUESTIONS}` });
        }
      }
    }

    const [first, ...others] = LANGS;
    for (const lang of others) {
      const a = lessons[first];
      const b = lessons[lang];
      if (a && b) {
        const da = a.facts.headings.map((h) => h.depth);
        const db = b.facts.headings.map((h) => h.depth);
        if (!sameList(da, db)) {
          issues.push({
            file: b.file,
            message: `headings differ in number or level from ${show(a.file)} (${first}: ${da.map((d) => 'h' + d).join(' ')}; ${lang}: ${db.map((d) => 'h' + d).join(' ')}) — keep them parallel so switching language keeps the reader's place`,
          });
        }
        if (a.checks !== b.checks) {
          issues.push({ file: b.file, message: `has ${b.checks} check blocks but ${show(a.file)} has ${a.checks}; keep them parallel` });
        }
        if (!sameList(a.widgets, b.widgets)) {
          issues.push({ file: b.file, message: `widgets differ from ${show(a.file)} (${first}: ${a.widgets.join(', ') || 'none'}; ${lang}: ${b.widgets.join(', ') || 'none'})` });
        }
      }
      const qa = quizzes[first];
      const qb = quizzes[lang];
      if (qa && qb) compareQuizzes(qa, qb, issues);
    }
    report.questions += quizzes[first]?.quiz.questions.length ?? 0;
    report.widgets += lessons[first]?.widgets.length ?? 0;
  }
  return report;
}

function checkLesson(text: string, file: string, issues: Issue[]) {
  const segments = splitLesson(text);
  const widgets = segments.flatMap((s) => (s.kind === 'widget' ? [s.name] : []));
  for (const name of widgets) {
    if (!isKnownWidget(name)) issues.push({ file, where: `widget ${name}`, message: `unknown widget (known: ${KNOWN_WIDGETS.join(', ')})` });
  }
  for (const d of malformedDirectives(text)) {
    issues.push({ file, where: `line ${d.line}`, message: `"${d.text}" is not a widget line; write "::: widget <name>"` });
  }
  const checks = checkBlocks(text);
  for (const p of checks.problems) issues.push({ file, where: `line ${p.line}`, message: p.message });
  if (checks.count < MIN_CHECKS) {
    issues.push({ file, message: `has ${checks.count} "check your understanding" block${checks.count === 1 ? '' : 's'}; each lesson needs at least ${MIN_CHECKS} (::: check … ::: answer … :::)` });
  }
  const facts = inspectMarkdown(text);
  const h = facts.headings;
  if (h.length === 0 || h[0].depth !== 1) issues.push({ file, message: 'the lesson must start with its title as a level-1 heading ("# Title")' });
  if (h.filter((x) => x.depth === 1).length > 1) issues.push({ file, message: 'only one level-1 heading ("# ") per lesson: the title' });
  for (let i = 1; i < h.length; i++) {
    if (h[i].depth > h[i - 1].depth + 1) {
      issues.push({ file, where: `heading "${h[i].text}"`, message: `jumps from h${h[i - 1].depth} to h${h[i].depth}; do not skip levels` });
    }
  }
  checkFormulas(text, file, undefined, issues);
  for (const img of facts.images) {
    if (!img.alt.trim()) issues.push({ file, where: `image ${img.href}`, message: 'needs alt text: ![what the image shows](path)' });
  }
  return { facts, widgets, checks: checks.count, file };
}

function checkFormulas(text: string, file: string, where: string | undefined, issues: Issue[]) {
  for (const m of inspectMarkdown(text).math) {
    try {
      renderMath(m.tex, m.display, true);
    } catch (e) {
      issues.push({ file, where: where ?? `formula ${m.tex.slice(0, 40)}`, message: `KaTeX cannot render ${m.tex.slice(0, 40)}: ${(e as Error).message}` });
    }
  }
}

function checkQuizFormulas(quiz: Quiz, file: string, issues: Issue[]) {
  for (const q of quiz.questions) {
    checkFormulas(q.prompt, file, `question ${q.id}`, issues);
    for (const o of q.options) {
      checkFormulas(o.text, file, `question ${q.id}, option ${o.id}`, issues);
      checkFormulas(o.explanation, file, `question ${q.id}, option ${o.id}`, issues);
    }
  }
}

function compareQuizzes(a: { quiz: Quiz; file: string }, b: { quiz: Quiz; file: string }, issues: Issue[]) {
  const ida = a.quiz.questions.map((q) => q.id);
  const idb = b.quiz.questions.map((q) => q.id);
  if (!sameList(ida, idb)) {
    const missing = ida.filter((id) => !idb.includes(id));
    const extra = idb.filter((id) => !ida.includes(id));
    const parts = [];
    if (missing.length) parts.push(`missing ${missing.join(', ')}`);
    if (extra.length) parts.push(`not in ${show(a.file)}: ${extra.join(', ')}`);
    if (!parts.length) parts.push('same ids in a different order');
    issues.push({ file: b.file, message: `question ids do not match ${show(a.file)}: ${parts.join('; ')}` });
  }
  for (const qb of b.quiz.questions) {
    const qa = a.quiz.questions.find((q) => q.id === qb.id);
    if (!qa) continue;
    const where = `question ${qb.id}`;
    if (qa.type !== qb.type) issues.push({ file: b.file, where, message: `type is ${qb.type} here but ${qa.type} in ${show(a.file)}` });
    const oa = qa.options.map((o) => o.id);
    const ob = qb.options.map((o) => o.id);
    if (!sameList(oa, ob)) {
      issues.push({ file: b.file, where, message: `option ids [${ob.join(', ')}] do not match [${oa.join(', ')}] in ${show(a.file)}` });
      continue;
    }
    for (const [i, o] of qb.options.entries()) {
      if (o.correct !== qa.options[i].correct) {
        issues.push({ file: b.file, where: `${where}, option ${o.id}`, message: `marked ${o.correct ? 'correct' : 'wrong'} here but ${qa.options[i].correct ? 'correct' : 'wrong'} in ${show(a.file)}` });
      }
    }
  }
}
