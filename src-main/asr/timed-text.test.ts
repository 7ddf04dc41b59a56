import { describe, expect, it } from 'vitest';
import { normalizeForMatch } from './normalize';
import { parseTimedText, stripTags, TimedTextError } from './timed-text';

const VTT = `WEBVTT - a stream replay

NOTE this is a comment
that spans lines

1
00:00:01.000 --> 00:00:03.500 align:start position:10%
<v Host>最后三分钟！</v> <b>全场五折</b>

00:04.250 --> 00:06.000
Wow! 这个价格太炸裂了!
second line &amp; more
`;

const SRT = `1\r
00:00:10,000 --> 00:00:12,000\r
<i>Only 3 left</i>\r
\r
2\r
00:00:12,500 --> 00:00:14,000\r
點擊下方連結\r
`;

describe('parseTimedText', () => {
  it('parses WebVTT: ids, settings, NOTE blocks, short times, tags removed, text otherwise as written', () => {
    expect(parseTimedText('a.vtt', VTT)).toEqual([
      { start: 1, end: 3.5, text: '最后三分钟！ 全场五折', line: 7 },
      { start: 4.25, end: 6, text: 'Wow! 这个价格太炸裂了!\nsecond line &amp; more', line: 10 },
    ]);
  });

  it('parses SRT with CRLF and comma milliseconds', () => {
    expect(parseTimedText('a.srt', SRT)).toEqual([
      { start: 10, end: 12, text: 'Only 3 left', line: 2 },
      { start: 12.5, end: 14, text: '點擊下方連結', line: 6 },
    ]);
  });

  it.each([
    ['a.vtt', 'WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nhi\n', 3, /ends .* before it starts/],
    ['a.vtt', 'WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nhi\n', 3, /expected a timing line/],
    ['a.vtt', 'WEBVTT\n\n00:00:1.000 --> 00:00:02.000\nhi\n', 3, /bad time/],
    [
      'a.srt',
      '1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:03,000 --> banana\nx\n',
      6,
      /bad time/,
    ],
    ['a.vtt', 'not a vtt\n', 1, /must start with "WEBVTT"/],
  ])('%s with a broken line names line %i', (name, text, line, msg) => {
    try {
      parseTimedText(name, text);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(TimedTextError);
      expect((err as TimedTextError).line).toBe(line);
      expect((err as Error).message).toMatch(msg);
      expect((err as Error).message).toMatch(new RegExp(`^${name.replace('.', '\\.')}:${line}: `));
    }
  });

  it('keeps hostile text as data: only tags go, nothing is interpreted', () => {
    const cues = parseTimedText(
      'x.vtt',
      'WEBVTT\n\n00:00.000 --> 00:01.000\n<script>alert(1)</script>${host} {\\an8} %s\u202e\n',
    );
    expect(cues[0]!.text).toBe('alert(1)${host} {\\an8} %s\u202e');
  });

  it('strips VTT timestamps and classes inside cues', () => {
    expect(stripTags('a <00:00:01.500>b <c.red.big>c</c> <lang zh>d</lang> 1 < 2')).toBe(
      'a b c d 1 < 2',
    );
  });
});

describe('normalizeForMatch', () => {
  it.each([
    ['全场五折！', '全场五折'],
    ['ＷＯＷ！ 50％ OFF', 'wow50off'],
    ['點擊下方連結', '点击下方链接'],
    ['最後 三 分鐘', '最后三分钟'],
    ['Last   Call...', 'lastcall'],
  ])('%s → %s', (input, expected) => expect(normalizeForMatch(input)).toBe(expected));

  it('can keep traditional characters', () => {
    expect(normalizeForMatch('點擊', { simplified: false })).toBe('點擊');
  });
});
