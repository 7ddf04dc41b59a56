import { describe, expect, it } from 'vitest';
import { Detector } from './detector';
import { LexiconError } from './lexicon';
import { presetSettings, type PresetName } from './presets';
import type { DetectSettings, Highlight, Lexicon, LexiconEntry, LoudFrame } from './types';

const FILLER = '我们继续聊这个话题';

function entry(
  id: string,
  pattern: string,
  weight: number,
  category: LexiconEntry['category'] = 'urgency',
): LexiconEntry {
  return { id, pattern, category, weight, lang: 'any' };
}

/** A small lexicon with round weights, so scores are easy to check. */
const LEX: Lexicon = {
  version: 1,
  entries: [
    entry('last3', '最后三分钟', 0.75),
    entry('half', '全场五折', 0.8, 'price'),
    entry('flash', '秒杀', 0.45, 'price'),
    entry('lastcall', 'last call', 0.75),
    entry('weak', '看一看', 0.3, 'demo'),
  ],
};

type Change = 'created' | 'updated' | 'final';

interface Rig {
  d: Detector;
  events: Array<{ change: Change; h: Highlight }>;
  /** The injected wall clock (ms). */
  clock: { ms: number };
  say(start: number, end: number, text?: string, tags?: string[]): void;
  byId(id: string): Array<{ change: Change; h: Highlight }>;
  finals(): Highlight[];
}

function rig(
  over: Partial<DetectSettings> = {},
  opts: { preset?: PresetName; lexicon?: Lexicon; idFor?: (n: number) => string } = {},
): Rig {
  const events: Rig['events'] = [];
  const clock = { ms: 1000 };
  let seq = 0;
  const d = new Detector({
    // The window rules are tested with a 3 s minimum post-roll (the e-commerce default is 5).
    settings: { ...presetSettings(opts.preset ?? 'e-commerce'), postRollMinS: 3, ...over },
    lexicon: opts.lexicon ?? LEX,
    events: { onHighlight: (h, change) => events.push({ change, h }) },
    now: () => clock.ms,
    ...(opts.idFor ? { idFor: opts.idFor } : {}),
  });
  return {
    d,
    events,
    clock,
    say: (start, end, text = FILLER, tags) =>
      d.utterance({ seq: ++seq, start, end, text, ...(tags ? { tags } : {}) }),
    byId: (id) => events.filter((e) => e.h.id === id),
    finals: () => events.filter((e) => e.change === 'final').map((e) => e.h),
  };
}

/** Every highlight: 'created' first, then updates, then exactly one 'final', last. */
function expectLifecycles(events: Rig['events']): void {
  const ids = [...new Set(events.map((e) => e.h.id))];
  for (const id of ids) {
    const changes = events.filter((e) => e.h.id === id).map((e) => e.change);
    expect(changes[0], id).toBe('created');
    expect(
      changes.filter((c) => c === 'final'),
      id,
    ).toHaveLength(1);
    expect(changes[changes.length - 1], id).toBe('final');
    for (const e of events.filter((x) => x.h.id === id))
      expect(e.h.state, id).toBe(e.change === 'final' ? 'final' : 'provisional');
  }
}

/** Filler speech: utterances of `len` s every `step` s over [from, to). */
function talk(r: Rig, from: number, to: number, step = 3, len = 2.5): void {
  for (let t = from; t < to - 1e-9; t += step) r.say(t, t + len);
}

/** Loudness frames every 100 ms over [from, to) at `rms` dBFS. */
function frames(from: number, to: number, rms: number): LoudFrame[] {
  const out: LoudFrame[] = [];
  for (let i = Math.round(from * 10); i < Math.round(to * 10); i++)
    out.push({ t: i / 10, rms, peak: rms + 6 });
  return out;
}

