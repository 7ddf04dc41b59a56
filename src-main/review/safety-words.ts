/**
 * Sensitive-word filter for prompts, titles and captions — a pure engine module (no I/O).
 *
 * Lexicons are plain data (validated with zod), compiled once, then matched against text with
 * tolerance for the usual evasions: full-width/half-width, case, traditional Chinese, separators
 * between characters (最.好, 微-信, f u c k), repeated characters (fuuuck), zero-width and
 * combining characters, leet digits/symbols and a few Cyrillic/Greek look-alikes in Latin words.
 * Hits carry their span in the ORIGINAL string (UTF-16 indexes) so a UI can highlight them.
 *
 * False-positive control: terms whose edge is a Latin letter or digit only match on a word
 * boundary there (class ≠ ass, 加V ≠ 加VIP); each entry may list allow phrases that contain the
 * term (第一 is fine inside 第一次); separators never bridge a line break or a comma, colon,
 * semicolon, question mark, 。 or 、 (他最，好像 is not 最好).
 *
 * Terms are compared as literal characters — no regex is built from lexicon text.
 */
import { z } from 'zod';
import { SAFETY_WORD_CATEGORIES } from '../api/contract';
import { foldForMatch } from '../asr/normalize';

// ---------------------------------------------------------------------------------------------
// Lexicon data

/** The categories are the API contract's (the lexicon editor offers the same list). */
export const SAFETY_CATEGORIES = SAFETY_WORD_CATEGORIES;
export type SafetyCategory = (typeof SAFETY_CATEGORIES)[number];
export type SafetySeverity = 'block' | 'warn';
export type SafetyVerdict = 'ok' | SafetySeverity;

const MAX_TERM_LENGTH = 100;

export const lexiconEntrySchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'id may use letters, digits and _ . : - only'),
  term: z.string().min(1).max(MAX_TERM_LENGTH),
  category: z.enum(SAFETY_CATEGORIES),
  severity: z.enum(['block', 'warn']),
  /** Phrases containing the term in which it is NOT a hit (第一 → 第一次, 第一步). */
  allow: z.array(z.string().min(1).max(MAX_TERM_LENGTH)).max(100).optional(),
  /**
   * 'word' (default): a Latin/digit edge needs a word boundary on both sides. 'prefix': only
   * at the start, so "fuck" also finds "fucking". No effect on CJK edges.
   */
  match: z.enum(['word', 'prefix']).optional(),
});
export type LexiconEntry = z.infer<typeof lexiconEntrySchema>;

export const lexiconSchema = z.strictObject({
  name: z.string().min(1).max(100),
  entries: z.array(z.unknown()).max(20_000),
});
export interface Lexicon {
  name: string;
  entries: LexiconEntry[];
}

export class LexiconError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `invalid lexicon: ${problems.slice(0, 10).join('; ')}${problems.length > 10 ? ` (+${problems.length - 10} more)` : ''}`,
    );
    this.name = 'LexiconError';
  }
}

function describeEntry(lexicon: string, index: number, raw: unknown): string {
  const id =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? ` (id ${JSON.stringify((raw as { id: string }).id)})`
      : '';
  return `${lexicon}: entry ${index}${id}`;
}

