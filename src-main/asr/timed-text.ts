/**
 * WebVTT and SRT parsing for timed-text input: each cue becomes a final utterance on the media
 * clock. The text is kept as written — only markup tags (<b>, <i>, <v Speaker>, <c.cls>,
 * <00:01.000>, SRT's <font …>) are removed; entities, punctuation and line breaks stay.
 * Malformed input is an error that names the line.
 */
export interface Cue {
  start: number;
  end: number;
  text: string;
  /** 1-based line of the cue's timing line, for messages. */
  line: number;
}

export class TimedTextError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'TimedTextError';
  }
}

const VTT_TIME = /^(?:(\d{1,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/;
const SRT_TIME = /^(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{1,3})$/;
const MAX_CUE_CHARS = 10_000;

function parseTime(raw: string, format: 'vtt' | 'srt'): number | null {
  const m = (format === 'vtt' ? VTT_TIME : SRT_TIME).exec(raw.trim());
  if (!m) return null;
  const h = Number(m[1] ?? 0);
  const ms = Number(m[4]!.padEnd(3, '0'));
  return h * 3600 + Number(m[2]) * 60 + Number(m[3]) + ms / 1000;
}

/** Removes markup tags; keeps everything else as written. */
export function stripTags(text: string): string {
  return text.replace(
    /<\/?(?:[a-z]+(?:\.[\w-]+)*(?:\s[^>]*)?|\d{1,}:\d{2}(?::\d{2})?\.\d{3})>/gi,
    '',
  );
}

export function detectFormat(name: string, text: string): 'vtt' | 'srt' {
  if (/^\uFEFF?WEBVTT(?:[ \t].*)?$/m.test(text.split(/\r?\n/, 1)[0] ?? '')) return 'vtt';
  if (/\.vtt$/i.test(name)) return 'vtt';
  return 'srt';
}

export function parseTimedText(name: string, text: string): Cue[] {
  const format = detectFormat(name, text);
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (format === 'vtt' && !/^WEBVTT(?:[ \t].*)?$/.test(lines[0] ?? '')) {
    throw new TimedTextError(name, 1, 'a WebVTT file must start with "WEBVTT"');
  }
  const cues: Cue[] = [];
  let i = format === 'vtt' ? 1 : 0;
  while (i < lines.length) {
    // Skip blank lines between blocks.
    if (lines[i]!.trim() === '') {
      i++;
      continue;
    }
    const blockStart = i;
    // WebVTT header blocks that are not cues.
    if (format === 'vtt' && /^(NOTE|STYLE|REGION)(\s|$)/.test(lines[i]!)) {
      while (i < lines.length && lines[i]!.trim() !== '') i++;
      continue;
    }
    // An optional identifier line (SRT: the cue number) before the timing line.
    let timingAt = i;
    if (!lines[i]!.includes('-->')) {
      timingAt = i + 1;
      if (timingAt >= lines.length || !lines[timingAt]!.includes('-->')) {
        throw new TimedTextError(
          name,
          blockStart + 1,
          `expected a timing line ("start --> end"), got ${quote(lines[i]!)}`,
        );
      }
    }
    const timing = lines[timingAt]!;
    const [left, rightWithSettings] = timing.split('-->');
    const right = (rightWithSettings ?? '').trim().split(/[ \t]+/)[0] ?? '';
    const start = parseTime(left ?? '', format);
    const end = parseTime(right, format);
    if (start === null || end === null) {
      throw new TimedTextError(name, timingAt + 1, `bad time in timing line ${quote(timing)}`);
    }
    if (end < start) {
      throw new TimedTextError(
        name,
        timingAt + 1,
        `the cue ends (${right}) before it starts (${(left ?? '').trim()})`,
      );
    }
    i = timingAt + 1;
    const body: string[] = [];
    while (i < lines.length && lines[i]!.trim() !== '') {
      if (lines[i]!.includes('-->') && body.length === 0) break;
      body.push(lines[i]!);
      i++;
    }
    const cueText = stripTags(body.join('\n'));
    if (cueText.length > MAX_CUE_CHARS) {
      throw new TimedTextError(
        name,
        timingAt + 1,
        `a cue is longer than ${MAX_CUE_CHARS} characters`,
      );
    }
    if (cueText.trim() !== '') cues.push({ start, end, text: cueText, line: timingAt + 1 });
  }
  return cues.sort((a, b) => a.start - b.start || a.end - b.end);
}

function quote(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}
