import { describe, expect, it } from 'vitest';
import { DEFAULT_LEXICON } from './default-lexicon';
import {
  LexiconError,
  canonicalText,
  compileLexicon,
  matchText,
  originalText,
  parseLexicon,
  type CompiledLexicon,
} from './lexicon';
import type { LexiconEntry } from './types';

function entry(id: string, pattern: string, extra: Partial<LexiconEntry> = {}): LexiconEntry {
  return { id, pattern, category: 'urgency', weight: 0.7, lang: 'any', ...extra };
}

function lex(...entries: LexiconEntry[]): CompiledLexicon {
  return compileLexicon({ version: 1, entries });
}

function errorOf(fn: () => unknown): LexiconError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(LexiconError);
    return err as LexiconError;
  }
  throw new Error('expected a LexiconError');
}

describe('lexicon validation: every refusal names the entry and the problem', () => {
  const ok = entry('fine', '最后三分钟');
  it.each<[string, unknown, RegExp, string | undefined]>([
    ['empty pattern', [entry('e1', '   ')], /entry 'e1': the pattern is empty/, 'e1'],
    [
      'unclosed group',
      [entry('e2', '(最后|最後三分钟')],
      /entry 'e2': unbalanced parentheses/,
      'e2',
    ],
    ['stray )', [entry('e3', '最后)三分钟')], /entry 'e3': unbalanced parentheses/, 'e3'],
    ['empty alternative', [entry('e4', '(买|)爆了')], /entry 'e4': empty alternative/, 'e4'],
    ['empty group', [entry('e5', '()爆了')], /entry 'e5': empty alternative/, 'e5'],
    [
      'alternative of punctuation only',
      [entry('e6', '(！|买)爆了')],
      /entry 'e6': an alternative normalizes to nothing/,
      'e6',
    ],
    [
      'unknown placeholder',
      [entry('e7', '只剩{x}件')],
      /entry 'e7': unknown placeholder \{x\}/,
      'e7',
    ],
    ['unclosed brace', [entry('e8', '只剩{n件')], /entry 'e8': unbalanced braces/, 'e8'],
    ['stray brace', [entry('e9', '只剩n}件')], /entry 'e9': unbalanced braces/, 'e9'],
    [
      'normalizes to nothing',
      [entry('e10', '！？。…')],
      /entry 'e10': the pattern '！？。…' normalizes to nothing/,
      'e10',
    ],
    ['only a number', [entry('e11', '{n}')], /entry 'e11': .*no text besides \{n\}/, 'e11'],
    [
      '| outside a group',
      [entry('e12', '买爆了|卖爆了')],
      /entry 'e12': '\|' outside a group/,
      'e12',
    ],
    [
      'optional group',
      [entry('e13', '最后(一次)?机会')],
      /entry 'e13': '\?' after a group is not pattern syntax/,
      'e13',
    ],
    [
      'too many alternatives',
      [entry('e14', `(${Array.from({ length: 33 }, (_, i) => `词${i}`).join('|')})`)],
      /entry 'e14': more than 32 alternatives/,
      'e14',
    ],
    [
      'pattern too long',
      [entry('e15', '最'.repeat(201))],
      /entry 'e15': the pattern is longer than 200 characters/,
      'e15',
    ],
    ['weight 0', [entry('w1', 'a b', { weight: 0 })], /entry 'w1': the weight 0 is outside/, 'w1'],
    ['weight > 1', [entry('w2', 'a b', { weight: 1.5 })], /entry 'w2': the weight 1.5/, 'w2'],
    ['weight < 0', [entry('w3', 'a b', { weight: -0.2 })], /entry 'w3': the weight -0.2/, 'w3'],
    [
      'weight not a number',
      [{ ...entry('w4', 'a b'), weight: 'high' }],
      /entry 'w4': the weight high/,
      'w4',
    ],
    [
      'unknown category',
      [{ ...entry('c1', 'a b'), category: 'sale' }],
      /entry 'c1': unknown category "sale"/,
      'c1',
    ],
    ['bad lang', [{ ...entry('l1', 'a b'), lang: 'fr' }], /entry 'l1': lang must be/, 'l1'],
    ['bad id', [entry('Bad Id', 'a b')], /entry "Bad Id": the id must be/, 'Bad Id'],
    [
      'missing id',
      [{ pattern: 'a b', category: 'urgency', weight: 0.5, lang: 'en' }],
      /entry "#1": the id/,
      '#1',
    ],
    [
      'unknown field',
      [{ ...entry('u1', 'a b'), wieght: 0.5 }],
      /entry 'u1': unknown field 'wieght'/,
      'u1',
    ],
    [
      'duplicate id',
      [ok, entry('fine', '全场五折')],
      /entry 'fine': the id is used by another entry too/,
      'fine',
    ],
    [
      'duplicate pattern after normalization',
      [ok, entry('dup', '最後 3 分鐘！')],
      /entry 'dup' duplicates entry 'fine'/,
      'dup',
    ],
    [
      'duplicate English pattern in another case',
      [entry('en1', 'Last Call'), entry('en2', 'last   CALL')],
      /entry 'en2' duplicates entry 'en1'/,
      'en2',
    ],
  ])('%s', (_name, entries, message, id) => {
    const err = errorOf(() => parseLexicon({ version: 1, entries }));
    expect(err.message).toMatch(message);
    expect(err.entryId).toBe(id);
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'words', /not an object/],
    ['an array', [], /not an object/],
    ['wrong version', { version: 2, entries: [] }, /unsupported lexicon version 2/],
    ['no entries', { version: 1 }, /no list of entries/],
    ['unknown top-level field', { version: 1, entries: [], extra: 1 }, /unknown field 'extra'/],
    ['entry not an object', { version: 1, entries: [ok, 'x'] }, /entry #2 is not an object/],
    [
      'more than 2000 entries',
      {
        version: 1,
        entries: Array.from({ length: 2001 }, (_, i) => entry(`e${i}`, `词${i}`)),
      },
      /2001 entries; at most 2000/,
    ],
  ])('%s', (_name, json, message) => {
    expect(errorOf(() => parseLexicon(json)).message).toMatch(message);
  });

  it('compileLexicon refuses the same things for a lexicon built in code', () => {
    expect(() => lex(entry('a', '(x|'))).toThrow(/entry 'a': unbalanced parentheses/);
  });

  it('returns a clean copy of a valid lexicon, notes kept', () => {
    const parsed = parseLexicon({
      version: 1,
      entries: [{ ...entry('a', '最后三分钟'), note: 'urgency' }],
    });
    expect(parsed).toEqual({
      version: 1,
      entries: [{ ...entry('a', '最后三分钟'), note: 'urgency' }],
    });
  });

  it('2000 entries are fine', () => {
    const entries = Array.from({ length: 2000 }, (_, i) => entry(`e${i}`, `词语${i}号`));
    expect(parseLexicon({ version: 1, entries }).entries).toHaveLength(2000);
  });
});

