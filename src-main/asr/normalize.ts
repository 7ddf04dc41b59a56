/**
 * Text normalization for matching and search — never for storage or display, which keep the
 * text as recognized or as written. Full-width → half-width (NFKC), case, optional traditional →
 * simplified Chinese, punctuation and spacing removed.
 */
import { createRequire } from 'node:module';

type Converter = (text: string) => string;
let t2s: Converter | null = null;

function traditionalToSimplified(text: string): string {
  if (!t2s) {
    const req = createRequire(__filename);
    const OpenCC = req('opencc-js') as { Converter(opts: { from: string; to: string }): Converter };
    t2s = OpenCC.Converter({ from: 'twp', to: 'cn' }); // phrases too: 連結 → 链接
  }
  return t2s(text);
}

export interface NormalizeOptions {
  /** Map traditional Chinese to simplified (default true). */
  simplified?: boolean;
}

function fold(text: string, opts: NormalizeOptions): string {
  const t = text.normalize('NFKC').toLowerCase();
  return opts.simplified !== false ? traditionalToSimplified(t) : t;
}

/**
 * The folding step of normalizeForMatch alone — NFKC, lower case, optional traditional →
 * simplified — with punctuation and spacing kept. Callers that must map a match back to the
 * original text fold one code point at a time with this.
 */
export function foldForMatch(text: string, opts: NormalizeOptions = {}): string {
  return fold(text, opts);
}

const SEPARATORS = /[\p{P}\p{S}\p{Z}\s]+/gu;

export function normalizeForMatch(text: string, opts: NormalizeOptions = {}): string {
  // Punctuation, symbols and whitespace go; letters, digits and CJK stay.
  return fold(text, opts).replace(SEPARATORS, '');
}

/**
 * normalizeForMatch keeping word boundaries, for matching English on whole words: each run of
 * punctuation, symbols and spacing becomes one space (none at the ends), and a decimal point
 * between two digits stays ('Last-Call: 3.5折!' → 'last call 3.5折').
 */
export function normalizeForMatchSpaced(text: string, opts: NormalizeOptions = {}): string {
  const t = fold(text, opts);
  return t
    .replace(SEPARATORS, (sep: string, at: number) =>
      sep === '.' && isDigit(t[at - 1]) && isDigit(t[at + 1]) ? '.' : ' ',
    )
    .trim();
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}
