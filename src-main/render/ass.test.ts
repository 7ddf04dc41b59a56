import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import {
  aiLabelText,
  assTime,
  buildAss,
  cleanText,
  decodeAssText,
  DEFAULT_AI_LABEL,
  ELLIPSIS,
  escapeAssText,
  graphemeWidth,
  styleGeometry,
  wrapText,
} from './ass';

const TEN_KB = 'x'.repeat(10_240);

/** [name, raw text, what must be shown (lines joined with \n)] */
const HOSTILE: Array<[string, string, string]> = [
  ['double and single quotes', `He said "hi" and 'bye'`, `He said "hi" and 'bye'`],
  ['colons', 'Time: 12:30:45', 'Time: 12:30:45'],
  [
    'commas (the Dialogue field separator)',
    'a,b,,c, Caption,,0,0,0,,x',
    'a,b,,c, Caption,,0,0,0,,x',
  ],
  ['semicolons (a comment in ASS)', '; not a comment;x', '; not a comment;x'],
  ['backslashes', 'C:\\path\\to\\file \\\\ end\\', 'C:\\path\\to\\file \\\\ end\\'],
  ['curly brackets', '{a} }{ {{x}}', '{a} }{ {{x}}'],
  ['square brackets (a section header)', '[Events] [Script Info]', '[Events] [Script Info]'],
  ['percent signs', '100% off %d %s %%', '100% off %d %s %%'],
  ['newlines (kept as line breaks)', 'one\ntwo\r\nthree', 'one\ntwo\nthree'],
  ['emoji and CJK', '最后三分钟！😀👨‍👩‍👧 全场五折', '最后三分钟！😀👨‍👩‍👧 全场五折'],
  ['an override block', '{\\b1}bold{\\b0}', '{\\b1}bold{\\b0}'],
  ['a drawing', '{\\p1}m 0 0 l 100 0 100 100{\\p0}', '{\\p1}m 0 0 l 100 0 100 100{\\p0}'],
  ['hiding alpha', '{\\alpha&HFF&}HIDE', '{\\alpha&HFF&}HIDE'],
  ['\\N, \\n and \\h escapes', 'a\\Nb\\nc\\hd', 'a\\Nb\\nc\\hd'],
  ['an escaped brace', '\\{not\\}', '\\{not\\}'],
  ['a backslash before a brace', '\\{\\b1}', '\\{\\b1}'],
  ['an unclosed brace', 'open { never closed', 'open { never closed'],
  [
    'an injected event',
    'x\nDialogue: 0,0:00:00.00,0:00:09.00,Caption,,0,0,0,,{\\fs300}INJECTED',
    'x\nDialogue: 0,0:00:00.00,0:00:09.00,Caption,,0,0,0,,{\\fs300}INJECTED',
  ],
];

describe('escapeAssText', () => {
  it.each(HOSTILE)('%s renders literally', (_name, raw, shown) => {
    const text = escapeAssText(raw, { maxLines: 10 });
    expect(text).not.toMatch(/[\r\n\0]/);
    const decoded = decodeAssText(text);
    expect(decoded.overrideBlocks).toBe(0);
    expect(decoded.visible).toBe(shown);
  });

  it('wraps and truncates a 10 kB line to the caption lines with an ellipsis', () => {
    const text = escapeAssText(TEN_KB, { maxEm: 20, maxLines: 2 });
    const { visible, overrideBlocks } = decodeAssText(text);
    expect(overrideBlocks).toBe(0);
    const lines = visible.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]!.endsWith(ELLIPSIS)).toBe(true);
    for (const l of lines)
      expect([...l].reduce((w, g) => w + graphemeWidth(g), 0)).toBeLessThanOrEqual(20);
  });

  it('wraps CJK (no spaces) and never splits an emoji sequence', () => {
    const family = '👨‍👩‍👧';
    const lines = wrapText(`${'全场五折'.repeat(6)}${family}${family}`, 10, 5);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join('')).toContain(family + family);
    for (const l of lines) expect(l.length).toBeGreaterThan(0);
  });

  it('breaks at spaces when it can', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    const lines = wrapText(text, 6, 10);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.join(' ')).toBe(text);
    for (const l of lines) {
      expect([...l].reduce((w, g) => w + graphemeWidth(g), 0)).toBeLessThanOrEqual(6);
      expect(l).toBe(l.trim());
    }
  });

  it.each([
    ['NUL and bell', 'a\0b\u0007c', 'abc'],
    ['tabs', 'a\tb', 'a b'],
    ['CR, CRLF, LS, PS', 'a\rb\r\nc\u2028d\u2029e', 'a\nb\nc\nd\ne'],
    ['a lone surrogate', 'a\ud800b\udc00c', 'abc'],
    ['bidi overrides and BOM', '\ufeffa\u202eb\u2066c', 'abc'],
    ['an emoji pair stays', '😀', '😀'],
  ])('cleanText: %s', (_n, raw, want) => {
    expect(cleanText(raw)).toBe(want);
  });

  it.each([
    [0, '0:00:00.00'],
    [1.234, '0:00:01.23'],
    [61.995, '0:01:02.00'],
    [3600 + 62.5, '1:01:02.50'],
    [-5, '0:00:00.00'],
  ])('assTime(%s) = %s', (t, s) => {
    expect(assTime(t)).toBe(s);
  });
});

