import { describe, expect, it } from 'vitest';
import {
  decodeFrames,
  downsampleFrames,
  encodeFrames,
  LoudnessMeter,
  SILENCE_DB,
  toDb,
} from './loudness';
import { renderPlaylist } from './playlist';
import { planRetention, type RetentionSegment } from './retention';
import { lastMeaningfulLine, recentBitrateKbps } from './session-ingest';

function s16(samples: number[]): Buffer {
  const b = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => b.writeInt16LE(v, i * 2));
  return b;
}

describe('LoudnessMeter', () => {
  it('reports one frame per 100 ms with RMS and peak in dBFS', () => {
    const meter = new LoudnessMeter(10);
    const fullScaleSquare = Array.from({ length: 1600 }, (_, i) => (i % 2 ? 32767 : -32768));
    const silence = new Array<number>(1600).fill(0);
    const frames = meter.push(s16([...fullScaleSquare, ...silence, 100]));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toEqual({ t: 10, rms: 0, peak: 0 });
    expect(frames[1]).toEqual({ t: 10.1, rms: SILENCE_DB, peak: SILENCE_DB });
    expect(meter.elapsedS).toBeCloseTo(3201 / 16000, 6);
  });

  it('handles chunks that split a sample', () => {
    const whole = s16(Array.from({ length: 1600 }, () => 16384));
    const meter = new LoudnessMeter(0);
    const a = meter.push(whole.subarray(0, 1001));
    const b = meter.push(whole.subarray(1001));
    expect(a).toEqual([]);
    expect(b).toEqual([{ t: 0, rms: -6, peak: -6 }]);
  });

  it.each([
    [1, 0],
    [0.5, -6],
    [0.1, -20],
    [0, SILENCE_DB],
    [1e-9, SILENCE_DB],
  ])('toDb(%s) ≈ %s', (lin, db) => expect(Math.round(toDb(lin))).toBe(db));

  it('round-trips frames through the on-disk encoding', () => {
    const frames = [
      { t: 0, rms: -20.5, peak: -3 },
      { t: 0.1, rms: -100, peak: -100 },
    ];
    expect(decodeFrames(encodeFrames(frames))).toEqual(frames);
  });

  it('downsamples keeping the loudest frame of each bucket', () => {
    const frames = Array.from({ length: 100 }, (_, i) => ({
      t: i / 10,
      rms: i === 57 ? -1 : -50,
      peak: -40,
    }));
    const out = downsampleFrames(frames, 10);
    expect(out).toHaveLength(10);
    expect(out[5]).toEqual({ t: 5, rms: -1, peak: -40 });
    expect(out.filter((f) => f.rms === -1)).toHaveLength(1);
  });
});

describe('renderPlaylist', () => {
  const seg = (file: string, run: number, duration = 1, wallStart = 0) => ({
    file,
    run,
    duration,
    wallStart,
  });

  it('writes an EVENT playlist with a discontinuity at each new run', () => {
    const text = renderPlaylist(
      [
        seg('dvr/r001-000000.ts', 1, 1.001, 0),
        seg('dvr/r001-000001.ts', 1),
        seg('dvr/r002-000000.ts', 2, 2.5, 5000),
      ],
      false,
    );
    const lines = text.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:3',
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-PLAYLIST-TYPE:EVENT',
    ]);
    expect(lines.filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(1);
    expect(lines.indexOf('#EXT-X-DISCONTINUITY')).toBe(lines.indexOf('dvr/r001-000001.ts') + 1);
    expect(text).toContain('#EXTINF:1.001,\ndvr/r001-000000.ts');
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:00:05.000Z');
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(
      renderPlaylist([seg('dvr/a.ts', 1)], true)
        .trim()
        .endsWith('#EXT-X-ENDLIST'),
    ).toBe(true);
  });

  it.each(['dvr/../../x.ts', 'a.ts\n#EXT-X-ENDLIST', 'a b.ts', ''])(
    'refuses the segment name %j',
    (name) => {
      expect(() => renderPlaylist([seg(name, 1)], false)).toThrow(/unsafe segment name/);
    },
  );
});

describe('planRetention', () => {
  const HOUR = 3600_000;
  const now = 100 * HOUR;
  // 10 one-hour-old-apart segments of 100 bytes, oldest first.
  const segs: RetentionSegment[] = Array.from({ length: 10 }, (_, i) => ({
    sessionId: i < 5 ? 'a' : 'b',
    seq: i % 5,
    mediaStart: (i % 5) * 10,
    duration: 10,
    wallEnd: now - (10 - i) * HOUR,
    bytes: 100,
  }));

  it('keeps everything with no limits', () => {
    expect(planRetention(segs, [], { maxHours: null, maxBytes: null }, now).remove).toEqual([]);
  });

  it('removes what is older than the hour limit, oldest first', () => {
    const plan = planRetention(segs, [], { maxHours: 4.5, maxBytes: null }, now);
    expect(plan.remove.map((s) => `${s.sessionId}${s.seq}`)).toEqual([
      'a0',
      'a1',
      'a2',
      'a3',
      'a4',
      'b0',
    ]);
    expect(plan.keptBytes).toBe(400);
  });

  it('removes oldest until under the size limit, skipping held media', () => {
    const holds = [{ sessionId: 'a', mediaStart: 15, mediaEnd: 16 }]; // inside a1
    const plan = planRetention(segs, holds, { maxHours: null, maxBytes: 750 }, now);
    expect(plan.remove.map((s) => `${s.sessionId}${s.seq}`)).toEqual(['a0', 'a2', 'a3']);
    expect(plan.keptBytes).toBe(700);
  });

  it('never removes the newest minute, even over the limit', () => {
    const fresh = [
      { sessionId: 'c', seq: 0, mediaStart: 0, duration: 1, wallEnd: now - 1000, bytes: 10_000 },
    ];
    const plan = planRetention(fresh, [], { maxHours: 0.0001, maxBytes: 1 }, now);
    expect(plan.remove).toEqual([]);
  });

  it('reports bytes over the limit that holds protect', () => {
    const holds = segs.map((s) => ({
      sessionId: s.sessionId,
      mediaStart: s.mediaStart,
      mediaEnd: s.mediaStart + 1,
    }));
    const plan = planRetention(segs, holds, { maxHours: null, maxBytes: 500 }, now);
    expect(plan.remove).toEqual([]);
    expect(plan.heldOverBytes).toBeGreaterThan(0);
  });
});

describe('status helpers', () => {
  it.each([
    [[], null],
    [[{ bytes: 125_000, duration: 1 }], 1000],
    [
      [
        { bytes: 750_000, duration: 1 },
        { bytes: 750_000, duration: 2 },
      ],
      4000,
    ],
    [[{ bytes: 10, duration: 0 }], null],
  ])('recentBitrateKbps(%j) = %s', (segs, kbps) => expect(recentBitrateKbps(segs)).toBe(kbps));

  it('picks the last meaningful ffmpeg line', () => {
    expect(
      lastMeaningfulLine('a\nrtmp://x: Connection refused\nLast message repeated 2 times\n'),
    ).toBe('rtmp://x: Connection refused');
    expect(lastMeaningfulLine('')).toMatch(/without a message/);
  });
});
