import chaptersData from '../../lessons/chapters.yaml';
import { lessonFile, quizFile } from './paths';
import { splitLesson } from './split';
import type { ChapterMeta, Lang, LessonSegment, Quiz } from './types';

/**
 * The Vite-specific edge: chapters.yaml is bundled eagerly (the home page needs titles and summaries);
 * each lesson and quiz is its own lazy chunk, fetched when its chapter opens. The YAML files arrive as data
 * already parsed and checked at build time (scripts/vite-plugin-lessons.ts), so no YAML parser is shipped.
 */

const lessons = import.meta.glob<string>('/lessons/*/*.md', { query: '?raw', import: 'default' });
const quizzes = import.meta.glob<Quiz>('/lessons/*/*.yaml', { import: 'default' });

export const chapters = chaptersData as ChapterMeta[];

export function findChapter(id: string): { chapter: ChapterMeta; index: number } | null {
  const index = chapters.findIndex((c) => c.id === id);
  return index < 0 ? null : { chapter: chapters[index], index };
}

export interface LoadedChapter {
  id: string;
  lang: Lang;
  segments: LessonSegment[];
  quiz: Quiz;
}

export async function loadChapter(id: string, lang: Lang): Promise<LoadedChapter> {
  const lessonLoader = lessons[lessonFile(id, lang)];
  const quizLoader = quizzes[quizFile(id, lang)];
  if (!lessonLoader || !quizLoader) throw new Error(`chapter "${id}" has no ${lang} lesson or quiz`);
  const [lesson, quiz] = await Promise.all([lessonLoader(), quizLoader()]);
  return { id, lang, segments: splitLesson(lesson), quiz };
}
