import { chapters } from '../lessons/content';
import type { Answers } from '../lessons/grade';
import { keepProgressIn, quizKey } from '../lessons/progress';
import type { Quiz } from '../lessons/types';
import type { LmsCourse } from './course';
import { findScormApi } from './find-api';
import type { LmsProblem } from './scorm12';

/**
 * The course inside an LMS (SCORM 1.2). Outside one nothing here does anything, and the SCORM code is never
 * loaded. Inside, the first problem the LMS reports is shown once; every one is logged, none stops the course.
 */
class Lms {
  problem = $state.raw<LmsProblem | null>(null);
  /** True inside an LMS frame (or window): its SCORM API was found. */
  inside = false;
  private course: LmsCourse | null = null;
  private told = false;

  /** Awaited before the app mounts, so storage and progress are the LMS's from the first read. */
  async start(win: Window): Promise<void> {
    const api = findScormApi(win);
    if (!api) return;
    this.inside = true;
    const { openCourse } = await import('./open');
    this.course = openCourse(api, win, chapters.map((c) => c.id), quizKey(''), (p) => this.tell(p));
    keepProgressIn(this.course.progress);
  }

  /** A submitted quiz's answers, kept with its progress (recordAttempt has just stored the score). */
  quizTaken(chapterId: string, quiz: Quiz, answers: Answers): void {
    this.course?.recordAnswers(chapterId, quiz, answers);
  }

  /** The answers of the quiz's last attempt in this LMS, to show it as it was left; null outside an LMS. */
  lastAnswers(chapterId: string, quiz: Quiz): Answers | null {
    return this.course?.lastAnswers(chapterId, quiz) ?? null;
  }

  dismiss(): void {
    this.problem = null;
  }

  private tell(p: LmsProblem): void {
    console.warn(`LMS: ${p.call}(${p.element}) failed with error ${p.code}${p.text ? ` (${p.text})` : ''}`);
    if (this.told) return;
    this.told = true;
    this.problem = p;
  }
}

export const lms = new Lms();
