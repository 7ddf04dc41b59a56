import { describe, expect, it } from 'vitest';
import { decodeAssText } from '../ass';
import { assColour, buildCardAss, capGraphemes, type CardTextBox, cardText } from './card-ass';

const box = (text: string, over: Partial<CardTextBox> = {}): CardTextBox => ({
  x: 40,
  y: 900,
  w: 640,
  size: 40,
  color: '#ffffff',
  align: 'center',
  bold: true,
  text,
  maxChars: 200,
  maxLines: 3,
  fadeInMs: 250,
  ...over,
});

/** The Text field of each Dialogue line of a file. */
function texts(ass: string): string[] {
  return ass
    .split('\n')
    .filter((l) => l.startsWith('Dialogue:'))
    .map((l) => l.split(',').slice(9).join(','));
}

describe('card text', () => {
  // [input, what libass shows (\n = a line break)]
  const literal: Array<[string, string]> = [
    ['{\\b1}bold?', '{\\b1}bold?'],
    ['{\\fs200}{\\pos(0,0)}Big', '{\\fs200}{\\pos(0,0)}Big'],
    ['a\\Nb \\n \\h', 'a\\Nb \\n \\h'],
    ['"quoted" \'single\' : colon; semi, comma', '"quoted" \'single\' : colon; semi, comma'],
    ['100% off %{pts} %d', '100% off %{pts} %d'],
    ['[brackets] \\{not\\}', '[brackets] \\{not\\}'],
    ['emoji 🔥👍🏽 ok', 'emoji 🔥👍🏽 ok'],
    ['限时特价 ¥99', '限时特价 ¥99'],
    ['line one\nline two', 'line one\nline two'],
    ['ctrl\u0000\u0007\u001b[31m gone', 'ctrl[31m gone'],
  ];
  it.each(literal)('%j shows literally', (input, shown) => {
    const t = cardText(input, { maxChars: 200, maxLines: 3, maxEm: 100 });
    const d = decodeAssText(t);
    expect(d.overrideBlocks).toBe(0);
    expect(d.visible).toBe(shown);
  });

  it('a Dialogue line can never be split or multiplied by the text', () => {
    const hostile =
      'x\r\nDialogue: 0,0:00:00.00,9:00:00.00,T0,,0,0,0,,{\\fs500}PWNED\n[Events]\u2028y';
    const ass = buildCardAss({
      width: 720,
      height: 1280,
      font: 'Sans',
      durationS: 3,
      boxes: [box(hostile), box('ok')],
    });
    const t = texts(ass);
    expect(t).toHaveLength(2);
    // Only our own fade block is an override block.
    expect(decodeAssText(t[0]!).overrideBlocks).toBe(1);
    expect(ass.match(/^\[Events\]$/gm)).toHaveLength(1);
  });

  it('caps a 10 kB name to maxChars graphemes and maxLines lines', () => {
    const name = '超长商品名🔥'.repeat(2000); // 12 000 graphemes
    const t = cardText(name, { maxChars: 40, maxLines: 3, maxEm: 14 });
    const shown = decodeAssText(t).visible;
    const lines = shown.split('\n');
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(shown.endsWith('…')).toBe(true);
    const graphemes = Array.from(new Intl.Segmenter().segment(shown.replace(/\n/g, '')));
    expect(graphemes.length).toBeLessThanOrEqual(40);
    // No emoji was cut in half.
    expect(/[\ud800-\udbff](?![\udc00-\udfff])/.test(t)).toBe(false);
  });

  it('wraps CJK text that has no spaces to the box width', () => {
    const t = cardText('一二三四五六七八九十一二三四五六七八九十', {
      maxChars: 60,
      maxLines: 3,
      maxEm: 8,
    });
    const lines = decodeAssText(t).visible.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(Array.from(l).length).toBeLessThanOrEqual(8);
  });

  it.each([
    ['abc', 5, 'abc'],
    ['abcdef', 3, 'ab…'],
    ['👍🏽👍🏽👍🏽', 2, '👍🏽…'],
    ['', 3, ''],
  ])('capGraphemes(%j, %d) = %j', (input, n, out) => {
    expect(capGraphemes(input, n)).toBe(out);
  });

  it('text that is only whitespace or controls draws nothing', () => {
    expect(cardText(' \n\t\u0000 ', { maxChars: 10, maxLines: 2, maxEm: 10 })).toBe('');
    const ass = buildCardAss({
      width: 720,
      height: 1280,
      font: 'Sans',
      durationS: 3,
      boxes: [box('  ')],
    });
    expect(texts(ass)).toEqual([]);
  });
});

describe('card file', () => {
  it('places each box by its margins and alignment', () => {
    const ass = buildCardAss({
      width: 720,
      height: 1280,
      font: 'Sans',
      durationS: 2.5,
      boxes: [box('Name', { x: 100, w: 500, y: 860, align: 'left', color: '#ff8000', size: 48 })],
    });
    expect(ass).toContain('PlayResX: 720\nPlayResY: 1280');
    expect(ass).toMatch(/^Style: T0,Sans,48,&H000080FF,&H000080FF,.*,7,0,0,0,1$/m);
    expect(texts(ass)).toEqual(['{\\fad(250,0)}Name']);
    expect(ass).toMatch(/^Dialogue: 0,0:00:00\.00,0:00:03\.50,T0,,100,120,860,,/m);
  });

  it('refuses a font name that could break the Style line', () => {
    expect(() =>
      buildCardAss({ width: 720, height: 1280, font: 'A,B', durationS: 1, boxes: [] }),
    ).toThrow(/unsafe font/);
  });

  it.each([
    ['#000000', '&H00000000'],
    ['#1a2b3c', '&H003C2B1A'],
  ])('assColour(%s) = %s', (hex, ass) => {
    expect(assColour(hex)).toBe(ass);
  });
});
