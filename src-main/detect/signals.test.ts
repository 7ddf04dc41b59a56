import { describe, expect, it } from 'vitest';
import {
  ChatRateTracker,
  DEFAULT_TAG_WEIGHTS,
  Deque,
  ExcitementTracker,
  SpeechRateTracker,
  speechUnits,
  tagSignals,
  type ExcitementEvent,
} from './signals';

const CFG = { jumpDb: 8, minDurationS: 1, baselineS: 60 };

function feed(x: ExcitementTracker, from: number, to: number, rms: (t: number) => number) {
  const out: ExcitementEvent[] = [];
  for (let i = Math.round(from * 10); i < Math.round(to * 10); i++) {
    const t = i / 10;
    out.push(...x.push({ t, rms: rms(t), peak: 0 }));
  }
  return out;
}

describe('ExcitementTracker', () => {
  it('reports a loud stretch against the rolling speech baseline: start once, then end', () => {
    const x = new ExcitementTracker(CFG);
    expect(feed(x, 0, 30, () => -30)).toEqual([]);
    expect(x.baselineDb).toBeCloseTo(-30, 6);
    const ev = feed(x, 30, 33, () => -18);
    const starts = ev.filter((e) => e.type === 'start');
    expect(starts).toHaveLength(1);
    expect(starts[0]).toMatchObject({ type: 'start', jumpDb: expect.closeTo(12, 1) });
    // The jump reached 8 dB a few frames in; a second of loud frames later it fires.
    const s = starts[0] as Extract<ExcitementEvent, { type: 'start' }>;
    expect(s.at).toBeGreaterThanOrEqual(31);
    expect(s.at).toBeLessThan(31.5);
    expect(s.start).toBeGreaterThan(29.5);
    expect(s.start).toBeLessThanOrEqual(30.1);
    const after = feed(x, 33, 36, () => -30);
    expect(after.slice(0, -1).every((e) => e.type === 'extend')).toBe(true);
    const end = after.at(-1) as Extract<ExcitementEvent, { type: 'end' }>;
    expect(end.type).toBe('end');
    expect(end.end).toBeGreaterThan(33);
    expect(end.end).toBeLessThan(34.5);
  });

  it.each<[string, (t: number) => number, number]>([
    ['a 0.3 s clap', (t) => (t >= 30 && t < 30.3 ? -5 : -30), 0],
    ['0.8 s of shouting', (t) => (t >= 30 && t < 30.8 ? -15 : -30), 0],
    ['+6 dB for 5 s', (t) => (t >= 30 && t < 35 ? -24 : -30), 0],
    ['+10 dB for 2 s', (t) => (t >= 30 && t < 32 ? -20 : -30), 1],
    ['two cheers', (t) => ((t >= 30 && t < 32) || (t >= 40 && t < 42) ? -18 : -30), 2],
  ])('%s → %d stretch(es)', (_name, rms, n) => {
    const x = new ExcitementTracker(CFG);
    const ev = feed(x, 0, 60, rms);
    expect(ev.filter((e) => e.type === 'start')).toHaveLength(n);
  });

  it('silence stays out of the baseline, and nothing fires before 5 s of speech', () => {
    const x = new ExcitementTracker(CFG);
    // Mostly silence with a little speech: the baseline is the speech, not the silence.
    const ev = feed(x, 0, 30, (t) => (t < 25 ? -100 : -30));
    expect(ev).toEqual([]);
    expect(x.baselineDb).toBeNull(); // only 4 s of speech has left the 1 s window
    feed(x, 30, 40, () => -30);
    expect(x.baselineDb).toBeCloseTo(-30, 6);
  });

  it('the baseline follows the last baselineS seconds', () => {
    const x = new ExcitementTracker({ ...CFG, baselineS: 10 });
    feed(x, 0, 20, () => -40);
    expect(x.baselineDb).toBeCloseTo(-40, 6);
    feed(x, 20, 40, () => -25);
    expect(x.baselineDb).toBeCloseTo(-25, 6);
    expect(x.size).toBeLessThanOrEqual(10 + 100 + 1);
  });

  it('a gap in the frames ends a stretch; flush() ends one still going', () => {
    const x = new ExcitementTracker(CFG);
    feed(x, 0, 30, () => -30);
    feed(x, 30, 32, () => -15);
    const gap = x.push({ t: 40, rms: -15, peak: 0 });
    expect(gap[0]?.type).toBe('end');
    const y = new ExcitementTracker(CFG);
    feed(y, 0, 30, () => -30);
    feed(y, 30, 32, () => -15);
    expect(y.flush().map((e) => e.type)).toEqual(['end']);
    expect(y.flush()).toEqual([]);
  });

  it('ignores repeated and non-finite frames', () => {
    const x = new ExcitementTracker(CFG);
    expect(x.push({ t: 1, rms: -30, peak: 0 })).toEqual([]);
    expect(x.push({ t: 1, rms: -5, peak: 0 })).toEqual([]);
    expect(x.push({ t: Number.NaN, rms: -5, peak: 0 })).toEqual([]);
    expect(x.size).toBe(1);
  });
});