describe('a trigger in the transcript', () => {
  it('is emitted inside the utterance() call, then updated, then final once', () => {
    const r = rig();
    r.say(0, 2.5);
    r.say(3, 5.5);
    r.say(6, 8.5);
    r.clock.ms = 5000;
    r.say(9, 11.5, '最后三分钟！');
    // Synchronously: created, with the provisional end triggerEnd + postRollMinS.
    expect(r.events).toHaveLength(1);
    const created = r.events[0]!;
    expect(created.change).toBe('created');
    expect(created.h).toMatchObject({
      id: 'h1',
      start: 6,
      end: 14.5,
      score: 0.75,
      category: 'urgency',
      state: 'provisional',
      triggerStart: 9,
      triggerEnd: 11.5,
      firstSignalWallMs: 5000,
      emittedWallMs: 5000,
      text: `${FILLER} 最后三分钟！`,
    });
    expect(created.h.reasons).toEqual([
      {
        kind: 'trigger',
        text: 'trigger "最后三分钟" (urgency)',
        at: 9,
        weight: 0.75,
        entryId: 'last3',
        category: 'urgency',
      },
    ]);
    r.say(12, 13.5);
    r.say(14, 16); // the first sentence end ≥ 11.5 + 3
    expect(r.events.at(-1)).toMatchObject({ change: 'updated', h: { end: 16 } });
    expect(r.finals()).toHaveLength(0); // a trigger ≤ 5 s after 11.5 could still merge
    r.say(16.5, 19);
    expect(r.finals()).toHaveLength(1);
    expect(r.finals()[0]).toMatchObject({ start: 6, end: 16, state: 'final' });
    expect(r.finals()[0]!.text).toBe(`${FILLER} 最后三分钟！ ${FILLER} ${FILLER}`);
    r.d.finish();
    expectLifecycles(r.events);
    expect(r.d.highlights().map((h) => [h.id, h.state])).toEqual([['h1', 'final']]);
  });

  it('uses idFor for ids, numbered in emission order', () => {
    const r = rig({}, { idFor: (n) => `s1-h${n}` });
    r.say(0, 2, 'last call');
    r.say(20, 22, '全场五折');
    r.d.finish();
    expect(r.d.highlights().map((h) => h.id)).toEqual(['s1-h1', 's1-h2']);
  });

  it('two triggers in one utterance are one highlight, scored noisy-OR', () => {
    const r = rig();
    r.say(10, 12, '最后三分钟全场五折');
    r.d.finish();
    const [h] = r.d.highlights();
    expect(r.d.highlights()).toHaveLength(1);
    expect(h!.score).toBeCloseTo(1 - 0.25 * 0.2, 6);
    expect(h!.reasons.map((x) => x.entryId)).toEqual(['last3', 'half']);
    expect(h!.category).toBe('price'); // the heavier trigger
  });

  it('hard negatives: 等了三分钟 is not 最后三分钟; 秒杀 in another sense stays below minScore', () => {
    const r = rig();
    talk(r, 0, 10);
    r.say(10, 12, '我等了三分钟');
    r.say(13, 15, '他的表现秒杀全场');
    talk(r, 16, 60);
    r.d.finish();
    expect(r.events).toHaveLength(0);
    expect(r.d.stats.dropped.minScore).toBe(1);
  });
});

describe('window start: a sentence boundary pre-roll min…max before the trigger', () => {
  // Trigger utterance [20, 22]; defaults preRollMinS 2, preRollMaxS 10.
  it.each<[string, Array<[number, number]>, number]>([
    [
      'the latest start in [ts − 10, ts − 2]',
      [
        [5, 10.5],
        [11, 14.5],
        [15, 18.5],
        [19, 19.8],
      ],
      15,
    ],
    [
      'a start exactly at ts − 2',
      [
        [11, 17.5],
        [18, 19.5],
      ],
      18,
    ],
    ['a start exactly at ts − 10', [[10, 19.5]], 10],
    [
      'none in range: the next start after ts − 10',
      [
        [5, 18.5],
        [19, 19.8],
      ],
      19,
    ],
    ['none in range, none after: the trigger sentence itself', [[5, 19.5]], 20],
  ])('%s', (_name, before, expected) => {
    const r = rig();
    for (const [s, e] of before) r.say(s, e);
    r.say(20, 22, '最后三分钟');
    expect(r.events[0]!.h.start).toBe(expected);
  });

  it('at the start of the media: from 0, snapped to the first sentence', () => {
    const r = rig();
    r.say(0.2, 0.9);
    r.say(1, 3, '最后三分钟');
    expect(r.events[0]!.h.start).toBe(0.2);
  });

  it('with no transcript before it: trigger start − preRollMinS', () => {
    const r = rig();
    r.say(7, 9, '最后三分钟');
    expect(r.events[0]!.h.start).toBe(5);
    const k = rig();
    k.d.keyword({ keyword: '最后三分钟', at: 9.5 });
    expect(k.events[0]!.h).toMatchObject({ triggerStart: 8, triggerEnd: 9.2, start: 6 });
  });
});

