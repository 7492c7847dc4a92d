import { describe, expect, it } from 'vitest';
import type { Quiz } from '../lessons/types';
import { SUSPEND_DATA_MAX, decodeSuspendData, encodeSuspendData, packAnswers, quizShape, unpackAnswers, type CourseRecord } from './suspend-data';

const quiz = (order: 'ab' | 'ba' = 'ab', extra = false): Quiz => {
  const q1 = { id: 'q1', type: 'single' as const, prompt: '', options: ['a', 'b', 'c'].map((id) => ({ id, text: id, correct: id === 'b', explanation: '' })) };
  const q2 = { id: 'q2', type: 'multiple' as const, prompt: '', options: ['x', 'y', 'z', ...(extra ? ['w'] : [])].map((id) => ({ id, text: id, correct: id !== 'y', explanation: '' })) };
  return { questions: order === 'ab' ? [q1, q2] : [{ ...q2, options: [...q2.options].reverse() }, q1] };
};

const progress = (best: number, total: number, last = best, attempts = 1) => ({ best, total, last, attempts, passed: best === total });

describe('suspend_data codec', () => {
  it('round-trips progress and answers, compactly', () => {
    const course: CourseRecord = new Map([
      ['backpropagation', { progress: progress(4, 6, 3, 2), answers: packAnswers(quiz(), { q1: ['b'], q2: ['x', 'z'] }) }],
      ['layer-freezing', { progress: progress(5, 5), answers: null }],
    ]);
    const text = encodeSuspendData(course);
    expect(text.startsWith('1|backpropagation:4.6.3.2.0:')).toBe(true);
    expect(text).toMatch(/\|layer-freezing:5\.5\.5\.1\.1$/);
    expect(text.length).toBeLessThan(80);
    const back = decodeSuspendData(text);
    expect([...back.keys()]).toEqual(['backpropagation', 'layer-freezing']);
    expect(back.get('backpropagation')!.progress).toEqual(progress(4, 6, 3, 2));
    expect(unpackAnswers(quiz(), back.get('backpropagation')!.answers!)).toEqual({ q1: ['b'], q2: ['x', 'z'] });
    expect(back.get('layer-freezing')!.answers).toBeNull();
  });

  it('reads answers back whatever order a language lists questions and options in', () => {
    const saved = packAnswers(quiz('ab'), { q1: ['c'], q2: ['y'] });
    expect(quizShape(quiz('ab'))).toBe(quizShape(quiz('ba')));
    expect(unpackAnswers(quiz('ba'), saved)).toEqual({ q1: ['c'], q2: ['y'] });
  });

  it('drops answers saved against a quiz that has changed since, keeping the score', () => {
    const text = encodeSuspendData(new Map([['backpropagation', { progress: progress(1, 2), answers: packAnswers(quiz(), { q1: ['a'] }) }]]));
    const back = decodeSuspendData(text).get('backpropagation')!;
    expect(back.progress.best).toBe(1);
    expect(unpackAnswers(quiz('ab', true), back.answers!)).toBeNull();
  });

  it('stays within 4,096 characters: answers go first, then the last chapters, never a cut record', () => {
    const many: CourseRecord = new Map();
    const big: Quiz = { questions: Array.from({ length: 40 }, (_, i) => ({ id: `question-${i}`, type: 'multiple' as const, prompt: '', options: Array.from({ length: 6 }, (_, j) => ({ id: `o${j}`, text: '', correct: j === 0, explanation: '' })) })) };
    const all = Object.fromEntries(big.questions.map((q) => [q.id, q.options.map((o) => o.id)]));
    for (let i = 0; i < 60; i++) many.set(`chapter-${i}`, { progress: progress(i % 7, 7), answers: packAnswers(big, all) });
    const text = encodeSuspendData(many);
    expect(text.length).toBeLessThanOrEqual(SUSPEND_DATA_MAX);
    const back = decodeSuspendData(text);
    expect(back.size).toBe(60);
    expect([...back.values()].every((r) => r.answers === null)).toBe(true);
    expect(back.get('chapter-59')!.progress.best).toBe(59 % 7);

    const tight = encodeSuspendData(many, 200);
    expect(tight.length).toBeLessThanOrEqual(200);
    const kept = decodeSuspendData(tight);
    expect(kept.size).toBeGreaterThan(3);
    expect([...kept.keys()]).toEqual([...many.keys()].slice(0, kept.size));
  });

  it('reads another version, another course or garbage as nothing taken, and skips broken records', () => {
    expect(decodeSuspendData('').size).toBe(0);
    expect(decodeSuspendData('2|backpropagation:1.2.1.1.0').size).toBe(0);
    expect(decodeSuspendData('{"bookmark":12}').size).toBe(0);
    const back = decodeSuspendData('1|backpropagation:7.6.1.1.0|Bad Id:1.2.1.1.0|feature-extraction:2.3.2.1.0:zz:!!|layer-freezing:1.0.0.1.0');
    expect([...back.keys()]).toEqual(['feature-extraction']);
    expect(back.get('feature-extraction')!.answers).toBeNull();
  });
});
