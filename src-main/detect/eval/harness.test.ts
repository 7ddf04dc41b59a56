import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../../testing/media';
import { missing } from '../../testing/skip';
import { DEFAULT_LEXICON, presetSettings } from '../index';
import { runEvalCli } from './cli';
import {
  CaseError,
  type EvalCase,
  type EvalReport,
  evaluateDir,
  jsonErrorOffset,
  listCases,
  loadCase,
  parseChat,
  parseLabels,
  parseMarks,
  parseTranscript,
  replayCase,
  replayEvents,
} from './harness';
import { canMatch, counts, delayStats, iou, matchWindows, overlapS, type Window } from './metrics';

const SET = resolve(__dirname, '..', '..', '..', 'e2e', 'fixtures', 'detect');
const w = (start: number, end: number): Window => ({ start, end });

describe('iou / overlap / canMatch', () => {
  it.each([
    // a, b, overlap, iou, canMatch(a as prediction, b as label)
    [w(0, 10), w(0, 10), 10, 1, true],
    [w(0, 10), w(5, 15), 5, 1 / 3, true],
    [w(0, 10), w(10, 20), 0, 0, false], // touching is not overlapping
    [w(0, 10), w(20, 30), 0, 0, false],
    [w(0, 4), w(3, 13), 1, 1 / 13, false], // IoU 0.08, covers 10 % of the label
    [w(0, 100), w(40, 50), 10, 0.1, true], // low IoU, but covers the whole label
    [w(0, 14), w(10, 20), 4, 0.2, false], // IoU 0.2, covers 40 % of the label
    [w(0, 15), w(10, 20), 5, 0.25, true], // covers exactly 50 % of the label
  ])('%j vs %j', (a, b, ov, i, ok) => {
    expect(overlapS(a, b)).toBeCloseTo(ov, 9);
    expect(iou(a, b)).toBeCloseTo(i, 9);
    expect(iou(b, a)).toBeCloseTo(i, 9);
    expect(canMatch(a, b)).toBe(ok);
  });
});

describe('matchWindows', () => {
  it.each<{
    name: string;
    preds: Window[];
    labels: Window[];
    pairs: Array<[pred: number, label: number]>;
    fp: number[];
    fn: number[];
  }>([
    { name: 'nothing', preds: [], labels: [], pairs: [], fp: [], fn: [] },
    { name: 'only predictions', preds: [w(0, 5)], labels: [], pairs: [], fp: [0], fn: [] },
    { name: 'only labels', preds: [], labels: [w(0, 5)], pairs: [], fp: [], fn: [0] },
    {
      name: 'one to one in order',
      preds: [w(0, 10), w(30, 40)],
      labels: [w(1, 11), w(29, 41)],
      pairs: [
        [0, 0],
        [1, 1],
      ],
      fp: [],
      fn: [],
    },
    {
      // A merged prediction over two overlapping labels matches one of them (the better IoU),
      // the other label is a miss.
      name: 'merged prediction over two labels',
      preds: [w(8, 29)],
      labels: [w(8, 20), w(17, 29)],
      pairs: [[0, 0]],
      fp: [],
      fn: [1],
    },
    {
      // Two predictions for one label: the better one matches, the other is a false positive.
      name: 'duplicate predictions',
      preds: [w(0, 6), w(1, 11)],
      labels: [w(0, 10)],
      pairs: [[1, 0]],
      fp: [0],
      fn: [],
    },
    {
      // Greedy by IoU, not by order: pred 0 fits label 1 better than label 0, so label 0 goes
      // to pred 1.
      name: 'greedy by IoU',
      preds: [w(5, 15), w(0, 9)],
      labels: [w(0, 10), w(5, 16)],
      pairs: [
        [1, 0],
        [0, 1],
      ],
      fp: [],
      fn: [],
    },
    {
      name: 'too little overlap',
      preds: [w(0, 10)],
      labels: [w(8, 20)],
      pairs: [],
      fp: [0],
      fn: [0],
    },
  ])('$name', ({ preds, labels, pairs, fp, fn }) => {
    const m = matchWindows(preds, labels);
    expect(m.pairs.map((p) => [p.pred, p.label])).toEqual([...pairs].sort((a, b) => a[1] - b[1]));
    expect(m.unmatchedPreds).toEqual(fp);
    expect(m.unmatchedLabels).toEqual(fn);
  });

  it('reports the start and end error of each pair', () => {
    const m = matchWindows([w(2, 13)], [w(0, 10)]);
    expect(m.pairs).toHaveLength(1);
    expect(m.pairs[0]!.startErrorS).toBeCloseTo(2, 9);
    expect(m.pairs[0]!.endErrorS).toBeCloseTo(3, 9);
  });
});