describe('a pause is a boundary', () => {
  it('the start never reaches back across silence into the previous moment', () => {
    const r = rig();
    r.say(4, 6);
    r.say(11.5, 13); // then 7 s of silence
    r.say(20, 22, '最后三分钟');
    // Not 11.5 (the latest sentence start within the pre-roll): the pause at 18.
    expect(r.events[0]!.h.start).toBe(18);
  });
});

describe('window end: a sentence boundary post-roll min…max after the trigger', () => {
  // Trigger utterance [20, 22]; defaults postRollMinS 3, postRollMaxS 15.
  it.each<[string, Array<[number, number]>, number | null, number]>([
    [
      'the earliest end in [te + 3, te + 15]',
      [
        [22.5, 24],
        [24.5, 26],
        [26.5, 29],
      ],
      null,
      26,
    ],
    [
      'an end exactly at te + 3',
      [
        [22.5, 25],
        [25.5, 28],
      ],
      null,
      25,
    ],
    ['an end exactly at te + 15', [[22.5, 37]], 38, 37],
    [
      'a sentence running past te + 15: the minimum post-roll',
      [
        [22.5, 24],
        [25.2, 40],
      ],
      null,
      25,
    ],
    ['silence after the trigger: the minimum post-roll', [], 37.5, 25],
  ])('%s', (_name, after, advanceTo, expected) => {
    const r = rig();
    r.say(15, 19.5);
    r.say(20, 22, '最后三分钟');
    for (const [s, e] of after) r.say(s, e);
    if (advanceTo !== null) r.d.advance(advanceTo);
    expect(r.finals().map((h) => h.end)).toEqual([expected]);
  });

  it('stays open until media time passes te + postRollMaxS when no sentence ends', () => {
    const r = rig();
    r.say(20, 22, '最后三分钟');
    r.d.advance(36.9);
    expect(r.finals()).toHaveLength(0);
    r.d.advance(37.01);
    expect(r.finals()).toHaveLength(1);
  });

  it('ends at a long pause, never running on into the next moment’s speech', () => {
    const r = rig();
    r.say(4, 6);
    r.say(6.5, 8.5, '最后三分钟');
    r.say(9, 11); // then 9 s of silence
    r.say(20, 22); // the next moment
    r.d.advance(23);
    expect(r.finals()).toHaveLength(1);
    // Padded into the silence up to the minimum post-roll (8.5 + 3), not to 22.
    expect(r.finals()[0]!.end).toBeCloseTo(11.5, 6);
    expect(r.finals()[0]!.text).not.toContain(`${FILLER} ${FILLER} ${FILLER} ${FILLER}`);
  });

  it('with no transcript at all (keyword spotter only): the bound itself', () => {
    const r = rig();
    r.d.keyword({ keyword: '最后三分钟', at: 10.5 });
    r.d.advance(25.3);
    expect(r.finals()).toHaveLength(1);
    expect(r.finals()[0]!.end).toBeCloseTo(10.2 + 15, 6);
  });
});

