/** Pure result handling of the recognizer worker: media clock, finals, SenseVoice tags, partials. */
import { describe, expect, it } from 'vitest';
import {
  END_PAD_S,
  MediaClock,
  onlineFinal,
  PartialThrottle,
  START_PAD_S,
  senseVoiceFinal,
  senseVoiceTags,
} from './recognizer-results';

describe('MediaClock', () => {
  it('maps stream seconds to media time across gaps and a replay start', () => {
    const c = new MediaClock();
    c.append(16000, 100); // 100..101
    c.append(8000, 101); // contiguous: 101..101.5
    c.append(16000, 130); // a reconnect gap: 130..131
    expect(c.toMedia(0)).toBe(100);
    expect(c.toMedia(1.25)).toBeCloseTo(101.25, 9);
    expect(c.toMedia(1.5)).toBeCloseTo(130, 9);
    expect(c.toMedia(2)).toBeCloseTo(130.5, 9);
    expect(c.end).toBeCloseTo(131, 9);
    expect(c.samples).toBe(40000);
  });

  it('tolerates sub-millisecond jitter without a new anchor, and extrapolates past the end', () => {
    const c = new MediaClock();
    c.append(1600, 5);
    c.append(1600, 5.1 + 0.0005);
    expect(c.toMedia(0.2)).toBeCloseTo(5.2, 9);
    expect(c.toMedia(0.9)).toBeCloseTo(5.9, 9);
  });
});

describe('streaming results → finals on the media clock', () => {
  const clock = (): MediaClock => {
    const c = new MediaClock();
    c.append(16000 * 30, 1000); // stream 0 s = media 1000 s
    return c;
  };

  it.each([
    {
      name: 'token times are start_time + timestamps, the span padded around them',
      r: {
        text: 'HELLO 你好',
        tokens: ['▁HE', 'LLO', '你', '好'],
        timestamps: [0.4, 0.48, 0.8, 0.96],
        start_time: 8,
      },
      decoded: 20,
      start: 1000 + 8.4 - START_PAD_S,
      end: 1000 + 8.96 + END_PAD_S,
      first: 1008.4,
      last: 1008.96,
    },
    {
      name: 'the start never goes before the segment, the end never past the decoded audio',
      r: { text: '好', tokens: ['好'], timestamps: [0.04], start_time: 3 },
      decoded: 3.1,
      start: 1003,
      end: 1003.1,
      first: 1003.04,
      last: 1003.04,
    },
  ])('$name', ({ r, decoded, start, end, first, last }) => {
    const f = onlineFinal(r, clock(), decoded)!;
    expect(f.start).toBeCloseTo(start, 3);
    expect(f.end).toBeCloseTo(end, 3);
    expect(f.tokens[0]!.t).toBeCloseTo(first, 3);
    expect(f.tokens.at(-1)!.t).toBeCloseTo(last, 3);
    expect(f.tags).toEqual([]);
    expect(f.text).toBe(r.text);
  });

  it('gives no final for an empty result', () => {
    expect(onlineFinal({ text: '', tokens: [], timestamps: [], start_time: 2 }, clock(), 5)).toBe(
      null,
    );
    expect(
      onlineFinal({ text: ' ', tokens: ['▁'], timestamps: [0.1], start_time: 2 }, clock(), 5),
    ).toBe(null);
  });
});

describe('SenseVoice lang / emotion / event → tags', () => {
  it.each([
    [
      { lang: '<|zh|>', emotion: '<|HAPPY|>', event: '<|Laughter|>' },
      ['laughter', 'emotion:happy'],
      'zh',
    ],
    [{ lang: '<|en|>', emotion: '<|NEUTRAL|>', event: '<|Applause|>' }, ['applause'], 'en'],
    [{ lang: '<|yue|>', emotion: '<|EMO_UNKNOWN|>', event: '<|Speech|>' }, [], 'yue'],
    [{ lang: '<|ja|>', emotion: '<|ANGRY|>', event: '<|BGM|>' }, ['music', 'emotion:angry'], 'ja'],
    [{ lang: '<|nospeech|>', emotion: '<|SAD|>', event: '<|Cry|>' }, ['cry', 'emotion:sad'], null],
    // A newer model's event is kept (lower-cased); junk is ignored, never passed through.
    [{ lang: '', emotion: '', event: '<|Whistle|>' }, ['whistle'], null],
    [{ lang: 'zh', emotion: '<|HAPPY|> x', event: '<script>' }, [], null],
    [{}, [], null],
  ])('%j → %j', (r, tags, lang) => {
    expect(senseVoiceTags(r)).toEqual({ tags, lang });
  });

  it('makes a final per VAD segment, tags included, token times on the media clock', () => {
    const c = new MediaClock();
    c.append(16000 * 10, 50);
    const f = senseVoiceFinal(
      {
        text: '哈哈，太好笑了。',
        tokens: ['哈', '哈', '太'],
        timestamps: [0.12, 0.3, 0.9],
        lang: '<|zh|>',
        emotion: '<|HAPPY|>',
        event: '<|Laughter|>',
      },
      2.5,
      4.25,
      c,
    )!;
    expect(f).toMatchObject({ start: 52.5, end: 54.25, text: '哈哈，太好笑了。', lang: 'zh' });
    expect(f.tags).toEqual(['laughter', 'emotion:happy']);
    expect(f.tokens.map((t) => t.t)).toEqual([52.62, 52.8, 53.4]);
  });

  it('keeps a segment with no words but an event (applause is a signal), drops an empty one', () => {
    const c = new MediaClock();
    c.append(16000, 0);
    expect(senseVoiceFinal({ text: '', event: '<|Applause|>' }, 0, 1, c)?.tags).toEqual([
      'applause',
    ]);
    expect(senseVoiceFinal({ text: ' ', event: '<|Speech|>' }, 0, 1, c)).toBe(null);
  });
});

describe('partial throttle', () => {
  it('sends only changes, at most one per interval, the latest text once the interval passed', () => {
    let now = 0;
    const p = new PartialThrottle(250, () => now);
    expect(p.offer(1, 'he')).toEqual({ start: 1, text: 'he' });
    now = 100;
    expect(p.offer(1, 'hell')).toBe(null); // too soon
    now = 200;
    expect(p.offer(1, 'hello')).toBe(null); // still too soon
    now = 260;
    expect(p.offer(1, 'hello')).toEqual({ start: 1, text: 'hello' }); // the held-back change
    now = 600;
    expect(p.offer(1, 'hello ')).toBe(null); // no change (trimmed)
    expect(p.offer(1, '')).toEqual({ start: 1, text: '' }); // clearing is never held back
    expect(p.offer(1, '')).toBe(null);
  });

  it('starts over silently after a final', () => {
    let now = 0;
    const p = new PartialThrottle(250, () => now);
    p.offer(1, 'one');
    p.reset();
    expect(p.offer(5, '')).toBe(null);
    now = 300;
    expect(p.offer(5, 'two')).toEqual({ start: 5, text: 'two' });
  });
});
