import { describe, expect, it } from 'vitest';
import type { EnhancementTable } from '../contract';
import {
  blankEnhanceRow,
  blankProduct,
  fromEnhanceDraft,
  fromProductDraft,
  toEnhanceDraft,
  toProductDraft,
} from './drafts';

const table: EnhancementTable = {
  version: 1,
  rows: [
    {
      id: 'price',
      category: 'price',
      pattern: '价格|price',
      action: { zh: '强调价格', en: 'Stress the price' },
      styling: { punchIn: true, zoom: 1.2 },
    },
    { id: 'any', category: '*', action: { zh: '', en: '' } },
  ],
};

describe('the enhancement table draft', () => {
  it('round-trips a table unchanged', () => {
    const back = fromEnhanceDraft(toEnhanceDraft(table));
    expect(back).toEqual({ ok: true, table });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a zoom of 1 (no zoom at all)', { zoom: '1' }, 'zoom'],
    ['a zoom above 2', { zoom: '2.5' }, 'zoom'],
    ['a zoom that is not a number', { zoom: 'abc' }, 'zoom'],
    ['an id with capitals', { id: 'Price' }, 'id'],
    ['an empty category', { category: ' ' }, 'category'],
  ])('names the row with %s', (_name, patch, field) => {
    const rows = toEnhanceDraft(table);
    rows[1] = { ...rows[1]!, ...patch };
    const r = fromEnhanceDraft(rows);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.key).toBe(rows[1]!.key);
      expect(r.problem.field).toBe(field);
    }
  });

  it('an id used twice is named on its second row', () => {
    const rows = toEnhanceDraft(table);
    rows[1] = { ...rows[1]!, id: 'price' };
    const r = fromEnhanceDraft(rows);
    expect(!r.ok && r.problem.key).toBe(rows[1]!.key);
  });

  it('a zoom of 2 and an empty zoom are fine; blank rows get fresh ids', () => {
    const rows = toEnhanceDraft(table);
    rows[0] = { ...rows[0]!, zoom: '2' };
    rows[1] = { ...rows[1]!, zoom: '' };
    expect(fromEnhanceDraft(rows).ok).toBe(true);
    const blank = blankEnhanceRow([...rows, { ...rows[0]!, id: 'row-1' }]);
    expect(blank.id).toBe('row-2');
  });
});

describe('the product draft', () => {
  it('drops wholly empty rows and trims the others', () => {
    const rows = [
      { ...blankProduct(), name: ' Blender ', price: '¥199 ' },
      blankProduct(),
      { ...blankProduct(), name: 'Kettle', price: '', image: ' https://x/k.jpg ' },
    ];
    expect(fromProductDraft(rows)).toEqual({
      ok: true,
      products: [
        { name: 'Blender', price: '¥199' },
        { name: 'Kettle', price: '', image: 'https://x/k.jpg' },
      ],
    });
  });

  it('names a row with a price but no name', () => {
    const rows = toProductDraft([{ name: 'A', price: '1' }]);
    rows.push({ ...blankProduct(), price: '9' });
    const r = fromProductDraft(rows);
    expect(!r.ok && r.problem.key).toBe(rows[1]!.key);
  });
});
