import { describe, expect, it } from 'vitest';
import { isAtBottom, scrollTopToCenter, visibleRange } from './windowing';

const base = { rowHeight: 24, viewportHeight: 240, count: 30_000, overscan: 5 };

describe('visibleRange', () => {
  it('at the top: the visible rows plus overscan below', () => {
    expect(visibleRange({ ...base, scrollTop: 0 })).toEqual({ start: 0, end: 15 });
  });

  it('in the middle: overscan on both sides', () => {
    // 2400 / 24 = row 100; 240 px = 10 rows.
    expect(visibleRange({ ...base, scrollTop: 2400 })).toEqual({ start: 95, end: 115 });
  });

  it('a partly scrolled row counts as visible', () => {
    expect(visibleRange({ ...base, scrollTop: 2410, overscan: 0 })).toEqual({
      start: 100,
      end: 111,
    });
  });

  it('at (and past) the end: clamped to the list', () => {
    const end = 30_000 * 24 - 240;
    expect(visibleRange({ ...base, scrollTop: end })).toEqual({ start: 29_985, end: 30_000 });
    expect(visibleRange({ ...base, scrollTop: Number.MAX_SAFE_INTEGER })).toEqual({
      start: 29_985,
      end: 30_000,
    });
  });

  it('renders a bounded number of rows for any size of list', () => {
    for (const scrollTop of [0, 12_345, 500_000, 719_000]) {
      const r = visibleRange({ ...base, scrollTop });
      expect(r.end - r.start).toBeLessThanOrEqual(10 + 1 + 2 * 5);
    }
  });

  it('fewer rows than fit: all of them', () => {
    expect(visibleRange({ ...base, count: 3, scrollTop: 0 })).toEqual({ start: 0, end: 3 });
    expect(visibleRange({ ...base, count: 3, scrollTop: 500 })).toEqual({ start: 0, end: 3 });
  });

  it('degenerate input gives an empty or sane range', () => {
    expect(visibleRange({ ...base, count: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, rowHeight: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0 });
    expect(visibleRange({ ...base, scrollTop: -50 })).toEqual({ start: 0, end: 15 });
    expect(visibleRange({ ...base, scrollTop: Number.NaN })).toEqual({ start: 0, end: 15 });
    expect(visibleRange({ ...base, viewportHeight: 0, scrollTop: 0 })).toEqual({
      start: 0,
      end: 6,
    });
    expect(visibleRange({ ...base, overscan: -3, scrollTop: 0 })).toEqual({ start: 0, end: 10 });
  });
});

describe('scrollTopToCenter / isAtBottom', () => {
  it('centres a row, clamped to the list', () => {
    expect(scrollTopToCenter(100, 24, 240, 30_000)).toBe(2400 - 108);
    expect(scrollTopToCenter(0, 24, 240, 30_000)).toBe(0);
    expect(scrollTopToCenter(29_999, 24, 240, 30_000)).toBe(30_000 * 24 - 240);
    expect(scrollTopToCenter(2, 24, 240, 3)).toBe(0);
  });

  it('at the bottom within the slack', () => {
    expect(isAtBottom(760, 240, 1000, 12)).toBe(true);
    expect(isAtBottom(750, 240, 1000, 12)).toBe(true);
    expect(isAtBottom(740, 240, 1000, 12)).toBe(false);
  });
});
