import type { Lang } from './types';

/**
 * File layout of lessons/, as keys of the map the loaders and the validator share
 * (the same keys Vite's import.meta.glob gives: rooted at the project, leading slash).
 */
export const CHAPTERS_FILE = '/lessons/chapters.yaml';

export function lessonFile(chapterId: string, lang: Lang): string {
  return `/lessons/${chapterId}/lesson.${lang}.md`;
}

export function quizFile(chapterId: string, lang: Lang): string {
  return `/lessons/${chapterId}/quiz.${lang}.yaml`;
}