describe('counts', () => {
  it.each([
    // labels, predicted, pair errors [start, end], precision, recall, boundary error
    [10, 10, [[0, 0]], 0.1, 0.1, 0],
    [
      4,
      5,
      [
        [1, 3],
        [0, 2],
        [2, 2],
        [1, 1],
      ],
      0.8,
      1,
      1.5,
    ],
    [5, 0, [], null, 0, null],
    [0, 3, [], 0, null, null],
    [0, 0, [], null, null, null],
    [2, 1, [[0.5, 0.25]], 1, 0.5, 0.375],
  ] as Array<
    [number, number, Array<[number, number]>, number | null, number | null, number | null]
  >)(
    'labels %i, predicted %i, pairs %j',
    (labels, predicted, errs, precision, recall, boundary) => {
      const pairs = errs.map(([s, e], i) => ({
        pred: i,
        label: i,
        iou: 1,
        startErrorS: s,
        endErrorS: e,
      }));
      const c = counts(labels, predicted, pairs);
      expect(c.tp).toBe(errs.length);
      expect(c.fp).toBe(predicted - errs.length);
      expect(c.fn).toBe(labels - errs.length);
      expect(c.precision).toBe(precision);
      expect(c.recall).toBe(recall);
      if (boundary === null) expect(c.meanBoundaryErrorS).toBeNull();
      else expect(c.meanBoundaryErrorS).toBeCloseTo(boundary, 9);
    },
  );

  it('delay percentiles interpolate; none → nulls', () => {
    expect(delayStats([])).toEqual({ n: 0, p50: null, p95: null, max: null });
    const d = delayStats(Array.from({ length: 101 }, (_, i) => i)); // 0..100 ms
    expect(d).toEqual({ n: 101, p50: 50, p95: 95, max: 100 });
    expect(delayStats([0.2, 0.1, 400]).p50).toBeCloseTo(0.2, 9);
  });
});

