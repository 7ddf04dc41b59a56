/**
 * Hotwords (product and brand names) → the lines of sherpa-onnx's hotwords file for the streaming
 * transducer (modified_beam_search). Pure.
 *
 * sherpa-onnx reads one phrase a line, splits it on whitespace, and treats a word starting with
 * `:` as the line's boost score (`std::stof` — text that is not a number aborts the process), and
 * `#` / `@` as keyword-spotter syntax. So user text is reduced to letters, digits and single
 * spaces, one phrase per line, and only this module ever
 * appends a `:score`. With modelingUnit `cjkchar` every character must be a token of the model;
 * with `cjkchar+bpe` (the model's bpe.vocab present) Latin words are split by the BPE model, and
 * must start with a letter. A phrase that cannot be expressed is reported, not written.
 */

export const MAX_HOTWORDS = 500;
export const MAX_HOTWORD_CHARS = 64;

export interface HotwordLines {
  lines: string[];
  /** Phrases that could not be used, with why (in English, for the log and the status). */
  rejected: Array<{ text: string; reason: string }>;
}

export interface HotwordOptions {
  /** The model's tokens (first column of tokens.txt). */
  tokens: ReadonlySet<string>;
  modelingUnit: 'cjkchar' | 'cjkchar+bpe';
  /** Per-phrase boost written as ` :x` (omitted: the recognizer's hotwordsScore applies). */
  score?: number;
}

/**
 * User text → a phrase that carries no hotword-file syntax: NFKC (full-width → half-width),
 * every run of characters other than letters, marks and digits → one space (sherpa-onnx would
 * split punctuation off as units of its own), trimmed. Latin letters are upper-cased when `upper`
 * (the bilingual models' English units are upper case).
 */
export function sanitizeHotword(text: string, upper = true): string {
  const t = text
    .normalize('NFKC')
    .replace(/[^\p{L}\p{M}\p{N}]+/gu, ' ')
    .trim();
  return upper ? t.toUpperCase() : t;
}

/**
 * How sherpa-onnx splits a phrase's words into units (SplitUtf8 + MergeCharactersIntoWords):
 * each non-ASCII character alone, runs of ASCII characters together.
 */
export function hotwordUnits(phrase: string): string[] {
  const out: string[] = [];
  for (const word of phrase.split(' ')) {
    let ascii = '';
    for (const ch of word) {
      if (ch.codePointAt(0)! < 0x80) {
        ascii += ch;
        continue;
      }
      if (ascii) out.push(ascii);
      ascii = '';
      out.push(ch);
    }
    if (ascii) out.push(ascii);
  }
  return out;
}

/** Reads tokens.txt (`<token> <id>` a line) into the set of token strings. */
export function readTokenSet(tokensTxt: string): Set<string> {
  const set = new Set<string>();
  for (const line of tokensTxt.split('\n')) {
    const m = /^(\S+)\s+\d+\s*$/.exec(line);
    if (m) set.add(m[1]!);
  }
  return set;
}

/** True when the model's English units are upper case (special tokens such as <unk> aside). */
export function upperCaseTokens(tokens: ReadonlySet<string>): boolean {
  for (const t of tokens) if (!/^<.*>$/.test(t) && /[a-z]/.test(t)) return false;
  return true;
}

export function hotwordLines(phrases: readonly string[], opts: HotwordOptions): HotwordLines {
  const lines: string[] = [];
  const rejected: HotwordLines['rejected'] = [];
  const seen = new Set<string>();
  const upper = upperCaseTokens(opts.tokens);
  const score =
    opts.score !== undefined && Number.isFinite(opts.score) && opts.score > 0
      ? ` :${Math.min(opts.score, 20).toFixed(2)}`
      : '';
  for (const raw of phrases.slice(0, MAX_HOTWORDS)) {
    const phrase = sanitizeHotword(raw, upper);
    if (phrase === '') {
      rejected.push({ text: raw, reason: 'no letters or digits' });
      continue;
    }
    if ([...phrase].length > MAX_HOTWORD_CHARS) {
      rejected.push({ text: raw, reason: `longer than ${MAX_HOTWORD_CHARS} characters` });
      continue;
    }
    if (seen.has(phrase)) continue;
    const problem = unitProblem(hotwordUnits(phrase), opts);
    if (problem) {
      rejected.push({ text: raw, reason: problem });
      continue;
    }
    seen.add(phrase);
    lines.push(`${phrase}${score}`);
  }
  for (const raw of phrases.slice(MAX_HOTWORDS))
    rejected.push({ text: raw, reason: `more than ${MAX_HOTWORDS} hotwords` });
  return { lines, rejected };
}

function unitProblem(units: string[], opts: HotwordOptions): string | null {
  for (const u of units) {
    if (opts.tokens.has(u)) continue;
    if (/^[0-9]/.test(u))
      return `'${u}': digits are not in the model's vocabulary (write the number in words)`;
    if (/^[A-Za-z]/.test(u)) {
      if (opts.modelingUnit === 'cjkchar+bpe') continue;
      return `'${u}': English words need the model's bpe.vocab next to its files`;
    }
    return `'${u}' is not in the model's vocabulary`;
  }
  return null;
}

/** Exactly what hotwordLines writes: words of letters, marks and digits, then an optional score. */
const LINE = /^[\p{L}\p{M}\p{N}]+(?: [\p{L}\p{M}\p{N}]+)*(?: :\d{1,2}\.\d{2})?$/u;

/** The hotwords file's content: the lines, one a line, ending with a newline. */
export function hotwordsFileContent(lines: readonly string[]): string {
  for (const l of lines)
    if (!LINE.test(l)) throw new Error(`not a checked hotword line: ${JSON.stringify(l)}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}
