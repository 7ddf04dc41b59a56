/**
 * The trigger lexicon: schema checks, compilation to one regular expression per entry, and
 * matching against recognized text however the recognizer wrote it.
 *
 * Pattern syntax
 * - Literal text. Text and patterns are normalized alike (normalizeForMatch: full-width →
 *   half-width, lower case, traditional → simplified, punctuation and spacing dropped) and
 *   every number is rewritten as digits (numbers.ts), so 最後 三 分鐘 / 最后3分钟 / 最后三分钟
 *   are one thing, and `%` reads as the word "percent" (50% off ≡ fifty percent off).
 * - `{n}`: any number (只剩{n}件 matches 只剩三件, 只剩 3 件, 只剩十件).
 * - `(a|b)`: alternatives, up to 32 per group; groups may nest.
 * A pattern with Latin letters and no Chinese characters matches whole words on the spaced
 * form of the text (`last call` never fires inside `blast caller`); any other pattern matches
 * on the compact form. A number in a pattern never matches part of a longer number in the text
 * (买一送一 does not fire on 买1送10).
 */
import { normalizeForMatchSpaced } from '../asr/normalize';
import { canonicalizeNumbers } from './numbers';
import type { Category, Lexicon, LexiconEntry } from './types';

export class LexiconError extends Error {
  constructor(
    message: string,
    /** The entry at fault, when one is. */
    readonly entryId?: string,
  ) {
    super(message);
    this.name = 'LexiconError';
  }
}

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
] as const satisfies readonly Category[];
export const MAX_ENTRIES = 2000;
export const MAX_PATTERN_CHARS = 200;
export const MAX_ALTERNATIVES = 32;
const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const ENTRY_KEYS = ['id', 'pattern', 'category', 'weight', 'lang', 'note'];
const LANGS = ['zh', 'en', 'any'];

// ---------- text forms ----------

/** The two normalized forms matching runs on (see the module comment). */
export interface CanonicalText {
  /** Words separated by single spaces: 'last call 50 percent off 最后3分钟'. */
  spaced: string;
  /** The same without spaces: 'lastcall50percentoff最后3分钟'. */
  compact: string;
}

export function canonicalText(text: string): CanonicalText {
  const pre = text
    .normalize('NFKC')
    .replace(/%/g, ' percent ')
    .replace(/(\d)[,，](?=\d{3}(?!\d))/g, '$1'); // 1,000 → 1000
  const spaced = canonicalizeNumbers(normalizeForMatchSpaced(pre)).replace(
    /(?<![a-z])per cent(?![a-z])/g,
    'percent',
  );
  return { spaced, compact: spaced.replace(/ /g, '') };
}

// ---------- parsing ----------

type Node = { t: 'text'; raw: string } | { t: 'num' } | { t: 'group'; alts: Node[][] };

function entryError(id: string, problem: string): LexiconError {
  return new LexiconError(`entry '${id}': ${problem}`, id);
}

function parsePattern(id: string, pattern: string): Node[] {
  let i = 0;
  const seq = (depth: number): Node[] => {
    const out: Node[] = [];
    let text = '';
    const flush = () => {
      if (text) out.push({ t: 'text', raw: text });
      text = '';
    };
    while (i < pattern.length) {
      const c = pattern[i]!;
      if (c === '(') {
        flush();
        i++;
        const alts: Node[][] = [];
        for (;;) {
          const alt = seq(depth + 1);
          if (i >= pattern.length) throw entryError(id, `unbalanced parentheses in '${pattern}'`);
          if (alt.length === 0) throw entryError(id, `empty alternative in '${pattern}'`);
          alts.push(alt);
          if (alts.length > MAX_ALTERNATIVES)
            throw entryError(id, `more than ${MAX_ALTERNATIVES} alternatives in one group`);
          const end = pattern[i];
          i++;
          if (end === ')') break;
        }
        if ('?*+'.includes(pattern[i] ?? '.'))
          throw entryError(
            id,
            `'${pattern[i]}' after a group is not pattern syntax; list the variants instead: (ab|b)`,
          );
        out.push({ t: 'group', alts });
      } else if (c === ')' || c === '|') {
        if (depth === 0)
          throw entryError(
            id,
            c === ')'
              ? `unbalanced parentheses in '${pattern}'`
              : `'|' outside a group in '${pattern}' (write alternatives as (a|b))`,
          );
        flush();
        return out;
      } else if (c === '{') {
        const close = pattern.indexOf('}', i);
        if (close < 0) throw entryError(id, `unbalanced braces in '${pattern}'`);
        const name = pattern.slice(i + 1, close);
        if (name !== 'n')
          throw entryError(id, `unknown placeholder {${name}} (only {n}, any number, exists)`);
        flush();
        out.push({ t: 'num' });
        i = close + 1;
      } else if (c === '}') {
        throw entryError(id, `unbalanced braces in '${pattern}'`);
      } else {
        text += c;
        i++;
      }
    }
    flush();
    return out;
  };
  return seq(0);
}