describe('case files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-detect-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('parses labels and rejects bad ones naming the file (and the line of a JSON error)', () => {
    expect(
      parseLabels('a.labels.json', '{"highlights":[{"start":1,"end":2.5,"note":"x"}]}'),
    ).toEqual({ highlights: [{ start: 1, end: 2.5, note: 'x' }], notes: null });
    expect(parseLabels('a.labels.json', '{"highlights":[],"notes":"none"}').notes).toBe('none');
    const bad: Array<[string, RegExp]> = [
      ['{"highlights":[\n{"start":1,\n"end":}]}', /^a\.labels\.json:3: not valid JSON/],
      ['[]', /^a\.labels\.json: expected an object with a "highlights" array/],
      ['{"highlights":[{"start":3,"end":2}]}', /highlights\[0\]: end \(2\) ≤ start \(3\)/],
      ['{"highlights":[{"start":-1,"end":2}]}', /highlights\[0\]: start and end must be/],
      ['{"highlights":[{"start":1,"end":2,"note":5}]}', /note must be a string/],
    ];
    for (const [text, re] of bad) {
      expect(() => parseLabels('a.labels.json', text)).toThrow(re);
    }
  });

  it.each([
    ['{"a":1}', null],
    ['[1, "x\\n", true, null, -2.5e3, {"b": []}]', null],
    ['{"a":}', 5],
    ['{"a":1,}', 7],
    ['{\n"a": [1,\n2,,3]}', 13],
    ['{"a": tru}', 6],
    ['"abc', 4],
    ['{} x', 3],
    ['', 0],
  ])('jsonErrorOffset(%j) = %j', (text, at) => {
    expect(jsonErrorOffset(text)).toBe(at);
    if (at === null) expect(() => JSON.parse(text) as unknown).not.toThrow();
    else expect(() => JSON.parse(text) as unknown).toThrow();
  });

  it("parses marks and chat with the app's parsers; a bad chat line is named by number", () => {
    expect(parseMarks('m.json', '[{"at":7.5,"note":"n"},{"at":3}]')).toEqual([
      { at: 3, source: 'file' },
      { at: 7.5, source: 'file', note: 'n' },
    ]);
    expect(() => parseMarks('m.json', '[{"t":3}]')).toThrow(CaseError);
    expect(() => parseMarks('m.json', '[{"t":3}]')).toThrow(/^m\.json: entry 1: "at" must be/);
    expect(parseChat('c.jsonl', '{"at":5,"text":"b"}\n\n{"at":2,"text":"a","user":"u"}\n')).toEqual(
      [
        { at: 2, text: 'a', user: 'u' },
        { at: 5, text: 'b' },
      ],
    );
    let err: unknown;
    try {
      parseChat('c.jsonl', '{"at":1,"text":"a"}\nnope\n');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaseError);
    expect((err as CaseError).line).toBe(2);
    expect((err as CaseError).message).toMatch(/^c\.jsonl:2: not a JSON object/);
  });

  it('reads a VTT as final utterances; a malformed one names the file and line', () => {
    const utts = parseTranscript(
      'x.vtt',
      'WEBVTT\n\n00:00:01.000 --> 00:00:03.500\n最后三分钟\n了\n\n00:00:04.000 --> 00:00:05.000\n<v Host>ok</v>\n',
    );
    expect(utts).toEqual([
      { seq: 0, start: 1, end: 3.5, text: '最后三分钟 了' },
      { seq: 1, start: 4, end: 5, text: 'ok' },
    ]);
    let err: unknown;
    try {
      parseTranscript(
        'x.vtt',
        'WEBVTT\n\n00:00:01.000 --> 00:00:03.500\nfine\n\n00:00:0x --> 1\nbad\n',
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CaseError);
    expect((err as CaseError).line).toBe(6);
    expect((err as CaseError).message).toMatch(/^x\.vtt:6: bad time/);
  });

  it('lists cases and refuses half a case', async () => {
    writeFileSync(join(dir, 'a.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhi\n');
    writeFileSync(join(dir, 'a.labels.json'), '{"highlights":[]}');
    writeFileSync(join(dir, 'a.marks.json'), '[{"at":1.5}]');
    writeFileSync(join(dir, 'README.md'), '# not a case');
    const cases = listCases(dir);
    expect(cases).toEqual([
      {
        name: 'a',
        vtt: join(dir, 'a.vtt'),
        labels: join(dir, 'a.labels.json'),
        media: null,
        marks: join(dir, 'a.marks.json'),
        chat: null,
      },
    ]);
    const c = await loadCase(cases[0]!, { ffmpeg: null });
    expect(c.marks).toEqual([{ at: 1.5, source: 'file' }]);
    expect(c.durationS).toBe(2);

    writeFileSync(join(dir, 'b.vtt'), 'WEBVTT\n');
    expect(() => listCases(dir)).toThrow(/b\.vtt: no b\.labels\.json for this case/);
    rmSync(join(dir, 'b.vtt'));
    writeFileSync(join(dir, 'c.labels.json'), '{"highlights":[]}');
    expect(() => listCases(dir)).toThrow(/c\.labels\.json: no c\.vtt for this case/);
  });

  it('orders replay events on the media clock: ticks, loudness, utterances, chat, marks', () => {
    const c: EvalCase = {
      name: 't',
      utterances: [{ seq: 0, start: 0.5, end: 2, text: 'a' }],
      labels: [],
      frames: Array.from({ length: 15 }, (_, i) => ({ t: i / 10, rms: -30, peak: -20 })),
      marks: [{ at: 2, source: 'file' }],
      chat: [{ at: 2, text: 'x' }],
      durationS: 2,
      media: null,
    };
    expect(replayEvents(c).map((e) => `${e.kind}@${e.t}`)).toEqual([
      'advance@1',
      'loudness@1',
      'loudness@1.5',
      'advance@2',
      'utterance@2',
      'chat@2',
      'mark@2',
      'advance@3',
    ]);
  });
});

