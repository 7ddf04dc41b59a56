import { describe, expect, it } from 'vitest';
import {
  defaultEnhancementTable,
  EnhancementError,
  suggestAction,
  validateEnhancementTable,
  type EnhancementRow,
} from './enhance';

describe('default enhancement table', () => {
  const table = defaultEnhancementTable();

  it('validates', () => {
    expect(validateEnhancementTable(table)).toEqual(table);
  });

  it.each([
    ['price', '只要九十九', 'zh', '放大价格牌', true],
    ['price', 'only 99 dollars', 'en', 'zoom in on the price card', true],
    ['price', '今天包郵只要九十九', 'zh', '放大价格牌并突出“包邮”字样', true], // traditional → simplified
    [
      'price',
      'FREE-Shipping today',
      'en',
      'zoom in on the price card and the free-shipping tag',
      true,
    ],
    ['hype', '哇太好看了', 'zh', '突出主播惊喜表情', true],
    ['demo', '给大家看一下', 'zh', '镜头推近产品特写', true],
    ['demo', 'look closely', 'en', 'push in to a close-up of the product', true],
    ['urgency', '最后三分钟', 'zh', '加上倒计时字幕，营造紧迫感', undefined],
    ['scarcity', 'only 5 left', 'en', 'call out the remaining stock', undefined],
    ['cta', '赶紧下单', 'zh', '指向购物车链接，提示马上下单', undefined],
    ['manual', 'anything', 'en', 'keep the host and the product in frame', undefined], // '*' fallback
    ['unknown-category', '', 'zh', '保持主播和产品同框', undefined],
  ] as const)('%s %j (%s) → %j', (category, text, lang, action, punchIn) => {
    const s = suggestAction(table, { category, text }, lang);
    expect(s.action).toBe(action);
    expect(s.styling.punchIn).toBe(punchIn);
  });

  it('returns a copy of the styling and a fresh table each call', () => {
    const s = suggestAction(table, { category: 'price', text: '' }, 'en');
    s.styling.punchIn = false;
    expect(suggestAction(table, { category: 'price', text: '' }, 'en').styling.punchIn).toBe(true);
    defaultEnhancementTable().rows[0]!.action.en = 'changed';
    expect(defaultEnhancementTable().rows[0]!.action.en).not.toBe('changed');
  });

  it('is empty when nothing matches', () => {
    expect(suggestAction({ version: 1, rows: [] }, { category: 'price', text: 'x' }, 'zh')).toEqual(
      {
        row: null,
        action: '',
        styling: {},
      },
    );
  });
});

describe('suggestAction precedence', () => {
  const row = (
    id: string,
    category: EnhancementRow['category'],
    pattern?: string,
  ): EnhancementRow => ({
    id,
    category,
    ...(pattern === undefined ? {} : { pattern }),
    action: { zh: id, en: id },
  });
  const table = validateEnhancementTable({
    version: 1,
    rows: [
      row('any-pat', '*', '秒杀'),
      row('any', '*'),
      row('price', 'price'),
      row('price-pat', 'price', 'a|包邮'),
    ],
  });
  it.each([
    ['price', '包邮', 'price-pat'], // category + pattern beats category alone, whatever the order
    ['price', 'xyz', 'price'],
    ['hype', '秒杀来了', 'any-pat'],
    ['hype', 'xyz', 'any'],
    ['price', '秒杀', 'price'], // the category beats a '*' pattern
  ])('%s %j → %s', (category, text, id) => {
    expect(suggestAction(table, { category, text }, 'zh').row?.id).toBe(id);
  });

  it('treats pattern text literally (no regex): punctuation is ignored, not interpreted', () => {
    const t = validateEnhancementTable({ version: 1, rows: [row('re', 'hype', 'c.t')] });
    expect(suggestAction(t, { category: 'hype', text: 'cat' }, 'en').row).toBeNull();
    expect(suggestAction(t, { category: 'hype', text: 'C-T!' }, 'en').row?.id).toBe('re');
  });
});

describe('validateEnhancementTable', () => {
  const good = { id: 'ok', category: 'price', action: { zh: '甲', en: 'a' } };
  it.each([
    [null, /not an object/, null],
    [{ version: 2, rows: [] }, /unsupported version 2/, null],
    [{ version: 1, rows: {} }, /rows is not a list/, null],
    [{ version: 1, rows: [], extra: 1 }, /unknown field extra/, null],
    [
      { version: 1, rows: [good, { ...good, id: 'b', category: 'prize' }] },
      /row 2 \(id "b"\): category/,
      1,
    ],
    [{ version: 1, rows: [good, good] }, /row 2 \(id "ok"\): duplicate id/, 1],
    [{ version: 1, rows: [{ ...good, id: 'Bad Id' }] }, /row 1 \(id "Bad Id"\): id: must match/, 0],
    [{ version: 1, rows: [{ ...good, action: { zh: '甲' } }] }, /row 1 \(id "ok"\): action\.en/, 0],
    [
      { version: 1, rows: [{ ...good, action: { zh: ' ', en: 'a' } }] },
      /row 1 \(id "ok"\): action\.zh: must not be empty/,
      0,
    ],
    [
      { version: 1, rows: [{ ...good, action: { zh: 'a\u0000', en: 'a' } }] },
      /action\.zh: must not contain control/,
      0,
    ],
    [
      { version: 1, rows: [{ ...good, styling: { zoom: 5 } }] },
      /row 1 \(id "ok"\): styling\.zoom/,
      0,
    ],
    [{ version: 1, rows: [{ ...good, styling: { punchIn: 'yes' } }] }, /styling\.punchIn/, 0],
    [
      { version: 1, rows: [{ ...good, styling: { filter: 'drawtext' } }] },
      /row 1 \(id "ok"\): styling/,
      0,
    ],
    [
      { version: 1, rows: [{ ...good, pattern: '!!|  ' }] },
      /row 1 \(id "ok"\): pattern: has no letters/,
      0,
    ],
    [{ version: 1, rows: [42] }, /row 1: /, 0],
  ])('refuses %j', (data, message, rowIndex) => {
    let caught: unknown;
    try {
      validateEnhancementTable(data);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(EnhancementError);
    expect((caught as EnhancementError).message).toMatch(message);
    expect((caught as EnhancementError).row).toBe(rowIndex);
  });

  it('keeps hostile action text literal', () => {
    const t = validateEnhancementTable({
      version: 1,
      rows: [{ ...good, action: { zh: '${host} $$ {{x}}', en: "'; drop --" } }],
    });
    expect(suggestAction(t, { category: 'price', text: '' }, 'zh').action).toBe('${host} $$ {{x}}');
  });
});