describe('merging is decided on the triggers themselves', () => {
  it('a trigger ≤ 5 s after the previous trigger utterance end extends that highlight', () => {
    const r = rig();
    talk(r, 0, 9);
    r.say(10, 12, '最后三分钟');
    r.say(12.5, 14.5);
    r.say(15, 17, '全场五折');
    talk(r, 17.5, 40);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    const h = r.d.highlights()[0]!;
    expect(h).toMatchObject({ triggerStart: 10, triggerEnd: 17, end: 20 });
    expect(h.reasons.map((x) => x.entryId)).toEqual(['last3', 'half']);
    expect(h.score).toBeCloseTo(0.95, 6);
    expect(r.byId('h1').map((e) => e.change)).toContain('updated');
    expectLifecycles(r.events);
  });

  it('exactly 5 s after merges; 5.2 s after does not', () => {
    for (const [gap, n] of [
      [5, 1],
      [5.2, 2],
    ] as const) {
      const r = rig();
      r.say(10, 12, '最后三分钟');
      r.say(12.5, 14.5);
      r.say(14.8, 16.9);
      r.say(12 + gap, 19, 'last call');
      talk(r, 19.5, 50);
      r.d.finish();
      expect(r.d.highlights(), `gap ${gap}`).toHaveLength(n);
      expectLifecycles(r.events);
    }
  });

  it('two triggers 8 s apart are two highlights even though their padded windows overlap', () => {
    const r = rig();
    talk(r, 0, 9);
    r.say(10, 12, '最后三分钟');
    r.say(12.5, 19); // one long sentence: a's end, and b's pre-roll start
    r.say(20, 22, '全场五折');
    talk(r, 22.5, 45);
    r.d.finish();
    const [a, b] = r.d.highlights();
    expect(r.d.highlights()).toHaveLength(2);
    expect(a!.end).toBe(19);
    expect(b!.start).toBe(12.5);
    expect(b!.start).toBeLessThan(a!.end); // overlapping windows, still two moments
    expectLifecycles(r.events);
  });

  it('a highlight never grows beyond maxWindowS', () => {
    const r = rig({ maxWindowS: 30 });
    for (let t = 0; t < 90; t += 4) r.say(t, t + 2, '最后三分钟');
    r.d.finish();
    const hs = r.d.highlights();
    expect(hs.length).toBeGreaterThanOrEqual(3);
    for (const h of hs) expect(h.end - h.start).toBeLessThanOrEqual(30 + 1e-9);
    expectLifecycles(r.events);
  });
});

describe('limits: cooldown, maxPerMinute, minScore', () => {
  it('cooldown drops a new highlight starting within cooldownS after the previous end', () => {
    const r = rig({ cooldownS: 10 });
    talk(r, 0, 9);
    r.say(10, 12, '最后三分钟');
    r.say(12.5, 14.5);
    r.say(15, 17.5);
    r.say(20, 22, '全场五折'); // 2.5 s after the first highlight's end 17.5
    talk(r, 22.5, 40);
    r.say(40, 42, 'last call'); // well after
    talk(r, 42.5, 70);
    r.d.finish();
    expect(r.d.highlights().map((h) => h.triggerStart)).toEqual([10, 40]);
    expect(r.d.stats.dropped.cooldown).toBe(1);
  });

  it('cooldown 0 keeps every highlight', () => {
    const r = rig({ cooldownS: 0 });
    r.say(10, 12, '最后三分钟');
    r.say(12.5, 14.5);
    r.say(15, 17.5);
    r.say(20, 22, '全场五折');
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(2);
  });

  it('maxPerMinute drops what exceeds it, first come first served', () => {
    const r = rig({ maxPerMinute: 2 });
    const triggers = [10, 20, 30, 75];
    let t = 0;
    for (const at of triggers) {
      for (; t + 2.5 < at; t += 3) r.say(t, t + 2.5);
      r.say(at, at + 2, '最后三分钟');
      t = at + 2.5;
    }
    talk(r, t, t + 30);
    r.d.finish();
    expect(r.d.highlights().map((h) => h.triggerStart)).toEqual([10, 20, 75]);
    expect(r.d.stats.dropped.maxPerMinute).toBe(1);
  });

  it('a candidate below minScore is emitted once it crosses it (here: a laughter + applause tag)', () => {
    const r = rig();
    r.say(10, 12, '秒杀');
    expect(r.events).toHaveLength(0);
    r.say(12.5, 14, FILLER, ['applause']);
    expect(r.events.map((e) => e.change)).toEqual(['created']);
    const h = r.events[0]!.h;
    expect(h.score).toBeCloseTo(1 - 0.55 * 0.55, 6);
    expect(h.reasons.map((x) => x.kind)).toEqual(['trigger', 'tag']);
    expect(h.category).toBe('price');
    r.d.finish();
    expect(r.d.stats.dropped.minScore).toBe(0);
  });
});

