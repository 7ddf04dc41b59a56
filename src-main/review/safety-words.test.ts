import { describe, expect, it } from 'vitest';
import { defaultSafetyLexicon } from './safety-lexicon-default';
import {
  LexiconError,
  checkFields,
  checkText,
  compileLexicons,
  parseLexicon,
  type LexiconEntry,
} from './safety-words';

const lex = defaultSafetyLexicon();
const ids = (text: string): string[] => checkText(text, lex).hits.map((h) => h.entryId);

function one(entries: LexiconEntry[]): ReturnType<typeof compileLexicons> {
  return compileLexicons([{ name: 'test', entries }]);
}

describe('checkText: variants and separators', () => {
  it.each([
    ['这款是最好的面霜', 'ad.zuihao', '最好'],
    ['这款是最.好的', 'ad.zuihao', '最.好'],
    ['这款是最 好的', 'ad.zuihao', '最 好'],
    ['这款是最*好的', 'ad.zuihao', '最*好'],
    ['这款是最 * 好的', 'ad.zuihao', '最 * 好'],
    ['这款是最最最好的', 'ad.zuihao', '最最最好'],
    ['这款是最\u200b好的', 'ad.zuihao', '最\u200b好'],
    ['有事加微-信聊', 'platform.weixin', '微-信'],
    ['請加微信', 'platform.weixin', '微信'],
    ['全網最低價', 'ad.quanwang-zuidi', '全網最低'],
    ['國家級品質', 'ad.guojiaji', '國家級'],
    ['１００％有效', 'ad.100youxiao', '１００％有效'],
    ['100% 有效', 'ad.100youxiao', '100% 有效'],
    ['私聊 加Ｖ 送券', 'platform.jia-v', '加Ｖ'],
    ['加v', 'platform.jia-v', '加v'],
    ['我的VX是123', 'platform.vx', 'VX'],
    ['what the FUCK', 'en.fuck', 'FUCK'],
    ['what the fuuuuck', 'en.fuck', 'fuuuuck'],
    ['what the fuckkk', 'en.fuck', 'fuckkk'],
    ['what the f u c k', 'en.fuck', 'f u c k'],
    ['what the f.u.c.k', 'en.fuck', 'f.u.c.k'],
    ['what the f*ck', null, null], // a masked letter is not a letter
    ['fucking great', 'en.fuck', 'fuck'],
    ['holy sh1t', 'en.shit', 'sh1t'],
    ['holy $hit', 'en.shit', '$hit'],
    ['you @$$', 'en.ass', '@$$'],
    ['b1tch', 'en.bitch', 'b1tch'],
    ['ｆｕｃｋ', 'en.fuck', 'ｆｕｃｋ'],
    ['fuсk', 'en.fuck', 'fuсk'], // Cyrillic с
    ['f\u0336u\u0336c\u0336k\u0336', 'en.fuck', 'f\u0336u\u0336c\u0336k\u0336'], // strike-through
    ['你fuck了', 'en.fuck', 'fuck'],
  ])('%j → %s %j', (text, id, matched) => {
    const hits = checkText(text, lex).hits.filter((h) => h.entryId === id);
    if (id === null) {
      expect(checkText(text, lex).hits).toEqual([]);
      return;
    }
    expect(hits).toHaveLength(1);
    const h = hits[0]!;
    expect(h.matched).toBe(matched);
    expect(text.slice(h.start, h.end)).toBe(matched);
  });

  it('reports every occurrence with its own span, in order', () => {
    const text = '微信 and 微 信, then 微*信';
    const hits = checkText(text, lex).hits.filter((h) => h.entryId === 'platform.weixin');
    expect(hits.map((h) => [h.start, h.end, h.matched])).toEqual([
      [0, 2, '微信'],
      [7, 10, '微 信'],
      [17, 20, '微*信'],
    ]);
  });

  it('gives the worst severity as the verdict', () => {
    expect(checkText('今天天气不错', lex).verdict).toBe('ok');
    expect(checkText('最好的', lex).verdict).toBe('warn');
    expect(checkText('最好的, 加微信', lex).verdict).toBe('block');
  });

  it('spans emoji and astral characters in UTF-16 indexes', () => {
    const text = '🔥🔥 最🔥好 🎉 加V';
    const r = checkText(text, lex);
    expect(r.hits.map((h) => h.matched)).toEqual(['最🔥好', '加V']);
    for (const h of r.hits) expect(text.slice(h.start, h.end)).toBe(h.matched);
  });
});

describe('checkText: false positives', () => {
  it.each([
    'this class is great',
    'a glass of water',
    'bass guitar',
    'passion and assessment',
    'Cassandra the assassin',
    'Scunthorpe United',
    'c l a s s',
    'shiitake mushrooms',
    '第一次直播',
    '第一步先洗脸',
    '第一时间发货',
    '你最好不要错过',
    '最好还是早点下单',
    '他最，好像来了', // a comma is not a separator
    '最\n好', // nor a line break
    '加VIP群',
    '加vx', // platform.vx hits, but not 加V
    'evaluate the mass of 3 bottles',
    '',
  ])('%j', (text) => {
    const got = ids(text);
    if (text === '加vx') expect(got).toEqual(['platform.vx']);
    else expect(got).toEqual([]);
  });

  it('still hits the term outside its allow phrase', () => {
    expect(ids('第一次来，全网第一')).toEqual(['ad.diyi']);
    const h = checkText('第一次来，全网第一', lex).hits[0]!;
    expect([h.start, h.end]).toEqual([7, 9]);
  });
});

