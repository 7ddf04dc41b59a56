/**
 * The lexicon editor's draft (pure): rows as edited (weights as typed), back to a Lexicon,
 * import of a JSON file's text, export, and finding the row an engine error names.
 */
import { formatIssues, Lexicon, type Lexicon as LexiconT } from '../contract';

/** The categories the built-in lexicon uses; an imported entry may bring another. */
export const CATEGORIES = [
  'urgency',
  'price',
  'hype',
  'scarcity',
  'countdown',
  'cta',
  'demo',
  'reaction',
  'other',
] as const;

export const LANGS = ['zh', 'en', 'any'] as const;
export type Lang = (typeof LANGS)[number];

export interface DraftEntry {
  /** Stable row key for React (ids are edited, so they cannot be keys). */
  key: number;
  id: string;
  pattern: string;
  category: string;
  /** As typed: "0.8", "0.", "" (checked on save). */
  weight: string;
  lang: Lang;
  note?: string;
}

let nextKey = 1;
export const newKey = (): number => nextKey++;

export function toDraft(lexicon: LexiconT): DraftEntry[] {
  return lexicon.entries.map((e) => ({
    key: newKey(),
    id: e.id,
    pattern: e.pattern,
    category: e.category,
    weight: String(e.weight),
    lang: e.lang,
    ...(e.note !== undefined ? { note: e.note } : {}),
  }));
}

/** A fresh row with an id not used yet (custom-1, custom-2 …). */
export function blankEntry(existing: readonly DraftEntry[]): DraftEntry {
  const used = new Set(existing.map((e) => e.id));
  let n = 1;
  while (used.has(`custom-${n}`)) n++;
  return {
    key: newKey(),
    id: `custom-${n}`,
    pattern: '',
    category: 'other',
    weight: '0.6',
    lang: 'any',
  };
}

/** The draft as a Lexicon, or the row whose weight is not a number (the engine checks the rest). */
export function fromDraft(
  entries: readonly DraftEntry[],
): { ok: true; lexicon: LexiconT } | { ok: false; key: number; weight: string } {
  const out: LexiconT['entries'] = [];
  for (const e of entries) {
    const text = e.weight.trim();
    const weight = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(weight)) return { ok: false, key: e.key, weight: e.weight };
    out.push({
      id: e.id.trim(),
      pattern: e.pattern,
      category: e.category,
      weight,
      lang: e.lang,
      ...(e.note !== undefined && e.note !== '' ? { note: e.note } : {}),
    });
  }
  return { ok: true, lexicon: { version: 1, entries: out } };
}

/**
 * A lexicon file's text: `{ "version": 1, "entries": [...] }` or just the entries array. Checked
 * for shape only (the engine checks patterns, weights and duplicates when it is saved).
 */
export function parseImport(
  text: string,
): { ok: true; lexicon: LexiconT } | { ok: false; message: string } {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return { ok: false, message: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const candidate = Array.isArray(json) ? { version: 1, entries: json } : json;
  const parsed = Lexicon.safeParse(candidate);
  if (!parsed.success) return { ok: false, message: formatIssues(parsed.error) };
  return { ok: true, lexicon: parsed.data };
}

/** The file an export downloads: pretty JSON that imports back as is. */
export function exportText(lexicon: LexiconT): string {
  return `${JSON.stringify(lexicon, null, 2)}\n`;
}

/**
 * Which row an engine error is about: the first quoted id in the message that is a row's id
 * ("entry 'x' duplicates entry 'y'" → x; for an id used twice, its later row), else an
 * `entries.N` path of a shape error. Null when the message names no row.
 */
export function errorRow(message: string, entries: readonly DraftEntry[]): number | null {
  const quoted = /'([^']{1,64})'|"([^"]{1,64})"|“([^”]{1,64})”|‘([^’]{1,64})’/g;
  for (const m of message.matchAll(quoted)) {
    const id = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    let last = -1;
    entries.forEach((e, i) => {
      if (e.id.trim() === id) last = i;
    });
    if (last >= 0) return last;
  }
  const path = /entries\.(\d+)/.exec(message);
  if (path?.[1] !== undefined) {
    const i = Number(path[1]);
    if (i < entries.length) return i;
  }
  return null;
}

/** Rows whose id, pattern or category contain the filter text (case-insensitive). */
export function matchesFilter(e: DraftEntry, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return (
    e.id.toLowerCase().includes(f) ||
    e.pattern.toLowerCase().includes(f) ||
    e.category.toLowerCase().includes(f)
  );
}
