import { namespaceStorage } from '../io/db';
import type { Answers } from '../lessons/grade';
import { keepProgressIn } from '../lessons/progress';
import type { Quiz } from '../lessons/types';
import { LmsCourse } from './course';
import { findScormApi } from './find-api';
import { packageNamespace } from './namespace';
import { Scorm12Session, type LmsProblem } from './scorm12';

/** The package build writes the instructor's mastery score here too (scripts/scorm), for an LMS that does not pass it on. */
const MASTERY_META = 'meta[name="scorm-mastery-score"]';

/**
 * The course inside an LMS (SCORM 1.2). Outside one nothing here does anything. Inside, quiz progress goes to
 * the LMS, storage is namespaced per package and learner, and the first problem the LMS reports is shown once;
 * every one is logged, and none stops the course.
 */
class Lms {
  problem = $state.raw<LmsProblem | null>(null);
  private course: LmsCourse | null = null;
  private told = false;

  /** True inside an LMS frame (or window): its SCORM API was found. */
  get inside(): boolean {
    return this.course !== null;
  }

  /** Runs before the app mounts, so storage and progress are the LMS's from the first read. */
  start(win: Window, chapterIds: readonly string[]): void {
    const api = findScormApi(win);
    if (!api) return;
    const session = new Scorm12Session(api, (p) => this.tell(p));
    session.initialize();
    const course = new LmsCourse(session, chapterIds, win.document.querySelector<HTMLMetaElement>(MASTERY_META)?.content ?? null);
    this.course = course;
    namespaceStorage(packageNamespace(win.location.pathname, session.get('cmi.core.student_id', true)));
    keepProgressIn(course.progress);
    const resume = course.resumeLocation();
    if (resume && ['', '#', '#/'].includes(win.location.hash)) win.location.replace(resume);
    course.visit(resume ?? (win.location.hash || '#/'));
    win.addEventListener('hashchange', () => course.visit(win.location.hash));
    win.addEventListener('pagehide', () => course.leave());
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
