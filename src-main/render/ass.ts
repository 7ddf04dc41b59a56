/**
 * ASS subtitle files for burned-in captions and the title/hook line, rendered by libass (the `ass`
 * filter). Pure: text in, file text out.
 *
 * User text is escaped so it always renders literally and can never change the file's structure:
 * - `{` and `}` become libass's literal-brace escapes `\{` and `\}`, so no override block (`{\b1}`,
 *   `{\p1}` drawings, `{\alpha&HFF&}`) can ever start;
 * - a backslash that would form a libass escape with the next character (`\N`, `\n`, `\h`) gets an
 *   invisible word joiner (U+2060) in between, so it shows as a backslash and a letter;
 * - line breaks of any kind become `\N` (a raw newline would end the Dialogue line and let text
 *   inject new events or sections); other control characters and lone surrogates are dropped;
 * - each line is trimmed, wrapped to the frame width (libass does not wrap CJK text), capped to a
 *   number of lines and truncated with "…" — a 10 kB line costs nothing and stays on screen.
 * Commas are fine: Text is the last field of a Dialogue line.
 */
export type CaptionStyle = 'clean' | 'bold' | 'boxed';
export const CAPTION_STYLES: readonly CaptionStyle[] = ['clean', 'bold', 'boxed'];

/** What each caption style looks like (shown in the UI's picker). */
export const CAPTION_STYLE_NOTES: Record<CaptionStyle, string> = {
  clean: 'White text with a thin dark outline and a soft shadow, lower third',
  bold: 'Larger heavy white text with a thick black outline, no box',
  boxed: 'White text on a semi-transparent dark box, lower third',
};

export interface AssCue {
  /** Seconds, relative to the start of the piece the file is rendered on. */
  start: number;
  end: number;
  text: string;
}

export interface BuildAssOptions {
  width: number;
  height: number;
  cues: readonly AssCue[];
  title: string | null;
  /** The title and the label are shown from 0 to this many seconds; default: to the last cue's
   * end, at least 1 h. */
  titleUntil?: number;
  /** An always-on label (e.g. "AI生成 / AI-generated"): bottom-left, on a semi-opaque box, above
   * the captions' layer; user text, escaped like the rest (see aiLabelText for the default). */
  label?: string | null;
  style: CaptionStyle;
  /** Default: a CJK-capable sans; libass falls back per glyph through the system's fonts. */
  fontName?: string;
}

/** Invisible; breaks a backslash escape without changing what is shown. */
const WORD_JOINER = '\u2060';
export const ELLIPSIS = '…';
/** Graphemes looked at per text at most, before wrapping and truncation. */
export const MAX_INPUT_GRAPHEMES = 2000;
export const DEFAULT_FONT = 'Noto Sans CJK SC';
/** The visible label of AI-generated content (GB 45438-2025's explicit label), in both languages. */
export const DEFAULT_AI_LABEL = 'AI生成 / AI-generated';

/** The label to show: the given text, or DEFAULT_AI_LABEL when it is missing or shows nothing
 * (blank or only invisible format characters: the content must carry a label one can see). */
export function aiLabelText(text: string | null | undefined): string {
  if (text === null || text === undefined) return DEFAULT_AI_LABEL;
  return cleanText(text).replace(/[\s\p{Z}\p{Cf}]/gu, '') === '' ? DEFAULT_AI_LABEL : text;
}

// ---------------------------------------------------------------------------------------------
// Text normalization, wrapping and escaping.

/**
 * Removes what must never reach the file: NUL and other C0/C1 controls (tabs become spaces, every
 * kind of line break becomes `\n`), lone surrogates, BOM and bidi override characters that could
 * visually reorder the text.
 */
