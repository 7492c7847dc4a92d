import { inlineToPlain } from './markdown';
import type { Issue, Lang, Quiz } from './types';

/**
 * Checks that a quiz cannot be passed by a pattern instead of understanding: where the right answers sit,
 * whether multiple-answer questions share one correct set, and whether the right option gives itself away by
 * being the longest. The thresholds are set from chance (4 options: each position 25 %, the right option the
 * longest 25 % of the time).
 */

/** No option position may hold the right answer in more than this share of the single-choice questions. */
export const MAX_POSITION_SHARE = 0.5;
/** The right option may be the strictly longest one in at most this share of the single-choice questions. */
export const MAX_LONGEST_SHARE = 0.4;
/** Per question, mean length of its right options over mean length of its wrong ones; averaged over the quiz. */
export const MAX_LENGTH_RATIO = 1.3;
/** Wrong options with an absolute word may outnumber right options with one by at most this many. */
export const MAX_ABSOLUTE_SURPLUS = 1;

/**
 * Words that make a claim absolute. Test-wise learners rule out options that say "always", "just" or "harmless";
 * when those words sit mostly in wrong options, they give the answer away.
 */
export const ABSOLUTE_WORDS: Record<Lang, readonly string[]> = {
  en: ['always', 'never', 'only', 'just', 'nothing', 'none', 'whenever', 'no difference', 'harmless', 'impossible', 'guaranteed', 'completely', 'entirely'],
  'pt-BR': ['sempre', 'nunca', 'só', 'somente', 'apenas', 'nada', 'nenhum', 'nenhuma', 'tanto faz', 'não faz diferença', 'inofensivo', 'inofensiva', 'impossível', 'garantido', 'garantida', 'completamente', 'totalmente'],
};

export interface QuizStats {
  /** Single choice: how many questions have their right answer at each position (a, b, c, …). */
  singlePositions: Record<string, number>;
  /** Multiple choice: the set of right positions of each question, e.g. "a+c". */
  multipleSets: string[];
  /** Single-choice questions whose right option is the strictly longest. */
  longestCorrect: number;
  singles: number;
  /** Per question, mean plain-text length of right options / of wrong ones, averaged over the questions. */
  lengthRatio: number;
  /** Options whose text holds an absolute word (ABSOLUTE_WORDS of the quiz's language), right and wrong. */
  absolute: { right: number; wrong: number };
}

const letter = (i: number) => String.fromCharCode(97 + i);
const len = (text: string) => inlineToPlain(text).length;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

const absoluteIn = (lang: Lang) => new RegExp(`(?<!\\p{L})(?:${ABSOLUTE_WORDS[lang].join('|')})(?!\\p{L})`, 'iu');

export function quizStats(quiz: Quiz, lang: Lang): QuizStats {
  const absolute = { right: 0, wrong: 0 };
  const isAbsolute = absoluteIn(lang);
  const singlePositions: Record<string, number> = {};
  const multipleSets: string[] = [];
  let longestCorrect = 0;
  let singles = 0;
  const ratios: number[] = [];
  for (const q of quiz.questions) {
    const lengths = q.options.map((o) => len(o.text));
    for (const o of q.options) if (isAbsolute.test(inlineToPlain(o.text))) absolute[o.correct ? 'right' : 'wrong']++;
    const right = lengths.filter((_, i) => q.options[i].correct);
    const wrong = lengths.filter((_, i) => !q.options[i].correct);
    if (right.length && wrong.length) ratios.push(mean(right) / Math.max(1, mean(wrong)));
    const positions = q.options.flatMap((o, i) => (o.correct ? [letter(i)] : []));
    if (q.type === 'multiple') {
      multipleSets.push(positions.join('+'));
      continue;
    }
    singles++;
    const at = q.options.findIndex((o) => o.correct);
    if (at < 0) continue;
    singlePositions[letter(at)] = (singlePositions[letter(at)] ?? 0) + 1;
    if (lengths.every((l, i) => i === at || l < lengths[at])) longestCorrect++;
  }
  return { singlePositions, multipleSets, longestCorrect, singles, lengthRatio: mean(ratios), absolute };
}

/** Position and set rules: the same in every language (correct flags are parallel), so checked once. */
export function checkPositions(stats: QuizStats, file: string, issues: Issue[]): void {
  const counts = Object.entries(stats.singlePositions);
  const [top, topCount] = counts.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
  if (stats.singles >= 2 && topCount > stats.singles * MAX_POSITION_SHARE) {
    issues.push({ file, message: `the right answer is option ${top} in ${topCount} of ${stats.singles} single-choice questions; spread the right answers over the positions (at most ${MAX_POSITION_SHARE * 100}% at one position)` });
  }
  const wanted = Math.min(3, stats.singles);
  if (counts.length < wanted) {
    issues.push({ file, message: `the right answers of the single-choice questions use only position${counts.length === 1 ? '' : 's'} ${counts.map((c) => c[0]).join(', ')}; use at least ${wanted} different positions` });
  }
  const seen = new Map<string, number>();
  for (const set of stats.multipleSets) seen.set(set, (seen.get(set) ?? 0) + 1);
  for (const [set, n] of seen) {
    if (n > 1) issues.push({ file, message: `${n} multiple-answer questions have the same right options (${set}); vary which options are right` });
  }
}

/** Length rules: the wording differs per language, so checked for every quiz file. */
export function checkLengths(stats: QuizStats, file: string, issues: Issue[]): void {
  if (stats.singles >= 3 && stats.longestCorrect > stats.singles * MAX_LONGEST_SHARE) {
    issues.push({ file, message: `the right option is the longest in ${stats.longestCorrect} of ${stats.singles} single-choice questions; make wrong options as specific as the right one (at most ${MAX_LONGEST_SHARE * 100}%)` });
  }
  if (stats.lengthRatio > MAX_LENGTH_RATIO) {
    issues.push({ file, message: `right options are on average ${stats.lengthRatio.toFixed(2)}× as long as wrong ones; a learner could pick by length (at most ${MAX_LENGTH_RATIO}×)` });
  }
}

/** Absolute words: the wording differs per language, so checked for every quiz file. */
export function checkAbsolutes(stats: QuizStats, file: string, issues: Issue[]): void {
  const { right, wrong } = stats.absolute;
  if (wrong > right + MAX_ABSOLUTE_SURPLUS) {
    issues.push({ file, message: `${wrong} wrong options use absolute words (always, never, only, just, harmless…) but only ${right} right ones do; a learner could rule options out by their wording — write distractors as the mistakes learners really make` });
  }
}

/** "single a2 b2 c1 d1 · multiple a+c, b+d · right option longest in 1/6 · length right/wrong 0.95" */
export function formatStats(stats: QuizStats): string {
  const positions = Object.keys(stats.singlePositions)
    .sort()
    .map((k) => `${k}${stats.singlePositions[k]}`)
    .join(' ');
  return `single ${positions || '—'} · multiple ${stats.multipleSets.join(', ') || '—'} · right option longest in ${stats.longestCorrect}/${stats.singles} · length right/wrong ${stats.lengthRatio.toFixed(2)} · absolute words right/wrong ${stats.absolute.right}/${stats.absolute.wrong}`;
}