// ---------- compiling ----------

export interface CompiledEntry {
  entry: LexiconEntry;
  /** 'words': whole words on the spaced form; 'compact': anywhere in the compact form. */
  mode: 'words' | 'compact';
  regex: RegExp;
  /** Text every match contains (a cheap pre-check), or '' when there is none. */
  needle: string;
  /** How the entry is shown in reasons: its pattern when it is plain text, else null. */
  display: string | null;
}

export interface CompiledLexicon {
  readonly lexicon: Lexicon;
  readonly entries: readonly CompiledEntry[];
}

const HAN = /\p{Script=Han}/u;
const LATIN = /[a-z]/;
const SEP_START = /^[\p{P}\p{S}\p{Z}\s]/u;
const SEP_END = /[\p{P}\p{S}\p{Z}\s]$/u;
const NUMBER = String.raw`(?<!\d)(?<!\d\.)\d+(?:\.\d+)?(?!\d)(?!\.\d)`;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function rawText(nodes: readonly Node[]): string {
  return nodes
    .map((n) => (n.t === 'text' ? n.raw : n.t === 'num' ? ' 1 ' : n.alts.map(rawText).join(' ')))
    .join('');
}

interface Built {
  source: string;
  /** Characters of literal text (0: the pattern is nothing but placeholders). */
  literal: number;
}

function build(id: string, nodes: readonly Node[], mode: CompiledEntry['mode']): Built {
  let source = '';
  let literal = 0;
  for (const n of nodes) {
    if (n.t === 'num') {
      source += NUMBER;
    } else if (n.t === 'group') {
      const alts = n.alts.map((alt) => {
        const b = build(id, alt, mode);
        if (b.literal === 0 && !alt.some((x) => x.t !== 'text'))
          throw entryError(id, `an alternative normalizes to nothing ('${rawText(alt).trim()}')`);
        literal = Math.max(literal, b.literal);
        return b.source;
      });
      source += `(?:${alts.join('|')})`;
    } else {
      const c = canonicalText(n.raw);
      const text = mode === 'words' ? c.spaced : c.compact;
      literal += c.compact.length;
      let piece = text
        .split(' ')
        .map((w) => escapeRegExp(w))
        .join(' ?');
      if (/^\d/.test(text)) piece = String.raw`(?<!\d)(?<!\d\.)` + piece;
      if (/\d$/.test(text)) piece += String.raw`(?!\d)(?!\.\d)`;
      if (mode === 'words' && text && SEP_START.test(n.raw)) piece = ' ?' + piece;
      if (mode === 'words' && text && SEP_END.test(n.raw)) piece += ' ?';
      source += piece;
    }
  }
  return { source, literal };
}

/** The longest run of literal text outside groups, for a quick `includes` before the regex. */
function needleOf(nodes: readonly Node[], mode: CompiledEntry['mode']): string {
  let best = '';
  for (const n of nodes) {
    if (n.t !== 'text') continue;
    const c = canonicalText(n.raw);
    for (const w of (mode === 'words' ? c.spaced : c.compact).split(' '))
      if (w.length > best.length) best = w;
  }
  return best;
}

