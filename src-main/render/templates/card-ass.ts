/**
 * The ASS subtitle file that draws a template card's text (brand line, product name, price). Pure.
 *
 * User text (product names, prices, brand text) goes through the caption module's cleaning,
 * wrapping and escaping (../ass.ts), so the same rules hold everywhere: an override block `{\b1}`
 * is drawn as those five characters, `\N` `\n` `\h` stay literal, control characters are dropped,
 * text is wrapped to the slot (libass does not wrap CJK) and capped with "…".
 */
import { assTime, cleanText, ELLIPSIS, escapeAssText } from '../ass';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** At most `maxChars` graphemes of (cleaned) text; a cut ends in "…" within the limit. */
export function capGraphemes(text: string, maxChars: number): string {
  let n = 0;
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    if (n === maxChars)
      return `${Array.from(segmenter.segment(out), (s) => s.segment)
        .slice(0, -1)
        .join('')
        .trimEnd()}${ELLIPSIS}`;
    out += segment;
    n++;
  }
  return out;
}

/** The escaped Text field for user text in a box `maxEm` font sizes wide; '' when nothing shows. */
export function cardText(
  text: string,
  opts: { maxChars: number; maxLines: number; maxEm: number },
): string {
  // cleanText first so control characters do not count against maxChars; the 10 kB case is cut to
  // maxChars graphemes before wrapping looks at it.
  return escapeAssText(capGraphemes(cleanText(text).trim(), opts.maxChars), {
    maxEm: opts.maxEm,
    maxLines: opts.maxLines,
  });
}

/** "#rrggbb" → ASS "&H00BBGGRR" (opaque). */
export function assColour(hex: string): string {
  const m = /^#([0-9a-fA-F]{2})([0-9a-fA-F]{2})([0-9a-fA-F]{2})$/.exec(hex);
  if (m === null) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  return `&H00${m[3]!}${m[2]!}${m[1]!}`.toUpperCase();
}

export interface CardTextBox {
  /** Left edge, top edge and width of the box the text wraps in (output pixels). */
  x: number;
  y: number;
  w: number;
  size: number;
  /** "#rrggbb". */
  color: string;
  align: 'left' | 'center' | 'right';
  bold: boolean;
  /** Raw user text; cleaned, wrapped and escaped here. */
  text: string;
  maxChars: number;
  maxLines: number;
  /** Fade-in at the start of the card, ms (0 = none). */
  fadeInMs: number;
}

/** The escaped Text field of a box (without the fade tag); '' when the box shows nothing. */
export function boxText(b: CardTextBox): string {
  // A little under the box width: the width table in ass.ts is an estimate.
  return cardText(b.text, {
    maxChars: b.maxChars,
    maxLines: b.maxLines,
    maxEm: (b.w / b.size) * 0.92,
  });
}

export interface CardAssOptions {
  width: number;
  height: number;
  /** Font family (the template schema allows letters, digits, space, _ and -). */
  font: string;
  durationS: number;
  boxes: CardTextBox[];
}

const ALIGN = { left: 7, center: 8, right: 9 } as const;

/** The whole .ass file; boxes whose text shows nothing are left out. */
export function buildCardAss(o: CardAssOptions): string {
  if (!/^[A-Za-z0-9 _-]{1,64}$/.test(o.font)) throw new RangeError(`unsafe font name: ${o.font}`);
  const int = (n: number): number => Math.max(0, Math.round(n));
  const styles: string[] = [];
  const events: string[] = [];
  o.boxes.forEach((b, i) => {
    const text = boxText(b);
    if (text === '') return;
    const name = `T${i}`;
    const outline = Math.max(1, Math.round(b.size / 24));
    styles.push(
      `Style: ${name},${o.font},${int(b.size)},${assColour(b.color)},${assColour(b.color)},&H80000000,&H80000000,` +
        `${b.bold ? -1 : 0},0,0,0,100,100,0,0,1,${outline},0,${ALIGN[b.align]},0,0,0,1`,
    );
    // The Dialogue margins place the box: left, right (from the right edge) and top.
    const marginL = int(b.x);
    const marginR = int(o.width - (b.x + b.w));
    const fade = b.fadeInMs > 0 ? `{\\fad(${int(b.fadeInMs)},0)}` : '';
    events.push(
      `Dialogue: 0,${assTime(0)},${assTime(o.durationS + 1)},${name},,${marginL},${marginR},${int(b.y)},,${fade}${text}`,
    );
  });
  return [
    '[Script Info]',
    '; LiveSlice template card',
    'ScriptType: v4.00+',
    `PlayResX: ${int(o.width)}`,
    `PlayResY: ${int(o.height)}`,
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    ...styles,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}
