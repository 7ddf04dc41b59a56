/**
 * The image pre-check: which DVR segments a window samples, scoring them as they close, and the
 * verdict at clip time needing only what was not scored yet.
 */
import { describe, expect, it } from 'vitest';
import type { Highlight } from '../api/contract';
import { createLogger } from '../log/logger';
import type { Store } from '../store';
import type { SegmentRow } from '../store/dvr';
import { FramePrecheck, sampleSegments } from './frame-precheck';
import type { ImageCheck } from './service';

const seg = (seq: number, deleted = 0): SegmentRow => ({
  session_id: 's',
  seq,
  run: 0,
  file: `dvr/${seq}.ts`,
  media_start: seq,
  duration: 1,
  wall_start: 0,
  wall_end: 0,
  bytes: 1,
  deleted,
});

describe('sampleSegments', () => {
  const all = Array.from({ length: 100 }, (_, i) => seg(i));
  it('takes every other segment inside the window', () => {
    expect(sampleSegments(all, 10.5, 20).map((s) => s.seq)).toEqual([10, 12, 14, 16, 18]);
  });
  it('takes every segment of a short window, none of a deleted one', () => {
    expect(sampleSegments(all, 11.2, 12.4).map((s) => s.seq)).toEqual([11, 12]);
    expect(sampleSegments([seg(3, 1), seg(4)], 3, 5).map((s) => s.seq)).toEqual([4]);
  });
  it('spreads at most 12 samples over a long window', () => {
    const picked = sampleSegments(all, 0, 100);
    expect(picked).toHaveLength(12);
    expect(picked[0]!.seq).toBe(0);
    expect(picked.at(-1)!.seq).toBeGreaterThan(80);
  });
});

function setup(scoreFor: (file: string) => number) {
  let segments: SegmentRow[] = [];
  const checked: string[] = [];
  const store = {
    dvr: { segments: () => segments, lastSegment: () => segments.at(-1) ?? null },
  } as unknown as Store;
  const checker: ImageCheck = {
    check: async (file) => {
      checked.push(file);
      const porn = scoreFor(file);
      return {
        model: 'fake',
        backend: 'cpu',
        frames: [
          {
            at: 0.5,
            scores: { Porn: porn, Neutral: 1 - porn, Sexy: 0, Hentai: 0, Drawing: 0 },
          },
        ],
        flagged: false,
        worst: null,
        reason: null,
        ms: 1,
      };
    },
  };
  const pre = new FramePrecheck({
    store,
    dataDir: '/data',
    logger: createLogger({ console: false }),
    checker: () => checker,
  });
  return {
    pre,
    checked,
    /** A segment closes (notify: false — it closed as the clip became ready, unseen yet). */
    add(n: number, notify = true) {
      segments = [...segments, seg(n)];
      if (notify) pre.segment('s', n);
    },
  };
}

const highlight = (start: number, end: number): Highlight =>
  ({ id: 's-h1', sessionId: 's', start, end, review: 'new' }) as Highlight;

describe('FramePrecheck', () => {
  it('scores the window while it is open; the verdict scores only the rest', async () => {
    const t = setup(() => 0.01);
    for (let i = 0; i < 6; i++) t.add(i);
    // The highlight arrives with its pre-roll already recorded: those segments are scored now.
    t.pre.highlight(highlight(2, 9));
    for (let i = 6; i < 8; i++) t.add(i);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.checked.length).toBe(3); // segments 2, 4, 6
    t.add(8, false);
    t.add(9, false);
    const v = await t.pre.verdict('s', 2, 9.5, new AbortController().signal);
    expect(v?.frames.map((f) => f.at)).toEqual([2.5, 4.5, 6.5, 8.5]);
    expect(v?.late).toBe(1); // only segment 8 was scored at clip time
    expect(v?.flagged).toBe(false);
    expect(t.checked).toContain('/data/sessions/s/dvr/8.ts');
  });

  it('flags a window with an unsafe frame, naming it, and ignores dismissed highlights', async () => {
    const t = setup((f) => (f.endsWith('/4.ts') ? 0.93 : 0.02));
    for (let i = 0; i < 8; i++) t.add(i);
    const v = await t.pre.verdict('s', 0, 8, new AbortController().signal);
    expect(v?.flagged).toBe(true);
    expect(v?.reason).toMatch(/frame at 4\.5 s scored Porn 0\.93/);
    t.pre.highlight({ ...highlight(10, 20), review: 'dismissed' });
    const n = t.checked.length;
    t.add(10);
    expect(t.checked.length).toBe(n);
  });

  it('has no verdict without DVR media', async () => {
    const t = setup(() => 0);
    expect(await t.pre.verdict('s', 0, 5, new AbortController().signal)).toBeNull();
  });
});