describe('checkText: hostile input', () => {
  it('handles a 10 kB line quickly and finds the hit at its end', () => {
    const text = 'a'.repeat(10_000) + ' 最好';
    const t0 = performance.now();
    const r = checkText(text, lex);
    const ms = performance.now() - t0;
    expect(r.hits.map((h) => h.start)).toEqual([10_001]);
    expect(ms).toBeLessThan(500);
  });

  it('handles a 10 kB line of near-misses (repeats, separators) without blowing up', () => {
    const text = 'f'.repeat(5000) + 'u u u '.repeat(800) + '最 '.repeat(1000);
    const t0 = performance.now();
    const r = checkText(text, lex);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.verdict).toBe('ok');
  });

  it('caps the hits but keeps the verdict', () => {
    const r = checkText('最好 '.repeat(100) + '加微信', lex, { maxHits: 10 });
    expect(r.hits).toHaveLength(10);
    expect(r.truncated).toBe(true);
    expect(r.verdict).toBe('block');
  });

  it('ignores control characters and survives lone surrogates', () => {
    expect(ids('加\u0000\u0007微\u001b信')).toContain('platform.jia-weixin');
    expect(checkText('\ud800最好\udfff', lex).hits.map((h) => h.matched)).toEqual(['最好']);
  });

  it.each([
    ['a.c', 'abc', false],
    ['a.c', 'a.c', true],
    ['a.c', 'a c', true],
    ['(vip)+', 'vipvip', false],
    ['(vip)+', 'vip', true],
    ['[微信]', '微', false],
    ['[微信]', '微信', true],
    ['x|y', 'x', false],
    ['x|y', 'x y', true],
    ['^ok$', 'ok', true],
    ['^ok$', 'book', false],
    ['\\d+元', '5元', false],
    ['\\d+元', 'd元', true],
  ])('entry %j is literal: %j → %s', (term, text, hit) => {
    const c = one([{ id: 'x', term, category: 'custom', severity: 'warn' }]);
    expect(checkText(text, c).hits.length > 0).toBe(hit);
  });
});

describe('lexicon validation', () => {
  it('names the entry in errors', () => {
    const bad = {
      name: 'mine',
      entries: [
        { id: 'ok', term: 'x', category: 'custom', severity: 'warn' },
        { id: 'bad-cat', term: 'y', category: 'nope', severity: 'warn' },
        { id: 'no-term', category: 'custom', severity: 'block' },
      ],
    };
    expect(() => parseLexicon(bad)).toThrow(LexiconError);
    try {
      parseLexicon(bad);
    } catch (err) {
      const msg = (err as LexiconError).message;
      expect(msg).toContain('mine: entry 1 (id "bad-cat"): category');
      expect(msg).toContain('mine: entry 2 (id "no-term"): term');
      expect(msg).not.toContain('entry 0');
    }
  });

  it('refuses duplicate ids and duplicate terms (after folding), across lexicons', () => {
    const a = {
      name: 'a',
      entries: [{ id: 'w', term: '微信', category: 'platform', severity: 'warn' } as const],
    };
    const b = {
      name: 'b',
      entries: [
        { id: 'w', term: 'other', category: 'custom', severity: 'warn' } as const,
        { id: 'w2', term: '微 信', category: 'custom', severity: 'block' } as const,
      ],
    };
    expect(() => compileLexicons([a, b])).toThrow(/b: entry 0 \(id "w"\): duplicate id/);
    expect(() => compileLexicons([a, b])).toThrow(/b: entry 1 \(id "w2"\): duplicate term/);
  });

  it('refuses terms with nothing to match and allow phrases without the term', () => {
    expect(() => one([{ id: 'e', term: '.*', category: 'custom', severity: 'warn' }])).toThrow(
      /entry 0 \(id "e"\): term ".\*" has no letters/,
    );
    expect(() =>
      one([{ id: 'f', term: '第一', category: 'ad-law', severity: 'warn', allow: ['第二次'] }]),
    ).toThrow(/id "f"\): allow phrase "第二次" does not contain the term/);
  });

  it('refuses unknown fields and odd ids', () => {
    expect(() =>
      parseLexicon({
        name: 'n',
        entries: [{ id: 'a b', term: 'x', category: 'custom', severity: 'warn', regex: true }],
      }),
    ).toThrow(/entry 0 \(id "a b"\)/);
  });

  it('compiles the default lexicons', () => {
    expect(lex.entries.length).toBeGreaterThan(20);
    expect(lex.entries.some((e) => e.entry.category === 'political')).toBe(false);
  });
});

describe('checkFields', () => {
  it('names the field (and caption index) of each hit and aggregates the verdict', () => {
    const r = checkFields(
      { prompt: '突出价格', title: '全网最低价！', captions: ['大家好', '有问题加 微 信', '好'] },
      lex,
    );
    expect(r.verdict).toBe('block');
    expect(r.hits.map((h) => [h.field, h.captionIndex, h.entryId, h.matched])).toEqual([
      ['title', undefined, 'ad.quanwang-zuidi', '全网最低'],
      ['title', undefined, 'ad.zuidijia', '最低价'],
      ['caption', 1, 'platform.jia-wei', '加 微'],
      ['caption', 1, 'platform.jia-weixin', '加 微 信'],
      ['caption', 1, 'platform.weixin', '微 信'],
    ]);
  });

  it('is ok for empty fields', () => {
    expect(checkFields({}, lex)).toEqual({ verdict: 'ok', hits: [], truncated: false });
  });
});
