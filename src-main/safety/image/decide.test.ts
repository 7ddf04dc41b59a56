/** The verdict from scores, the thresholds' validation and the sampling plan: pure, table-tested. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  decide,
  type FrameScores,
  LABELS,
  resolveThresholds,
  type Scores,
  scoresFromVector,
} from './decide';
import { frameArgs, frameFailure, sampleTimes } from './frames';

const scores = (over: Partial<Scores>): Scores => {
  const s: Scores = { Drawing: 0, Hentai: 0, Neutral: 0, Porn: 0, Sexy: 0, ...over };
  const rest = 1 - Object.values(s).reduce((a, b) => a + b, 0);
  if (over.Neutral === undefined) s.Neutral = rest;
  return s;
};
const frame = (at: number, over: Partial<Scores>): FrameScores => ({ at, scores: scores(over) });

describe('decide', () => {
  const cases: Array<{
    name: string;
    frames: FrameScores[];
    flagged: boolean;
    worst: { label: string; at: number } | null;
    reason: string | null;
  }> = [
    {
      name: 'no frames',
      frames: [],
      flagged: false,
      worst: null,
      reason: null,
    },
    {
      name: 'ordinary frames: the nearest miss is reported, not flagged',
      frames: [frame(1, { Sexy: 0.5 }), frame(3, { Porn: 0.1 })],
      flagged: false,
      worst: { label: 'Sexy', at: 1 },
      reason: null,
    },
    {
      name: 'Porn at its limit flags (the limit is inclusive)',
      frames: [frame(0.5, {}), frame(3.2, { Porn: 0.6 })],
      flagged: true,
      worst: { label: 'Porn', at: 3.2 },
      reason: 'frame at 3.2 s scored Porn 0.60 (limit 0.60)',
    },
    {
      name: 'Porn just under its limit does not',
      frames: [frame(3.2, { Porn: 0.599 })],
      flagged: false,
      worst: { label: 'Porn', at: 3.2 },
      reason: null,
    },
    {
      name: 'Hentai over its limit',
      frames: [frame(7.25, { Hentai: 0.91 })],
      flagged: true,
      worst: { label: 'Hentai', at: 7.25 },
      reason: 'frame at 7.3 s scored Hentai 0.91 (limit 0.60)',
    },
    {
      name: 'Sexy at 0.8 is swimwear-level: not flagged',
      frames: [frame(2, { Sexy: 0.8 })],
      flagged: false,
      worst: { label: 'Sexy', at: 2 },
      reason: null,
    },
    {
      name: 'Sexy at 0.9 flags',
      frames: [frame(2, { Sexy: 0.9 })],
      flagged: true,
      worst: { label: 'Sexy', at: 2 },
      reason: 'frame at 2.0 s scored Sexy 0.90 (limit 0.85)',
    },
    {
      name: 'a pure drawing never flags (nearest miss: the first label with the smallest gap)',
      frames: [frame(1, { Drawing: 1, Neutral: 0 })],
      flagged: false,
      worst: { label: 'Hentai', at: 1 },
      reason: null,
    },
    {
      name: 'several flagged frames: the one furthest over its limit, and the count',
      frames: [frame(1, { Porn: 0.65 }), frame(2, {}), frame(3, { Porn: 0.97 })],
      flagged: true,
      worst: { label: 'Porn', at: 3 },
      reason: 'frame at 3.0 s scored Porn 0.97 (limit 0.60); 2 of 3 frames were over a limit',
    },
  ];
  it.each(cases)('$name', ({ frames, flagged, worst, reason }) => {
    const v = decide(frames, DEFAULT_THRESHOLDS);
    expect(v.flagged).toBe(flagged);
    expect(v.reason).toBe(reason);
    if (worst === null) expect(v.worst).toBeNull();
    else expect(v.worst).toMatchObject(worst);
  });

  it('follows configured limits: a label with a limit flags, one set to null never does', () => {
    const frames = [frame(4, { Drawing: 0.7 }), frame(8, { Porn: 0.7 })];
    const v = decide(frames, resolveThresholds({ Drawing: 0.5, Porn: null }));
    expect(v.flagged).toBe(true);
    expect(v.reason).toBe('frame at 4.0 s scored Drawing 0.70 (limit 0.50)');
    expect(decide(frames, resolveThresholds({ Porn: null })).flagged).toBe(false);
  });

  it('with every limit null there is nothing to flag and no worst', () => {
    const none = resolveThresholds({ Hentai: null, Porn: null, Sexy: null });
    expect(decide([frame(1, { Porn: 1, Neutral: 0 })], none)).toEqual({
      flagged: false,
      worst: null,
      reason: null,
    });
  });
});

describe('resolveThresholds', () => {
  it('overlays the defaults', () => {
    expect(resolveThresholds()).toEqual(DEFAULT_THRESHOLDS);
    expect(resolveThresholds({ Sexy: 0.95 })).toEqual({ ...DEFAULT_THRESHOLDS, Sexy: 0.95 });
  });
  it.each([
    [{ Porn: 1.5 }, /threshold for Porn must be a number from 0 to 1/],
    [{ Porn: -0.1 }, /threshold for Porn/],
    [{ Sexy: Number.NaN }, /threshold for Sexy/],
    [{ Violence: 0.5 } as never, /unknown image-check label "Violence"/],
  ])('rejects %j', (bad, message) => {
    expect(() => resolveThresholds(bad)).toThrow(message);
  });
});

describe('scoresFromVector', () => {
  it('maps the model output in nsfwjs class order', () => {
    expect(scoresFromVector([0.1, 0.2, 0.3, 0.15, 0.25])).toEqual({
      Drawing: 0.1,
      Hentai: 0.2,
      Neutral: 0.3,
      Porn: 0.15,
      Sexy: 0.25,
    });
    expect(LABELS).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  });
  it('refuses an output of the wrong size', () => {
    expect(() => scoresFromVector([0.5, 0.5])).toThrow(/returned 2 scores; expected 5/);
  });
});

describe('sampleTimes', () => {
  it.each([
    [12, 6, [1, 3, 5, 7, 9, 11]],
    [10, 1, [5]],
    [1, 4, [0.125, 0.375, 0.625, 0.875]],
    [7.5, 3, [1.25, 3.75, 6.25]],
  ])('%d s, %d samples', (duration, n, want) => {
    expect(sampleTimes(duration, n)).toEqual(want);
  });
  it.each([
    [0, 6, /positive number of seconds/],
    [Number.POSITIVE_INFINITY, 6, /positive number of seconds/],
    [10, 0, /samples must be a whole number/],
    [10, 2.5, /samples must be a whole number/],
    [10, 101, /from 1 to 100/],
  ])('rejects %d s, %d samples', (duration, n, message) => {
    expect(() => sampleTimes(duration, n)).toThrow(message);
  });
});

describe('frameArgs', () => {
  it('seeks the input, takes one 224×224 frame of the first video stream as raw RGB', () => {
    const args = frameArgs('/clips/a b;$(rm -rf).mp4', 3.25);
    const after = (flag: string): string | undefined => args[args.indexOf(flag) + 1];
    expect(after('-ss')).toBe('3.250');
    expect(args.indexOf('-ss')).toBeLessThan(args.indexOf('-i'));
    // The path is one argument, as given: no shell, no filter graph.
    expect(after('-i')).toBe('/clips/a b;$(rm -rf).mp4');
    expect(after('-protocol_whitelist')).toBe('file');
    expect(after('-map')).toBe('0:v:0');
    expect(after('-frames:v')).toBe('1');
    expect(after('-vf')).toBe('scale=224:224');
    expect(after('-pix_fmt')).toBe('rgb24');
    expect(args.at(-1)).toBe('pipe:1');
  });

  it('seeks on the output for an MPEG-TS segment (the DVR), where input seeking can miss', () => {
    const args = frameArgs('/data/sessions/s/dvr/r001-000004.ts', 0.5);
    expect(args.indexOf('-ss')).toBeGreaterThan(args.indexOf('-i'));
    expect(args[args.indexOf('-ss') + 1]).toBe('0.500');
  });
});

describe('frameFailure', () => {
  it.each([
    ['/x.mp4: No such file or directory', 'not_found'],
    ["Stream map '0:v:0' matches no streams.", 'no_video'],
    ['/x.mp4: Invalid data found when processing input', 'not_media'],
    ['[mov,mp4] moov atom not found', 'not_media'],
    ['Something else broke', 'no_frame'],
  ])('%s → %s', (stderr, kind) => {
    const err = frameFailure('/x.mp4', 2, stderr);
    expect(err.kind).toBe(kind);
    expect(err.message).toContain('/x.mp4');
  });
});
