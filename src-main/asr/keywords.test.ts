import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  digitsToChinese,
  keywordLines,
  numberToChinese,
  phraseTokenVariants,
  readTokens,
  syllableTokens,
} from './keywords';
import { KWS_MODEL_DIR } from '../testing/shared';
import { missing } from '../testing/skip';

const KWS_DIR = KWS_MODEL_DIR;
const MODEL_DIR =
  process.env['LIVESLICE_KWS_DIR'] ??
  (existsSync(KWS_DIR)
    ? KWS_DIR
    : join(
        __dirname,
        '../../../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
      ));
const haveModel = existsSync(join(MODEL_DIR, 'tokens.txt'));

describe('ppinyin tokens', () => {
  it.each([
    ['zuì', ['z', 'uì']],
    ['zhōng', ['zh', 'ōng']],
    ['ān', ['ān']],
    ['ér', ['ér']],
    ['yī', ['y', 'ī']],
  ])('%s → %j', (syl, tokens) => expect(syllableTokens(syl)).toEqual(tokens));

  it.each([
    [3, '三'],
    [10, '十'],
    [15, '十五'],
    [50, '五十'],
    [205, '二百零五'],
    [1999, '一千九百九十九'],
    [20000, '二万'],
    [10086, '一万零八十六'],
  ])('numberToChinese(%d) = %s', (n, zh) => expect(numberToChinese(n)).toBe(zh));

  it('reads digits in phrases', () => {
    expect(digitsToChinese('最后3分钟')).toBe('最后三分钟');
    expect(digitsToChinese('只剩10件')).toBe('只剩十件');
  });

  it('gives both readings of a live-stream polyphone', () => {
    expect(phraseTokenVariants('全场五折').map((t) => t.join(' '))).toEqual([
      'q uán ch ǎng w ǔ zh é',
      'q uán ch áng w ǔ zh é',
    ]);
  });
});

describe.skipIf(
  missing(
    !haveModel &&
      'the KWS model is absent from ../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
  ),
)('keyword lines for the real KWS model', () => {
  const tokens = haveModel
    ? readTokens(readFileSync(join(MODEL_DIR, 'tokens.txt'), 'utf8'))
    : new Set<string>();

  it('reproduces the upstream keywords file exactly', () => {
    const upstream = readFileSync(join(MODEL_DIR, 'keywords.txt'), 'utf8').trim().split('\n');
    const phrases = readFileSync(join(MODEL_DIR, 'keywords_raw.txt'), 'utf8').trim().split('\n');
    const { lines, rejected } = keywordLines(
      phrases.map((text) => ({ text })),
      tokens,
    );
    expect(rejected).toEqual([]);
    expect(lines.map((l) => l.replace(/ :\S+ #\S+/, ''))).toEqual(
      upstream.map((l) => l.replace(/\s+@/, ' @')),
    );
  });

  it('reproduces the live-stream example (with boosts and thresholds)', () => {
    const example = readFileSync(join(MODEL_DIR, 'keywords-livestream-example.txt'), 'utf8')
      .trim()
      .split('\n');
    const { lines } = keywordLines(
      [
        { text: '最后三分钟', boost: 3, threshold: 0.1 },
        { text: '全场五折', boost: 3, threshold: 0.1 },
        { text: '买爆了', boost: 2, threshold: 0.25 },
      ],
      tokens,
    );
    expect(lines).toEqual(example);
  });

  it('rejects what the model cannot spell, instead of letting sherpa drop it silently', () => {
    const { lines, rejected } = keywordLines(
      [{ text: 'LAST CALL' }, { text: '最后3分钟' }, { text: ' ' }],
      tokens,
    );
    expect(lines).toEqual(['z uì h òu s ān f ēn zh ōng :2.0 #0.25 @最后3分钟']);
    expect(rejected.map((r) => r.text)).toEqual(['LAST CALL', ' ']);
  });
});