describe('audio excitement', () => {
  function loudRig(preset: PresetName = 'e-commerce'): Rig {
    const r = rig({}, { preset });
    r.d.loudness(frames(0, 60, -30));
    return r;
  }

  it('raises a trigger candidate over minScore inside the loudness() call', () => {
    const r = loudRig();
    talk(r, 40, 58);
    r.say(58.5, 60, '这个秒杀');
    expect(r.events).toHaveLength(0);
    r.d.loudness(frames(60, 63, -15));
    expect(r.events.map((e) => e.change)).toEqual(['created']);
    const h = r.events[0]!.h;
    expect(h.reasons.map((x) => x.kind)).toEqual(['trigger', 'excitement']);
    expect(h.reasons[1]!.text).toMatch(/^loudness \+15\.0 dB over baseline$/);
    expect(h.score).toBeCloseTo(1 - 0.55 * 0.6, 6);
    r.d.loudness(frames(63, 90, -30));
    r.d.finish();
    expectLifecycles(r.events);
  });

  it('alone it makes a highlight only when its weight reaches minScore (gaming, not e-commerce)', () => {
    for (const [preset, n] of [
      ['e-commerce', 0],
      ['gaming', 1],
    ] as const) {
      const r = loudRig(preset);
      r.d.loudness(frames(60, 62.5, -12));
      r.d.loudness(frames(62.5, 100, -30));
      r.d.finish();
      expect(r.d.highlights(), preset).toHaveLength(n);
      if (n) {
        const h = r.d.highlights()[0]!;
        expect(h.category).toBe('audio');
        expect(h.reasons.map((x) => x.kind)).toEqual(['excitement']);
        expect(h.triggerStart).toBeGreaterThan(59);
        expect(h.triggerStart).toBeLessThan(60.5);
        expect(h.triggerEnd).toBeGreaterThan(62.4);
        expect(h.state).toBe('final');
        expectLifecycles(r.events);
      }
    }
  });

  it('a short blip is not excitement', () => {
    const r = loudRig('gaming');
    r.d.loudness(frames(60, 60.4, -10));
    r.d.loudness(frames(60.4, 100, -30));
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(0);
  });

  it('a cheer right after a trigger joins its highlight instead of making a second one', () => {
    const r = loudRig('gaming');
    talk(r, 40, 58);
    r.say(58.5, 60, '最后三分钟');
    r.d.loudness(frames(60, 63, -12));
    r.d.loudness(frames(63, 100, -30));
    talk(r, 63, 100);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    expect(r.d.highlights()[0]!.reasons.map((x) => x.kind)).toEqual(['trigger', 'excitement']);
  });
});

