import { namespaceStorage } from '../io/db';
import { LmsCourse } from './course';
import type { Scorm12Api } from './find-api';
import { packageNamespace } from './namespace';
import { Scorm12Session, type LmsProblem } from './scorm12';

/** The package build writes the instructor's mastery score here too (scripts/scorm), for an LMS that does not pass it on. */
const MASTERY_META = 'meta[name="scorm-mastery-score"]';

/**
 * Starts the SCORM session (loaded only inside an LMS): storage namespaced per package and learner, the learner
 * taken back to where they left, the route reported, LMSFinish on leaving. The caller hands progress to it.
 * It takes what the home page already has as arguments, so this chunk shares no module with the home page.
 */
export function openCourse(api: Scorm12Api, win: Window, chapterIds: readonly string[], quizKeyPrefix: string, onProblem: (p: LmsProblem) => void): LmsCourse {
  const session = new Scorm12Session(api, onProblem);
  session.initialize();
  const mastery = win.document.querySelector<HTMLMetaElement>(MASTERY_META)?.content ?? null;
  const course = new LmsCourse(session, chapterIds, quizKeyPrefix, mastery);
  namespaceStorage(packageNamespace(win.location.pathname, session.get('cmi.core.student_id', true)));
  const resume = course.resumeLocation();
  if (resume && ['', '#', '#/'].includes(win.location.hash)) win.location.replace(resume);
  course.visit(resume ?? (win.location.hash || '#/'));
  win.addEventListener('hashchange', () => course.visit(win.location.hash));
  win.addEventListener('pagehide', () => course.leave());
  return course;
}
