/** The languages every chapter is written in. Adding one: see lessons/README.md. */
export const LANGS = ['pt-BR', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export type Localized<T> = Record<Lang, T>;

/** One entry of lessons/chapters.yaml: what the home page needs, loaded eagerly. */
export interface ChapterMeta {
  id: string;
  title: Localized<string>;
  summary: Localized<string>;
}

export interface QuizOption {
  id: string;
  /** Inline Markdown (formulas allowed). */
  text: string;
  correct: boolean;
  /** Why this option is right or wrong; shown after checking when it was chosen. */
  explanation: string;
}

export interface QuizQuestion {
  id: string;
  /** single: exactly one correct option (radios); multiple: one or more (checkboxes). */
  type: 'single' | 'multiple';
  prompt: string;
  options: QuizOption[];
}

export interface Quiz {
  questions: QuizQuestion[];
}

/** A lesson is Markdown cut by `::: widget name` lines into text and live widgets. */
export type LessonSegment = { kind: 'markdown'; source: string } | { kind: 'widget'; name: string };

/** A problem found in the content, pointing at the file and, when known, the question/option. */
export interface Issue {
  file: string;
  where?: string;
  message: string;
}

export function toLang(value: string | null | undefined): Lang {
  return value && value.toLowerCase().startsWith('en') ? 'en' : 'pt-BR';
}

/** "lessons/x/quiz.en.yaml [question q, option a]: message" */
export function formatIssue(issue: Issue): string {
  return `${issue.file.replace(/^\//, '')}${issue.where ? ` [${issue.where}]` : ''}: ${issue.message}`;
}
