import { describe, expect, it } from 'vitest';
import { canonicalizeNumbers, parseChineseNumber, parseNumber, readEnglishNumber } from './numbers';

describe('parseChineseNumber', () => {
  it.each([
    ['三', 3],
    ['两', 2],
    ['兩', 2],
    ['十', 10],
    ['十五', 15],
    ['二十', 20],
    ['二十三', 23],
    ['一百二十', 120],
    ['一百二', 120],
    ['一百零五', 105],
    ['一千零五十', 1050],
    ['三千五', 3500],
    ['三千五百', 3500],
    ['两百', 200],
    ['十万', 100_000],
    ['两万五', 25_000],
    ['一万二千', 12_000],
    ['三万零五', 30_005],
    ['兩萬', 20_000],
    ['万', 10_000],
    ['三亿五千万', 350_000_000],
    ['三万亿', 3e12],
    ['三点五', 3.5],
    ['三点五零', 3.5],
    ['十点零', 10],
    ['二零二四', 2024],
    ['八八', 88],
    ['零', 0],
    ['〇', 0],
  ])('%s → %d', (text, value) => expect(parseChineseNumber(text)).toBe(value));

  it.each(['', '三四十', '十十', '百十百', '万万', '亿万', '三点', '点五', '三x'])(
    '%s is not one number',
    (text) => expect(parseChineseNumber(text)).toBeNull(),
  );
});

describe('readEnglishNumber', () => {
  it.each([
    [['three'], 3, 1],
    [['zero'], 0, 1],
    [['fifteen'], 15, 1],
    [['fifty'], 50, 1],
    [['twenty', 'five'], 25, 2],
    [['one', 'hundred'], 100, 2],
    [['one', 'hundred', 'and', 'twenty'], 120, 4],
    [['two', 'thousand', 'twenty', 'four'], 2024, 4],
    [['three', 'hundred', 'thousand'], 300_000, 3],
    [['one', 'one'], 1, 1],
    [['twenty', 'twenty'], 20, 1],
    [['five', 'percent'], 5, 1],
    [['one', 'hundred', 'and', 'apples'], 100, 2],
  ])('%j → %d (%d words)', (words, value, length) =>
    expect(readEnglishNumber(words)).toEqual({ value, length }),
  );

  it.each([[['hundred']], [['and', 'one']], [['apples']], [[]]])('%j → null', (words) =>
    expect(readEnglishNumber(words)).toBeNull(),
  );

  it('reads from an offset', () =>
    expect(readEnglishNumber(['only', 'three', 'left'], 1)).toEqual({ value: 3, length: 1 }));
});

describe('parseNumber', () => {
  it.each([
    ['3', 3],
    ['3.5', 3.5],
    ['三', 3],
    ['一百二十', 120],
    ['twenty-five', 25],
    ['Fifty', 50],
    ['one hundred and twenty', 120],
  ])('%s → %d', (text, value) => expect(parseNumber(text)).toBe(value));

  it.each(['abc', 'one apple', '', '三四十'])('%s → null', (text) =>
    expect(parseNumber(text)).toBeNull(),
  );
});

describe('canonicalizeNumbers', () => {
  it.each([
    ['最后三分钟', '最后3分钟'],
    ['最后3分钟', '最后3分钟'],
    ['全场五折', '全场5折'],
    ['八五折', '85折'],
    ['三点五折', '3.5折'],
    ['只剩两件', '只剩2件'],
    ['一百二十块', '120块'],
    ['1.5万人', '15000人'],
    ['3万', '30000'],
    ['三四十个', '三四十个'],
    ['fifty percent off', '50 percent off'],
    ['only twenty five left', 'only 25 left'],
    ['buy one get one', 'buy 1 get 1'],
    ['someone said none', 'someone said none'],
    ['twentyfive', 'twentyfive'],
    ['wow 这个价格', 'wow 这个价格'],
  ])('%s → %s', (text, expected) => expect(canonicalizeNumbers(text)).toBe(expected));
});
