import { describe, expect, it } from 'vitest';
import { addKeyword, keywordSeekTime, MAX_KEYWORDS_PER_SESSION, type Keywords } from './keywords';

const A = 'sess_aaaaaaaa';
const B = 'sess_bbbbbbbb';
const hit = (sessionId: string, at: number, keyword = '最后三分钟') => ({ sessionId, keyword, at });

describe('keyword chips', () => {
  it('keeps hits per session in media-time order, without repeats', () => {
    let k: Keywords = {};
    k = addKeyword(k, hit(A, 83));
    k = addKeyword(k, hit(B, 10, '上链接'));
    k = addKeyword(k, hit(A, 40, '上链接'));
    expect(k[A]?.map((h) => h.at)).toEqual([40, 83]);
    expect(k[B]).toEqual([hit(B, 10, '上链接')]);
    const same = addKeyword(k, hit(A, 83));
    expect(same).toBe(k);
    // The same time with another keyword is a separate chip.
    expect(addKeyword(k, hit(A, 83, '秒杀'))[A]).toHaveLength(3);
  });

  it('caps the chips per session (the oldest go first)', () => {
    let k: Keywords = {};
    for (let i = 0; i < MAX_KEYWORDS_PER_SESSION + 5; i++) k = addKeyword(k, hit(A, i));
    expect(k[A]).toHaveLength(MAX_KEYWORDS_PER_SESSION);
    expect(k[A]?.[0]?.at).toBe(5);
    let small: Keywords = {};
    for (let i = 0; i < 4; i++) small = addKeyword(small, hit(A, i), 3);
    expect(small[A]?.map((h) => h.at)).toEqual([1, 2, 3]);
  });

  it('caps the sessions kept (the least recently updated goes first)', () => {
    let k: Keywords = {};
    k = addKeyword(k, hit(A, 1), 10, 2);
    k = addKeyword(k, hit(B, 1), 10, 2);
    k = addKeyword(k, hit(A, 2), 10, 2);
    k = addKeyword(k, hit('sess_cccccccc', 1), 10, 2);
    expect(Object.keys(k).sort()).toEqual([A, 'sess_cccccccc']);
  });

  it('a chip seeks 3 s before the hit, never before 0', () => {
    expect(keywordSeekTime(83)).toBe(80);
    expect(keywordSeekTime(1.5)).toBe(0);
  });
});
