import { describe, expect, it } from 'vitest';
import { answersForRetry, gradeQuiz } from './grade';
import type { Quiz } from './types';

const quiz: Quiz = {
  questions: [
    {
      id: 'one',
      type: 'single',
      prompt: '?',
      options: [
        { id: 'a', text: 'A', correct: false, explanation: 'no' },
        { id: 'b', text: 'B', correct: true, explanation: 'yes' },
      ],
    },
    {
      id: 'many',
      type: 'multiple',
      prompt: '?',
      options: [
        { id: 'a', text: 'A', correct: true, explanation: 'yes' },
        { id: 'b', text: 'B', correct: true, explanation: 'yes' },
        { id: 'c', text: 'C', correct: false, explanation: 'no' },
      ],
    },
  ],
};

describe('gradeQuiz', () => {
  it('gives full marks when every answer is exactly right', () => {
    const r = gradeQuiz(quiz, { one: ['b'], many: ['b', 'a'] });
    expect(r).toMatchObject({ score: 2, total: 2, passed: true });
  });

  it('marks a wrong single choice and names the wrong option', () => {
    const r = gradeQuiz(quiz, { one: ['a'], many: ['a', 'b'] });
    expect(r.score).toBe(1);
    expect(r.passed).toBe(false);
    expect(r.questions[0]).toEqual({ id: 'one', correct: false, answered: true, wrongChosen: ['a'], missed: ['b'] });
  });

  it('requires the exact set in a multiple-choice question', () => {
    expect(gradeQuiz(quiz, { one: ['b'], many: ['a'] }).questions[1]).toMatchObject({ correct: false, missed: ['b'], wrongChosen: [] });
    expect(gradeQuiz(quiz, { one: ['b'], many: ['a', 'b', 'c'] }).questions[1]).toMatchObject({ correct: false, wrongChosen: ['c'] });
  });

  it('counts unanswered questions as wrong and ignores unknown ids', () => {
    const r = gradeQuiz(quiz, { many: ['a', 'b', 'zzz'] });
    expect(r.questions[0]).toMatchObject({ correct: false, answered: false });
    expect(r.questions[1].correct).toBe(true);
    expect(gradeQuiz(quiz, {}).score).toBe(0);
  });

  it('rejects two choices on a single-choice question even if one is right', () => {
    expect(gradeQuiz(quiz, { one: ['a', 'b'] }).questions[0].correct).toBe(false);
  });
});

describe('answersForRetry', () => {
  it('keeps the right answers and clears the wrong ones', () => {
    const answers = { one: ['a'], many: ['a', 'b'] };
    expect(answersForRetry(answers, gradeQuiz(quiz, answers))).toEqual({ many: ['a', 'b'] });
  });
});
