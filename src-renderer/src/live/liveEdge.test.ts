import { describe, expect, it } from 'vitest';
import { isAtLive, LIVE_EDGE_TOLERANCE_S, timelinePercent } from './liveEdge';

describe('isAtLive', () => {
  it('within ~3 s of the live sync position counts as live', () => {
    expect(LIVE_EDGE_TOLERANCE_S).toBe(3);
    expect(isAtLive(100, 102)).toBe(true);
    expect(isAtLive(99, 102)).toBe(true);
    expect(isAtLive(98.9, 102)).toBe(false);
    expect(isAtLive(10, 3600)).toBe(false);
    expect(isAtLive(105, 102)).toBe(true);
  });
  it('no live position (VOD, not loaded) is never "behind live"', () => {
    expect(isAtLive(0, null)).toBe(true);
    expect(isAtLive(0, undefined)).toBe(true);
    expect(isAtLive(0, Number.NaN)).toBe(true);
  });
});

describe('timelinePercent', () => {
  it('places a marker by media time, clamped to the bar', () => {
    expect(timelinePercent(1800, 3600)).toBe(50);
    expect(timelinePercent(-1, 3600)).toBe(0);
    expect(timelinePercent(4000, 3600)).toBe(100);
    expect(timelinePercent(10, 0)).toBe(0);
  });
});
