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

export function normalizeForMatch(text: string, opts: NormalizeOptions = {}): string {
  let t = text.normalize('NFKC').toLowerCase();
  if (opts.simplified !== false) t = traditionalToSimplified(t);
  // Punctuation, symbols and whitespace go; letters, digits and CJK stay.
  return t.replace(/[\p{P}\p{S}\p{Z}\s]+/gu, '');
}
