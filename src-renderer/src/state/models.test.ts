import { describe, expect, it } from 'vitest';
import { applyProgress, beginPull, endPull, progressPercent, type Pulls } from './models';

const progress = (
  received: number,
  total: number | null,
  file = 'encoder.onnx',
  id = 'kws-zh',
) => ({
  id,
  file,
  received,
  total,
});

describe('model pulls', () => {
  it('tracks a download from start to success', () => {
    let p: Pulls = {};
    p = beginPull(p, 'kws-zh');
    expect(p['kws-zh']).toEqual({
      running: true,
      file: null,
      received: 0,
      total: null,
      error: null,
    });
    p = applyProgress(p, progress(50, 200));
    expect(p['kws-zh']).toMatchObject({ running: true, file: 'encoder.onnx', received: 50 });
    expect(progressPercent(p['kws-zh']!)).toBe(25);
    p = applyProgress(p, progress(10, 100, 'tokens.txt'));
    expect(p['kws-zh']?.file).toBe('tokens.txt');
    expect(progressPercent(p['kws-zh']!)).toBe(10);
    p = endPull(p, 'kws-zh', null);
    expect(p).toEqual({});
  });

  it('ignores progress for downloads not started here, after the end, or unchanged', () => {
    const empty: Pulls = {};
    expect(applyProgress(empty, progress(1, 2))).toBe(empty);
    const failed = endPull(beginPull({}, 'kws-zh'), 'kws-zh', 'network down');
    expect(applyProgress(failed, progress(1, 2))).toBe(failed);
    const running = applyProgress(beginPull({}, 'kws-zh'), progress(1, 2));
    expect(applyProgress(running, progress(1, 2))).toBe(running);
  });

  it('keeps the failure reason; a new attempt clears it', () => {
    let p = endPull(
      applyProgress(beginPull({}, 'kws-zh'), progress(5, 10)),
      'kws-zh',
      'hash mismatch',
    );
    expect(p['kws-zh']).toMatchObject({ running: false, error: 'hash mismatch', received: 5 });
    p = beginPull(p, 'kws-zh');
    expect(p['kws-zh']).toMatchObject({ running: true, error: null, received: 0 });
    const other = endPull({}, 'vad', 'offline');
    expect(other['vad']).toMatchObject({ running: false, error: 'offline' });
    const none: Pulls = {};
    expect(endPull(none, 'vad', null)).toBe(none);
  });

  it('percent is clamped, and null when the size is unknown', () => {
    const base = { running: true, file: 'a', error: null };
    expect(progressPercent({ ...base, received: 5, total: null })).toBeNull();
    expect(progressPercent({ ...base, received: 5, total: 0 })).toBeNull();
    expect(progressPercent({ ...base, received: 300, total: 200 })).toBe(100);
    expect(progressPercent({ ...base, received: 199, total: 200 })).toBe(99);
  });
});
