import { describe, expect, it } from 'vitest';
import { LOUDNESS_CAPACITY, LoudnessRing } from './loudnessRing';

const frames = (from: number, n: number, rms = -20) =>
  Array.from({ length: n }, (_, i) => ({ t: (from + i) / 10, rms, peak: rms + 6 }));

describe('LoudnessRing', () => {
  it('holds 10 minutes of 100 ms frames by default', () => {
    expect(LOUDNESS_CAPACITY).toBe(6000);
    expect(new LoudnessRing().capacity).toBe(6000);
    expect(() => new LoudnessRing(0)).toThrow(RangeError);
  });

  it('keeps frames in order and reports first/last', () => {
    const ring = new LoudnessRing(10);
    expect(ring.size).toBe(0);
    expect(ring.firstT).toBeNull();
    expect(ring.lastT).toBeNull();
    expect(ring.push(frames(0, 3))).toBe(3);
    expect(ring.size).toBe(3);
    expect(ring.firstT).toBe(0);
    expect(ring.lastT).toBeCloseTo(0.2);
    expect(ring.toArray()).toEqual(frames(0, 3));
  });

  it('drops the oldest frames once full (bounded)', () => {
    const ring = new LoudnessRing(5);
    ring.push(frames(0, 4));
    ring.push(frames(4, 4));
    expect(ring.size).toBe(5);
    expect(ring.toArray().map((f) => Math.round(f.t * 10))).toEqual([3, 4, 5, 6, 7]);
    ring.push(frames(8, 100));
    expect(ring.size).toBe(5);
    expect(ring.firstT).toBeCloseTo(10.3);
    expect(ring.lastT).toBeCloseTo(10.7);
  });

  it('skips duplicates and out-of-order frames (a replayed batch)', () => {
    const ring = new LoudnessRing(10);
    ring.push(frames(0, 5));
    const v = ring.version;
    expect(ring.push(frames(2, 3))).toBe(0);
    expect(ring.version).toBe(v);
    expect(ring.push(frames(3, 4))).toBe(2);
    expect(ring.version).toBe(v + 1);
    expect(ring.push([{ t: Number.NaN, rms: 0, peak: 0 }])).toBe(0);
    expect(ring.size).toBe(7);
  });

  it('iterates a time range, oldest first, across the wrap point', () => {
    const ring = new LoudnessRing(4);
    ring.push(frames(0, 6));
    const seen: number[] = [];
    ring.forEachIn(0.3, 0.5, (t) => seen.push(Math.round(t * 10)));
    expect(seen).toEqual([3, 4]);
    ring.clear();
    expect(ring.size).toBe(0);
    expect(ring.push(frames(0, 1))).toBe(1);
  });
});
