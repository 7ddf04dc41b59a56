/** Highlights from `liveslice process`: the built CLI, real ffmpeg, a VTT, marks, chat, config. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, makeClip } from '../testing/media';

const BIN = join(__dirname, 'bin.cjs');
const BUILT = join(__dirname, '..', '..', 'out', 'main', 'cli.js');
let dir: string;
let clip: string;
let vtt: string;

const CUES: Array<[number, number, string]> = [
  [1, 3.5, '大家好，欢迎来到直播间'],
  [4, 6, '今天给大家带来一款新品'],
  [6.5, 8.5, '最后三分钟！抓紧下单'],
  [9, 11, '这个颜色非常好看'],
  [11.5, 13, '我们来看一下细节'],
  [20, 22, 'Last call for this deal, everyone'],
  [22.5, 24.5, 'the quality is really nice'],
  [25, 27, 'thanks for watching'],
];

const stamp = (s: number): string => {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${(s - m * 60).toFixed(3).padStart(6, '0')}`;
};

beforeAll(() => {
  if (!existsSync(BUILT))
    throw new Error(`${BUILT} is missing: run \`npm run build\` before the tests`);
  dir = mkdtempSync(join(tmpdir(), 'liveslice-cli-detect-'));
  if (FFMPEG) clip = makeClip(dir, 'av', { seconds: 30 });
  vtt = join(dir, 'subs.vtt');
  writeFileSync(
    vtt,
    `WEBVTT\n\n${CUES.map(([a, b, t]) => `${stamp(a)} --> ${stamp(b)}\n${t}\n`).join('\n')}`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', join(dir, 'data')], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Line {
  id: string;
  start: number;
  end: number;
  score: number;
  reasons: string[];
  text: string;
}
const readLines = (file: string): Line[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Line);

describe('liveslice process: detection inputs are checked before anything runs', () => {
  it.each([
    [
      'a lexicon with a duplicate entry',
      'lexicon',
      JSON.stringify({
        version: 1,
        entries: [
          { id: 'last', pattern: '最后三分钟', category: 'urgency', weight: 0.9, lang: 'zh' },
          { id: 'last', pattern: '全场五折', category: 'price', weight: 0.9, lang: 'zh' },
        ],
      }),
      /last/,
    ],
    ['a config with an impossible setting', 'config', '{"detect": {"minScore": 2}}', /minScore/],
    ['a malformed chat file', 'chat', '{"at": 1, "text": "a"}\n{oops\n', /line 2/],
    ['a malformed marks file', 'marks', '12\nlater\n', /line 2/],
  ])('%s → exit 3, one line', (_what, flag, content, pattern) => {
    const file = join(dir, `bad-${flag}.txt`);
    writeFileSync(file, content);
    const r = cli(['process', vtt, '--out', join(dir, 'o'), `--${flag}`, file]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toContain(file);
  });
});

(FFMPEG ? describe : describe.skip)('liveslice process: highlights', () => {
  it('writes one highlights.jsonl line per trigger moment, windows on sentence boundaries', () => {
    const out = join(dir, 'out-detect');
    const r = cli(['process', clip, '--out', out, '--transcript', vtt]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readLines(join(out, 'highlights.jsonl'));
    expect(lines).toHaveLength(2);
    const [zh, en] = lines as [Line, Line];
    expect(zh.reasons.join(' ')).toMatch(/最后(三|3)分钟/);
    expect(en.reasons.join(' ').toLowerCase()).toContain('last call');
    // Each window holds its trigger sentence and starts/ends on a cue boundary.
    const starts = CUES.map((c) => c[0]);
    const ends = CUES.map((c) => c[1]);
    for (const [h, trig] of [
      [zh, CUES[2]!],
      [en, CUES[5]!],
    ] as const) {
      expect(h.start).toBeLessThanOrEqual(trig[0]);
      expect(h.end).toBeGreaterThanOrEqual(trig[1]);
      // A sentence start, or a point in a pause before the trigger (the minimum pre-roll).
      const startInPause = !CUES.some(([a, b]) => a < h.start && h.start < b);
      expect(starts.includes(h.start) || startInPause, `start ${h.start}`).toBe(true);
      // A sentence end, or a point in a pause (the minimum post-roll falling between sentences).
      const inPause = !CUES.some(([a, b]) => a < h.end && h.end < b);
      expect(ends.includes(h.end) || inPause, `end ${h.end}`).toBe(true);
      expect(h.score).toBeGreaterThan(0);
      expect(h.score).toBeLessThanOrEqual(1);
      expect(h.id).toMatch(/^[A-Za-z0-9_-]+-h\d+$/);
    }
    expect(zh.text).toContain('最后三分钟');
    expect(new Set(lines.map((l) => l.id)).size).toBe(2);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.highlights).toHaveLength(2);
    for (const h of report.highlights) expect(h.delay_ms).toBeLessThanOrEqual(300);
  });

  it('turns --marks into manual highlights', () => {
    const marks = join(dir, 'marks.txt');
    writeFileSync(marks, '# operator marks\n0:16 reveal\n');
    const out = join(dir, 'out-marks');
    const r = cli(['process', clip, '--out', out, '--transcript', vtt, '--marks', marks]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readLines(join(out, 'highlights.jsonl'));
    const manual = lines.find((l) => l.reasons.some((x) => /mark/i.test(x)));
    expect(manual, JSON.stringify(lines)).toBeDefined();
    expect(manual!.start).toBeLessThanOrEqual(16);
    expect(manual!.end).toBeGreaterThanOrEqual(16);
    expect(manual!.score).toBe(1);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.marks).toBe(1);
  });

  it('turns a --chat burst into a reason on the highlight it happens in', () => {
    const chat = join(dir, 'chat.jsonl');
    const msgs = [
      ...Array.from({ length: 4 }, (_, i) => ({ at: 2 + i * 4, text: 'hi' })),
      ...Array.from({ length: 30 }, (_, i) => ({ at: 20 + i * 0.1, text: '666 买爆了' })),
    ];
    writeFileSync(chat, msgs.map((m) => JSON.stringify(m)).join('\n'));
    const out = join(dir, 'out-chat');
    const r = cli(['process', clip, '--out', out, '--transcript', vtt, '--chat', chat]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readLines(join(out, 'highlights.jsonl'));
    const en = lines.find((l) => /last call/i.test(l.reasons.join(' ')));
    expect(en, JSON.stringify(lines)).toBeDefined();
    expect(en!.reasons.some((x) => /chat spike/.test(x))).toBe(true);
    // The quiet chat before it adds nothing to the first moment.
    const zh = lines.find((l) => /最后/.test(l.reasons.join(' ')));
    expect(zh!.reasons.some((x) => /chat/.test(x))).toBe(false);
  });

  it('uses --lexicon instead of the built-in one', () => {
    const lexicon = join(dir, 'lexicon.json');
    writeFileSync(
      lexicon,
      JSON.stringify({
        version: 1,
        entries: [{ id: 'colour', pattern: '颜色', category: 'demo', weight: 0.9, lang: 'zh' }],
      }),
    );
    const out = join(dir, 'out-lexicon');
    const r = cli(['process', clip, '--out', out, '--transcript', vtt, '--lexicon', lexicon]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readLines(join(out, 'highlights.jsonl'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text).toContain('颜色');
  });
});
