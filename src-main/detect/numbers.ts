/**
 * Numbers in text → digits, so a trigger matches however the recognizer wrote the number:
 * Chinese numerals (三 → 3, 十五 → 15, 两 → 2, 一百二十 → 120, 三千五 → 3500, 三点五 → 3.5,
 * 二零二四 → 2024), digits with a Chinese magnitude (1.5万 → 15000) and English number words
 * (three → 3, twenty-five → 25, one hundred and twenty → 120). Pure.
 *
 * The text is expected lower-cased with punctuation already turned into spaces (the spaced
 * normalized form); traditional numerals (兩 萬 億) are read too.
 */

const ZH_DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  二: 2,
  两: 2,
  兩: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};
const ZH_UNITS: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const ZH_BIG: Readonly<Record<string, number>> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 };

const DIGIT_CLASS = '零〇一二三四五六七八九两兩';
const ZH_RUN = new RegExp(`[${DIGIT_CLASS}十百千万萬亿億]+(?:点[${DIGIT_CLASS}]+)?`, 'g');
const DIGITS_WITH_MAGNITUDE = /(\d+(?:\.\d+)?)([千万萬亿億])/g;

/**
 * A Chinese numeral (三, 十五, 一百零五, 两万五, 三点五, 二零二四) → its value, or null when
 * the text is not one well-formed number (三四十, 十十).
 */
export function parseChineseNumber(text: string): number | null {
  const canon = chineseRunToDigits(text);
  return canon === null ? null : Number(canon);
}

/** The digit string for a whole Chinese numeral run, or null when it is not well formed. */
function chineseRunToDigits(run: string): string | null {
  if (run === '') return null;
  const dot = run.indexOf('点');
  const intPart = dot < 0 ? run : run.slice(0, dot);
  const fracPart = dot < 0 ? '' : run.slice(dot + 1);
  let frac = '';
  for (const ch of fracPart) {
    const d = ZH_DIGITS[ch];
    if (d === undefined) return null;
    frac += String(d);
  }
  if (dot >= 0 && frac === '') return null;
  const int = chineseIntegerToDigits(intPart);
  if (int === null) return null;
  return frac ? `${int}.${frac}`.replace(/\.?0+$/, '') || '0' : int;
}

function chineseIntegerToDigits(run: string): string | null {
  const chars = [...run];
  if (chars.length === 0) return null;
  // A run of bare digits is read digit by digit: 二零二四 → 2024, 八八 → 88.
  if (chars.every((c) => ZH_DIGITS[c] !== undefined))
    return chars.map((c) => String(ZH_DIGITS[c])).join('');
  let total = 0; // completed 万/亿 sections
  let section = 0; // below the current 万/亿
  let digit: number | null = null; // a digit waiting for its unit
  let lastUnit = 0; // the last 十/百/千 in this section (0: none yet)
  let lastBig = 0; // the last 万/亿 seen
  let zero = false; // a 零 since the last unit
  for (const c of chars) {
    const d = ZH_DIGITS[c];
    if (d !== undefined) {
      if (d === 0) {
        if (digit !== null) return null;
        zero = true;
        continue;
      }
      if (digit !== null) return null; // 三四十: two digits for one unit
      digit = d;
      continue;
    }
    const u = ZH_UNITS[c];
    if (u !== undefined) {
      if (lastUnit !== 0 && u >= lastUnit) return null; // 十百, 百百
      section += (digit ?? 1) * u;
      digit = null;
      lastUnit = u;
      zero = false;
      continue;
    }
    const big = ZH_BIG[c];
    if (big === undefined) return null;
    let value = section + (digit ?? 0);
    if (lastBig !== 0 && big > lastBig)
      total = (total + value) * big; // 三万亿
    else if (big === lastBig)
      return null; // 万万
    else {
      if (value === 0) {
        if (total !== 0) return null; // 亿万
        value = 1; // 万 alone is 10000
      }
      total += value * big;
    }
    section = 0;
    digit = null;
    lastUnit = 0;
    lastBig = big;
    zero = false;
  }
  if (digit !== null) {
    // A trailing digit right after a unit is short for the next unit down: 三千五 = 3500,
    // 一百二 = 120, 两万五 = 25000; after 零 it is units: 一百零五 = 105.
    if (!zero && lastUnit > 1) section += digit * (lastUnit / 10);
    else if (!zero && lastUnit === 0 && lastBig !== 0) section += digit * (lastBig / 10);
    else section += digit;
  }
  const value = total + section;
  return Number.isSafeInteger(value) ? String(value) : null;
}

