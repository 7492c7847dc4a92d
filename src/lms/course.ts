import type { Answers } from '../lessons/grade';
import type { QuizProgress } from '../lessons/progress';
import type { Quiz } from '../lessons/types';
import { DEFAULT_MASTERY, courseReport, parseMastery } from './report';
import type { Scorm12Session } from './scorm12';
import { decodeSuspendData, encodeSuspendData, packAnswers, unpackAnswers, type CourseRecord } from './suspend-data';

/** cmi.core.lesson_location is a CMIString255. */
const LOCATION_MAX = 255;

/** CMITimespan, HHHH:MM:SS.SS (hours with 2 to 4 digits). */
export function timespan(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  const h = Math.min(9999, Math.floor(s / 3600));
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(2).padStart(5, '0');
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${sec}`;
}

/**
 * The course as the LMS records it: quiz progress and last answers in cmi.suspend_data, one objective per
 * chapter quiz, the course score and lesson status, the last route; every change is committed at once.
 */
export class LmsCourse {
  readonly mastery: number;
  private readonly course: CourseRecord;
  private readonly objectives = new Map<string, number>();
  /** SCORM 1.2 objectives are an array: a new one goes right after those the LMS already holds. */
  private nextObjective: number;
  private pending = false;
  private readonly started = Date.now();

  constructor(
    private readonly session: Scorm12Session,
    private readonly chapterIds: readonly string[],
    /** The keys src/lessons/progress.ts reads and writes a chapter's progress under: this prefix + chapter id. */
    private readonly quizKeyPrefix: string,
    packageMastery: string | null = null,
  ) {
    // The LMS passes the manifest's adlcp:masteryscore on; the package's own copy covers an LMS that does not.
    this.mastery = parseMastery(session.get('cmi.student_data.mastery_score', true)) ?? parseMastery(packageMastery) ?? DEFAULT_MASTERY;
    this.course = decodeSuspendData(session.get('cmi.suspend_data'));
    const known = Number(session.get('cmi.objectives._count', true)) || 0;
    for (let i = 0; i < known; i++) {
      const id = session.get(`cmi.objectives.${i}.id`, true);
      if (id) this.objectives.set(id, i);
    }
    this.nextObjective = known;
    const status = session.get('cmi.core.lesson_status');
    if (status === 'not attempted' || status === '') {
      session.set('cmi.core.lesson_status', 'incomplete');
      session.commit();
    }
  }

  /** Where the learner was when they last left, when the LMS resumes an earlier session; null otherwise. */
  resumeLocation(): string | null {
    if (this.session.get('cmi.core.entry') !== 'resume') return null;
    const at = this.session.get('cmi.core.lesson_location');
    return at.startsWith('#/') ? at : null;
  }

  /** Quiz progress lives in the LMS's record (read by src/lessons/progress.ts as its storage), not in this browser. */
  readonly progress: Pick<Storage, 'getItem' | 'setItem'> = {
    getItem: (key) => {
      const record = key.startsWith(this.quizKeyPrefix) ? this.course.get(key.slice(this.quizKeyPrefix.length)) : undefined;
      return record ? JSON.stringify(record.progress) : null;
    },
    setItem: (key, value) => {
      if (!key.startsWith(this.quizKeyPrefix)) return;
      const id = key.slice(this.quizKeyPrefix.length);
      this.course.set(id, { progress: JSON.parse(value) as QuizProgress, answers: this.course.get(id)?.answers ?? null });
      this.schedule();
    },
  };

  /** Keeps a submitted quiz's answers beside its progress, so a resumed session shows the attempt as it was. */
  recordAnswers(chapterId: string, quiz: Quiz, answers: Answers): void {
    const record = this.course.get(chapterId);
    if (!record) return;
    record.answers = packAnswers(quiz, answers);
    this.schedule();
  }

  lastAnswers(chapterId: string, quiz: Quiz): Answers | null {
    const saved = this.course.get(chapterId)?.answers;
    return saved ? unpackAnswers(quiz, saved) : null;
  }

  /** The route the learner is on (query left out: a lab link is not opened again on resume). */
  visit(hash: string): void {
    this.session.set('cmi.core.lesson_location', hash.split('?')[0].slice(0, LOCATION_MAX));
    this.session.commit();
  }

  /** Time spent, a suspended exit (so the LMS resumes with our suspend_data), a last commit, LMSFinish. */
  leave(): void {
    if (!this.session.active) return;
    this.session.set('cmi.core.session_time', timespan(Date.now() - this.started));
    this.session.set('cmi.core.exit', 'suspend');
    this.session.commit();
    this.session.finish();
  }

  /** A quiz submission records progress and answers in one go: one report and one commit for both. */
  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      this.report();
    });
  }

  private report(): void {
    const s = this.session;
    const report = courseReport(this.chapterIds, this.course, this.mastery);
    s.set('cmi.suspend_data', encodeSuspendData(this.course));
    for (const o of report.objectives) {
      let n = this.objectives.get(o.id);
      if (n === undefined) {
        n = this.nextObjective++;
        this.objectives.set(o.id, n);
        s.set(`cmi.objectives.${n}.id`, o.id);
      }
      s.set(`cmi.objectives.${n}.score.min`, '0');
      s.set(`cmi.objectives.${n}.score.max`, '100');
      s.set(`cmi.objectives.${n}.score.raw`, String(o.raw));
      s.set(`cmi.objectives.${n}.status`, o.status);
    }
    s.set('cmi.core.score.min', '0');
    s.set('cmi.core.score.max', '100');
    s.set('cmi.core.score.raw', String(report.score));
    s.set('cmi.core.lesson_status', report.status);
    s.commit();
  }
}