describe('the built-in lexicon', () => {
  it('is valid, and covers zh and en in every e-commerce category', () => {
    const parsed = parseLexicon(JSON.parse(JSON.stringify(DEFAULT_LEXICON)));
    expect(parsed.entries.length).toBeGreaterThan(60);
    for (const category of ['urgency', 'price', 'hype', 'scarcity', 'countdown', 'cta', 'demo']) {
      for (const lang of ['zh', 'en'])
        expect(
          parsed.entries.some((e) => e.category === category && e.lang === lang),
          `${category}/${lang}`,
        ).toBe(true);
    }
    expect(parsed.entries.some((e) => e.category === 'reaction')).toBe(true);
  });

  const c = compileLexicon(DEFAULT_LEXICON);
  const ids = (text: string) => matchText(c, text).map((m) => m.entry.id);
  const best = (text: string) => Math.max(0, ...matchText(c, text).map((m) => m.entry.weight));

  it.each([
    ['最后三分钟了家人们', 'zh-last-n-minutes'],
    ['最後3分鐘', 'zh-last-n-minutes'],
    ['last call everyone', 'en-last-call'],
    ['just the final minutes now', 'en-final-minutes'],
    ['全场五折', 'zh-store-wide-discount'],
    ['全场打5折', 'zh-store-wide-discount'],
    ['今天半价', 'zh-half-price'],
    ['限时秒杀', 'zh-flash-sale-timed'],
    ['50% off today', 'en-percent-off'],
    ['FIFTY PERCENT OFF', 'en-percent-off'],
    ['half price', 'en-half-price'],
    ['买一送一', 'zh-buy-get'],
    ['buy one get one free', 'en-bogo'],
    ['已经买爆了', 'zh-sold-like-crazy'],
    ['卖爆了', 'zh-sold-like-crazy'],
    ['这个价格太炸裂了', 'zh-mind-blowing'],
    ['an insane deal', 'en-insane-deal'],
    ['只剩三件', 'zh-only-n-left'],
    ['只剩 3 件', 'zh-only-n-left'],
    ['倒计时开始', 'zh-countdown-go'],
    ['倒计时十秒，准备好', 'zh-countdown-n'],
    ['only three left', 'en-only-n-left'],
    ['库存告急', 'zh-stock-alert'],
    ['点击下方链接', 'zh-click-link-below'],
    ['點擊下方連結', 'zh-click-link-below'],
    ['link below', 'en-link-below'],
    ['快去小黄车', 'zh-shopping-cart'],
    ['给大家看一下', 'zh-show-everyone'],
    ['上身效果', 'zh-on-body'],
    ['let me show you', 'en-let-me-show-you'],
    ['三二一上链接', 'zh-count-321'],
    ['五杀', 'zh-penta-kill'],
    ['笑死我了', 'zh-so-funny'],
  ])('%s → %s', (text, id) => expect(ids(text)).toContain(id));

  it.each([
    ['我等了三分钟', 'waiting three minutes is not the last three minutes'],
    ['等了3分钟才到', 'digits too'],
    ['他的表现秒杀全场', '秒杀 in the "outclasses" sense stays below the minimum score'],
    ['这部电影太炸裂', 'slang alone'],
    ['我的天', 'a bare exclamation'],
    ['最后一个问题', 'the last question is not scarcity'],
    ['我手机上设了一个倒计时提醒自己喝水', 'a kitchen-timer countdown'],
    ['the blast caller rang', 'English on word boundaries'],
    ['today is a nice day and we talk about the weather', 'neutral English'],
    ['我们今天聊一下这个产品的设计思路', 'neutral Chinese'],
  ])('%s stays below 0.5 (%s)', (text) => expect(best(text)).toBeLessThan(0.5));
});