describe('speech rate, tags and chat', () => {
  it('a fast utterance adds a speech-rate reason to its highlight, and alone makes none', () => {
    const r = rig();
    for (let i = 0; i < 10; i++) r.say(i * 3.5, i * 3.5 + 3, '一二三四五六七八九十一二'); // 4/s
    r.say(36, 38, '最后三分钟大家抓紧时间这个价格真的太划算'); // 10/s
    r.say(38.5, 40.5, '这个产品真的非常非常非常非常好用啊'); // fast, no trigger, inside the window
    talk(r, 41, 70);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    const reasons = r.d.highlights()[0]!.reasons;
    expect(reasons.map((x) => x.kind)).toEqual(['trigger', 'speech-rate']);
    expect(reasons[1]!.text).toMatch(/^speech 2\.5× faster than the recent median$/);
    expect(reasons[1]!.weight).toBe(0.15);

    const alone = rig();
    for (let i = 0; i < 10; i++) alone.say(i * 3.5, i * 3.5 + 3, '一二三四五六七八九十一二');
    alone.say(36, 38, '这个产品真的非常非常非常非常好用啊');
    alone.d.finish();
    expect(alone.d.highlights()).toHaveLength(0);
  });

  it.each<[PresetName, string[], number]>([
    ['e-commerce', ['laughter'], 0],
    ['e-commerce', ['applause'], 0],
    ['e-commerce', ['laughter', 'applause'], 1],
    ['talk-show', ['laughter'], 1],
    ['talk-show', ['emotion:happy'], 0],
  ])('%s: tags %j → %d highlight(s)', (preset, tags, n) => {
    const r = rig({}, { preset });
    talk(r, 0, 30);
    r.say(30, 33, FILLER, tags);
    talk(r, 33.5, 80);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(n);
    if (n) {
      expect(r.d.highlights()[0]!.category).toBe('audio');
      expect(r.d.highlights()[0]!.reasons.every((x) => x.kind === 'tag')).toBe(true);
    }
  });

  it('talk-show tags weigh more than e-commerce ones', () => {
    const w = (preset: PresetName) => {
      const r = rig({}, { preset });
      r.say(10, 12, '最后三分钟', ['laughter']);
      return r.events[0]!.h.reasons.find((x) => x.kind === 'tag')!.weight;
    };
    expect(w('e-commerce')).toBe(0.35);
    expect(w('talk-show')).toBeGreaterThan(0.5);
  });

  function chatter(r: Rig, from: number, to: number, every: number): void {
    for (let t = from; t < to; t += every) r.d.chat({ at: t, text: '666' });
  }

  it('a chat spike alone makes a highlight under gaming, category reaction', () => {
    const r = rig({}, { preset: 'gaming' });
    chatter(r, 0, 130, 10); // one message per 10 s
    chatter(r, 135, 137, 0.25); // 8 messages in 2 s
    r.d.advance(200);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    const h = r.d.highlights()[0]!;
    expect(h.category).toBe('reaction');
    expect(h.reasons).toHaveLength(1);
    expect(h.reasons[0]!.kind).toBe('chat');
    expect(h.reasons[0]!.text).toMatch(
      /^chat spike: \d+ messages in 10 s \(\d+\.\d× the usual rate\)$/,
    );
  });

  it('steady chat is no spike; under e-commerce a spike joins an overlapping trigger highlight', () => {
    const steady = rig({}, { preset: 'gaming' });
    chatter(steady, 0, 300, 1);
    steady.d.finish();
    expect(steady.d.highlights()).toHaveLength(0);

    const r = rig();
    chatter(r, 0, 130, 10);
    talk(r, 100, 130);
    r.say(130, 132, '最后三分钟');
    chatter(r, 132, 134, 0.25);
    talk(r, 132.5, 160);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    expect(r.d.highlights()[0]!.reasons.map((x) => x.kind)).toEqual(['trigger', 'chat']);
    expect(r.d.highlights()[0]!.reasons[1]!.weight).toBe(0.3);
  });
});

