import { describe, expect, it } from 'vitest';
import {
  binFrame,
  binFrames,
  DB_FLOOR,
  dbToY,
  displayWindow,
  emptyColumns,
  frameSpan,
  LIVE_WINDOW_S,
} from './waveform';

describe('displayWindow', () => {
  it('live: the last minute up to the newest media time', () => {
    expect(LIVE_WINDOW_S).toBe(60);
    expect(displayWindow({ live: true, endS: 125, durationS: 0 })).toEqual({
      fromS: 65,
      toS: 125,
    });
  });
  it('live near the start: a full minute from 0 (no stretching)', () => {
    expect(displayWindow({ live: true, endS: 12, durationS: 0 })).toEqual({ fromS: 0, toS: 60 });
  });
  it('ended: the whole session', () => {
    expect(displayWindow({ live: false, endS: 100, durationS: 3600 })).toEqual({
      fromS: 0,
      toS: 3600,
    });
    expect(displayWindow({ live: false, endS: 0, durationS: 0 })).toEqual({ fromS: 0, toS: 1 });
  });
});

describe('binning frames into pixel columns', () => {
  const win = { fromS: 0, toS: 10 };

  it('puts a frame in the column its time falls in; empty columns stay -Infinity', () => {
    const cols = emptyColumns(10);
    binFrame(cols, win, 3.05, -20, -10);
    expect(cols.rms[3]).toBe(-20);
    expect(cols.peak[3]).toBe(-10);
    expect(cols.rms[2]).toBe(-Infinity);
    expect(cols.rms[4]).toBe(-Infinity);
  });

  it('keeps the loudest frame per column (short bursts stay visible)', () => {
    const cols = binFrames(emptyColumns(2), win, [
      { t: 1, rms: -40, peak: -30 },
      { t: 2, rms: -10, peak: -35 },
      { t: 3, rms: -30, peak: -3 },
    ]);
    expect(cols.rms[0]).toBe(-10);
    expect(cols.peak[0]).toBe(-3);
    expect(cols.rms[1]).toBe(-Infinity);
  });

  it('a frame spans every column it covers when columns are finer than frames', () => {
    const cols = emptyColumns(100);
    binFrame(cols, { fromS: 0, toS: 1 }, 0.2, -20, -10, 0.1);
    const painted = [...cols.rms.keys()].filter((c) => cols.rms[c] === -20);
    expect(painted).toEqual([20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  });

  it('ignores frames outside the window and empty canvases', () => {
    const cols = emptyColumns(10);
    binFrame(cols, win, -1, 0, 0);
    binFrame(cols, win, 10, 0, 0);
    expect([...cols.rms].every((v) => v === -Infinity)).toBe(true);
    binFrame(emptyColumns(0), win, 1, 0, 0);
    binFrame(cols, { fromS: 5, toS: 5 }, 5, 0, 0);
  });

  it('a frame that started just before the window still paints its first column', () => {
    const cols = emptyColumns(10);
    binFrame(cols, win, -0.05, -20, -10, 0.1);
    expect(cols.rms[0]).toBe(-20);
  });
});

describe('dbToY', () => {
  it('maps 0 dBFS to the top and the floor (or quieter) to the bottom', () => {
    expect(dbToY(0, 100)).toBe(0);
    expect(dbToY(DB_FLOOR, 100)).toBe(100);
    expect(dbToY(-100, 100)).toBe(100);
    expect(dbToY(-30, 100)).toBe(50);
    expect(dbToY(6, 100)).toBe(0);
    expect(dbToY(-Infinity, 80)).toBe(80);
    expect(dbToY(Number.NaN, 80)).toBe(80);
  });
});

describe('frameSpan', () => {
  it('is 100 ms for raw frames and wider for downsampled ones', () => {
    expect(frameSpan([])).toBe(0.1);
    expect(frameSpan([{ t: 0 }, { t: 0.1 }, { t: 0.2 }])).toBeCloseTo(0.1);
    expect(frameSpan([{ t: 0 }, { t: 3 }, { t: 6 }])).toBe(3);
  });
});
