import { describe, expect, it } from 'vitest';
import { LOW_CONFIDENCE, barsInClassOrder, lowConfidence, rankedBars } from './bars';

describe('prediction bars', () => {
  it('keep the classes’ order whatever the ranking, and mark exactly the most likely one', () => {
    const classes = ['hat', 'shoes', 'cat'];
    const frame1 = barsInClassOrder([{ label: 'shoes', probability: 0.7 }, { label: 'cat', probability: 0.2 }, { label: 'hat', probability: 0.1 }], classes);
    const frame2 = barsInClassOrder([{ label: 'hat', probability: 0.8 }, { label: 'shoes', probability: 0.15 }, { label: 'cat', probability: 0.05 }], classes);
    expect(frame1.map((b) => b.label)).toEqual(classes);
    expect(frame2.map((b) => b.label)).toEqual(classes);
    expect(frame1.map((b) => b.probability)).toEqual([0.1, 0.7, 0.2]);
    expect(frame1.filter((b) => b.top).map((b) => b.label)).toEqual(['shoes']);
    expect(frame2.filter((b) => b.top).map((b) => b.label)).toEqual(['hat']);
  });

  it('match repeated names in turn and give a missing class 0; a tie goes to the first in order', () => {
    const bars = barsInClassOrder([{ label: 'a', probability: 0.5 }, { label: 'a', probability: 0.5 }], ['a', 'a', 'b']);
    expect(bars.map((b) => [b.label, b.probability, b.top])).toEqual([['a', 0.5, true], ['a', 0.5, false], ['b', 0, false]]);
  });

  it('show ImageNet’s few most likely classes, most likely first', () => {
    const bars = rankedBars([{ label: 'x', probability: 0.1 }, { label: 'y', probability: 0.6 }, { label: 'z', probability: 0.2 }, { label: 'w', probability: 0.05 }], 3);
    expect(bars.map((b) => b.label)).toEqual(['y', 'z', 'x']);
    expect(bars[0].top).toBe(true);
  });

  it('call an answer unsure below the threshold', () => {
    expect(lowConfidence(barsInClassOrder([{ label: 'a', probability: LOW_CONFIDENCE - 0.01 }, { label: 'b', probability: 0.41 }], ['a', 'b']))).toBe(true);
    expect(lowConfidence(barsInClassOrder([{ label: 'a', probability: LOW_CONFIDENCE }, { label: 'b', probability: 0.4 }], ['a', 'b']))).toBe(false);
    expect(lowConfidence([])).toBe(true);
  });
});
