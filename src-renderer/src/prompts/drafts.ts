/**
 * Drafts of the tables the prompt tools edit (pure): the semantic-enhancement table and the
 * product list, as typed (numbers as strings), back to the contract's shapes with the first
 * problem named by row.
 */
import type { EnhancementRow, EnhancementTable, Product } from '../contract';

let nextKey = 1;
const newKey = (): number => nextKey++;

export interface EnhanceDraft {
  key: number;
  id: string;
  category: string;
  pattern: string;
  actionZh: string;
  actionEn: string;
  punchIn: boolean;
  /** As typed; '' = no zoom. */
  zoom: string;
  emphasis: boolean;
}

export function toEnhanceDraft(table: EnhancementTable): EnhanceDraft[] {
  return table.rows.map((r) => ({
    key: newKey(),
    id: r.id,
    category: r.category,
    pattern: r.pattern ?? '',
    actionZh: r.action.zh,
    actionEn: r.action.en,
    punchIn: r.styling?.punchIn === true,
    zoom: r.styling?.zoom !== undefined ? String(r.styling.zoom) : '',
    emphasis: r.styling?.emphasis === true,
  }));
}

/** A fresh row with an id not used yet (row-1, row-2 …), matching any category. */
export function blankEnhanceRow(existing: readonly EnhanceDraft[]): EnhanceDraft {
  const used = new Set(existing.map((e) => e.id));
  let n = 1;
  while (used.has(`row-${n}`)) n++;
  return {
    key: newKey(),
    id: `row-${n}`,
    category: '*',
    pattern: '',
    actionZh: '',
    actionEn: '',
    punchIn: false,
    zoom: '',
    emphasis: false,
  };
}

export type DraftProblem = { key: number; field: string; problem: 'zoom' | 'id' | 'empty' };

const ROW_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * The draft as a table, or the first row with a problem: an id that is not a valid row id or is
 * used twice, a zoom that is not a number in (1, 2]. The engine checks the rest.
 */
export function fromEnhanceDraft(
  rows: readonly EnhanceDraft[],
): { ok: true; table: EnhancementTable } | { ok: false; problem: DraftProblem } {
  const out: EnhancementRow[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const id = r.id.trim();
    if (!ROW_ID.test(id) || seen.has(id))
      return { ok: false, problem: { key: r.key, field: 'id', problem: 'id' } };
    seen.add(id);
    if (r.category.trim() === '')
      return { ok: false, problem: { key: r.key, field: 'category', problem: 'empty' } };
    let zoom: number | undefined;
    if (r.zoom.trim() !== '') {
      zoom = Number(r.zoom.trim());
      if (!Number.isFinite(zoom) || zoom <= 1 || zoom > 2)
        return { ok: false, problem: { key: r.key, field: 'zoom', problem: 'zoom' } };
    }
    const styling = {
      ...(r.punchIn ? { punchIn: true } : {}),
      ...(zoom !== undefined ? { zoom } : {}),
      ...(r.emphasis ? { emphasis: true } : {}),
    };
    out.push({
      id,
      category: r.category.trim(),
      ...(r.pattern.trim() !== '' ? { pattern: r.pattern.trim() } : {}),
      action: { zh: r.actionZh, en: r.actionEn },
      ...(Object.keys(styling).length > 0 ? { styling } : {}),
    });
  }
  return { ok: true, table: { version: 1, rows: out } };
}

export interface ProductDraft {
  key: number;
  name: string;
  price: string;
  image: string;
}

export function toProductDraft(products: readonly Product[]): ProductDraft[] {
  return products.map((p) => ({
    key: newKey(),
    name: p.name,
    price: p.price,
    image: p.image ?? '',
  }));
}

export function blankProduct(): ProductDraft {
  return { key: newKey(), name: '', price: '', image: '' };
}

/** The draft as a product list (rows left wholly empty are dropped), or the first nameless row. */
export function fromProductDraft(
  rows: readonly ProductDraft[],
): { ok: true; products: Product[] } | { ok: false; problem: DraftProblem } {
  const out: Product[] = [];
  for (const r of rows) {
    const name = r.name.trim();
    if (name === '' && r.price.trim() === '' && r.image.trim() === '') continue;
    if (name === '') return { ok: false, problem: { key: r.key, field: 'name', problem: 'empty' } };
    out.push({
      name,
      price: r.price.trim(),
      ...(r.image.trim() !== '' ? { image: r.image.trim() } : {}),
    });
  }
  return { ok: true, products: out };
}
