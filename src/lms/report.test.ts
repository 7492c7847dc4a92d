import { describe, expect, it } from 'vitest';
import { courseReport, parseMastery } from './report';
import type { CourseRecord } from './suspend-data';

const ids = ['backpropagation', 'feature-extraction', 'layer-freezing'];
const taken = (...scores: [string, number, number][]): CourseRecord =>
  new Map(scores.map(([id, best, total]) => [id, { progress: { best, total, last: best, attempts: 1, passed: best === total }, answers: null }]));

describe('the course report for the LMS', () => {
  it('is incomplete until every quiz was taken; the score counts a chapter not taken as 0', () => {
    const r = courseReport(ids, taken(['backpropagation', 5, 6]), 70);
    expect(r.objectives).toEqual([{ id: 'backpropagation', raw: 83.33, status: 'passed' }]);
    expect(r.score).toBe(27.78);
    expect(r.status).toBe('incomplete');
  });

  it('is passed or failed by the mastery score once all are taken', () => {
    const course = taken(['backpropagation', 5, 6], ['feature-extraction', 2, 3], ['layer-freezing', 4, 5]);
    const r = courseReport(ids, course, 70);
    expect(r.objectives.map((o) => [o.id, o.raw, o.status])).toEqual([
      ['backpropagation', 83.33, 'passed'],
      ['feature-extraction', 66.67, 'failed'],
      ['layer-freezing', 80, 'passed'],
    ]);
    expect(r.score).toBe(76.67);
    expect(r.status).toBe('passed');
    expect(courseReport(ids, course, 80).status).toBe('failed');
    expect(courseReport(ids, course, 76.67).status).toBe('passed');
  });

  it('reads a mastery score as SCORM 1.2 writes it', () => {
    expect(parseMastery('70')).toBe(70);
    expect(parseMastery('82.5')).toBe(82.5);
    expect(parseMastery('')).toBeNull();
    expect(parseMastery('101')).toBeNull();
    expect(parseMastery('-5')).toBeNull();
    expect(parseMastery(null)).toBeNull();
  });
});