function compileEntry(e: LexiconEntry): CompiledEntry {
  if (e.pattern.trim() === '') throw entryError(e.id, 'the pattern is empty');
  if ([...e.pattern].length > MAX_PATTERN_CHARS)
    throw entryError(e.id, `the pattern is longer than ${MAX_PATTERN_CHARS} characters`);
  const nodes = parsePattern(e.id, e.pattern);
  const flat = canonicalText(rawText(nodes)).compact;
  const mode = LATIN.test(flat) && !HAN.test(flat) ? 'words' : 'compact';
  const built = build(e.id, nodes, mode);
  if (built.literal === 0)
    throw entryError(
      e.id,
      nodes.some((n) => n.t !== 'text')
        ? `the pattern '${e.pattern}' has no text besides {n}`
        : `the pattern '${e.pattern}' normalizes to nothing`,
    );
  let source = built.source;
  if (mode === 'words') source = `(?<![a-z0-9])${source}(?![a-z0-9])`;
  const plain = !/[(){}|]/.test(e.pattern);
  return {
    entry: e,
    mode,
    regex: new RegExp(source, 'u'),
    needle: needleOf(nodes, mode),
    display: plain ? e.pattern.trim() : null,
  };
}

/** Compiles a lexicon; throws LexiconError naming the entry at fault. */
export function compileLexicon(l: Lexicon): CompiledLexicon {
  if (l.entries.length > MAX_ENTRIES)
    throw new LexiconError(
      `the lexicon has ${l.entries.length} entries; at most ${MAX_ENTRIES} are allowed`,
    );
  const byId = new Set<string>();
  const bySource = new Map<string, string>();
  const entries = l.entries.map((e) => {
    checkEntryFields(e, e.id);
    if (byId.has(e.id)) throw entryError(e.id, 'the id is used by another entry too');
    byId.add(e.id);
    const c = compileEntry(e);
    const key = `${c.mode}:${c.regex.source}`;
    const other = bySource.get(key);
    if (other !== undefined)
      throw new LexiconError(
        `entry '${e.id}' duplicates entry '${other}' (the patterns match the same text)`,
        e.id,
      );
    bySource.set(key, e.id);
    return c;
  });
  return { lexicon: l, entries };
}

function checkEntryFields(e: LexiconEntry, id: string): void {
  if (typeof e.id !== 'string' || !ID.test(e.id))
    throw new LexiconError(
      `entry ${JSON.stringify(String(id).slice(0, 80))}: the id must be 1–64 lower-case letters, digits, '_' or '-', starting with a letter or digit`,
      String(id),
    );
  if (typeof e.pattern !== 'string') throw entryError(id, 'the pattern must be text');
  if (!(CATEGORIES as readonly unknown[]).includes(e.category))
    throw entryError(
      id,
      `unknown category ${JSON.stringify(e.category)} (one of ${CATEGORIES.join(', ')})`,
    );
  if (typeof e.weight !== 'number' || !(e.weight > 0 && e.weight <= 1))
    throw entryError(id, `the weight ${String(e.weight)} is outside (0, 1]`);
  if (!LANGS.includes(e.lang)) throw entryError(id, `lang must be 'zh', 'en' or 'any'`);
  if (e.note !== undefined && typeof e.note !== 'string')
    throw entryError(id, 'the note must be text');
}

/**
 * A lexicon from outside (a file, the API): its shape and every pattern checked; throws a
 * LexiconError naming the entry at fault. Returns a clean copy.
 */
