/**
 * The highlight-detection evaluation harness (issue 5): loads a directory of labeled cases,
 * replays each through a live `Detector` in media-time order, matches its highlights to the
 * labels and computes precision, recall, boundary error and detection delay.
 *
 * A case `<name>` in the directory is `<name>.vtt` (required: the transcript, each cue a final
 * utterance), `<name>.labels.json` (required: `{ "highlights": [{ "start", "end", "note"? }],
 * "notes"? }`), and optionally one media file `<name>.(wav|mp4|mkv|flac)` (decoded with ffmpeg to
 * 16 kHz mono for 100 ms loudness frames), `<name>.marks.json` (`[{ "at": s, "note"? }]`) and
 * `<name>.chat.jsonl` (one `{ "at": s, "text": "…", "user"? }` per line).
 *
 * Everything but `loadCase` (files, ffmpeg) is pure: replay takes an injected clock, matching and
 * metrics are plain functions of their inputs.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseTimedText, TimedTextError } from '../../asr/timed-text';
import { startProcess } from '../../ffmpeg/run';
import { LoudnessMeter } from '../../ingest/loudness';
import {
  InputFileError,
  parseChat as parseChatFile,
  parseMarks as parseMarksFile,
} from '../inputs';
import {
  type ChatMsg,
  type DetectSettings,
  Detector,
  type Highlight,
  type Lexicon,
  type LoudFrame,
  type Mark,
  type Reason,
  type Utt,
} from '../index';
import {
  type Counts,
  counts,
  type DelayStats,
  delayStats,
  matchWindows,
  round,
  type Window,
} from './metrics';

export type { Window } from './metrics';

// ---------------------------------------------------------------------------------------------
// Cases on disk.

export const MEDIA_EXTENSIONS = ['wav', 'mp4', 'mkv', 'flac'] as const;

/** A case file that cannot be read or parsed; the message names the file (and line when known). */
export class CaseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    reason: string,
  ) {
    super(`${line === null ? file : `${file}:${line}`}: ${reason}`);
    this.name = 'CaseError';
  }
}

export interface CaseFiles {
  name: string;
  vtt: string;
  labels: string;
  media: string | null;
  marks: string | null;
  chat: string | null;
}

export interface LabelWindow extends Window {
  note?: string;
}

export interface EvalCase {
  name: string;
  utterances: Utt[];
  labels: LabelWindow[];
  /** 100 ms loudness frames of the media file; empty without one. */
  frames: LoudFrame[];
  marks: Mark[];
  chat: ChatMsg[];
  /** Media time of the last event (cue end, frame, mark, chat message). */
  durationS: number;
  media: string | null;
}

const SUFFIXES = [
  '.vtt',
  '.labels.json',
  '.marks.json',
  '.chat.jsonl',
  ...MEDIA_EXTENSIONS.map((e) => `.${e}`),
];

/** The cases in `dir`, by name. Throws CaseError for a case file whose `.vtt` or labels are missing. */
export function listCases(dir: string): CaseFiles[] {
  const names = readdirSync(dir).filter((f) => statSync(join(dir, f)).isFile());
  const byName = new Map<string, Set<string>>();
  for (const f of names) {
    const suffix = SUFFIXES.find((s) => f.endsWith(s) && f.length > s.length);
    if (suffix === undefined) continue; // README.md, generator leftovers, …
    const name = f.slice(0, -suffix.length);
    if (!byName.has(name)) byName.set(name, new Set());
    byName.get(name)!.add(suffix);
  }
  const cases: CaseFiles[] = [];
  for (const [name, suffixes] of [...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const path = (s: string) => join(dir, `${name}${s}`);
    const anyFile = path([...suffixes][0]!);
    if (!suffixes.has('.vtt')) throw new CaseError(anyFile, null, `no ${name}.vtt for this case`);
    if (!suffixes.has('.labels.json')) {
      throw new CaseError(path('.vtt'), null, `no ${name}.labels.json for this case`);
    }
    const media = MEDIA_EXTENSIONS.filter((e) => suffixes.has(`.${e}`));
    if (media.length > 1) {
      throw new CaseError(
        path(`.${media[1]!}`),
        null,
        `more than one media file for case ${name} (${media.map((e) => `.${e}`).join(', ')})`,
      );
    }
    cases.push({
      name,
      vtt: path('.vtt'),
      labels: path('.labels.json'),
      media: media[0] === undefined ? null : path(`.${media[0]}`),
      marks: suffixes.has('.marks.json') ? path('.marks.json') : null,
      chat: suffixes.has('.chat.jsonl') ? path('.chat.jsonl') : null,
    });
  }
  return cases;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CaseError(file, null, `cannot read: ${(err as Error).message}`);
  }
}