describe('keyword spotter fused with the transcript', () => {
  it('a KWS hit then the transcript of the same phrase: one highlight, one reason', () => {
    const r = rig();
    talk(r, 0, 6);
    r.clock.ms = 100;
    r.d.keyword({ keyword: '最后三分钟', at: 9.0 });
    expect(r.events.map((e) => e.change)).toEqual(['created']);
    expect(r.events[0]!.h.reasons[0]).toMatchObject({
      kind: 'keyword',
      text: 'keyword "最后三分钟" spotted in the audio (urgency)',
      at: 9,
      weight: 0.75,
    });
    r.clock.ms = 900;
    r.say(6.5, 8.6, '最后三分钟');
    talk(r, 9, 30);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    const h = r.d.highlights()[0]!;
    expect(h.reasons).toEqual([
      {
        kind: 'trigger',
        text: 'trigger "最后三分钟" (urgency) (heard by the keyword spotter too)',
        at: 6.5,
        weight: 0.85,
        entryId: 'last3',
        category: 'urgency',
      },
    ]);
    expect(h).toMatchObject({ triggerStart: 6.5, triggerEnd: 8.6, score: 0.85 });
    expect(h.firstSignalWallMs).toBe(100);
    expectLifecycles(r.events);
  });

  it('the transcript first, then the KWS hit: one highlight, weight + 0.1', () => {
    const r = rig();
    r.say(6.5, 8.6, '最后三分钟');
    r.d.keyword({ keyword: '最後三分鐘', at: 9.2 });
    r.d.keyword({ keyword: '最后三分钟', at: 9.6 }); // the spotter firing twice
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    expect(r.d.highlights()[0]!.reasons).toHaveLength(1);
    expect(r.d.highlights()[0]!.reasons[0]!.weight).toBe(0.85);
  });

  it('a KWS hit far from the transcript trigger is another moment', () => {
    const r = rig();
    r.say(6.5, 8.6, '最后三分钟');
    talk(r, 9, 30);
    r.d.keyword({ keyword: '最后三分钟', at: 30.5 });
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(2);
  });

  it('a KWS-only highlight (no recognizer) and an unknown keyword', () => {
    const r = rig();
    r.d.keyword({ keyword: '没有这个词', at: 3 });
    expect(r.events).toHaveLength(0);
    r.d.keyword({ keyword: '最后三分钟', at: 20.5 });
    r.d.advance(36); // the media went on
    r.d.finish();
    expect(r.d.highlights()).toEqual([
      expect.objectContaining({
        triggerStart: 19,
        triggerEnd: 20.2,
        start: 17,
        end: 35.2,
        category: 'urgency',
        text: '',
        state: 'final',
      }),
    ]);
  });
});

describe('the end of the media', () => {
  it('ends an open window with the media', () => {
    const r = rig();
    r.say(1, 3, '最后三分钟');
    r.d.advance(4.2);
    r.d.finish();
    expect(r.finals().map((h) => h.end)).toEqual([4.2]);
  });
});

describe('manual marks', () => {
  it('make a highlight of score 1 around the mark, emitted in the mark() call', () => {
    const r = rig();
    talk(r, 0, 50);
    const h = r.d.mark({ at: 50, source: 'hotkey' });
    expect(h).toMatchObject({
      start: 30,
      end: 60,
      score: 1,
      category: 'manual',
      state: 'provisional',
    });
    expect(h.reasons).toEqual([{ kind: 'mark', text: 'manual mark (hotkey)', at: 50, weight: 1 }]);
    expect(r.events.map((e) => e.change)).toEqual(['created']);
    talk(r, 50, 59);
    expect(r.finals()).toHaveLength(0);
    r.d.advance(60);
    expect(r.finals()).toHaveLength(1);
    expectLifecycles(r.events);
  });

  it('clamp at 0, and a mark in the past is created and final at once', () => {
    const r = rig();
    r.d.advance(100);
    const h = r.d.mark({ at: 5, source: 'file', note: 'goal' });
    expect(h).toMatchObject({ start: 0, end: 15, state: 'final' });
    expect(h.reasons[0]!.text).toBe('manual mark (file): goal');
    expect(r.events.map((e) => e.change)).toEqual(['created', 'final']);
  });

  it('extend an overlapping open trigger highlight: same id, covers both, score 1', () => {
    const r = rig();
    talk(r, 0, 40);
    r.say(40, 42, '最后三分钟');
    const h = r.d.mark({ at: 44, source: 'button' });
    expect(h.id).toBe('h1');
    expect(h).toMatchObject({ start: 24, end: 54, score: 1, category: 'urgency' });
    expect(h.reasons.map((x) => x.kind)).toEqual(['trigger', 'mark']);
    expect(r.events.map((e) => e.change)).toEqual(['created', 'updated']);
    talk(r, 42.5, 70);
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(1);
    expectLifecycles(r.events);
  });

  it('after that highlight is final, a mark makes a new one', () => {
    const r = rig();
    r.say(40, 42, '最后三分钟');
    talk(r, 42.5, 60);
    expect(r.finals()).toHaveLength(1);
    const h = r.d.mark({ at: 45, source: 'api' });
    expect(h.id).toBe('h2');
    expect(h.category).toBe('manual');
    r.d.finish();
    expectLifecycles(r.events);
  });

  it('are never dropped by cooldown, maxPerMinute or minScore, and promote a weak candidate', () => {
    const r = rig({ cooldownS: 600, maxPerMinute: 1, minScore: 1 });
    r.say(10, 12, '最后三分钟'); // 0.75 < minScore 1: a candidate
    expect(r.events).toHaveLength(0);
    const h = r.d.mark({ at: 13, source: 'hotkey' });
    expect(h).toMatchObject({ id: 'h1', score: 1 });
    r.d.mark({ at: 100, source: 'hotkey' });
    r.d.mark({ at: 110, source: 'hotkey' });
    r.d.finish();
    expect(r.d.highlights().map((x) => x.id)).toEqual(['h1', 'h2']); // 110 extends 100's window
    expect(r.d.stats.dropped).toEqual({ cooldown: 0, maxPerMinute: 0, minScore: 0 });
    expectLifecycles(r.events);
  });
});