const EN_SMALL: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const EN_TENS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const EN_SCALES: Readonly<Record<string, number>> = { thousand: 1e3, million: 1e6 };

type EnState = 'start' | 'unit' | 'teen' | 'tens' | 'hundred' | 'scale' | 'and';

/**
 * English number words from `words[from]` on: the value and how many words it took, or null
 * when words[from] does not start a number. Greedy: 'twenty five' is 25, 'one one' is 1 then 1.
 */
export function readEnglishNumber(
  words: readonly string[],
  from = 0,
): { value: number; length: number } | null {
  let total = 0;
  let cur = 0;
  let state: EnState = 'start';
  let i = from;
  for (; i < words.length; i++) {
    const w = words[i]!;
    const small = EN_SMALL[w];
    const tens = EN_TENS[w];
    const scale = EN_SCALES[w];
    const afterOpen =
      state === 'start' || state === 'hundred' || state === 'scale' || state === 'and';
    if (small !== undefined) {
      const unitAfterTens = state === 'tens' && small >= 1 && small <= 9;
      if (!afterOpen && !unitAfterTens) break;
      cur += small;
      state = small < 10 ? 'unit' : 'teen';
    } else if (tens !== undefined) {
      if (!afterOpen) break;
      cur += tens;
      state = 'tens';
    } else if (w === 'hundred') {
      if (state !== 'unit' && state !== 'teen') break;
      cur *= 100;
      state = 'hundred';
    } else if (scale !== undefined) {
      if (state === 'start' || state === 'scale' || state === 'and') break;
      total += cur * scale;
      cur = 0;
      state = 'scale';
    } else if (w === 'and' && (state === 'hundred' || state === 'scale')) {
      const next = words[i + 1];
      if (next === undefined || (EN_SMALL[next] === undefined && EN_TENS[next] === undefined))
        break;
      state = 'and';
    } else break;
  }
  if (state === 'start') return null;
  return { value: total + cur, length: i - from };
}

/** '3', '三', '十五', 'twenty-five', '3.5' → the number, or null. */
export function parseNumber(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(?:\.\d+)?$/.test(t)) return Number(t);
  const zh = parseChineseNumber(t);
  if (zh !== null) return zh;
  const words = t.split(/[\s-]+/).filter(Boolean);
  const en = readEnglishNumber(words);
  return en && en.length === words.length ? en.value : null;
}

function roundTo6(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}

/**
 * Every number in normalized text as digits: '最后三分钟' → '最后3分钟', 'fifty percent off' →
 * '50 percent off', '1.5万' → '15000'. A Chinese run that is not one well-formed number
 * (三四十) is left as written. The same function runs on patterns and on text, so both sides
 * read a number the same way.
 */
export function canonicalizeNumbers(text: string): string {
  let t = text.replace(DIGITS_WITH_MAGNITUDE, (_m, n: string, unit: string) =>
    roundTo6(Number(n) * (ZH_UNITS[unit] ?? ZH_BIG[unit] ?? 1)),
  );
  t = t.replace(ZH_RUN, (run) => chineseRunToDigits(run) ?? run);
  return t.replace(/[a-z]+(?: [a-z]+)*/g, (run) => {
    if (
      !/(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|ty)\b/.test(run)
    )
      return run;
    const words = run.split(' ');
    const out: string[] = [];
    for (let i = 0; i < words.length;) {
      const n = readEnglishNumber(words, i);
      if (n) {
        out.push(String(n.value));
        i += n.length;
      } else out.push(words[i++]!);
    }
    return out.join(' ');
  });
}
