import { describe, expect, it } from 'vitest';
import {
  findAll,
  foldQuery,
  foldText,
  searchRows,
  splitHighlights,
  stepMatch,
  type Piece,
} from './search';

const split = (text: string, query: string): Piece[] => splitHighlights(text, foldQuery(query));
const marked = (pieces: Piece[]) => pieces.filter((p) => p.match >= 0).map((p) => p.text);
const joined = (pieces: Piece[]) => pieces.map((p) => p.text).join('');

describe('folding', () => {
  it('is case- and width-insensitive', () => {
    expect(foldQuery('ＡＢＣ')).toBe('abc');
    expect(foldText('ABC def').text).toBe('abc def');
    expect(foldText('ｶﾞﾝﾀﾞﾑ').text).toBe(foldQuery('ガンダム'));
    expect(foldText('１２３円').text).toBe('123円');
  });

  it('keeps the way back to the original text', () => {
    const f = foldText('ｶﾞﾝ');
    expect(f.text).toBe('ガン');
    expect(Array.from(f.map ?? [])).toEqual([0, 2]);
  });
});

describe('findAll', () => {
  it('finds non-overlapping occurrences', () => {
    expect(findAll('aaaa', 'aa')).toEqual([0, 2]);
    expect(findAll('abcabc', 'c')).toEqual([2, 5]);
    expect(findAll('abc', '')).toEqual([]);
    expect(findAll('abc', 'x')).toEqual([]);
  });
});

describe('splitHighlights', () => {
  it('marks every match, case-insensitively, and gives the text back exactly', () => {
    const p = split('Flash SALE, flash sale!', 'sale');
    expect(marked(p)).toEqual(['SALE', 'sale']);
    expect(p.map((x) => x.match)).toEqual([-1, 0, -1, 1, -1]);
    expect(joined(p)).toBe('Flash SALE, flash sale!');
  });

  it('full-width and half-width text match either form of the query', () => {
    expect(marked(split('限时ＳＡＬＥ开始', 'sale'))).toEqual(['ＳＡＬＥ']);
    expect(marked(split('限时sale开始', 'ＳＡＬＥ'))).toEqual(['sale']);
    const kana = split('新しいｶﾞﾝﾀﾞﾑです', 'ガンダム');
    expect(marked(kana)).toEqual(['ｶﾞﾝﾀﾞﾑ']);
    expect(joined(kana)).toBe('新しいｶﾞﾝﾀﾞﾑです');
  });

  it('combining marks stay with their base letter', () => {
    const text = 'cafe\u0301 ok';
    const p = split(text, 'café');
    expect(marked(p)).toEqual(['cafe\u0301']);
    expect(joined(p)).toBe(text);
  });

  it('hostile text comes back as plain strings, never as markup', () => {
    const text = '<script>alert("x")</script><mark>&amp;';
    const p = split(text, 'script');
    expect(joined(p)).toBe(text);
    expect(marked(p)).toEqual(['script', 'script']);
    for (const piece of p) expect(typeof piece.text).toBe('string');
    // Nothing was escaped or wrapped: the pieces are slices of the original.
    expect(p.map((x) => x.text)).toEqual([
      '<',
      'script',
      '>alert("x")</',
      'script',
      '><mark>&amp;',
    ]);
    expect(marked(split(text, '<mark>'))).toEqual(['<mark>']);
  });

  it('no match, or an empty query: the whole text, unmarked', () => {
    expect(split('hello', 'x')).toEqual([{ text: 'hello', match: -1 }]);
    expect(split('hello', '')).toEqual([{ text: 'hello', match: -1 }]);
    expect(split('', 'x')).toEqual([]);
  });

  it('astral characters (emoji) are not cut in half', () => {
    const p = split('go 🎉 GO', 'go');
    expect(marked(p)).toEqual(['go', 'GO']);
    expect(joined(p)).toBe('go 🎉 GO');
  });
});

describe('searchRows / stepMatch', () => {
  it('lists every occurrence row by row', () => {
    const rows = ['Sale now', 'nothing', 'sale SALE', 'ｓａｌｅ'];
    expect(searchRows(rows, 'SALE')).toEqual([
      { row: 0, n: 0 },
      { row: 2, n: 0 },
      { row: 2, n: 1 },
      { row: 3, n: 0 },
    ]);
    expect(searchRows(rows, '   ')).toEqual([]);
  });

  it('steps forwards and backwards, wrapping', () => {
    expect(stepMatch(-1, 3, 1)).toBe(0);
    expect(stepMatch(-1, 3, -1)).toBe(2);
    expect(stepMatch(2, 3, 1)).toBe(0);
    expect(stepMatch(0, 3, -1)).toBe(2);
    expect(stepMatch(1, 3, 1)).toBe(2);
    expect(stepMatch(0, 0, 1)).toBe(-1);
    expect(stepMatch(7, 3, 1)).toBe(0);
  });
});