describe('matching is tolerant of how a recognizer writes things', () => {
  it.each<[string, string, boolean]>([
    // digits and Chinese numerals, traditional, full-width, spaces
    ['最后三分钟', '最后3分钟', true],
    ['最后三分钟', '最后３分钟', true],
    ['最后三分钟', '最後三分鐘', true],
    ['最后三分钟', '最后 三 分钟！', true],
    ['最后3分钟', '最后三分钟', true],
    ['最后三分钟', '最后十三分钟', false],
    ['最后三分钟', '最后30分钟', false],
    ['最后三分钟', '我等了三分钟', false],
    ['最后{n}分钟', '最后十五分钟', true],
    ['最后{n}分钟', '等了15分钟', false],
    ['只剩{n}件', '只剩三件', true],
    ['只剩{n}件', '只剩 3 件', true],
    ['只剩{n}件', '只剩十件', true],
    ['只剩{n}件', '只剩两件', true],
    ['只剩{n}件', '只剩一百二十件', true],
    ['只剩{n}件', '只剩件', false],
    ['两件', '2件', true],
    ['两件', '兩件', true],
    ['十五分钟', '15分钟', true],
    ['一百二十元', '120元', true],
    ['一百二十元', '1120元', false],
    ['全场五折', '全场5折', true],
    ['全场五折', '全場五折', true],
    ['全场五折', '全场55折', false],
    ['全场五折', '全场 5.5 折', false],
    ['{n}折', '三点五折', true],
    ['买一送一', '买1送1', true],
    ['买一送一', '買一送一', true],
    ['买一送一', '买1送10', false],
    ['(买|卖)爆了', '卖爆了', true],
    ['(买|卖)爆了', '買爆了', true],
    ['(买|卖)爆了', '抢爆了', false],
    ['((最后|最後)三|仅剩)分钟', '仅剩分钟', true],
    // English: case, width, numbers in words, % as a word, word boundaries
    ['last call', 'LAST CALL!', true],
    ['last call', 'Last-Call', true],
    ['last call', 'ＬＡＳＴ　ＣＡＬＬ', true],
    ['last call', 'the blast caller', false],
    ['last call', 'last calls', false],
    ['50% off', 'fifty percent off', true],
    ['50% off', 'FIFTY PERCENT OFF', true],
    ['50% off', '50 % off', true],
    ['50% off', '５０％ ＯＦＦ', true],
    ['50% off', '50 per cent off', true],
    ['50% off', '150% off', false],
    ['50% off', '2.50% off', false],
    ['50% off', '50% offer', false],
    ['fifty percent off', '50% off', true],
    ['{n}% off', 'twenty five percent off', true],
    ['only {n} left', 'only three left', true],
    ['only {n} left', 'Only 3 left!', true],
    ['only {n} left', 'only twenty-five left', true],
    ['only {n} left', 'only a few left', false],
    ['half price', 'Half Price today', true],
    ['buy {n} get {n}', 'buy one get one', true],
    // English inside Chinese
    ['last call', '家人们last call了', true],
    ['insane deal', 'Wow! 这个价格太炸裂了 insane deal', true],
  ])('%s ~ %s → %s', (pattern, text, expected) => {
    const c = lex(entry('x', pattern));
    expect(matchText(c, text).length > 0).toBe(expected);
  });

  it('a match inside a longer one counts once (the longer one)', () => {
    const c = lex(
      entry('flash', '秒杀', { weight: 0.45 }),
      entry('timed', '限时秒杀', { weight: 0.85 }),
      entry('price', '全场五折'),
    );
    expect(matchText(c, '限时秒杀，全场五折').map((m) => m.entry.id)).toEqual(['timed', 'price']);
    expect(matchText(c, '他的表现秒杀全场').map((m) => m.entry.id)).toEqual(['flash']);
  });

  it('reports the normalized text matched and where', () => {
    const c = lex(entry('x', '只剩{n}件'), entry('y', 'fifty percent off'));
    expect(matchText(c, 'WOW 50% off, 只剩 三 件')).toEqual([
      { entry: expect.objectContaining({ id: 'y' }), matched: '50 percent off', start: 3, end: 15 },
      { entry: expect.objectContaining({ id: 'x' }), matched: '只剩3件', start: 15, end: 19 },
    ]);
  });

  it('canonical forms', () => {
    expect(canonicalText('最後 三 分鐘！Last-Call: 50% OFF, 1,000 件')).toEqual({
      spaced: '最后 3 分钟 last call 50 percent off 1000 件',
      compact: '最后3分钟lastcall50percentoff1000件',
    });
  });
});

describe('originalText: what was said, for reasons', () => {
  it.each<[string, string, string | null]>([
    ['家人们最後 三 分鐘了！', '最后3分钟', '最後 三 分鐘'],
    ['WOW, Fifty Percent OFF today', '50 percent off', 'Fifty Percent OFF'],
    ['只剩３件了', '只剩3件', '只剩３件'],
    ['全场五折', '全场5折', '全场五折'],
    ['nothing here', 'last call', null],
  ])('%s / %s → %s', (text, matched, expected) =>
    expect(originalText(text, matched)).toBe(expected),
  );
});