export function parseLexicon(json: unknown): Lexicon {
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new LexiconError('the lexicon is not an object');
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'version' && k !== 'entries')
      throw new LexiconError(`the lexicon has an unknown field '${k}'`);
  if (o['version'] !== 1)
    throw new LexiconError(`unsupported lexicon version ${String(o['version'])} (expected 1)`);
  const raw = o['entries'];
  if (!Array.isArray(raw)) throw new LexiconError('the lexicon has no list of entries');
  if (raw.length > MAX_ENTRIES)
    throw new LexiconError(
      `the lexicon has ${raw.length} entries; at most ${MAX_ENTRIES} are allowed`,
    );
  const entries = raw.map((x: unknown, i): LexiconEntry => {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      throw new LexiconError(`entry #${i + 1} is not an object`);
    const r = x as Record<string, unknown>;
    const id = typeof r['id'] === 'string' ? r['id'] : `#${i + 1}`;
    for (const k of Object.keys(r))
      if (!ENTRY_KEYS.includes(k)) throw entryError(id, `unknown field '${k}'`);
    const e = {
      id: r['id'],
      pattern: r['pattern'],
      category: r['category'],
      weight: r['weight'],
      lang: r['lang'],
      ...(r['note'] !== undefined ? { note: r['note'] } : {}),
    } as LexiconEntry;
    checkEntryFields(e, id);
    return e;
  });
  const lexicon: Lexicon = { version: 1, entries };
  compileLexicon(lexicon);
  return lexicon;
}

// ---------- matching ----------

export interface LexiconMatch {
  entry: LexiconEntry;
  /** The matched text in its normalized form ('最后3分钟', '50 percent off'). */
  matched: string;
  /** Where it is in the compact form. */
  start: number;
  end: number;
}

/**
 * The entries found in `text`, each once, in text order. A match lying inside a longer one
 * (秒杀 inside 限时秒杀), or on the same text as a heavier one, is left out: one phrase
 * counts once.
 */
export function matchText(c: CompiledLexicon, text: string): LexiconMatch[] {
  return matchCanonical(c, canonicalText(text));
}

export function matchCanonical(c: CompiledLexicon, t: CanonicalText): LexiconMatch[] {
  const found: LexiconMatch[] = [];
  let spaceBefore: number[] | null = null;
  for (const ce of c.entries) {
    const form = ce.mode === 'words' ? t.spaced : t.compact;
    if (ce.needle && !form.includes(ce.needle)) continue;
    const m = ce.regex.exec(form);
    if (!m) continue;
    let start = m.index;
    let end = m.index + m[0].length;
    if (ce.mode === 'words') {
      spaceBefore ??= countSpaces(t.spaced);
      start -= spaceBefore[start]!;
      end -= spaceBefore[end]!;
    }
    found.push({ entry: ce.entry, matched: m[0].trim(), start, end });
  }
  if (found.length < 2) return found;
  const byStrength = [...found].sort(
    (a, b) => b.end - b.start - (a.end - a.start) || b.entry.weight - a.entry.weight,
  );
  const kept: LexiconMatch[] = [];
  for (const m of byStrength)
    if (!kept.some((k) => k.start <= m.start && m.end <= k.end)) kept.push(m);
  return kept.sort((a, b) => a.start - b.start || b.end - a.end);
}

/**
 * The part of `text` as written that a match came from ('最後 三 分鐘' for 最后3分钟), for
 * showing; null when it cannot be told (the text is long, or normalization merged it away).
 */
export function originalText(text: string, matched: string): string | null {
  const want = matched.replace(/ /g, '');
  const chars = [...text];
  if (!want || chars.length > 400) return null;
  const has = (from: number, to: number) =>
    canonicalText(chars.slice(from, to).join('')).compact.includes(want);
  if (!has(0, chars.length)) return null;
  // The shortest prefix holding the match, then the shortest suffix of it.
  let lo = 1;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (has(0, mid)) hi = mid;
    else lo = mid + 1;
  }
  const end = lo;
  lo = 0;
  hi = end - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (has(mid, end)) lo = mid;
    else hi = mid - 1;
  }
  const out = chars.slice(lo, end).join('').trim();
  return out && has(lo, end) ? out : null;
}

/** spaces[i] = how many spaces come before index i of s. */
function countSpaces(s: string): number[] {
  const out = new Array<number>(s.length + 1);
  let n = 0;
  for (let i = 0; i <= s.length; i++) {
    out[i] = n;
    if (s[i] === ' ') n++;
  }
  return out;
}
