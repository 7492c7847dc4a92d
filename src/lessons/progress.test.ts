import { describe, expect, it } from 'vitest';
import { quizKey, readProgress, recordAttempt } from './progress';

function memoryStorage() {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
  };
}

describe('quiz progress', () => {
  it('starts empty and keeps the best score across attempts', () => {
    const s = memoryStorage();
    expect(readProgress('ch', s)).toEqual({ ok: true, value: null });
    recordAttempt('ch', 3, 6, s);
    recordAttempt('ch', 5, 6, s);
    const r = recordAttempt('ch', 2, 6, s);
    expect(r).toEqual({ ok: true, value: { best: 5, total: 6, last: 2, attempts: 3, passed: false } });
    expect(recordAttempt('ch', 6, 6, s)).toMatchObject({ ok: true, value: { best: 6, passed: true } });
    expect(s.data.has('transfer-lab:quiz:ch')).toBe(true);
    expect(quizKey('ch')).toBe('transfer-lab:quiz:ch');
  });

  it('reports a storage that refuses writes instead of throwing', () => {
    const s = { getItem: () => null, setItem: () => { throw new DOMException('quota', 'QuotaExceededError'); } };
    expect(recordAttempt('ch', 1, 2, s)).toEqual({ ok: false, error: 'quota' });
  });

  it('reports a storage that cannot be read, and treats garbage as no progress', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => {} };
    expect(readProgress('ch', broken)).toEqual({ ok: false, error: 'denied' });
    const s = memoryStorage();
    s.data.set(quizKey('ch'), '{not json');
    expect(readProgress('ch', s)).toEqual({ ok: true, value: null });
    s.data.set(quizKey('ch'), '{"best":"x"}');
    expect(readProgress('ch', s)).toEqual({ ok: true, value: null });
  });
});
