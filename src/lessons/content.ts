import chaptersYaml from '../../lessons/chapters.yaml?raw';
import { parseChapters, parseQuiz, splitLesson } from './parse';
import { CHAPTERS_FILE, lessonFile, quizFile } from './paths';
import { formatIssue, type ChapterMeta, type Lang, type LessonSegment, type Quiz } from './types';

/**
 * The Vite-specific edge: chapters.yaml is bundled eagerly (the home page needs titles and summaries);
 * each lesson and quiz is its own lazy chunk, fetched when its chapter opens.
 */

const lazyFiles = import.meta.glob<string>('/lessons/*/*.{md,yaml}', { query: '?raw', import: 'default' });

const parsedChapters = parseChapters(chaptersYaml, CHAPTERS_FILE);
if (!parsedChapters.value) console.error(parsedChapters.issues.map(formatIssue).join('\n'));

export const chapters: ChapterMeta[] = parsedChapters.value ?? [];

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
  const lessonLoader = lazyFiles[lessonFile(id, lang)];
  const quizLoader = lazyFiles[quizFile(id, lang)];
  if (!lessonLoader || !quizLoader) throw new Error(`chapter "${id}" has no ${lang} lesson or quiz`);
  const [lesson, quizText] = await Promise.all([lessonLoader(), quizLoader()]);
  const quiz = parseQuiz(quizText, quizFile(id, lang));
  if (quiz.issues.length || !quiz.value) throw new Error(quiz.issues.map(formatIssue).join('\n'));
  return { id, lang, segments: splitLesson(lesson), quiz: quiz.value };
}
