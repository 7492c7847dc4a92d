import { describe, expect, it } from 'vitest';
import { etaSeconds, formatDuration } from './eta';

describe('ETA', () => {
  it('extrapolates the average pace', () => {
    expect(etaSeconds(2, 10, 1000)).toBe(4);
    expect(etaSeconds(0, 10, 1000)).toBeNull();
    expect(etaSeconds(10, 10, 1000)).toBeNull();
  });
  it('formats seconds and minutes', () => {
    expect(formatDuration(4.2)).toBe('5 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
  });
});
