import { describe, expect, it } from 'vitest';
import { normalizeForMatch, normalizeForMatchSpaced } from './normalize';

describe('normalizeForMatchSpaced', () => {
  it.each([
    ['Last-Call: 3.5折!', 'last call 3.5折'],
    ['ＷＯＷ！ 50％ OFF', 'wow 50 off'],
    ['最後 三 分鐘', '最后 三 分钟'],
    ['  Last   Call...  ', 'last call'],
    ['end. 3', 'end 3'],
    ['3. end', '3 end'],
    ['1.2.3', '1.2.3'],
    ['', ''],
  ])('%j → %j', (input, expected) => expect(normalizeForMatchSpaced(input)).toBe(expected));

  it('is normalizeForMatch once the spaces and decimal points go', () => {
    for (const s of ['點擊下方連結！', 'ＬＡＳＴ CALL', 'Wow! 这个价格太炸裂了 insane deal'])
      expect(normalizeForMatchSpaced(s).replace(/[ .]/g, '')).toBe(normalizeForMatch(s));
  });

  it('can keep traditional characters', () => {
    expect(normalizeForMatchSpaced('點擊 連結', { simplified: false })).toBe('點擊 連結');
  });
});
