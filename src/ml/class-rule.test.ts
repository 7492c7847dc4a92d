import { describe, expect, it } from 'vitest';
import { classProblem } from './class-rule';

describe('the photos rule', () => {
  it('needs two classes, each with two photos, and names the first class short of them', () => {
    expect(classProblem([{ name: 'A', photos: 9 }])).toEqual({ key: 'one-class' });
    expect(classProblem([{ name: 'A', photos: 2 }, { name: 'B', photos: 1 }, { name: 'C', photos: 0 }])).toEqual({ key: 'few-photos', name: 'B', n: 1 });
    expect(classProblem([{ name: 'A', photos: 2 }, { name: 'B', photos: 2 }])).toBeNull();
  });
});
