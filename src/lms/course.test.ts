import { Scorm12API } from 'scorm-again';
import { describe, expect, it } from 'vitest';
import { quizKey, readProgress, recordAttempt } from '../lessons/progress';
import type { Quiz } from '../lessons/types';
import { LmsCourse, timespan } from './course';
import type { Scorm12Api } from './find-api';
import { Scorm12Session, type LmsProblem } from './scorm12';

// A real SCORM 1.2 run-time (scorm-again, as an LMS uses it), with nothing sent anywhere.
function runtime(cmi: Record<string, unknown> = {}) {
  const api = new Scorm12API({ lmsCommitUrl: false, autocommit: false, logLevel: 5 });
  api.loadFromJSON({ cmi: { core: { student_id: 'learner-1', ...((cmi.core as object) ?? {}) }, ...cmi } }, '');
  let commits = 0;
  api.on('LMSCommit', () => commits++);
  return { api, commits: () => commits, get: (el: string) => api.LMSGetValue(el) };
}

const ids = ['backpropagation', 'feature-extraction', 'layer-freezing'];
const quiz: Quiz = {
  questions: ['q1', 'q2', 'q3'].map((id) => ({ id, type: 'single' as const, prompt: '', options: ['a', 'b'].map((o) => ({ id: o, text: o, correct: o === 'a', explanation: '' })) })),
};
const tick = () => new Promise<void>((r) => queueMicrotask(r));

function open(api: Scorm12Api, packageMastery: string | null = null) {
  const problems: LmsProblem[] = [];
  const session = new Scorm12Session(api, (p) => problems.push(p));
  expect(session.initialize()).toBe(true);
  return { course: new LmsCourse(session, ids, quizKey(''), packageMastery), problems };
}

describe('the course in a SCORM 1.2 runtime', () => {
  it('reports each quiz as an objective, the mean score and the status, with one commit per submission', async () => {
    const lms = runtime({ student_data: { mastery_score: '70' } });
    const { course, problems } = open(lms.api as unknown as Scorm12Api);
    expect(lms.get('cmi.core.lesson_status')).toBe('incomplete');
    const before = lms.commits();

    recordAttempt('backpropagation', 2, 3, course.progress);
    course.recordAnswers('backpropagation', quiz, { q1: ['a'], q2: ['a'], q3: ['b'] });
    await tick();
    expect(lms.commits()).toBe(before + 1);
    expect(lms.get('cmi.objectives.0.id')).toBe('backpropagation');
    expect(lms.get('cmi.objectives.0.score.raw')).toBe('66.67');
    expect(lms.get('cmi.objectives.0.status')).toBe('failed');
    expect(lms.get('cmi.core.score.raw')).toBe('22.22');
    expect(lms.get('cmi.core.lesson_status')).toBe('incomplete');

    recordAttempt('layer-freezing', 3, 3, course.progress);
    recordAttempt('feature-extraction', 3, 3, course.progress);
    await tick();
    expect(lms.get('cmi.objectives._count')).toBe('3');
    // Objectives new in one report are numbered in chapter order.
    expect(lms.get('cmi.objectives.1.id')).toBe('feature-extraction');
    expect(lms.get('cmi.objectives.2.id')).toBe('layer-freezing');
    expect(lms.get('cmi.objectives.2.status')).toBe('passed');
    expect(lms.get('cmi.core.score.raw')).toBe('88.89');
    expect(lms.get('cmi.core.lesson_status')).toBe('passed');
    expect(problems).toEqual([]);
  });

  it('fails by the mastery score the LMS passes on, else the package\'s own', async () => {
    for (const [lmsMastery, pkg, status] of [['95', null, 'failed'], ['', '95', 'failed'], ['', null, 'passed']] as const) {
      const lms = runtime(lmsMastery ? { student_data: { mastery_score: lmsMastery } } : {});
      const { course } = open(lms.api as unknown as Scorm12Api, pkg);
      for (const id of ids) recordAttempt(id, 5, 6, course.progress);
      await tick();
      expect(lms.get('cmi.core.lesson_status')).toBe(status);
    }
  });

  it('resumes from the stored suspend_data and location: scores, answers and where the learner was', async () => {
    const first = runtime();
    const a = open(first.api as unknown as Scorm12Api).course;
    recordAttempt('backpropagation', 2, 3, a.progress);
    a.recordAnswers('backpropagation', quiz, { q1: ['a'], q2: ['b'], q3: ['a'] });
    await tick();
    a.visit('#/lab?project=projects/x.zip');
    expect(first.get('cmi.core.lesson_location')).toBe('#/lab');
    a.leave();
    expect(first.api.isTerminated()).toBe(true);
    const stored = first.api.renderCommitCMI(true) as { cmi: { suspend_data: string; core: Record<string, string> } };
    expect(stored.cmi.core.exit).toBe('suspend');
    expect(stored.cmi.core.session_time).toMatch(/^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/);

    const again = runtime({ suspend_data: stored.cmi.suspend_data, core: { entry: 'resume', lesson_location: '#/lab', lesson_status: 'incomplete' } });
    const b = open(again.api as unknown as Scorm12Api).course;
    expect(readProgress('backpropagation', b.progress)).toEqual({ ok: true, value: { best: 2, total: 3, last: 2, attempts: 1, passed: false } });
    expect(readProgress('layer-freezing', b.progress)).toEqual({ ok: true, value: null });
    expect(b.lastAnswers('backpropagation', quiz)).toEqual({ q1: ['a'], q2: ['b'], q3: ['a'] });
    expect(b.resumeLocation()).toBe('#/lab');
    expect(open(runtime({ core: { lesson_location: '#/lab' } }).api as unknown as Scorm12Api).course.resumeLocation()).toBeNull();
  });

  it('hands every refused call to onProblem with the LMS\'s words, and never throws', () => {
    const lms = runtime();
    const problems: LmsProblem[] = [];
    const session = new Scorm12Session(lms.api as unknown as Scorm12Api, (p) => problems.push(p));
    session.initialize();
    expect(session.set('cmi.core.lesson_status', 'brilliant')).toBe(false);
    expect(problems[0]).toMatchObject({ call: 'LMSSetValue', element: 'cmi.core.lesson_status', code: '405' });
    expect(problems[0].text.length).toBeGreaterThan(0);
    expect(session.get('cmi.student_data.mastery_score', true)).toBe('');
    const broken = { LMSGetLastError: () => '0' } as unknown as Scorm12Api;
    const quiet: LmsProblem[] = [];
    expect(new Scorm12Session(broken, (p) => quiet.push(p)).initialize()).toBe(false);
    expect(quiet[0]).toMatchObject({ call: 'LMSInitialize', code: 'exception' });
  });

  it('writes time spent as a CMITimespan', () => {
    expect(timespan(0)).toBe('00:00:00.00');
    expect(timespan(3_723_450)).toBe('01:02:03.45');
  });
});
