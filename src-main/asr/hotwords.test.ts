/** Hotwords → sherpa-onnx hotwords file: escaping, vocabulary checks, one phrase per line. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  hotwordLines,
  hotwordsFileContent,
  hotwordUnits,
  MAX_HOTWORDS,
  readTokenSet,
  sanitizeHotword,
  upperCaseTokens,
} from './hotwords';
import { sharedModelsDir } from '../testing/shared';

const TOKENS = new Set([
  '<blk>',
  '<unk>',
  '▁IPHONE',
  '完',
  '美',
  '日',
  '记',
  '花',
  '西',
  '子',
  '薇',
  '诺',
  '娜',
  '元',
  '气',
  '森',
  '林',
]);

describe('sanitizeHotword', () => {
  it.each([
    ['完美日记', '完美日记'],
    ['  iPhone  手机壳 ', 'IPHONE 手机壳'],
    ['ＳＫ－II', 'SK II'], // full-width → half-width, punctuation → a space
    ['Dior :9.0', 'DIOR 9 0'], // the score syntax cannot be smuggled in
    ['#boost @keyword', 'BOOST KEYWORD'],
    ['a\nb\r\nc\u0000d', 'A B C D'], // one phrase can never become several lines
    ["L'Oréal", 'L ORÉAL'],
    [':::', ''],
  ])('%j → %j', (input, out) => {
    expect(sanitizeHotword(input)).toBe(out);
  });

  it('keeps case when the model has lower-case units', () => {
    expect(sanitizeHotword('iPhone', false)).toBe('iPhone');
  });
});

describe('hotwordUnits (as sherpa-onnx splits them)', () => {
  it('splits CJK per character and keeps ASCII runs', () => {
    expect(hotwordUnits('IPHONE15 手机壳 PRO')).toEqual(['IPHONE15', '手', '机', '壳', 'PRO']);
  });
});

describe('hotwordLines', () => {
  it('writes one checked phrase a line and reports what cannot be used', () => {
    const { lines, rejected } = hotwordLines(
      ['完美日记', '花西子', '完美日记', 'iPhone', '元气森林 :99', '薇诺娜 #0.1', '雅诗兰黛', '  '],
      { tokens: TOKENS, modelingUnit: 'cjkchar' },
    );
    expect(lines).toEqual(['完美日记', '花西子']);
    expect(rejected.map((r) => r.text)).toEqual([
      'iPhone',
      '元气森林 :99',
      '薇诺娜 #0.1',
      '雅诗兰黛',
      '  ',
    ]);
    expect(rejected.find((r) => r.text === 'iPhone')!.reason).toMatch(/bpe\.vocab/);
    expect(rejected.find((r) => r.text === '雅诗兰黛')!.reason).toMatch(/'雅' is not in/);
    expect(rejected.find((r) => r.text === '元气森林 :99')!.reason).toMatch(/digits/);
  });

  it('with the BPE model, English words go to it; digits alone cannot', () => {
    const { lines, rejected } = hotwordLines(['iPhone 完美', 'SK-II', 'Dior 5'], {
      tokens: TOKENS,
      modelingUnit: 'cjkchar+bpe',
      score: 2,
    });
    expect(lines).toEqual(['IPHONE 完美 :2.00', 'SK II :2.00']);
    expect(rejected).toEqual([{ text: 'Dior 5', reason: expect.stringMatching(/digits/) }]);
  });

  it('caps the count and the length', () => {
    const many = Array.from({ length: MAX_HOTWORDS + 3 }, () => '完美');
    const r = hotwordLines(many, { tokens: TOKENS, modelingUnit: 'cjkchar' });
    expect(r.lines).toEqual(['完美']);
    expect(r.rejected).toHaveLength(3);
    expect(
      hotwordLines(['完'.repeat(65)], { tokens: TOKENS, modelingUnit: 'cjkchar' }).rejected[0]!
        .reason,
    ).toMatch(/longer than 64/);
  });
});

describe('hotwordsFileContent', () => {
  it('joins checked lines and refuses anything that carries file syntax', () => {
    expect(hotwordsFileContent(['完美日记', 'IPHONE :2.00'])).toBe('完美日记\nIPHONE :2.00\n');
    expect(hotwordsFileContent([])).toBe('');
    for (const bad of ['A\nB', 'X :abc', 'Y #0.1', '@Z', ':1.00', 'A :1.0'])
      expect(() => hotwordsFileContent([bad]), bad).toThrow(/not a checked hotword line/);
  });

  it('round-trips every line hotwordLines writes, whatever the input', () => {
    const hostile = ['完美 :x', '#', '@@', '完\n美', ':1.00', '完美 :1.00', '\u2028完', '完\t美'];
    const { lines } = hotwordLines(hostile, { tokens: TOKENS, modelingUnit: 'cjkchar', score: 1 });
    expect(() => hotwordsFileContent(lines)).not.toThrow();
    for (const l of lines) expect(l).toMatch(/^[完美 ]+ :1\.00$/);
  });
});

describe('the bilingual model’s tokens', () => {
  const tokensTxt = join(sharedModelsDir(), 'sherpa-onnx-zh-en-test-wavs', 'tokens.txt');
  it.skipIf(!existsSync(tokensTxt))(
    'are upper case, and common brand characters are in them',
    () => {
      const tokens = readTokenSet(readFileSync(tokensTxt, 'utf8'));
      expect(tokens.size).toBe(6257);
      expect(upperCaseTokens(tokens)).toBe(true);
      const { lines } = hotwordLines(['完美日记', '花西子'], { tokens, modelingUnit: 'cjkchar' });
      expect(lines).toEqual(['完美日记', '花西子']);
    },
  );
});