export function cleanText(raw: string): string {
  let out = '';
  const s = String(raw);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      }
      continue; // a lone high surrogate
    }
    if (c >= 0xdc00 && c <= 0xdfff) continue; // a lone low surrogate
    if (c === 0x0d) {
      out += '\n';
      if (s.charCodeAt(i + 1) === 0x0a) i++;
      continue;
    }
    if (c === 0x0a || c === 0x0b || c === 0x0c || c === 0x85 || c === 0x2028 || c === 0x2029) {
      out += '\n';
      continue;
    }
    if (c === 0x09) {
      out += ' ';
      continue;
    }
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) continue;
    if (c === 0xfeff || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) continue;
    out += s[i]!;
  }
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function graphemes(s: string): string[] {
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

/** Approximate advance of a grapheme in em: CJK, full-width and emoji 1, Latin about half. */
export function graphemeWidth(g: string): number {
  const cp = g.codePointAt(0) ?? 0;
  if (g === ' ') return 0.3;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    cp >= 0x1f000 ||
    (cp >= 0x2600 && cp <= 0x27bf) ||
    g.length > 2
  ) {
    return 1;
  }
  if (/[A-Z@%#&MWmw]/.test(g)) return 0.72;
  if (/[ilIj.,:;'!|`]/.test(g)) return 0.3;
  return 0.56;
}

/**
 * Wraps text (already cleaned) into at most `maxLines` lines of at most `maxEm` em each: at spaces
 * where possible, else between any two graphemes (CJK has no spaces). Overflow is cut and the last
 * line ends in "…".
 */
export function wrapText(text: string, maxEm: number, maxLines: number): string[] {
  const out: string[] = [];
  let truncated = false;
  const paragraphs = text.split('\n');
  let budget = MAX_INPUT_GRAPHEMES;
  for (const para of paragraphs) {
    if (out.length >= maxLines) {
      if (para.trim() !== '') truncated = true;
      continue;
    }
    let gs = graphemes(para.trim());
    if (gs.length > budget) {
      gs = gs.slice(0, budget);
      truncated = true;
    }
    budget -= gs.length;
    if (gs.length === 0) continue;
    let i = 0;
    while (i < gs.length) {
      if (out.length >= maxLines) {
        truncated = true;
        break;
      }
      // Take as many graphemes as fit.
      let w = 0;
      let j = i;
      while (j < gs.length && w + graphemeWidth(gs[j]!) <= maxEm) {
        w += graphemeWidth(gs[j]!);
        j++;
      }
      if (j === i) j = i + 1; // one grapheme wider than the line: it gets a line of its own
      if (j < gs.length) {
        // Prefer breaking at the last space in the second half of the line.
        let k = j;
        while (k > i && gs[k] !== ' ') k--;
        if (k > i + (j - i) / 2) j = k;
      }
      out.push(gs.slice(i, j).join('').trim());
      i = j;
      while (i < gs.length && gs[i] === ' ') i++;
    }
  }
  if (truncated && out.length > 0) {
    const last = graphemes(out[out.length - 1]!);
    let w = last.reduce((a, g) => a + graphemeWidth(g), 0);
    while (last.length > 0 && w + graphemeWidth(ELLIPSIS) > maxEm) {
      w -= graphemeWidth(last.pop()!);
    }
    out[out.length - 1] = last.join('').trimEnd() + ELLIPSIS;
  }
  return out.filter((l) => l !== '');
}

/** Escapes one line (no line breaks) for the Text field of a Dialogue line. */
export function escapeAssLine(line: string): string {
  let out = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '{' || c === '}') out += '\\' + c;
    else if (c === '\\') {
      const next = line[i + 1];
      out += next === 'N' || next === 'n' || next === 'h' ? '\\' + WORD_JOINER : '\\';
    } else if (c === '\n' || c === '\r') out += ' ';
    else out += c;
  }
  return out;
}

export interface EscapeOptions {
  /** Line width in em (font sizes); default unlimited. */
  maxEm?: number;
  /** Default 2. */
  maxLines?: number;
}

/** User text → the Text field of a Dialogue line: cleaned, wrapped, capped, escaped, `\N`-joined. */
export function escapeAssText(raw: string, opts: EscapeOptions = {}): string {
  const lines = wrapText(cleanText(raw), opts.maxEm ?? Infinity, opts.maxLines ?? 2);
  return lines.map(escapeAssLine).join('\\N');
}

/**
 * What libass shows for a Text field (its escape and override-block rules, libass 0.17): the
 * visible text with `\N` as "\n", and how many override blocks it would have interpreted. Tests use
 * it to prove hostile text renders literally; the template helper can too.
 */
export function decodeAssText(text: string): { visible: string; overrideBlocks: number } {
  let visible = '';
  let overrideBlocks = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '{') {
      const close = text.indexOf('}', i + 1);
      overrideBlocks++;
      if (close === -1) break;
      i = close + 1;
      continue;
    }
    if (c === '\\') {
      const n = text[i + 1];
      if (n === 'N') {
        visible += '\n';
        i += 2;
        continue;
      }
      if (n === 'n') {
        visible += ' ';
        i += 2;
        continue;
      }
      if (n === 'h') {
        visible += '\u00a0';
        i += 2;
        continue;
      }
      if (n === '{' || n === '}') {
        visible += n;
        i += 2;
        continue;
      }
    }
    if (c !== WORD_JOINER) visible += c;
    i++;
  }
  return { visible, overrideBlocks };
}