describe('buildAss', () => {
  it('writes one Dialogue line per cue whose Text field is exactly the escaped text', () => {
    const cues = HOSTILE.map(([, raw], i) => ({ start: i, end: i + 1, text: raw }));
    const ass = buildAss({
      width: 720,
      height: 1280,
      cues,
      title: '{\\fs200}Title\nline 2',
      style: 'bold',
    });
    const lines = ass.split('\n');
    const dialogues = lines.filter((l) => l.startsWith('Dialogue:'));
    expect(dialogues).toHaveLength(cues.length + 1);
    // Nothing else looks like an event or a section.
    expect(lines.filter((l) => /^\[/.test(l))).toEqual([
      '[Script Info]',
      '[V4+ Styles]',
      '[Events]',
    ]);
    expect(lines.filter((l) => l.startsWith('Style:'))).toHaveLength(2);
    for (const d of dialogues) {
      const fields = d.slice('Dialogue: '.length).split(',');
      const text = fields.slice(9).join(',');
      expect(decodeAssText(text).overrideBlocks).toBe(0);
    }
    const title = dialogues.find((d) => d.includes(',Title,'))!;
    expect(decodeAssText(title.split(',').slice(9).join(',')).visible).toBe(
      '{\\fs200}Title\nline 2',
    );
  });

  it.each(['clean', 'bold', 'boxed'] as const)(
    'style %s has one caption and one title style',
    (style) => {
      const ass = buildAss({ width: 1080, height: 1920, cues: [], title: null, style });
      expect(ass).toContain('PlayResX: 1080');
      expect(ass).toMatch(/^Style: Caption,/m);
      expect(ass).toMatch(/^Style: Title,/m);
    },
  );

  it('a font name cannot break the style line', () => {
    const ass = buildAss({
      width: 720,
      height: 1280,
      cues: [],
      title: null,
      style: 'clean',
      fontName: 'Evil,Font\n[Events]',
    });
    const style = ass.split('\n').find((l) => l.startsWith('Style: Caption'))!;
    expect(style.split(',')).toHaveLength(23);
    expect(ass.split('\n').filter((l) => l === '[Events]')).toHaveLength(1);
  });

  it('a label: bottom-left, on a semi-opaque box, the top layer, as long as the title', () => {
    const ass = buildAss({
      width: 720,
      height: 1280,
      cues: [{ start: 0, end: 1, text: 'cap' }],
      title: null,
      label: DEFAULT_AI_LABEL,
      titleUntil: 4.5,
      style: 'bold',
    });
    const style = ass
      .split('\n')
      .find((l) => l.startsWith('Style: Label,'))!
      .split(',');
    const g = styleGeometry(720, 1280, 'bold');
    // Fontsize, BackColour, BorderStyle 3 (box), Alignment 1 (bottom-left), MarginL, MarginV.
    expect(Number(style[2])).toBe(g.labelSize);
    expect(style[6]).toBe('&H60000000');
    expect(style[15]).toBe('3');
    expect(style[18]).toBe('1');
    expect(Number(style[19])).toBe(g.labelMarginH);
    expect(Number(style[21])).toBe(g.labelMarginV);
    const label = ass.split('\n').find((l) => l.includes(',Label,'))!;
    expect(label.startsWith('Dialogue: 2,0:00:00.00,0:00:04.50,Label,')).toBe(true);
    expect(decodeAssText(label.split(',').slice(9).join(',')).visible).toBe(DEFAULT_AI_LABEL);
    // No label, no Label style.
    expect(
      buildAss({ width: 720, height: 1280, cues: [], title: null, style: 'clean' }),
    ).not.toContain('Label');
  });

  it.each([
    [720, 1280, 43],
    [1080, 1920, 65],
    [1920, 1080, 65],
    [853, 480, 29],
  ])('at %s×%s the label font is %s px: its glyphs are ≥ 5%% of the short side', (w, h, size) => {
    const g = styleGeometry(w, h, 'clean');
    expect(g.labelSize).toBe(size);
    // CJK glyphs fill ~88% of the font size.
    expect(g.labelSize * 0.88).toBeGreaterThanOrEqual(Math.min(w, h) * 0.05);
  });

  it.each(HOSTILE)('a hostile label (%s) is shown literally', (_name, raw, shown) => {
    const ass = buildAss({
      width: 720,
      height: 1280,
      cues: [],
      title: null,
      label: raw,
      style: 'clean',
    });
    const events = ass.split('\n').filter((l) => l.startsWith('Dialogue:'));
    expect(events).toHaveLength(1);
    const decoded = decodeAssText(events[0]!.split(',').slice(9).join(','));
    expect(decoded.overrideBlocks).toBe(0);
    // The label wraps at 85% of the width and keeps two lines: compare without the breaks.
    const flat = (x: string): string => x.replace(/\s+/g, '');
    const visible = flat(decoded.visible.replace(/…$/, ''));
    expect(flat(shown).startsWith(visible)).toBe(true);
  });

  it.each<[string | null | undefined, string]>([
    [undefined, DEFAULT_AI_LABEL],
    [null, DEFAULT_AI_LABEL],
    ['', DEFAULT_AI_LABEL],
    [' \n\t ', DEFAULT_AI_LABEL],
    ['\u2060\u200b\u3000', DEFAULT_AI_LABEL],
    ['AI合成', 'AI合成'],
    ['{\\b1}', '{\\b1}'],
  ])('aiLabelText(%j) = %j', (text, want) => {
    expect(aiLabelText(text)).toBe(want);
  });

  it('rejects a bad frame size', () => {
    expect(() =>
      buildAss({ width: 0, height: 1280, cues: [], title: null, style: 'clean' }),
    ).toThrow(RangeError);
  });
});

/** Renders one frame of text with libass (the `ass` filter) and measures the lit pixels. */
describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))(
  'libass renders hostile text literally',
  () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'liveslice-ass-'));
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function lit(text: string): { pixels: number; rows: number } {
      writeFileSync(
        path.join(dir, 'c.ass'),
        buildAss({
          width: 720,
          height: 1280,
          cues: [{ start: 0, end: 5, text }],
          title: null,
          style: 'clean',
        }),
      );
      const raw = execFileSync(
        FFMPEG!,
        [
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          'color=c=black:s=720x1280:r=30',
          '-vf',
          'ass=filename=c.ass',
          '-frames:v',
          '1',
          '-pix_fmt',
          'gray',
          '-f',
          'rawvideo',
          '-',
        ],
        { cwd: dir, maxBuffer: 8 << 20 },
      );
      let pixels = 0;
      let top = Infinity;
      let bottom = -1;
      for (let i = 0; i < raw.length; i++) {
        if (raw[i]! > 100) {
          pixels++;
          const y = Math.floor(i / 720);
          top = Math.min(top, y);
          bottom = Math.max(bottom, y);
        }
      }
      return { pixels, rows: bottom < 0 ? 0 : bottom - top + 1 };
    }

    it('an alpha override is shown as text, not applied', () => {
      const hidden = lit('{\\alpha&HFF&}HIDE');
      const plain = lit('HIDE');
      expect(plain.pixels).toBeGreaterThan(500);
      expect(hidden.pixels).toBeGreaterThan(plain.pixels * 2);
    });

    it('\\N in user text is not a line break; a real newline is', () => {
      const oneLine = lit('AB');
      const escaped = lit('A\\NB');
      const twoLines = lit('A\nB');
      expect(Math.abs(escaped.rows - oneLine.rows)).toBeLessThanOrEqual(4);
      expect(twoLines.rows).toBeGreaterThan(oneLine.rows * 1.6);
    });

    it('a 10 kB line renders as at most two lines', () => {
      const one = lit('xxxx');
      const two = lit('xxxx\nxxxx');
      const big = lit(TEN_KB);
      expect(big.rows).toBeGreaterThan(one.rows * 1.5);
      expect(big.rows).toBeLessThanOrEqual(two.rows + 2);
    });

    it('an override tag for a huge font does not change the size', () => {
      const plain = lit('Big');
      const hostile = lit('{\\fs300}Big');
      expect(hostile.rows).toBeLessThanOrEqual(plain.rows + 4);
    });
  },
);
