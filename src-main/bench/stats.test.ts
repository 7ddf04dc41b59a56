import { describe, expect, it } from 'vitest';
import { percentile, round, slope } from './stats';

describe('bench statistics', () => {
  it('has no percentile of nothing', () => expect(percentile([], 50)).toBeNull());

  it.each([
    [[5], 50, 5],
    [[1, 2, 3, 4], 50, 2.5],
    [[10, 1, 5], 50, 5],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 9.55],
  ])('percentile(%j, %d) = %s', (v, p, expected) =>
    expect(percentile(v, p)).toBeCloseTo(expected ?? NaN, 6),
  );

  it('fits a slope', () => {
    expect(
      slope([
        [0, 1],
        [1, 3],
        [2, 5],
      ]),
    ).toBeCloseTo(2, 9);
    expect(slope([[0, 1]])).toBeNull();
    expect(
      slope([
        [1, 1],
        [1, 2],
      ]),
    ).toBeNull();
    expect(round(1.2345, 2)).toBe(1.23);
  });
});
