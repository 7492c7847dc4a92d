import type { Answers } from '../lessons/grade';
import type { QuizProgress } from '../lessons/progress';
import type { Quiz } from '../lessons/types';
import { shortHash } from './hash';

/** cmi.suspend_data is a CMIString4096 in SCORM 1.2: an LMS may cut or refuse anything longer. */
export const SUSPEND_DATA_MAX = 4096;
/** The first field of every suspend_data we write; a later format bumps it and still reads this one. */
export const SUSPEND_VERSION = '1';

/** A quiz's last answers as one bit mask per question, tied to the quiz's shape so a changed quiz drops them. */
export interface SavedAnswers {
  shape: string;
  masks: number[];
}

export interface ChapterRecord {
  progress: QuizProgress;
  answers: SavedAnswers | null;
}

/** Chapter id → its quiz record, in the order the chapters were first taken. */
export type CourseRecord = Map<string, ChapterRecord>;

const CHAPTER_ID = /^[a-z0-9-]{1,64}$/;

/** Questions and options sorted by id: the languages of a quiz share ids, not necessarily their order. */
const sorted = (quiz: Quiz) =>
  [...quiz.questions].sort((a, b) => a.id.localeCompare(b.id)).map((q) => ({ id: q.id, options: q.options.map((o) => o.id).sort() }));

/** A short tag of the quiz's question and option ids: answers saved against another shape are not read back. */
export function quizShape(quiz: Quiz): string {
  return shortHash(sorted(quiz).map((q) => `${q.id}=${q.options.join(',')}`).join(';'));
}

export function packAnswers(quiz: Quiz, answers: Answers): SavedAnswers {
  const masks = sorted(quiz).map((q) => q.options.reduce((m, o, i) => (answers[q.id]?.includes(o) ? m | (1 << i) : m), 0));
  return { shape: quizShape(quiz), masks };
}

/** The saved answers as the quiz asks them; null when the quiz changed since they were saved. */
export function unpackAnswers(quiz: Quiz, saved: SavedAnswers): Answers | null {
  if (saved.shape !== quizShape(quiz)) return null;
  const questions = sorted(quiz);
  if (saved.masks.length !== questions.length) return null;
  return Object.fromEntries(questions.map((q, i) => [q.id, q.options.filter((_, bit) => saved.masks[i] & (1 << bit))]));
}

function encodeRecord(id: string, r: ChapterRecord, withAnswers: boolean): string {
  const p = r.progress;
  const head = `${id}:${[p.best, p.total, p.last, p.attempts, p.passed ? 1 : 0].join('.')}`;
  return withAnswers && r.answers ? `${head}:${r.answers.shape}:${r.answers.masks.map((m) => m.toString(36)).join('.')}` : head;
}

/**
 * `1|backpropagation:5.6.4.2.0:k3f9a:1.2.0.4.1.8|…` — version, then per chapter its best/total/last/attempts/
 * passed and, when there is room, its quiz shape and last answers. Within SUSPEND_DATA_MAX: answers go first,
 * then the last chapters, so scores are the last thing ever dropped.
 */
export function encodeSuspendData(course: CourseRecord, max = SUSPEND_DATA_MAX): string {
  const entries = [...course].filter(([id]) => CHAPTER_ID.test(id));
  const encode = (list: typeof entries, withAnswers: boolean) => [SUSPEND_VERSION, ...list.map(([id, r]) => encodeRecord(id, r, withAnswers))].join('|');
  const full = encode(entries, true);
  if (full.length <= max) return full;
  let list = entries;
  let text = encode(list, false);
  while (text.length > max && list.length > 0) {
    list = list.slice(0, -1);
    text = encode(list, false);
  }
  return text;
}

const count = (s: string | undefined): number | null => (s !== undefined && /^\d{1,6}$/.test(s) ? Number(s) : null);

function decodeRecord(text: string): [string, ChapterRecord] | null {
  const [id, numbers, shape, masks] = text.split(':');
  if (!CHAPTER_ID.test(id ?? '')) return null;
  const [best, total, last, attempts, passed] = (numbers ?? '').split('.').map(count);
  if (best === null || total === null || last === null || attempts === null || passed === null) return null;
  if (total === 0 || best > total || (passed !== 0 && passed !== 1)) return null;
  const progress: QuizProgress = { best, total, last, attempts, passed: passed === 1 };
  let answers: SavedAnswers | null = null;
  if (shape && masks !== undefined && /^[0-9a-z]{1,8}$/.test(shape)) {
    const list = masks.split('.').map((m) => (/^[0-9a-z]{1,7}$/.test(m) ? parseInt(m, 36) : NaN));
    if (list.every(Number.isFinite)) answers = { shape, masks: list };
  }
  return [id, { progress, answers }];
}

/** Reads what encodeSuspendData wrote; anything else (another version, another course's data) reads as nothing taken. */
export function decodeSuspendData(text: string): CourseRecord {
  const [version, ...records] = text.split('|');
  const course: CourseRecord = new Map();
  if (version !== SUSPEND_VERSION) return course;
  for (const r of records) {
    const decoded = decodeRecord(r);
    if (decoded) course.set(...decoded);
  }
  return course;
}
