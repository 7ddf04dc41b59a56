import { describe, expect, it } from 'vitest';
import { formatBitrate, formatBytes, formatDuration, formatFps, formatLag } from './format';

describe('formatDuration (H:MM:SS)', () => {
  it.each([
    [0, '0:00:00'],
    [5.9, '0:00:05'],
    [65, '0:01:05'],
    [3725.4, '1:02:05'],
    [4 * 3600, '4:00:00'],
    [100 * 3600 + 1, '100:00:01'],
    [-3, '0:00:00'],
    [Number.NaN, '0:00:00'],
    [Number.POSITIVE_INFINITY, '0:00:00'],
  ])('%s s → %s', (s, expected) => {
    expect(formatDuration(s)).toBe(expected);
  });
});

describe('formatBitrate', () => {
  it.each([
    [null, '—'],
    [0, '0 kbps'],
    [850.4, '850 kbps'],
    [999, '999 kbps'],
    [1000, '1.0 Mbps'],
    [4500, '4.5 Mbps'],
    [12_000, '12 Mbps'],
    [-1, '—'],
  ])('%s kbps → %s', (v, expected) => {
    expect(formatBitrate(v)).toBe(expected);
  });
});

describe('formatBytes (decimal units)', () => {
  it.each([
    [null, '—'],
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.00 KB'],
    [1_536_000, '1.54 MB'],
    [12_300_000_000, '12.3 GB'],
    [250_000_000_000, '250 GB'],
    [2_000_000_000_000_000, '2000 TB'],
  ])('%s → %s', (v, expected) => {
    expect(formatBytes(v)).toBe(expected);
  });
});

describe('formatLag / formatFps', () => {
  it('lag in ms below a second, seconds above', () => {
    expect(formatLag(null)).toBe('—');
    expect(formatLag(420.4)).toBe('420 ms');
    expect(formatLag(2345)).toBe('2.3 s');
    expect(formatLag(-5)).toBe('0 ms');
  });
  it('fps with at most two decimals', () => {
    expect(formatFps(null)).toBe('—');
    expect(formatFps(0)).toBe('—');
    expect(formatFps(30)).toBe('30');
    expect(formatFps(29.97002997)).toBe('29.97');
  });
});
