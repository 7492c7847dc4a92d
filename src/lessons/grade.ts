import type { Quiz } from './types';

/** The reader's choices: question id → chosen option ids (one for single choice). */
export type Answers = Record<string, string[]>;

export interface QuestionResult {
  id: string;
  correct: boolean;
  answered: boolean;
  /** Chosen options that are wrong. */
  wrongChosen: string[];
  /** Correct options left unchosen (multiple choice). */
  missed: string[];
}

export interface QuizResult {
  score: number;
  total: number;
  /** Every question right. */
  passed: boolean;
  questions: QuestionResult[];
}

/**
 * One point per question, all or nothing: a single-choice question is right when its one correct option
 * is chosen; a multiple-choice one when exactly the set of correct options is chosen. Ids that are not
 * options of the question are ignored.
 */
export function gradeQuiz(quiz: Quiz, answers: Answers): QuizResult {
  const questions = quiz.questions.map((q): QuestionResult => {
    const valid = new Set(q.options.map((o) => o.id));
    const chosen = new Set((answers[q.id] ?? []).filter((id) => valid.has(id)));
    const wrongChosen = q.options.filter((o) => !o.correct && chosen.has(o.id)).map((o) => o.id);
    const missed = q.options.filter((o) => o.correct && !chosen.has(o.id)).map((o) => o.id);
    const tooMany = q.type === 'single' && chosen.size > 1;
    return { id: q.id, answered: chosen.size > 0, correct: chosen.size > 0 && !tooMany && wrongChosen.length === 0 && missed.length === 0, wrongChosen, missed };
  });
  const score = questions.filter((q) => q.correct).length;
  return { score, total: questions.length, passed: score === questions.length, questions };
}

/** Answers to keep for another try: the questions answered right stay, the others are cleared. */
export function answersForRetry(answers: Answers, result: QuizResult): Answers {
  const keep: Answers = {};
  for (const q of result.questions) if (q.correct && answers[q.id]) keep[q.id] = [...answers[q.id]];
  return keep;
}