describe('finish, lexicon changes and bad input', () => {
  it('finish() closes every open window exactly once', () => {
    const r = rig();
    r.say(10, 12, '最后三分钟');
    r.say(20, 22, 'last call');
    r.d.mark({ at: 80, source: 'api' });
    r.d.finish();
    expect(r.d.highlights()).toHaveLength(3);
    expect(r.d.highlights().every((h) => h.state === 'final')).toBe(true);
    r.d.finish();
    expectLifecycles(r.events);
  });

  it('setLexicon swaps triggers; an invalid lexicon is refused and the old one stays', () => {
    const r = rig();
    r.d.setLexicon({ version: 1, entries: [entry('new', '新词语', 0.9)] });
    r.say(10, 12, '最后三分钟');
    r.say(30, 32, '新词语');
    expect(() => r.d.setLexicon({ version: 1, entries: [entry('bad', '(x|', 0.9)] })).toThrow(
      LexiconError,
    );
    r.say(60, 62, '新词语');
    r.d.finish();
    expect(r.d.highlights().map((h) => h.triggerStart)).toEqual([30, 60]);
  });

  it('refuses impossible settings and invalid lexicons at construction', () => {
    const make = (settings: DetectSettings, lexicon: Lexicon = LEX) =>
      new Detector({ settings, lexicon, events: { onHighlight: () => undefined } });
    expect(() => make({ ...presetSettings('e-commerce'), minScore: 1.5 })).toThrow(/minScore/);
    expect(() =>
      make(presetSettings('e-commerce'), { version: 1, entries: [entry('a', '', 0.5)] }),
    ).toThrow(/entry 'a'/);
  });

  it('ignores utterances and frames with impossible times', () => {
    const r = rig();
    r.say(Number.NaN, 2, '最后三分钟');
    r.say(5, 4, '最后三分钟');
    r.d.loudness([{ t: Number.POSITIVE_INFINITY, rms: -10, peak: 0 }]);
    r.d.finish();
    expect(r.events).toHaveLength(0);
  });

  it('a listener that throws does not lose later events', () => {
    let calls = 0;
    const d = new Detector({
      settings: presetSettings('e-commerce'),
      lexicon: LEX,
      events: {
        onHighlight: () => {
          calls++;
          throw new Error('listener broke');
        },
      },
    });
    expect(() => d.utterance({ seq: 1, start: 1, end: 2, text: '最后三分钟' })).toThrow(
      'listener broke',
    );
    expect(() => d.finish()).toThrow('listener broke');
    expect(calls).toBe(2);
    expect(d.highlights()[0]!.state).toBe('final');
  });
});
