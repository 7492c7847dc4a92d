import type { CourseRecord } from './suspend-data';

/** The pass mark when neither the LMS nor the package names one (the build's default, too). */
export const DEFAULT_MASTERY = 70;

export type LessonStatus = 'incomplete' | 'passed' | 'failed';

/** What the gradebook gets: one objective per chapter quiz taken, the course score and the lesson status. */
export interface CourseReport {
  objectives: { id: string; raw: number; status: 'passed' | 'failed' }[];
  /** Mean of every chapter's best quiz percentage, a chapter not taken counting 0; 0–100, two decimals. */
  score: number;
  /** Incomplete until every chapter's quiz was taken, then passed or failed by the mastery score. */
  status: LessonStatus;
}

const twoDecimals = (x: number) => Math.round(x * 100) / 100;

/** A mastery score as SCORM 1.2 writes it (CMIDecimal, 0–100); null when absent or out of range. */
export function parseMastery(text: string | null | undefined): number | null {
  if (!text || !/^\d{1,3}(\.\d+)?$/.test(text.trim())) return null;
  const m = Number(text);
  return m >= 0 && m <= 100 ? m : null;
}

/** The SCORM view of the learner's quizzes; pass/fail compares the reported (rounded) value, as an LMS would. */
export function courseReport(chapterIds: readonly string[], course: CourseRecord, mastery: number): CourseReport {
  const percents = chapterIds.map((id) => {
    const p = course.get(id)?.progress;
    return p ? twoDecimals((100 * p.best) / p.total) : null;
  });
  const objectives = chapterIds.flatMap((id, i) => {
    const raw = percents[i];
    return raw === null ? [] : [{ id, raw, status: raw >= mastery ? ('passed' as const) : ('failed' as const) }];
  });
  const score = chapterIds.length ? twoDecimals(percents.reduce<number>((s, p) => s + (p ?? 0), 0) / chapterIds.length) : 0;
  const allTaken = percents.every((p) => p !== null);
  return { objectives, score, status: !allTaken ? 'incomplete' : score >= mastery ? 'passed' : 'failed' };
}
