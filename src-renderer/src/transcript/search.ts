/**
 * Transcript search (pure): case- and width-insensitive matching (NFKC + lower case, so "ＡＢＣ",
 * "abc" and "ABC" match each other, as do half- and full-width katakana), and splitting a line into
 * plain and highlighted pieces. Pieces are plain strings for React to render as text: nothing here
 * builds HTML.
 */

/** A line's folded text, and for each folded UTF-16 unit the original index it came from. */
export interface Folded {
  text: string;
  /** null when the folded text lines up with the original one unit for one unit. */
  map: Int32Array | null;
  /** The original text's length (the end of the last mapped unit's cluster). */
  length: number;
}

/** Folds a query: NFKC, then lower case. */
export function foldQuery(query: string): string {
  return query.normalize('NFKC').toLowerCase();
}

// A base code point with the marks that compose with it (so NFKC sees them together):
// combining marks, and the half-width (semi-)voiced sound marks of half-width katakana.
const CLUSTER = /[^]([\p{M}\uFF9E\uFF9F])*/gu;
// Text whose fold is itself lowered, unit for unit.
const ASCII = /^[\x20-\x7e]*$/;

/** Folds a line and keeps the way back to the original's indexes (for highlighting). */
export function foldText(text: string): Folded {
  if (ASCII.test(text)) return { text: text.toLowerCase(), map: null, length: text.length };
  let out = '';
  const map: number[] = [];
  for (const m of text.matchAll(CLUSTER)) {
    const folded = m[0].normalize('NFKC').toLowerCase();
    out += folded;
    for (let i = 0; i < folded.length; i++) map.push(m.index);
  }
  return { text: out, map: Int32Array.from(map), length: text.length };
}

/** Start offsets (in the folded text) of the non-overlapping occurrences of the folded query. */
export function findAll(foldedText: string, foldedQuery: string): number[] {
  const found: number[] = [];
  if (foldedQuery === '') return found;
  let from = 0;
  for (;;) {
    const i = foldedText.indexOf(foldedQuery, from);
    if (i < 0) return found;
    found.push(i);
    from = i + foldedQuery.length;
  }
}

export interface Piece {
  text: string;
  /** The index of the match in this line (0-based), or -1 for plain text. */
  match: number;
}

/** Maps a folded [start, end) back to the original's [start, end) (whole clusters). */
function toOriginal(folded: Folded, start: number, end: number): [number, number] {
  const map = folded.map;
  if (!map) return [start, end];
  const s = map[start] ?? folded.length;
  // The end is where the cluster after the last matched unit begins.
  let e = folded.length;
  for (let i = end; i < map.length; i++) {
    const next = map[i] ?? folded.length;
    if (next > (map[end - 1] ?? s)) {
      e = next;
      break;
    }
  }
  return [s, e];
}

/**
 * Splits the original text into plain and matched pieces for the folded query. Concatenating the
 * pieces' text gives back the original text exactly.
 */
export function splitHighlights(
  text: string,
  foldedQuery: string,
  folded = foldText(text),
): Piece[] {
  const starts = findAll(folded.text, foldedQuery);
  if (starts.length === 0) return text === '' ? [] : [{ text, match: -1 }];
  const pieces: Piece[] = [];
  let at = 0;
  starts.forEach((fs, n) => {
    const [s, e] = toOriginal(folded, fs, fs + foldedQuery.length);
    const from = Math.max(s, at);
    if (e <= from) return; // inside a cluster already highlighted
    if (from > at) pieces.push({ text: text.slice(at, from), match: -1 });
    pieces.push({ text: text.slice(from, e), match: n });
    at = e;
  });
  if (at < text.length) pieces.push({ text: text.slice(at), match: -1 });
  return pieces;
}

/** One occurrence of the query in the transcript: which row, and which match within it. */
export interface MatchRef {
  row: number;
  /** 0-based index among the row's matches. */
  n: number;
}

/** Every occurrence of the query, row by row, using a per-line fold cache. */
export function searchRows(
  texts: readonly string[],
  query: string,
  fold: (text: string, row: number) => string = (t) => foldText(t).text,
): MatchRef[] {
  const q = foldQuery(query);
  const out: MatchRef[] = [];
  if (q.trim() === '') return out;
  for (let row = 0; row < texts.length; row++) {
    const n = findAll(fold(texts[row] ?? '', row), q).length;
    for (let k = 0; k < n; k++) out.push({ row, n: k });
  }
  return out;
}

/** The next (dir 1) or previous (dir -1) match index, wrapping; -1 when there are none. */
export function stepMatch(current: number, total: number, dir: 1 | -1): number {
  if (total <= 0) return -1;
  if (current < 0 || current >= total) return dir === 1 ? 0 : total - 1;
  return (current + dir + total) % total;
}