// ---------------------------------------------------------------------------------------------
// The file.

/** Seconds → ASS time `H:MM:SS.cc`. */
export function assTime(seconds: number): string {
  const cs = Math.max(0, Math.round(seconds * 100));
  const h = Math.floor(cs / 360000);
  const m = Math.floor((cs % 360000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  const c = cs % 100;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(c).padStart(2, '0')}`;
}

/** A style's font name cannot carry a comma (the field separator) or a line break. */
function safeFontName(name: string): string {
  const cleaned = cleanText(name)
    .replace(/[,\n{}\\]/g, ' ')
    .trim();
  return cleaned === '' ? DEFAULT_FONT : cleaned.slice(0, 100);
}

interface StyleLine {
  name: string;
  size: number;
  primary: string;
  outlineColour: string;
  backColour: string;
  bold: boolean;
  borderStyle: 1 | 3;
  outline: number;
  shadow: number;
  alignment: number;
  marginH: number;
  marginV: number;
}

function styleLine(font: string, s: StyleLine): string {
  return [
    `Style: ${s.name}`,
    font,
    String(s.size),
    s.primary,
    s.primary,
    s.outlineColour,
    s.backColour,
    s.bold ? '-1' : '0',
    '0',
    '0',
    '0',
    '100',
    '100',
    '0',
    '0',
    String(s.borderStyle),
    String(s.outline),
    String(s.shadow),
    String(s.alignment),
    String(s.marginH),
    String(s.marginH),
    String(s.marginV),
    '1',
  ].join(',');
}

export interface StyleGeometry {
  captionSize: number;
  titleSize: number;
  marginH: number;
  captionMarginV: number;
  titleMarginV: number;
  labelSize: number;
  labelMarginH: number;
  labelMarginV: number;
}

/** Sizes in pixels of the output frame (PlayRes = the frame). */
export function styleGeometry(width: number, height: number, style: CaptionStyle): StyleGeometry {
  const base = Math.min(width, height * 0.5625);
  const short = Math.min(width, height);
  return {
    captionSize: Math.round(base * (style === 'bold' ? 0.09 : 0.072)),
    titleSize: Math.round(base * 0.068),
    marginH: Math.round(width * 0.06),
    captionMarginV: Math.round(height * 0.16),
    titleMarginV: Math.round(height * 0.07),
    // CJK glyphs fill ~88% of the font size: 6% of the short side keeps the glyphs at ≥ 5% of it
    // (the readability floor for explicit AI labels): 43 px at 720×1280, 65 px at 1920×1080.
    labelSize: Math.max(12, Math.round(short * 0.06)),
    labelMarginH: Math.round(short * 0.04),
    labelMarginV: Math.round(short * 0.05),
  };
}

function captionStyle(style: CaptionStyle, g: StyleGeometry): StyleLine {
  const common = {
    name: 'Caption',
    size: g.captionSize,
    alignment: 2,
    marginH: g.marginH,
    marginV: g.captionMarginV,
  };
  switch (style) {
    case 'clean':
      return {
        ...common,
        primary: '&H00FFFFFF',
        outlineColour: '&H00101010',
        backColour: '&H80000000',
        bold: true,
        borderStyle: 1,
        outline: Math.max(2, Math.round(g.captionSize / 18)),
        shadow: 1,
      };
    case 'bold':
      return {
        ...common,
        primary: '&H00FFFFFF',
        outlineColour: '&H00000000',
        backColour: '&H00000000',
        bold: true,
        borderStyle: 1,
        outline: Math.max(3, Math.round(g.captionSize / 10)),
        shadow: 0,
      };
    case 'boxed':
      return {
        ...common,
        primary: '&H00FFFFFF',
        outlineColour: '&H50000000',
        backColour: '&H50000000',
        bold: true,
        borderStyle: 3,
        outline: Math.round(g.captionSize / 4),
        shadow: 0,
      };
  }
}

export function buildAss(opts: BuildAssOptions): string {
  const { width, height } = opts;
  if (!(Number.isInteger(width) && width > 0 && Number.isInteger(height) && height > 0)) {
    throw new RangeError(`bad frame size ${width}x${height}`);
  }
  const font = safeFontName(opts.fontName ?? DEFAULT_FONT);
  const g = styleGeometry(width, height, opts.style);
  const cap = captionStyle(opts.style, g);
  const title: StyleLine = {
    name: 'Title',
    size: g.titleSize,
    primary: '&H00FFFFFF',
    outlineColour: '&H60000000',
    backColour: '&H60000000',
    bold: true,
    borderStyle: 3,
    outline: Math.round(g.titleSize / 3),
    shadow: 0,
    alignment: 8,
    marginH: g.marginH,
    marginV: g.titleMarginV,
  };
  const label: StyleLine = {
    name: 'Label',
    size: g.labelSize,
    primary: '&H00FFFFFF',
    outlineColour: '&H60000000',
    backColour: '&H60000000',
    bold: true,
    borderStyle: 3,
    outline: Math.max(2, Math.round(g.labelSize / 4)),
    shadow: 0,
    alignment: 1,
    marginH: g.labelMarginH,
    marginV: g.labelMarginV,
  };
  const lineEm = (size: number): number => (width - 2 * g.marginH) / size;
  const events: string[] = [];
  const layer: Record<string, number> = { Caption: 0, Title: 1, Label: 2 };
  const dialogue = (style: string, start: number, end: number, text: string): void => {
    if (text === '' || !(end > start)) return;
    events.push(
      `Dialogue: ${layer[style] ?? 0},${assTime(start)},${assTime(end)},${style},,0,0,0,,${text}`,
    );
  };
  const lastCue = opts.cues.reduce((m, c) => Math.max(m, c.end), 0);
  const until = opts.titleUntil ?? Math.max(3600, lastCue);
  if (opts.title !== null) {
    dialogue(
      'Title',
      0,
      until,
      escapeAssText(opts.title, { maxEm: lineEm(title.size) * 0.95, maxLines: 2 }),
    );
  }
  if (opts.label !== undefined && opts.label !== null) {
    // At most ~85% of the width (the default text fits on one line at 9:16), so the label stays a
    // corner mark and not a banner.
    const maxEm = (width * 0.85 - 2 * label.outline) / label.size;
    dialogue('Label', 0, until, escapeAssText(opts.label, { maxEm, maxLines: 2 }));
  }
  for (const cue of opts.cues) {
    if (!Number.isFinite(cue.start) || !Number.isFinite(cue.end)) continue;
    dialogue(
      'Caption',
      Math.max(0, cue.start),
      cue.end,
      escapeAssText(cue.text, { maxEm: lineEm(cap.size) * 0.95, maxLines: 2 }),
    );
  }
  return [
    '[Script Info]',
    '; LiveSlice captions',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    'WrapStyle: 2',
    'ScaledBorderAndShadow: yes',
    'YCbCr Matrix: TV.709',
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    styleLine(font, cap),
    styleLine(font, title),
    // (Only when used: a file without a label stays as it was.)
    ...(opts.label !== undefined && opts.label !== null ? [styleLine(font, label)] : []),
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...events,
    '',
  ].join('\n');
}