/** Validate untrusted lexicon data (an imported JSON file, an edit from the UI). */
export function parseLexicon(input: unknown): Lexicon {
  const outer = lexiconSchema.safeParse(input);
  if (!outer.success)
    throw new LexiconError(
      outer.error.issues.map((i) => `lexicon ${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  const { name } = outer.data;
  const problems: string[] = [];
  const entries: LexiconEntry[] = [];
  outer.data.entries.forEach((raw, index) => {
    const r = lexiconEntrySchema.safeParse(raw);
    if (r.success) entries.push(r.data);
    else
      for (const issue of r.error.issues)
        problems.push(
          `${describeEntry(name, index, raw)}: ${issue.path.join('.') || 'entry'}: ${issue.message}`,
        );
  });
  if (problems.length) throw new LexiconError(problems);
  return { name, entries };
}

// ---------------------------------------------------------------------------------------------
// Folding text into matchable units

/** A unit is one folded character with the span of the original code point it came from. */
type UnitKind = 'sig' | 'soft' | 'hard' | 'ignore';
interface Unit {
  c: string;
  /** Characters of a term this unit can stand for: itself, leet and look-alike readings. */
  alts: readonly string[];
  kind: UnitKind;
  /** A Latin/other-alphabet letter or a digit, for word boundaries (not CJK). */
  word: boolean;
  start: number;
  end: number;
}

const LOOKALIKES: Readonly<Record<string, readonly string[]>> = {
  '0': ['o'],
  '1': ['i', 'l'],
  '3': ['e'],
  '4': ['a'],
  '5': ['s'],
  '7': ['t'],
  '@': ['a'],
  $: ['s'],
  '!': ['i'],
  '|': ['l', 'i'],
  // Cyrillic and Greek letters that look Latin (already lower-cased)
  а: ['a'],
  е: ['e'],
  о: ['o'],
  р: ['p'],
  с: ['c'],
  у: ['y'],
  х: ['x'],
  і: ['i'],
  ј: ['j'],
  ѕ: ['s'],
  α: ['a'],
  ο: ['o'],
  ρ: ['p'],
  ι: ['i'],
  ν: ['v'],
};

/** Separators that never sit inside a match: line breaks and clause punctuation. */
const HARD = new Set(['\n', '\r', '\u2028', '\u2029', '\u0085', ',', ';', ':', '?', '。', '、']);
const IGNORABLE_RE = /^[\p{M}\p{Cf}\p{Cc}]$/u;
const MARK_RE = /^\p{M}$/u;
const SEPARATOR_RE = /^[\p{P}\p{S}\p{Z}\s]$/u;
const WORD_RE = /^[\p{L}\p{N}]$/u;
const CJK_RE = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;

function classify(c: string): UnitKind {
  if (HARD.has(c)) return 'hard';
  if (c === '\t' || c === ' ') return 'soft';
  if (IGNORABLE_RE.test(c)) return 'ignore';
  if (SEPARATOR_RE.test(c)) return 'soft';
  return 'sig';
}

const foldCache = new Map<string, string>();
function foldChar(ch: string): string {
  let f = foldCache.get(ch);
  if (f === undefined) {
    f = foldForMatch(ch);
    if (foldCache.size > 50_000) foldCache.clear();
    foldCache.set(ch, f);
  }
  return f;
}

const altsCache = new Map<string, readonly string[]>();
function altsOf(c: string): readonly string[] {
  let a = altsCache.get(c);
  if (!a) {
    a = [c, ...(LOOKALIKES[c] ?? [])];
    altsCache.set(c, a);
  }
  return a;
}

function toUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let at = 0;
  for (const ch of text) {
    const start = at;
    at += ch.length;
    for (const c of foldChar(ch)) {
      const kind = classify(c);
      units.push({
        c,
        alts: altsOf(c),
        kind,
        word: kind === 'sig' && WORD_RE.test(c) && !CJK_RE.test(c),
        start,
        end: at,
      });
    }
  }
  return units;
}

/** The significant folded characters of a term or allow phrase. */
function termChars(term: string): string[] {
  return toUnits(term)
    .filter((u) => u.kind === 'sig')
    .map((u) => u.c);
}

// ---------------------------------------------------------------------------------------------
// Compiling

interface CompiledEntry {
  readonly entry: LexiconEntry;
  readonly chars: readonly string[];
  readonly wordStart: boolean;
  readonly wordEnd: boolean;
  readonly allow: readonly (readonly string[])[];
}

export interface CompiledLexicon {
  readonly entries: readonly CompiledEntry[];
  /** First term character → indexes into entries. */
  readonly byFirst: ReadonlyMap<string, readonly number[]>;
}

const isWordChar = (c: string): boolean => WORD_RE.test(c) && !CJK_RE.test(c);

/**
 * Validate and compile lexicons for matching. Refuses (LexiconError, naming each entry) invalid
 * entries, terms with nothing matchable in them, allow phrases that do not contain their term,
 * and duplicates — the same id, or the same term after folding — across all the lexicons.
 */
export function compileLexicons(lexicons: readonly Lexicon[]): CompiledLexicon {
  const problems: string[] = [];
  const entries: CompiledEntry[] = [];
  const ids = new Map<string, string>();
  const terms = new Map<string, string>();
  for (const raw of lexicons) {
    let lexicon: Lexicon;
    try {
      lexicon = parseLexicon(raw);
    } catch (err) {
      if (err instanceof LexiconError) {
        problems.push(...err.problems);
        continue;
      }
      throw err;
    }
    lexicon.entries.forEach((entry, index) => {
      const where = describeEntry(lexicon.name, index, entry);
      const chars = termChars(entry.term);
      if (!chars.length) {
        problems.push(`${where}: term ${JSON.stringify(entry.term)} has no letters or digits`);
        return;
      }
      const key = chars.join('');
      const prevId = ids.get(entry.id);
      if (prevId !== undefined) problems.push(`${where}: duplicate id (also ${prevId})`);
      const prevTerm = terms.get(key);
      if (prevTerm !== undefined)
        problems.push(`${where}: duplicate term ${JSON.stringify(entry.term)} (also ${prevTerm})`);
      ids.set(entry.id, where);
      terms.set(key, where);
      const allow: string[][] = [];
      for (const phrase of entry.allow ?? []) {
        const a = termChars(phrase);
        if (!a.join('').includes(key))
          problems.push(
            `${where}: allow phrase ${JSON.stringify(phrase)} does not contain the term`,
          );
        else allow.push(a);
      }
      const first = chars[0] ?? '';
      const last = chars[chars.length - 1] ?? '';
      entries.push({
        entry,
        chars,
        wordStart: isWordChar(first),
        wordEnd: entry.match !== 'prefix' && isWordChar(last),
        allow,
      });
    });
  }
  if (problems.length) throw new LexiconError(problems);
  const byFirst = new Map<string, number[]>();
  entries.forEach((e, i) => {
    const first = e.chars[0] ?? '';
    const list = byFirst.get(first);
    if (list) list.push(i);
    else byFirst.set(first, [i]);
  });
  return { entries, byFirst };
}

// ---------------------------------------------------------------------------------------------
// Matching

/** Separators skipped between two characters of a term (最 * 好 is three). */
const MAX_GAP = 3;
/** Repeats of one character absorbed into a match (fuuuuck). */
const MAX_REPEAT = 16;

interface Span {
  first: number;
  last: number;
  spaced: boolean;
}

function matchAt(units: readonly Unit[], s: number, chars: readonly string[]): Span | null {
  const n = units.length;
  const m = chars.length;
  let i = 1;
  let j = s + 1;
  let last = s;
  let gap = 0;
  let reps = 0;
  let spaced = false;
  while (i < m) {
    const u = units[j];
    if (!u) return null;
    const want = chars[i] ?? '';
    const prev = chars[i - 1] ?? '';
    if (u.kind === 'ignore') {
      j++;
    } else if (u.kind !== 'hard' && u.alts.includes(want)) {
      i++;
      last = j++;
      gap = 0;
      reps = 0;
    } else if (u.kind !== 'hard' && reps < MAX_REPEAT && u.alts.includes(prev)) {
      reps++;
      last = j++;
      gap = 0;
    } else if (u.kind === 'soft' && gap < MAX_GAP) {
      gap++;
      spaced = true;
      j++;
    } else {
      return null;
    }
  }
  // Trailing repeats belong to the match (fuckkk), so the word boundary is checked after them.
  const tail = chars[m - 1] ?? '';
  reps = 0;
  while (j < n && reps < MAX_REPEAT) {
    const u = units[j];
    if (!u) break;
    if (u.kind === 'ignore') j++;
    else if (u.kind !== 'hard' && u.alts.includes(tail)) {
      reps++;
      last = j++;
    } else break;
  }
  // Combining marks on the last character belong to it (f̶u̶c̶k̶).
  while (units[last + 1]?.kind === 'ignore' && MARK_RE.test(units[last + 1]?.c ?? '')) last++;
  return { first: s, last, spaced };
}

/** Index of the nearest non-ignorable unit from `from` stepping by `dir`, or -1. */
function nearest(units: readonly Unit[], from: number, dir: 1 | -1): number {
  for (let k = from; k >= 0 && k < units.length; k += dir) {
    if (units[k]?.kind !== 'ignore') return k;
  }
  return -1;
}

/**
 * Word boundary on one side of a match. Adjacent letters/digits break it. A spaced-out match
 * (f u c k) also fails when the neighbouring token is a lone letter, i.e. the spacing continues
 * past the match ("c l a s s" is not "ass").
 */
function boundaryOk(units: readonly Unit[], edge: number, dir: 1 | -1, spaced: boolean): boolean {
  const k = nearest(units, edge + dir, dir);
  if (k < 0) return true;
  const u = units[k];
  if (!u || u.word) return false;
  if (!spaced || u.kind !== 'soft') return true;
  let q = k;
  while (q >= 0 && q < units.length && (units[q]?.kind === 'soft' || units[q]?.kind === 'ignore'))
    q += dir;
  const w = units[q];
  if (!w?.word) return true;
  const beyond = nearest(units, q + dir, dir);
  const b = units[beyond];
  return !(beyond < 0 || (b !== undefined && b.kind !== 'sig'));
}

export interface SafetyHit {
  entryId: string;
  term: string;
  category: SafetyCategory;
  severity: SafetySeverity;
  /** UTF-16 span in the original text: text.slice(start, end) === matched. */
  start: number;
  end: number;
  matched: string;
}

export interface SafetyResult {
  verdict: SafetyVerdict;
  hits: SafetyHit[];
  /** True when more than maxHits hits were found and the rest were dropped. */
  truncated: boolean;
}

export interface CheckOptions {
  /** Stop after this many hits (default 500); the verdict still reflects what was found. */
  maxHits?: number;
}

export function worstVerdict(verdicts: Iterable<SafetyVerdict>): SafetyVerdict {
  let v: SafetyVerdict = 'ok';
  for (const x of verdicts) {
    if (x === 'block') return 'block';
    if (x === 'warn') v = 'warn';
  }
  return v;
}

function allowRanges(units: readonly Unit[], phrases: readonly (readonly string[])[]): Span[] {
  const out: Span[] = [];
  for (const chars of phrases) {
    const first = chars[0] ?? '';
    for (let s = 0; s < units.length; s++) {
      const u = units[s];
      if (!u || u.kind === 'ignore' || u.kind === 'hard' || !u.alts.includes(first)) continue;
      const span = matchAt(units, s, chars);
      if (span) out.push(span);
    }
  }
  return out;
}

export function checkText(
  text: string,
  compiled: CompiledLexicon,
  opts: CheckOptions = {},
): SafetyResult {
  const maxHits = opts.maxHits ?? 500;
  const units = toUnits(text);
  const hits: SafetyHit[] = [];
  let truncated = false;
  const nextStart = new Map<number, number>();
  const allowCache = new Map<number, Span[]>();
  let verdict: SafetyVerdict = 'ok';

  outer: for (let s = 0; s < units.length; s++) {
    const u = units[s];
    if (!u || u.kind === 'ignore' || u.kind === 'hard') continue;
    for (const alt of u.alts) {
      for (const idx of compiled.byFirst.get(alt) ?? []) {
        if ((nextStart.get(idx) ?? 0) > s) continue;
        const ce = compiled.entries[idx];
        if (!ce) continue;
        const span = matchAt(units, s, ce.chars);
        if (!span) continue;
        if (ce.wordStart && !boundaryOk(units, span.first, -1, span.spaced)) continue;
        if (ce.wordEnd && !boundaryOk(units, span.last, 1, span.spaced)) continue;
        nextStart.set(idx, span.last + 1);
        if (ce.allow.length) {
          let ranges = allowCache.get(idx);
          if (!ranges) {
            ranges = allowRanges(units, ce.allow);
            allowCache.set(idx, ranges);
          }
          if (ranges.some((r) => r.first <= span.first && span.last <= r.last)) continue;
        }
        const start = units[span.first]?.start ?? 0;
        const end = units[span.last]?.end ?? start;
        verdict = worstVerdict([verdict, ce.entry.severity]);
        if (hits.length >= maxHits) {
          truncated = true;
          if (verdict === 'block') break outer;
          continue;
        }
        hits.push({
          entryId: ce.entry.id,
          term: ce.entry.term,
          category: ce.entry.category,
          severity: ce.entry.severity,
          start,
          end,
          matched: text.slice(start, end),
        });
      }
    }
  }
  hits.sort((a, b) => a.start - b.start || a.end - b.end || a.entryId.localeCompare(b.entryId));
  return { verdict, hits, truncated };
}

// ---------------------------------------------------------------------------------------------
// Fields of a clip

export interface SafetyFields {
  prompt?: string | undefined;
  title?: string | undefined;
  captions?: readonly string[] | undefined;
}

export type SafetyField = 'prompt' | 'title' | 'caption';

export interface FieldHit extends SafetyHit {
  field: SafetyField;
  /** Index into captions, for field 'caption'. */
  captionIndex?: number;
}

export interface FieldsResult {
  verdict: SafetyVerdict;
  hits: FieldHit[];
  truncated: boolean;
}

/** Check a clip's prompt, title and captions; each hit names its field (and caption index). */
export function checkFields(
  fields: SafetyFields,
  compiled: CompiledLexicon,
  opts: CheckOptions = {},
): FieldsResult {
  const hits: FieldHit[] = [];
  const verdicts: SafetyVerdict[] = [];
  let truncated = false;
  const add = (text: string | undefined, field: SafetyField, captionIndex?: number): void => {
    if (!text) return;
    const r = checkText(text, compiled, opts);
    verdicts.push(r.verdict);
    truncated ||= r.truncated;
    for (const h of r.hits)
      hits.push(captionIndex === undefined ? { ...h, field } : { ...h, field, captionIndex });
  };
  add(fields.prompt, 'prompt');
  add(fields.title, 'title');
  fields.captions?.forEach((c, i) => add(c, 'caption', i));
  return { verdict: worstVerdict(verdicts), hits, truncated };
}