describe('replay with the detector', () => {
  it('a trigger utterance is emitted inside its own utterance() call; the delay is measured', () => {
    const c: EvalCase = {
      name: 'tiny',
      utterances: [
        { seq: 0, start: 0.5, end: 3.5, text: '大家晚上好，欢迎来到我们的直播间' },
        { seq: 1, start: 4, end: 6, text: '最后三分钟了，大家抓紧时间' },
        { seq: 2, start: 6.5, end: 10, text: '我们先看一下评论区的问题' },
      ],
      labels: [{ start: 0.5, end: 10 }],
      frames: [],
      marks: [],
      chat: [],
      durationS: 10,
      media: null,
    };
    let clock = 0;
    const r = replayCase(c, {
      settings: presetSettings('e-commerce'),
      lexicon: DEFAULT_LEXICON,
      now: () => (clock += 1), // every reading of the clock is 1 ms later
    });
    expect(r.highlights).toHaveLength(1);
    expect(r.created).toHaveLength(1);
    expect(r.created[0]!.during).toBe('utterance');
    expect(r.created[0]!.mediaTime).toBe(6);
    // Only the readings inside the utterance() call count: a few ms on this fake clock.
    expect(r.created[0]!.delayMs).toBeGreaterThan(0);
    expect(r.created[0]!.delayMs).toBeLessThan(50);
  });
});

describe('command line', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  const io = { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'eval-detect-cli-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [[], /give exactly one case directory/],
    [['/nonexistent/dir'], /is not a directory/],
    [['.', '--preset', 'nope'], /unknown preset "nope"/],
    [['.', '--bogus'], /Unknown option '--bogus'/],
  ])('bad arguments %j → exit 2 with one line', async (args, re) => {
    expect(await runEvalCli(args, io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(re);
    expect(err[0]!.trimEnd().split('\n')).toHaveLength(1);
  });

  it('an empty directory is a bad argument; a malformed case → exit 3 naming file and line', async () => {
    expect(await runEvalCli([dir], io)).toBe(2);
    expect(err[0]).toMatch(/no cases/);
    err = [];
    writeFileSync(join(dir, 'x.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nbackwards\n');
    writeFileSync(join(dir, 'x.labels.json'), '{"highlights":[]}');
    expect(await runEvalCli([dir], io)).toBe(3);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`${join(dir, 'x.vtt')}:3: the cue ends`);
  });

  it('prints one JSON report and writes it with --json', async () => {
    writeFileSync(
      join(dir, 'x.vtt'),
      'WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n今天我们主要给大家介绍几款秋冬的新品\n',
    );
    writeFileSync(join(dir, 'x.labels.json'), '{"highlights":[]}');
    const file = join(dir, 'report.json');
    expect(await runEvalCli([dir, '--json', file], io)).toBe(0);
    const report = JSON.parse(out.join('')) as EvalReport;
    expect(report).toMatchObject({ preset: 'e-commerce', cases: 1, labels: 0, predicted: 0 });
    expect(report.perCase[0]!.name).toBe('x');
  });
});

describe.skipIf(missing(FFMPEG ? null : NO_FFMPEG))('the labeled set (e2e/fixtures/detect)', () => {
  it('meets the bar with the e-commerce preset', { timeout: 120_000 }, async () => {
    const report = await evaluateDir(SET, {
      preset: 'e-commerce',
      settings: presetSettings('e-commerce'),
      lexicon: DEFAULT_LEXICON,
      ffmpeg: FFMPEG,
    });
    // The set's own promises (README): ≥ 40 labels, several cases with audio.
    expect(report.labels).toBeGreaterThanOrEqual(40);
    expect(report.perCase.filter((c) => c.media).length).toBeGreaterThanOrEqual(5);
    const failures = report.perCase
      .filter((c) => c.fp > 0 || c.fn > 0)
      .map((c) => ({ case: c.name, falsePositives: c.falsePositives, missed: c.missed }));
    const summary = JSON.stringify(
      {
        precision: report.precision,
        recall: report.recall,
        delay: report.detectionDelayMs,
        failures,
      },
      null,
      1,
    );
    expect(report.precision, summary).toBeGreaterThanOrEqual(0.9);
    expect(report.recall, summary).toBeGreaterThanOrEqual(0.9);
    expect(report.detectionDelayMs.n).toBeGreaterThan(0);
    // The harness feeds the detector what the case holds: loudness from the audio (the cheer
    // after 买爆了 adds excitement to that highlight), chat (the burst adds a chat reason), marks.
    const kinds = (name: string) =>
      report.perCase
        .find((c) => c.name === name)!
        .matched.flatMap((m) => m.reasons.map((r) => r.kind));
    expect(kinds('loud-cheer')).toContain('excitement');
    expect(kinds('chat-spike')).toContain('chat');
    expect(kinds('manual-marks')).toContain('mark');
    expect(report.detectionDelayMs.p95, summary).toBeLessThanOrEqual(300);
  });
});