describe('SpeechRateTracker', () => {
  it('reports an utterance ≥ ratio × the median of the last 20', () => {
    const s = new SpeechRateTracker({ ratio: 1.6 });
    for (let i = 0; i < 4; i++)
      expect(s.push({ start: 0, end: 3, text: '一二三四五六七八九十一二' })).toBeNull();
    // Not enough history yet for a judgement.
    expect(s.push({ start: 0, end: 1, text: '一二三四五六七八九十' })).toBeNull();
    for (let i = 0; i < 20; i++) s.push({ start: 0, end: 3, text: '一二三四五六七八九十一二' });
    expect(s.size).toBe(20);
    expect(s.push({ start: 0, end: 2, text: '一二三四五六七八九十一二' })).toBeNull(); // 1.5×
    const j = s.push({ start: 0, end: 2, text: '一二三四五六七八九十一二三四' }); // 7/s vs 4/s
    expect(j).toMatchObject({ median: 4, ratio: 1.75 });
  });

  it('short or empty utterances are no evidence', () => {
    const s = new SpeechRateTracker({ ratio: 1.6 });
    for (let i = 0; i < 10; i++) s.push({ start: 0, end: 3, text: 'one two three four five six' });
    expect(s.push({ start: 0, end: 0.6, text: 'one two three four five six seven' })).toBeNull();
    expect(s.push({ start: 0, end: 2, text: '!!!' })).toBeNull();
  });
});

describe('speechUnits / tagSignals', () => {
  it.each([
    ['最后三分钟', 5],
    ['Wow! 这个价格 is insane', 7],
    ["it's 50% off", 3],
    ['', 0],
  ])('%s → %d units', (text, n) => expect(speechUnits(text)).toBe(n));

  it('laughter and applause count once each; other tags do not', () => {
    expect(
      tagSignals(
        { tags: ['Laughter', 'laughter', 'applause', 'emotion:happy'] },
        DEFAULT_TAG_WEIGHTS,
      ),
    ).toEqual([
      { tag: 'laughter', weight: 0.35 },
      { tag: 'applause', weight: 0.45 },
    ]);
    expect(tagSignals({}, DEFAULT_TAG_WEIGHTS)).toEqual([]);
  });
});

describe('ChatRateTracker', () => {
  function push(c: ChatRateTracker, ats: number[]) {
    return ats.map((at) => c.push({ at })).filter((x) => x !== null);
  }
  const range = (from: number, to: number, step: number) =>
    Array.from({ length: Math.round((to - from) / step) }, (_, i) => from + i * step);

  it('a burst against a slow chat is one spike until it calms down', () => {
    const c = new ChatRateTracker({ ratio: 3, windowS: 10 });
    expect(push(c, range(0, 130, 10))).toEqual([]);
    const spikes = push(c, range(135, 138, 0.2));
    expect(spikes).toHaveLength(1);
    expect(spikes[0]).toMatchObject({ count: 5, expected: expect.closeTo(1, 1) });
    expect(push(c, range(200, 330, 10))).toEqual([]);
    expect(push(c, range(335, 338, 0.2))).toHaveLength(1);
  });

  it('needs five messages, and a steady chat never spikes', () => {
    const c = new ChatRateTracker({ ratio: 3, windowS: 10 });
    push(c, range(0, 130, 30));
    expect(push(c, range(140, 141, 0.25))).toEqual([]); // four messages
    const steady = new ChatRateTracker({ ratio: 3, windowS: 10 });
    expect(push(steady, range(0, 600, 0.5))).toEqual([]);
  });

  it('judges nothing before it has seen a window of usual chat; memory does not grow', () => {
    const c = new ChatRateTracker({ ratio: 3, windowS: 10 });
    expect(push(c, range(0, 3, 0.1))).toEqual([]);
    const size = c.size;
    push(c, range(3, 3000, 0.01));
    expect(c.size).toBe(size);
  });
});

describe('Deque', () => {
  it('is a FIFO with binary search that compacts itself', () => {
    const d = new Deque<number>();
    for (let i = 0; i < 5000; i++) d.push(i);
    for (let i = 0; i < 4000; i++) expect(d.shift()).toBe(i);
    expect(d.length).toBe(1000);
    expect(d.first()).toBe(4000);
    expect(d.last()).toBe(4999);
    expect(d.at(10)).toBe(4010);
    expect(d.lowerBound((x) => x >= 4500)).toBe(500);
    expect([...d].slice(0, 2)).toEqual([4000, 4001]);
    while (d.shift() !== undefined);
    expect(d.length).toBe(0);
  });
});
