/**
 * Trigger phrases → the keyword lines sherpa-onnx's KeywordSpotter reads, for the WenetSpeech KWS
 * model whose units are "ppinyin": each syllable's initial and tone-marked final
 * (最后三分钟 → `z uì h òu s ān f ēn zh ōng`). Pure.
 *
 * - Digits are read as Chinese numerals first (3分钟 → 三分钟).
 * - A few polyphones common on live streams get both readings (全场: chǎng / cháng), so either
 *   pronunciation fires; the line count per phrase is capped.
 * - Every token must exist in the model's tokens.txt: sherpa-onnx silently drops (or fails on) a
 *   line with an unknown token, so an unknown token is reported here instead.
 */
import { pinyin } from 'pinyin-pro';

export interface KeywordPhrase {
  /** What is shown and reported, e.g. 最后三分钟. */
  text: string;
  /** Boost (sherpa `:x`), default 2.0. */
  boost?: number;
  /** Trigger threshold (sherpa `#y`), default 0.25; lower fires more easily. */
  threshold?: number;
}

export interface KeywordLines {
  lines: string[];
  /** Phrases that could not be expressed in the model's tokens, with why. */
  rejected: Array<{ text: string; reason: string }>;
}

const INITIALS = [
  'zh',
  'ch',
  'sh',
  'b',
  'p',
  'm',
  'f',
  'd',
  't',
  'n',
  'l',
  'g',
  'k',
  'h',
  'j',
  'q',
  'x',
  'r',
  'z',
  'c',
  's',
  'y',
  'w',
];
/** Polyphones whose other reading is a realistic way a host says a trigger. */
const VARIANT_CHARS = new Set([
  '场',
  '場',
  '只',
  '倒',
  '还',
  '還',
  '长',
  '長',
  '重',
  '差',
  '仅',
  '僅',
]);
const MAX_VARIANTS = 4;

/** Splits one tone-marked syllable into the model's units: initial + final, or the whole syllable. */
export function syllableTokens(syllable: string): string[] {
  const s = syllable.normalize('NFC');
  for (const ini of INITIALS) {
    if (s.startsWith(ini) && s.length > ini.length) return [ini, s.slice(ini.length)];
  }
  return [s];
}

const DIGITS = '零一二三四五六七八九';

/** 0–99999999 as read aloud in Mandarin (3 → 三, 10 → 十, 15 → 十五, 50 → 五十, 205 → 二百零五). */
export function numberToChinese(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 99_999_999)
    throw new RangeError(`cannot read ${n} aloud`);
  if (n === 0) return '零';
  const below10k = (x: number): string => {
    const units = ['千', '百', '十', ''];
    const digits = String(x).padStart(4, '0').split('').map(Number);
    let out = '';
    let zero = false;
    digits.forEach((d, i) => {
      if (d === 0) {
        zero = out !== '';
        return;
      }
      if (zero) out += '零';
      zero = false;
      out += DIGITS[d]! + units[i]!;
    });
    return out.startsWith('一十') ? out.slice(1) : out;
  };
  const hi = Math.floor(n / 10_000);
  const lo = n % 10_000;
  if (hi === 0) return below10k(lo);
  return `${below10k(hi)}万${lo === 0 ? '' : (lo < 1000 ? '零' : '') + below10k(lo)}`;
}

export function digitsToChinese(text: string): string {
  return text.replace(/\d+/g, (m) => (m.length <= 8 ? numberToChinese(Number(m)) : m));
}

/** The token sequences for a phrase: its contextual reading, plus polyphone variants. */
export function phraseTokenVariants(text: string): string[][] {
  const spoken = digitsToChinese(text.normalize('NFKC')).replace(/[\s\p{P}\p{S}]+/gu, '');
  const chars = [...spoken];
  const primary = pinyin(spoken, { toneType: 'symbol', toneSandhi: false, type: 'array' });
  let variants: string[][] = [primary];
  chars.forEach((ch, i) => {
    if (!VARIANT_CHARS.has(ch)) return;
    const readings = pinyin(ch, { toneType: 'symbol', multiple: true, type: 'array' });
    const next: string[][] = [];
    for (const v of variants) {
      for (const r of [v[i]!, ...readings.filter((x) => x !== v[i])]) {
        if (next.length < MAX_VARIANTS) next.push(v.map((s, j) => (j === i ? r : s)));
      }
    }
    variants = next;
  });
  return variants.map((v) => v.flatMap(syllableTokens));
}

export function keywordLines(
  phrases: readonly KeywordPhrase[],
  modelTokens: ReadonlySet<string>,
): KeywordLines {
  const lines: string[] = [];
  const rejected: KeywordLines['rejected'] = [];
  for (const p of phrases) {
    const display = p.text.replace(/[\s@:#]+/g, '');
    if (!display) {
      rejected.push({ text: p.text, reason: 'empty phrase' });
      continue;
    }
    if (/[A-Za-z]/.test(p.text.normalize('NFKC'))) {
      rejected.push({
        text: p.text,
        reason:
          'the keyword model spots Mandarin only; English triggers are matched in the transcript',
      });
      continue;
    }
    let kept = 0;
    const seen = new Set<string>();
    for (const tokens of phraseTokenVariants(p.text)) {
      const unknown = tokens.filter((t) => !modelTokens.has(t));
      if (unknown.length) {
        rejected.push({
          text: p.text,
          reason: `not in the model's tokens: ${[...new Set(unknown)].join(' ')}`,
        });
        continue;
      }
      const key = tokens.join(' ');
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(
        `${key} :${(p.boost ?? 2).toFixed(1)} #${(p.threshold ?? 0.25).toFixed(2)} @${display}`,
      );
      kept++;
    }
    if (kept === 0 && !rejected.some((r) => r.text === p.text))
      rejected.push({ text: p.text, reason: 'no usable reading' });
  }
  return { lines, rejected };
}

export function readTokens(tokensTxt: string): Set<string> {
  return new Set(
    tokensTxt
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((t) => t !== ''),
  );
}
