/**
 * The sensitive-word lexicon editor's draft (pure): rows as edited, allow phrases as one text
 * ('|' between phrases), back to the contract's lexicon with the first bad row named.
 */
import { SAFETY_WORD_CATEGORIES, type SafetyLexicon, type SafetyLexiconEntry } from '../contract';

export type SafetyCategory = SafetyLexiconEntry['category'];
export const SAFETY_CATEGORIES: readonly SafetyCategory[] = SAFETY_WORD_CATEGORIES;

export interface SafetyDraft {
  key: number;
  id: string;
  term: string;
  category: SafetyCategory;
  severity: 'block' | 'warn';
  match: 'word' | 'prefix';
  /** Allow phrases separated by '|'. */
  allow: string;
}

let nextKey = 1;
const newKey = (): number => nextKey++;

export const splitAllow = (text: string): string[] =>
  text
    .split('|')
    .map((p) => p.trim())
    .filter((p) => p !== '');

export function toSafetyDraft(lexicon: SafetyLexicon): SafetyDraft[] {
  return lexicon.entries.map((e) => ({
    key: newKey(),
    id: e.id,
    term: e.term,
    category: e.category,
    severity: e.severity,
    match: e.match ?? 'word',
    allow: (e.allow ?? []).join(' | '),
  }));
}

export function blankSafetyEntry(existing: readonly SafetyDraft[]): SafetyDraft {
  const used = new Set(existing.map((e) => e.id));
  let n = 1;
  while (used.has(`custom-${n}`)) n++;
  return {
    key: newKey(),
    id: `custom-${n}`,
    term: '',
    category: 'custom',
    severity: 'warn',
    match: 'word',
    allow: '',
  };
}

const ENTRY_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

/** The draft as a lexicon, or the first row whose id or term is not usable. */
export function fromSafetyDraft(
  name: string,
  rows: readonly SafetyDraft[],
):
  | { ok: true; lexicon: SafetyLexicon }
  | { ok: false; key: number; problem: 'id' | 'duplicate' | 'term' } {
  const seen = new Set<string>();
  const entries: SafetyLexiconEntry[] = [];
  for (const r of rows) {
    const id = r.id.trim();
    if (!ENTRY_ID.test(id)) return { ok: false, key: r.key, problem: 'id' };
    if (seen.has(id)) return { ok: false, key: r.key, problem: 'duplicate' };
    seen.add(id);
    const term = r.term.trim();
    if (term === '' || term.length > 100) return { ok: false, key: r.key, problem: 'term' };
    const allow = splitAllow(r.allow);
    entries.push({
      id,
      term,
      category: r.category,
      severity: r.severity,
      ...(allow.length > 0 ? { allow } : {}),
      ...(r.match === 'prefix' ? { match: 'prefix' as const } : {}),
    });
  }
  return { ok: true, lexicon: { name: name.trim() || 'custom', entries } };
}

/** Rows whose id, term, category or allow phrases contain the filter text (case-insensitive). */
export function safetyMatches(e: SafetyDraft, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return [e.id, e.term, e.category, e.allow].some((x) => x.toLowerCase().includes(f));
}