/** JSON.parse with the line of a syntax error in the CaseError. */
function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const at = jsonErrorOffset(text);
    const line = at === null ? null : text.slice(0, at).split('\n').length;
    throw new CaseError(file, line, `not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
}

/**
 * Where JSON text first goes wrong (JSON.parse's messages do not say so portably), or null when
 * it is valid. A plain recursive-descent scan; only used after JSON.parse failed.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw new RangeError(String(i));
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const lit = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) fail();
    i += m![0].length;
  };
  const str = () => {
    i++; // the opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c < 0x20) fail();
      if (c === 0x5c) lit(/\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y);
      else i++;
    }
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') return str();
    lit(/-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y);
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return null;
  } catch (err) {
    if (err instanceof RangeError) return Math.min(Number(err.message), text.length);
    throw err;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

export function parseLabels(
  file: string,
  text: string,
): { highlights: LabelWindow[]; notes: string | null } {
  const json = parseJson(file, text);
  if (!isObject(json) || !Array.isArray(json['highlights'])) {
    throw new CaseError(file, null, 'expected an object with a "highlights" array');
  }
  const notes = json['notes'];
  if (notes !== undefined && typeof notes !== 'string') {
    throw new CaseError(file, null, '"notes" must be a string');
  }
  const highlights = json['highlights'].map((h: unknown, i): LabelWindow => {
    const where = `highlights[${i}]`;
    if (!isObject(h)) throw new CaseError(file, null, `${where} must be an object`);
    const { start, end, note } = h;
    if (!isTime(start) || !isTime(end)) {
      throw new CaseError(file, null, `${where}: start and end must be seconds ≥ 0`);
    }
    if (end <= start) throw new CaseError(file, null, `${where}: end (${end}) ≤ start (${start})`);
    if (note !== undefined && typeof note !== 'string') {
      throw new CaseError(file, null, `${where}: note must be a string`);
    }
    return note === undefined ? { start, end } : { start, end, note };
  });
  return { highlights, notes: notes ?? null };
}

/** Marks and chat use the same file formats (and parsers) as `liveslice process --marks/--chat`. */
export function parseMarks(file: string, text: string): Mark[] {
  return asCaseError(() => parseMarksFile(file, text));
}

export function parseChat(file: string, text: string): ChatMsg[] {
  return asCaseError(() => parseChatFile(file, text));
}

function asCaseError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputFileError) {
      const prefix = `${err.file}${err.line !== null ? `, line ${err.line}` : ''}: `;
      const reason = err.message.startsWith(prefix)
        ? err.message.slice(prefix.length)
        : err.message;
      throw new CaseError(err.file, err.line, reason);
    }
    throw err;
  }
}

export function parseTranscript(file: string, text: string): Utt[] {
  try {
    return parseTimedText(file, text).map((c, seq) => ({
      seq,
      start: c.start,
      end: c.end,
      text: c.text.replace(/\s*\n\s*/g, ' ').trim(),
    }));
  } catch (err) {
    if (err instanceof TimedTextError) throw new CaseError(file, err.line, stripPrefix(err));
    throw err;
  }
}

function stripPrefix(err: TimedTextError): string {
  const prefix = `${err.file}:${err.line}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/** Decodes a media file's audio with ffmpeg (16 kHz mono s16le) into 100 ms loudness frames. */
export async function decodeLoudness(ffmpeg: string, file: string): Promise<LoudFrame[]> {
  const meter = new LoudnessMeter(0);
  const frames: LoudFrame[] = [];
  const proc = startProcess({
    bin: ffmpeg,
    args: [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      file,
      '-vn',
      '-ac',
      '1',
      '-ar',
      '16000',
      '-f',
      's16le',
      '-acodec',
      'pcm_s16le',
      'pipe:1',
    ],
    stdout: 'pipe',
  });
  proc.stdout!.on('data', (chunk: Buffer) => {
    for (const f of meter.push(chunk)) frames.push(f);
  });
  const exit = await proc.done;
  if (exit.code !== 0) {
    const why = exit.stderrTail.trim().split('\n').at(-1) ?? `exit ${String(exit.code)}`;
    throw new CaseError(file, null, `ffmpeg could not decode the audio: ${why}`);
  }
  if (frames.length === 0) throw new CaseError(file, null, 'no audio in the media file');
  return frames;
}

export interface LoadOptions {
  /** The ffmpeg binary; required when the case has a media file. */
  ffmpeg: string | null;
}

export async function loadCase(files: CaseFiles, opts: LoadOptions): Promise<EvalCase> {
  const utterances = parseTranscript(files.vtt, readText(files.vtt));
  const labels = parseLabels(files.labels, readText(files.labels)).highlights;
  const marks = files.marks === null ? [] : parseMarks(files.marks, readText(files.marks));
  const chat = files.chat === null ? [] : parseChat(files.chat, readText(files.chat));
  let frames: LoudFrame[] = [];
  if (files.media !== null) {
    if (!existsSync(files.media)) throw new CaseError(files.media, null, 'cannot read the file');
    if (opts.ffmpeg === null) {
      throw new CaseError(files.media, null, 'ffmpeg is needed to decode this media file');
    }
    frames = await decodeLoudness(opts.ffmpeg, files.media);
  }
  const durationS = Math.max(
    0,
    ...utterances.map((u) => u.end),
    ...frames.map((f) => f.t + 0.1),
    ...marks.map((m) => m.at),
    ...chat.map((m) => m.at),
  );
  return {
    name: files.name,
    utterances,
    labels,
    frames,
    marks,
    chat,
    durationS,
    media: files.media,
  };
}

// ---------------------------------------------------------------------------------------------
// Replay.

export interface ReplayOptions {
  settings: DetectSettings;
  lexicon: Lexicon;
  /** Wall clock in ms (default performance.now). */
  now?: () => number;
  /** Media seconds between `advance()` ticks when nothing else happens (default 1, like ingest status). */
  tickS?: number;
}

export interface CreatedRecord {
  id: string;
  /** The call that created it, and where it was on the media clock. */
  during: 'utterance' | 'loudness' | 'mark' | 'chat' | 'advance' | 'finish';
  mediaTime: number;
  triggerStart: number;
  hasTrigger: boolean;
  /**
   * Live-equivalent delay from the trigger utterance's final event to the 'created' emission:
   * media time between them (zero when the trigger's own `utterance()` call created it) plus the
   * wall time the creating call took up to the emission. Null without a transcript trigger.
   */
  delayMs: number | null;
}

export interface ReplayResult {
  highlights: Highlight[];
  created: CreatedRecord[];
  stats: Detector['stats'];
}

type Ev =
  | { t: number; order: 0; kind: 'advance' }
  | { t: number; order: 1; kind: 'loudness'; frames: LoudFrame[] }
  | { t: number; order: 2; kind: 'utterance'; utt: Utt }
  | { t: number; order: 3; kind: 'chat'; msg: ChatMsg }
  | { t: number; order: 4; kind: 'mark'; mark: Mark };

/** The case as the live detector would see it: one ordered list of events on the media clock. */
export function replayEvents(c: EvalCase, tickS = 1): Ev[] {
  const evs: Ev[] = [];
  // Loudness arrives in batches of up to 1 s, each frame once its 100 ms are complete.
  for (let i = 0; i < c.frames.length; i += 10) {
    const batch = c.frames.slice(i, i + 10);
    evs.push({ t: round3(batch.at(-1)!.t + 0.1), order: 1, kind: 'loudness', frames: batch });
  }
  for (const u of c.utterances) evs.push({ t: u.end, order: 2, kind: 'utterance', utt: u });
  for (const m of c.chat) evs.push({ t: m.at, order: 3, kind: 'chat', msg: m });
  for (const m of c.marks) evs.push({ t: m.at, order: 4, kind: 'mark', mark: m });
  for (let t = tickS; t <= c.durationS + tickS; t += tickS) {
    evs.push({ t: round3(t), order: 0, kind: 'advance' });
  }
  // Stable: equal times keep advance → loudness → utterance → chat → mark.
  return evs.sort((a, b) => a.t - b.t || a.order - b.order);
}

export function replayCase(c: EvalCase, opts: ReplayOptions): ReplayResult {
  const now = opts.now ?? (() => performance.now());
  const created: CreatedRecord[] = [];
  let current: { kind: CreatedRecord['during']; t: number; wall: number } = {
    kind: 'advance',
    t: 0,
    wall: now(),
  };
  const detector = new Detector({
    settings: opts.settings,
    lexicon: opts.lexicon,
    now,
    events: {
      onHighlight(h, change) {
        if (change !== 'created') return;
        const hasTrigger = h.reasons.some((r) => r.kind === 'trigger' || r.kind === 'keyword');
        let delayMs: number | null = null;
        if (hasTrigger) {
          const callMs = now() - current.wall;
          const trig = triggerUtterance(c.utterances, h.triggerStart, current.t);
          delayMs = trig === null ? callMs : Math.max(0, current.t - trig.end) * 1000 + callMs;
        }
        created.push({
          id: h.id,
          during: current.kind,
          mediaTime: current.t,
          triggerStart: h.triggerStart,
          hasTrigger,
          delayMs,
        });
      },
    },
  });
  let lastT = 0;
  for (const ev of replayEvents(c, opts.tickS ?? 1)) {
    if (ev.t > lastT) lastT = ev.t;
    current = { kind: ev.kind, t: ev.t, wall: now() };
    switch (ev.kind) {
      case 'advance':
        detector.advance(ev.t);
        break;
      case 'loudness':
        detector.loudness(ev.frames);
        detector.advance(ev.t);
        break;
      case 'utterance':
        detector.utterance(ev.utt);
        break;
      case 'chat':
        detector.chat(ev.msg);
        break;
      case 'mark':
        detector.mark(ev.mark);
        break;
    }
  }
  current = { kind: 'finish', t: lastT, wall: now() };
  detector.finish();
  return {
    highlights: detector.highlights().map((h) => ({ ...h, reasons: [...h.reasons] })),
    created,
    stats: detector.stats,
  };
}

/** The utterance a highlight's trigger came from: same start, already final at `by`. */
function triggerUtterance(utts: readonly Utt[], start: number, by: number): Utt | null {
  let best: Utt | null = null;
  for (const u of utts) {
    if (u.end > by + 1e-9) break;
    if (best === null || Math.abs(u.start - start) <= Math.abs(best.start - start)) best = u;
  }
  return best !== null && Math.abs(best.start - start) < 0.05 ? best : null;
}

// ---------------------------------------------------------------------------------------------
// A whole directory.

export interface CaseReport extends Counts {
  name: string;
  durationS: number;
  media: boolean;
  detectionDelayMs: DelayStats;
  dropped: Detector['stats']['dropped'];
  matched: Array<{
    label: Window;
    pred: Window;
    iou: number;
    score: number;
    reasons: Array<{ kind: Reason['kind']; text: string }>;
  }>;
  falsePositives: Array<
    Window & {
      score: number;
      category: string;
      reasons: Array<{ kind: Reason['kind']; text: string }>;
      text: string;
    }
  >;
  missed: Array<LabelWindow>;
}

export interface EvalReport extends Counts {
  preset: string;
  cases: number;
  durationS: number;
  detectionDelayMs: DelayStats;
  perCase: CaseReport[];
}

export function evaluateCase(
  c: EvalCase,
  opts: ReplayOptions,
): { report: CaseReport; delays: number[] } {
  const result = replayCase(c, opts);
  const preds = result.highlights;
  const m = matchWindows(preds, c.labels);
  const delays = result.created.flatMap((r) => (r.delayMs === null ? [] : [r.delayMs]));
  const win = (w: Window): Window => ({ start: round(w.start, 3)!, end: round(w.end, 3)! });
  return {
    delays,
    report: {
      name: c.name,
      durationS: round(c.durationS, 1)!,
      media: c.media !== null,
      ...roundCounts(counts(c.labels.length, preds.length, m.pairs)),
      detectionDelayMs: delayStats(delays),
      dropped: { ...result.stats.dropped },
      matched: m.pairs.map((p) => ({
        label: win(c.labels[p.label]!),
        pred: win(preds[p.pred]!),
        iou: round(p.iou, 3)!,
        score: round(preds[p.pred]!.score, 3)!,
        reasons: reasonsOf(preds[p.pred]!),
      })),
      falsePositives: m.unmatchedPreds.map((i) => {
        const h = preds[i]!;
        return {
          ...win(h),
          score: round(h.score, 3)!,
          category: h.category,
          reasons: reasonsOf(h),
          text: h.text,
        };
      }),
      missed: m.unmatchedLabels.map((i) => {
        const l = c.labels[i]!;
        return { ...win(l), ...(l.note === undefined ? {} : { note: l.note }) };
      }),
    },
  };
}

const reasonsOf = (h: Highlight) => h.reasons.map((r) => ({ kind: r.kind, text: r.text }));

/** Aggregates per-case reports: counts are summed, boundary error is weighted by matches. */
export function aggregate(preset: string, perCase: CaseReport[], delays: number[]): EvalReport {
  const labels = perCase.reduce((s, c) => s + c.labels, 0);
  const predicted = perCase.reduce((s, c) => s + c.predicted, 0);
  const tp = perCase.reduce((s, c) => s + c.tp, 0);
  const weighted = (key: 'meanBoundaryErrorS' | 'meanStartErrorS' | 'meanEndErrorS') =>
    tp === 0 ? null : perCase.reduce((s, c) => s + (c[key] ?? 0) * c.tp, 0) / tp;
  return {
    preset,
    cases: perCase.length,
    durationS: round(
      perCase.reduce((s, c) => s + c.durationS, 0),
      1,
    )!,
    ...roundCounts({
      labels,
      predicted,
      tp,
      fp: predicted - tp,
      fn: labels - tp,
      precision: predicted === 0 ? null : tp / predicted,
      recall: labels === 0 ? null : tp / labels,
      meanBoundaryErrorS: weighted('meanBoundaryErrorS'),
      meanStartErrorS: weighted('meanStartErrorS'),
      meanEndErrorS: weighted('meanEndErrorS'),
    }),
    detectionDelayMs: delayStats(delays),
    perCase,
  };
}

export interface EvaluateOptions extends ReplayOptions, LoadOptions {
  preset: string;
}

export async function evaluateDir(dir: string, opts: EvaluateOptions): Promise<EvalReport> {
  const perCase: CaseReport[] = [];
  const delays: number[] = [];
  for (const files of listCases(dir)) {
    const c = await loadCase(files, opts);
    const r = evaluateCase(c, opts);
    perCase.push(r.report);
    delays.push(...r.delays);
  }
  return aggregate(opts.preset, perCase, delays);
}

function roundCounts(c: Counts): Counts {
  return {
    ...c,
    precision: round(c.precision, 4),
    recall: round(c.recall, 4),
    meanBoundaryErrorS: round(c.meanBoundaryErrorS, 3),
    meanStartErrorS: round(c.meanStartErrorS, 3),
    meanEndErrorS: round(c.meanEndErrorS, 3),
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
