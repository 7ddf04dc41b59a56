/**
 * Progressive clip rendering. A highlight's window is encoded in pieces as soon as both its media
 * (closed DVR segments) and its captions (final transcript) cover them, so when the window closes
 * only the last couple of seconds, the audio and a copy-mux are left.
 *
 * - Each video piece is one ffmpeg run over the few segments that cover it (a `concatf:` list of
 *   one run's MPEG-TS files, decoded with their own timestamps), cut frame-accurately, reframed,
 *   captioned (an ASS file with only its cues), encoded with the shared parameters; every piece
 *   starts with an IDR frame and carries its parameter sets, so pieces join with `-c copy`.
 * - A piece never crosses a run boundary (a reconnect restarts timestamps): pieces split there.
 * - Audio is encoded once, over the exact window (loudnorm, one pass), as soon as the end is known
 *   and covered — in parallel with the last video piece.
 * - Styling in the pieces: an optional punch-in zoom on the reframed picture (its curve follows the
 *   media clock, so pieces agree at their boundaries) and an always-on AI label in the ASS file.
 * - The final step joins intro + pieces + outro (concat demuxer, `-c copy`), adds the audio,
 *   metadata (with the AIGC label when set) and `+faststart`, writes `<outFile>.part` and renames
 *   it into place.
 * - Every child runs below normal priority with bounded threads. Cancelling (the signal or
 *   `cancel()`) stops the running ffmpeg and removes every temp file and the `.part`.
 *
 * The media clock → a run's own timestamps: for any segment k of a run except its first,
 * `firstVideoPts(k) − media_start(k)` is the same (the segment muxer starts each segment at that
 * keyframe), so one delta per run maps the window onto the files; the segment files are read
 * (ts-inspect) to find it and to refuse a corrupt segment by name before ffmpeg sees it.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createProgressParser, type FfmpegProgress } from '../ffmpeg/progress';
import { ffprobeFor, probeMedia } from '../ffmpeg/probe';
import { type FfmpegProcess, type ProcessExit, startProcess } from '../ffmpeg/run';
import {
  type AudioPart,
  type Bookend,
  buildAudioArgs,
  buildMuxArgs,
  buildPieceArgs,
  type ClipMetadata,
  concatfList,
  ffconcatList,
  type Loudness,
  type PunchIn,
  punchInOverlaps,
  type Reframe,
  RenderArgsError,
  validateAigc,
  validatePunchIn,
  validateReframe,
  validateWatermark,
  type WatermarkSpec,
} from './args';
import { aiLabelText, type AssCue, buildAss, type CaptionStyle } from './ass';
import {
  FPS,
  lowerPriority,
  OUTPUT_PRESETS,
  type OutputPreset,
  RENDER_THREADS,
  type VideoEncoder,
} from './encode';
import { inspectTs, type TsInfo, TsError } from './ts-inspect';

/** A DVR segment row (the store's `segments` table; `file` is relative to the session dir). */
export interface DvrSegment {
  seq: number;
  run: number;
  file: string;
  media_start: number;
  duration: number;
  deleted?: number;
}

/** A final transcript utterance on the session's media clock. */
export interface TranscriptCue {
  start: number;
  end: number;
  text: string;
}

export type RenderPhase = 'waiting' | 'encoding' | 'audio' | 'muxing' | 'done';

export interface RenderProgress {
  phase: RenderPhase;
  /** Seconds of the window encoded so far. */
  encodedUpTo: number;
  /** 0..1 once the end is known, else null. */
  fraction: number | null;
}

export interface ClipSpec {
  id: string;
  /** The finished MP4; written as `<outFile>.part` and renamed. */
  outFile: string;
  /** `<dataDir>/sessions/<sessionId>`; segment `file`s are relative to it. */
  sessionDir: string;
  /** Media-clock seconds. */
  start: number;
  /** Unknown while the highlight is provisional: `setEnd()` later. */
  end?: number;
  output: OutputPreset;
  reframe: Reframe;
  captions: { style: CaptionStyle } | null;
  title: string | null;
  watermark: WatermarkSpec | null;
  /** A punch-in zoom on the centre of the reframed picture (media-clock range); the title,
   * captions, watermark and label are not zoomed. */
  punchIn?: PunchIn | null;
  /** A visible, always-on label for AI-generated content (bottom-left; blank text gets
   * "AI生成 / AI-generated"). Pair it with `metadata.aigc`, the implicit label. */
  aiLabel?: { text: string } | null;
  /** MP4 pieces made with the shared encode params (template intro/outro). */
  intro: string | null;
  outro: string | null;
  metadata: ClipMetadata;
  loudness: Loudness | null;
  encoder: VideoEncoder;
  ffmpeg: string;
  /** Default: next to ffmpeg, else on PATH. */
  ffprobe?: string;
  signal?: AbortSignal;
  onProgress?: (p: RenderProgress) => void;
  /** Threads per ffmpeg child; default RENDER_THREADS. */
  threads?: number;
  /** A piece waits until this many seconds are ready (default 2), except at a run boundary or the end. */
  minPieceS?: number;
  /** While the end is unknown, encode at most this far past the start (default 300 s). */
  maxWindowS?: number;
  /** Default 'low' (below normal, so OBS next to it never starves); 'normal' only for benchmarks. */
  priority?: 'low' | 'normal';
  /** Font for captions and title (default: a CJK-capable sans). */
  fontName?: string;
}

export interface RenderResult {
  file: string;
  /** Seconds: intro + window + outro. */
  durationS: number;
  bytes: number;
  encoder: VideoEncoder['name'];
  pieces: number;
  /** The window actually rendered (clamped to the media). */
  window: { start: number; end: number };
  timings: { firstPieceMs: number; lastPieceMs: number; muxMs: number; totalMs: number };
  /** Wall ms when the file was in place. */
  readyAt: number;
}

export type RenderErrorCode =
  | 'cancelled'
  | 'corrupt_segment'
  | 'missing_segment'
  | 'no_media'
  | 'ffmpeg'
  | 'stalled'
  | 'bad_spec'
  | 'bookend';

export class RenderError extends Error {
  readonly code: RenderErrorCode;
  /** The DVR segment at fault, relative to the session dir. */
  readonly segment?: string;

  constructor(
    code: RenderErrorCode,
    message: string,
    extra: { segment?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'RenderError';
    this.code = code;
    if (extra.segment !== undefined) this.segment = extra.segment;
  }
}

/** No progress from an ffmpeg child for this long → it is stopped and the render fails. */
export const STALL_MS = 30_000;
/** Media-clock tolerance between one segment's end and the next one's start. */
const CONTIGUOUS_S = 0.05;
/** Temp dirs of a render (and of labelAiGenerated) are `<outFile>.tmp-XXXXXX`. */
export const TMP_MARK = '.tmp-';

/** Removes what an interrupted render (or labelAiGenerated) of `outFile` left (its `.part` and
 * temp dirs). */
export function cleanupClipOutputs(outFile: string): void {
  rmSync(`${outFile}.part`, { force: true });
  const dir = path.dirname(outFile);
  const base = path.basename(outFile) + TMP_MARK;
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names)
    if (n.startsWith(base)) rmSync(path.join(dir, n), { recursive: true, force: true });
}

interface Piece {
  index: number;
  file: string;
  k0: number;
  k1: number;
}

interface PiecePlan {
  k0: number;
  k1: number;
  run: number;
  segments: DvrSegment[];
  threads: number;
}

/** A stretch this long or longer may be split to encode its parts side by side (catch-up). */
const SPLIT_MIN_S = 5;

const segEnd = (s: DvrSegment): number => s.media_start + s.duration;
const fmtT = (t: number): string => `${t.toFixed(2)} s`;

export class ClipRender {
  readonly done: Promise<RenderResult>;
  readonly id: string;

  private readonly spec: ClipSpec;
  private readonly width: number;
  private readonly height: number;
  private readonly threads: number;
  private readonly minPieceFrames: number;
  private readonly ffprobe: string;
  private readonly tmp: string;
  private readonly abort = new AbortController();
  private readonly t0 = Date.now();

  private readonly segs = new Map<number, DvrSegment>();
  private sorted: DvrSegment[] = [];
  private readonly cues = new Map<string, TranscriptCue>();
  private captionsUpTo: number;
  private end: number | null;
  private mediaComplete = false;

  private start: number | null = null;
  private pieces: Piece[] = [];
  private nextFrame = 0;
  private readonly inspected = new Map<string, Promise<TsInfo>>();
  private readonly runDelta = new Map<number, number>();
  private readonly procs = new Set<FfmpegProcess>();
  private audioEnd: number | null = null;
  private audioRuns = 0;
  private audio: Promise<{
    file: string;
    bookends: { intro: Bookend | null; outro: Bookend | null };
  }> | null = null;

  private pumping = false;
  private again = false;
  private settled = false;
  private finalizing = false;
  private firstPieceAt: number | null = null;
  private lastPieceAt: number | null = null;
  private phase: RenderPhase = 'waiting';
  /** Pieces being encoded, and the threads they hold (never more than `threads` in all). */
  private readonly running = new Map<Promise<void>, PiecePlan>();
  private busyThreads = 0;
  private pieceCount = 0;
  /** Frames encoded so far by each running piece (progress). */
  private readonly partial = new Map<number, number>();

  private resolveDone!: (r: RenderResult) => void;
  private rejectDone!: (e: Error) => void;

  constructor(spec: ClipSpec) {
    this.spec = spec;
    this.id = spec.id;
    const size = OUTPUT_PRESETS[spec.output];
    if (size === undefined)
      throw new RenderError('bad_spec', `unknown output preset ${String(spec.output)}`);
    this.width = size.width;
    this.height = size.height;
    validateReframe(spec.reframe);
    if (spec.watermark !== null) validateWatermark(spec.watermark);
    // Checked now, not at the final mux minutes later.
    try {
      if (spec.punchIn !== undefined && spec.punchIn !== null) validatePunchIn(spec.punchIn);
      if (spec.metadata.aigc !== undefined && spec.metadata.aigc !== null)
        validateAigc(spec.metadata.aigc);
    } catch (err) {
      if (err instanceof RenderArgsError) throw new RenderError('bad_spec', err.message);
      throw err;
    }
    if (!Number.isFinite(spec.start) || spec.start < 0)
      throw new RenderError('bad_spec', `bad window start ${spec.start}`);
    this.end = spec.end ?? null;
    if (this.end !== null && !(this.end > spec.start)) {
      throw new RenderError(
        'bad_spec',
        `the window ends (${spec.end}) before it starts (${spec.start})`,
      );
    }
    this.threads = Math.max(1, Math.floor(spec.threads ?? RENDER_THREADS));
    this.minPieceFrames = Math.max(1, Math.round((spec.minPieceS ?? 2) * FPS));
    this.captionsUpTo = spec.captions === null ? Infinity : -Infinity;
    this.ffprobe = spec.ffprobe ?? ffprobeFor(spec.ffmpeg);
    mkdirSync(path.dirname(spec.outFile), { recursive: true });
    this.tmp = mkdtempSync(spec.outFile + TMP_MARK);

    this.done = new Promise<RenderResult>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
    if (spec.signal !== undefined) {
      if (spec.signal.aborted) queueMicrotask(() => this.cancel());
      else spec.signal.addEventListener('abort', () => this.cancel(), { once: true });
    }
    this.report();
  }

  // -------------------------------------------------------------------------------------------
  // Feeding.

  /** New closed DVR segments (any order; repeats and deleted rows are ignored). */
  segments(rows: readonly DvrSegment[]): void {
    let added = false;
    for (const r of rows) {
      if (r.deleted === 1 || this.segs.has(r.seq)) continue;
      // Only what can matter to this window (a long session has thousands of segments).
      if (
        segEnd(r) < this.spec.start - 1 ||
        (this.spec.end !== undefined && r.media_start > this.spec.end + 1)
      )
        continue;
      this.segs.set(r.seq, {
        seq: r.seq,
        run: r.run,
        file: r.file,
        media_start: r.media_start,
        duration: r.duration,
      });
      added = true;
    }
    if (!added) return;
    this.sorted = [...this.segs.values()].sort(
      (a, b) => a.media_start - b.media_start || a.seq - b.seq,
    );
    this.pump();
  }

  /** Captions are final up to media time `t` (Infinity: the transcript is complete); `cues` are
   * final utterances (new ones or all so far: repeats are ignored). */
  transcriptFinalUpTo(t: number, cues: readonly TranscriptCue[]): void {
    for (const c of cues) this.cues.set(`${c.start}|${c.end}|${c.text}`, c);
    if (t > this.captionsUpTo) this.captionsUpTo = t;
    this.pump();
  }

  /** The window's end is known (the highlight became final). */
  setEnd(end: number): void {
    if (this.finalizing || this.settled) return;
    if (!Number.isFinite(end) || end <= this.spec.start) {
      this.fail(
        new RenderError(
          'bad_spec',
          `the window ends (${end}) before it starts (${this.spec.start})`,
        ),
      );
      return;
    }
    // An end before what is already encoded is fine: the pieces past it are dropped (and the
    // one across it re-encoded) before the final mux.
    this.end = end;
    this.pump();
  }

  /** No more segments will come (the ingest ended): the window is clamped to the media. */
  noMoreSegments(): void {
    this.mediaComplete = true;
    this.pump();
  }

  /** Stops the render; `done` rejects with a RenderError('cancelled'); nothing is left on disk. */
  cancel(): void {
    this.fail(new RenderError('cancelled', 'The render was cancelled'));
  }

  // -------------------------------------------------------------------------------------------
  // The loop.

  private pump(): void {
    if (this.settled) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.again = false;
          await this.step();
        } while (this.again && !this.settled);
      } catch (err) {
        this.fail(err);
      } finally {
        this.pumping = false;
      }
    })();
  }

  /** Encodes every piece that is ready; starts the audio and the final mux when they are due. */
  private async step(): Promise<void> {
    while (!this.settled && !this.finalizing) {
      this.clampWindow();
      const total = this.totalFrames();
      if (total !== null && this.nextFrame > total) {
        // The end moved before what is planned: wait for running pieces, then drop those past it.
        if (this.running.size > 0) {
          await this.anyPieceDone();
          continue;
        }
        await this.dropPiecesPast(total);
      }
      if (total !== null && this.nextFrame >= total && this.running.size === 0) {
        this.finalizing = true;
        await this.finalize();
        return;
      }
      this.maybeStartAudio();
      const plan =
        this.busyThreads < this.threads ? this.planPiece(this.threads - this.busyThreads) : null;
      if (plan !== null) {
        this.launch(plan);
        continue;
      }
      if (this.running.size > 0) {
        await this.anyPieceDone();
        continue;
      }
      this.setPhase('waiting');
      return;
    }
  }

  private launch(plan: PiecePlan): void {
    this.nextFrame = plan.k1;
    this.busyThreads += plan.threads;
    const job = this.encodePiece(plan);
    this.running.set(job, plan);
    void job.then(
      () => {
        this.running.delete(job);
        this.busyThreads -= plan.threads;
      },
      (err: unknown) => {
        this.running.delete(job);
        this.busyThreads -= plan.threads;
        this.fail(err);
      },
    );
  }

  /** Resolves when a running piece settles (never rejects: failures go to fail()). */
  private async anyPieceDone(): Promise<void> {
    await Promise.race(
      [...this.running.keys()].map((p) =>
        p.then(
          () => undefined,
          () => undefined,
        ),
      ),
    );
    // Let launch()'s bookkeeping (attached first) run before the loop looks again.
    await Promise.resolve();
  }

  /** The end moved before what is encoded: drop the pieces past it; the one across it is redone. */
  private async dropPiecesPast(total: number): Promise<void> {
    this.pieces.sort((a, b) => a.k0 - b.k0);
    while (this.pieces.length > 0 && this.pieces.at(-1)!.k1 > total) {
      const p = this.pieces.pop()!;
      await rm(path.join(this.tmp, p.file), { force: true });
    }
    this.nextFrame = this.pieces.at(-1)?.k1 ?? 0;
  }

  /** Fixes the start on the first known media; clamps the end to the media once it is complete. */
  private clampWindow(): void {
    if (this.start === null && this.sorted.length > 0) {
      const first = this.sorted[0]!;
      const start = Math.max(this.spec.start, first.media_start);
      this.start = start;
    }
    if (this.start === null) {
      if (this.mediaComplete)
        throw new RenderError('no_media', 'There is no recorded media for this window');
      return;
    }
    if (this.end !== null && this.end - this.start < 1 / FPS) {
      throw new RenderError(
        'no_media',
        `There is no recorded media between ${fmtT(this.spec.start)} and ${fmtT(this.end)}`,
      );
    }
    if (this.mediaComplete) {
      const covered = this.coveredFrom(this.start);
      const mediaEnd = covered.end;
      if (this.end === null || this.end > mediaEnd) {
        if (this.end !== null && covered.gapAfter !== null && covered.gapAfter < this.end) {
          throw new RenderError(
            'missing_segment',
            `The DVR has a gap at ${fmtT(mediaEnd)} inside the window (a segment is missing)`,
          );
        }
        this.end = mediaEnd;
      }
      if (!(this.end - this.start >= 1 / FPS)) {
        throw new RenderError(
          'no_media',
          `There is no recorded media between ${fmtT(this.spec.start)} and ${fmtT(this.spec.end ?? this.end)}`,
        );
      }
    }
  }

  private totalFrames(): number | null {
    if (this.start === null || this.end === null) return null;
    return Math.max(1, Math.round((this.end - this.start) * FPS));
  }

  /** The segment holding media time t. */
  private segmentAt(t: number): DvrSegment | null {
    for (const s of this.sorted) if (s.media_start - 1e-6 <= t && t < segEnd(s)) return s;
    return null;
  }

  /** How far the media goes without a gap from time t. */
  private coveredFrom(t: number): { end: number; gapAfter: number | null } {
    const first = this.segmentAt(t);
    if (first === null) {
      const after = this.sorted.find((s) => s.media_start > t);
      return { end: t, gapAfter: after?.media_start ?? null };
    }
    let end = segEnd(first);
    for (const s of this.sorted) {
      if (s.media_start <= first.media_start) continue;
      if (s.media_start > end + CONTIGUOUS_S) return { end, gapAfter: s.media_start };
      end = Math.max(end, segEnd(s));
    }
    return { end, gapAfter: null };
  }

  /** The next piece from the planning frontier, if media and captions are ready for it; given
   * `budget` free threads, a long ready stretch is split so its parts encode side by side. */
  private planPiece(budget: number): PiecePlan | null {
    if (this.start === null) return null;
    const start = this.start;
    const total = this.totalFrames();
    const k0 = this.nextFrame;
    if (total !== null && k0 >= total) return null;
    const t0 = start + k0 / FPS;
    const first = this.segmentAt(t0 + 0.5 / FPS);
    if (first === null) return null;
    // Walk the contiguous segments of this run.
    const chain: DvrSegment[] = [first];
    let coverEnd = segEnd(first);
    let boundary: number | null = null;
    for (const s of this.sorted) {
      if (s.media_start <= first.media_start) continue;
      if (s.media_start > coverEnd + CONTIGUOUS_S) break;
      if (s.run !== first.run) {
        boundary = s.media_start;
        break;
      }
      chain.push(s);
      coverEnd = Math.max(coverEnd, segEnd(s));
    }
    const ready = Math.min(
      coverEnd,
      this.captionsUpTo,
      this.end ?? start + (this.spec.maxWindowS ?? 300),
    );
    let k1: number;
    if (this.end !== null && total !== null && ready >= this.end - 1e-3) {
      k1 = total;
      if (boundary !== null && boundary < this.end) k1 = Math.round((boundary - start) * FPS);
    } else if (boundary !== null && ready >= coverEnd - 1e-3) {
      k1 = Math.round((boundary - start) * FPS);
    } else {
      const kReady = Math.floor((ready - start) * FPS + 1e-6);
      if (kReady - k0 < this.minPieceFrames) return null;
      k1 = kReady;
    }
    if (total !== null) k1 = Math.min(k1, total);
    // Unreachable: a boundary is more than half a frame after t0 (else `first` is past it).
    if (k1 <= k0) throw new RenderError('bad_spec', `nothing to encode at ${fmtT(t0)}`);
    let threads = budget;
    const parts = Math.min(budget, Math.floor((k1 - k0) / (SPLIT_MIN_S * FPS)));
    if (parts >= 2) {
      k1 = k0 + Math.ceil((k1 - k0) / parts);
      threads = Math.max(1, Math.floor(budget / parts));
    }
    const t1 = start + k1 / FPS;
    return {
      k0,
      k1,
      run: first.run,
      segments: chain.filter((s) => s.media_start < t1 - 1e-6),
      threads,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Segments.

  private inspect(seg: DvrSegment): Promise<TsInfo> {
    let p = this.inspected.get(seg.file);
    if (p === undefined) {
      p = this.readSegment(seg);
      this.inspected.set(seg.file, p);
      p.catch(() => undefined);
    }
    return p;
  }

  private async readSegment(seg: DvrSegment): Promise<TsInfo> {
    let buf: Buffer;
    try {
      buf = await readFile(this.segmentPath(seg));
    } catch (err) {
      throw new RenderError(
        'missing_segment',
        `DVR segment ${seg.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        {
          segment: seg.file,
          cause: err,
        },
      );
    }
    let info: TsInfo;
    try {
      info = inspectTs(buf);
    } catch (err) {
      const why = err instanceof TsError ? err.message : String(err);
      throw new RenderError('corrupt_segment', `DVR segment ${seg.file} is corrupt: ${why}`, {
        segment: seg.file,
        cause: err,
      });
    }
    const corrupt = (why: string): RenderError =>
      new RenderError('corrupt_segment', `DVR segment ${seg.file} is corrupt: ${why}`, {
        segment: seg.file,
      });
    if (info.video === null) throw corrupt('it has no video');
    if (!info.video.startsWithKeyframe) throw corrupt('it does not start with a keyframe');
    const span = info.video.lastPts - info.video.firstPts;
    if (seg.duration > 0.6 && span < seg.duration - 0.5) {
      throw corrupt(
        `it holds ${span.toFixed(2)} s of video, the index says ${seg.duration.toFixed(2)} s`,
      );
    }
    return info;
  }

  private segmentPath(seg: DvrSegment): string {
    const p = path.resolve(this.spec.sessionDir, seg.file);
    const root = path.resolve(this.spec.sessionDir) + path.sep;
    if (!p.startsWith(root))
      throw new RenderError('bad_spec', `segment path ${seg.file} leaves the session directory`);
    return p;
  }

  /** Media clock → this run's timestamps (seconds to add). */
  private async deltaFor(run: number): Promise<number> {
    const known = this.runDelta.get(run);
    if (known !== undefined) return known;
    const ofRun = this.sorted.filter((s) => s.run === run).sort((a, b) => a.seq - b.seq);
    // Any segment but the run's first starts exactly at its keyframe; the first may not.
    const ref = ofRun[1] ?? ofRun[0];
    if (ref === undefined) throw new RenderError('missing_segment', `no segment of run ${run}`);
    const info = await this.inspect(ref);
    const delta = info.video!.firstPts - ref.media_start;
    if (ofRun.length > 1) this.runDelta.set(run, delta);
    return delta;
  }

  // -------------------------------------------------------------------------------------------
  // Pieces.

  private cuesFor(t0: number, t1: number): AssCue[] {
    const out: AssCue[] = [];
    for (const c of this.cues.values()) {
      if (c.end <= t0 || c.start >= t1) continue;
      out.push({ start: Math.max(0, c.start - t0), end: Math.min(t1, c.end) - t0, text: c.text });
    }
    return out.sort((a, b) => a.start - b.start);
  }

  private async encodePiece(plan: PiecePlan): Promise<void> {
    const start = this.start!;
    const index = this.pieceCount++;
    const t0 = start + plan.k0 / FPS;
    const t1 = start + plan.k1 / FPS;
    const frames = plan.k1 - plan.k0;
    await Promise.all(plan.segments.map((s) => this.inspect(s)));
    const delta = await this.deltaFor(plan.run);
    const listName = `s${index}.txt`;
    await writeFile(
      path.join(this.tmp, listName),
      concatfList(plan.segments.map((s) => this.segmentPath(s))),
    );
    let assName: string | null = null;
    const cues = this.spec.captions === null ? [] : this.cuesFor(t0, t1);
    const ai = this.spec.aiLabel;
    const label = ai !== undefined && ai !== null ? aiLabelText(ai.text) : null;
    if (cues.length > 0 || this.spec.title !== null || label !== null) {
      assName = `c${index}.ass`;
      const ass = buildAss({
        width: this.width,
        height: this.height,
        cues,
        title: this.spec.title,
        label,
        titleUntil: t1 - t0,
        style: this.spec.captions?.style ?? 'clean',
        ...(this.spec.fontName !== undefined ? { fontName: this.spec.fontName } : {}),
      });
      await writeFile(path.join(this.tmp, assName), ass);
    }
    const file = `v${index}.mp4`;
    const punch = this.spec.punchIn ?? null;
    const args = buildPieceArgs({
      segmentList: listName,
      srcStart: t0 + delta,
      frames,
      width: this.width,
      height: this.height,
      reframe: this.spec.reframe,
      assFile: assName,
      watermark: this.spec.watermark,
      // Only pieces that hold a zoomed frame carry the zoom filter.
      punchIn: punch !== null && punchInOverlaps(punch, t0, t1) ? punch : null,
      mediaStart: t0,
      encoder: this.spec.encoder,
      threads: plan.threads,
      outFile: file,
      progressFd: true,
    });
    this.setPhase('encoding');
    let written = 0;
    const exit = await this.run(args, (p) => {
      if (p.frame !== null) {
        written = p.frame;
        this.partial.set(index, p.frame);
        this.report();
      }
    });
    this.partial.delete(index);
    const names = plan.segments.map((s) => s.file).join(', ');
    if (exit.code !== 0) {
      throw new RenderError(
        'ffmpeg',
        `Encoding ${fmtT(t0)}–${fmtT(t1)} (segments ${names}) failed: ${lastLine(exit.stderrTail)}`,
      );
    }
    if (written > 0 && written < frames) {
      throw new RenderError(
        'corrupt_segment',
        `Encoding ${fmtT(t0)}–${fmtT(t1)} produced ${written} of ${frames} frames: segments ${names} hold less media than indexed`,
      );
    }
    this.pieces.push({ index, file, k0: plan.k0, k1: plan.k1 });
    const now = Date.now();
    this.firstPieceAt ??= now;
    this.lastPieceAt = now;
    this.report();
  }

  /** Runs one ffmpeg child (below normal priority, cwd = the temp dir) with a stall watchdog. */
  private async run(
    args: string[],
    onProgress?: (p: FfmpegProgress) => void,
  ): Promise<ProcessExit> {
    if (this.abort.signal.aborted) throw new RenderError('cancelled', 'The render was cancelled');
    const withProgress = args.includes('pipe:3');
    const low = this.spec.priority !== 'normal';
    const proc = startProcess({
      bin: this.spec.ffmpeg,
      args,
      cwd: this.tmp,
      extraPipes: withProgress ? 1 : 0,
      stdout: 'ignore',
      lowPriority: low,
      signal: this.abort.signal,
      killGraceMs: 1000,
    });
    if (low && proc.pid !== undefined) lowerPriority(proc.pid);
    this.procs.add(proc);
    let stalled = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        void proc.stop();
      }, STALL_MS);
    };
    arm();
    if (withProgress) {
      const parser = createProgressParser((p) => {
        arm();
        onProgress?.(p);
      });
      proc.pipe(3).on('data', (c: Buffer) => parser.push(c));
    }
    try {
      const exit = await proc.done;
      if (this.abort.signal.aborted) throw new RenderError('cancelled', 'The render was cancelled');
      if (stalled)
        throw new RenderError(
          'stalled',
          `ffmpeg made no progress for ${STALL_MS / 1000} s and was stopped`,
        );
      return exit;
    } catch (err) {
      if (err instanceof RenderError) throw err;
      throw new RenderError(
        'ffmpeg',
        `ffmpeg could not be started: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      this.procs.delete(proc);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Audio and the final mux.

  private maybeStartAudio(): void {
    if (this.start === null || this.end === null) return;
    if (this.audio !== null && this.audioEnd === this.end) return;
    if (this.coveredFrom(this.start).end < this.end - 1e-3) return;
    // (Again if the end moved since: the earlier run's file is simply not used.)
    const audio = this.encodeAudio(this.start, this.end, `audio${this.audioRuns++}.m4a`);
    this.audio = audio;
    this.audioEnd = this.end;
    audio.catch((err: unknown) => {
      if (this.audio === audio) this.fail(err);
    });
  }

  private async bookend(file: string | null, what: 'intro' | 'outro'): Promise<Bookend | null> {
    if (file === null) return null;
    let probe;
    try {
      probe = await probeMedia(file, { ffprobePath: this.ffprobe, protocolWhitelist: 'file' });
    } catch (err) {
      throw new RenderError(
        'bookend',
        `The ${what} ${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    if (probe.video === null || probe.durationS === null)
      throw new RenderError('bookend', `The ${what} ${file} has no video`);
    if (probe.video.width !== this.width || probe.video.height !== this.height) {
      throw new RenderError(
        'bookend',
        `The ${what} is ${probe.video.width}×${probe.video.height}; this clip is ${this.width}×${this.height}`,
      );
    }
    return { file, duration: probe.durationS, hasAudio: probe.audio !== null };
  }

  private async encodeAudio(
    start: number,
    end: number,
    file: string,
  ): Promise<{ file: string; bookends: { intro: Bookend | null; outro: Bookend | null } }> {
    // The window split at run boundaries; each stretch maps onto its run's timestamps.
    const parts: AudioPart[] = [];
    let t = start;
    let i = 0;
    while (t < end - 1e-3) {
      const first = this.segmentAt(t + 1e-4);
      if (first === null)
        throw new RenderError('missing_segment', `No DVR segment covers ${fmtT(t)}`);
      const chain = [first];
      let stretchEnd = Math.min(end, segEnd(first));
      for (const s of this.sorted) {
        if (s.media_start <= first.media_start || s.run !== first.run) continue;
        if (s.media_start > stretchEnd + CONTIGUOUS_S || s.media_start >= end) break;
        chain.push(s);
        stretchEnd = Math.min(end, segEnd(s));
      }
      const next = this.sorted.find(
        (s) => s.media_start > first.media_start && s.run !== first.run && s.media_start < end,
      );
      if (next !== undefined && next.media_start < stretchEnd) stretchEnd = next.media_start;
      const infos = await Promise.all(chain.map((s) => this.inspect(s)));
      const delta = await this.deltaFor(first.run);
      const d = stretchEnd - t;
      if (infos.some((x) => x.audio === null)) {
        parts.push({ kind: 'silence', duration: d });
      } else {
        const list = `${file.replace(/\.m4a$/, '')}-p${i}.txt`;
        await writeFile(
          path.join(this.tmp, list),
          concatfList(chain.map((s) => this.segmentPath(s))),
        );
        parts.push({ kind: 'media', segmentList: list, srcStart: t + delta, duration: d });
      }
      t = stretchEnd;
      i++;
    }
    const [intro, outro] = await Promise.all([
      this.bookend(this.spec.intro, 'intro'),
      this.bookend(this.spec.outro, 'outro'),
    ]);
    const exit = await this.run(
      buildAudioArgs({
        parts,
        intro,
        outro,
        loudness: this.spec.loudness,
        outFile: file,
        progressFd: true,
      }),
    );
    if (exit.code !== 0)
      throw new RenderError('ffmpeg', `Encoding the audio failed: ${lastLine(exit.stderrTail)}`);
    return { file, bookends: { intro, outro } };
  }

  private async finalize(): Promise<void> {
    this.maybeStartAudio();
    if (this.audio === null)
      throw new RenderError('no_media', 'The window is not covered by media');
    this.setPhase('audio');
    const audio = await this.audio;
    this.setPhase('muxing');
    const muxStart = Date.now();
    const { intro, outro } = audio.bookends;
    const videos = [
      ...(intro !== null ? [path.resolve(intro.file)] : []),
      ...[...this.pieces].sort((a, b) => a.k0 - b.k0).map((p) => path.join(this.tmp, p.file)),
      ...(outro !== null ? [path.resolve(outro.file)] : []),
    ];
    await writeFile(path.join(this.tmp, 'video.ffconcat'), ffconcatList(videos));
    const part = `${this.spec.outFile}.part`;
    const { id, sessionDir } = this.spec;
    const window = { start: this.start!, end: this.start! + this.totalFrames()! / FPS };
    const source = `LiveSlice clip ${id} of session ${path.basename(sessionDir)}, window ${window.start.toFixed(3)}–${window.end.toFixed(3)} s`;
    const meta: ClipMetadata = {
      ...this.spec.metadata,
      comment: this.spec.metadata.comment ? `${this.spec.metadata.comment}\n${source}` : source,
      description: this.spec.metadata.description ?? source,
    };
    const exit = await this.run(
      buildMuxArgs({
        videoList: 'video.ffconcat',
        audioFile: audio.file,
        metadata: meta,
        outFile: part,
        progressFd: true,
      }),
    );
    if (exit.code !== 0)
      throw new RenderError('ffmpeg', `Joining the clip failed: ${lastLine(exit.stderrTail)}`);
    if (this.abort.signal.aborted) throw new RenderError('cancelled', 'The render was cancelled');
    // Committed: from here a cancel is too late and changes nothing.
    this.settled = true;
    try {
      await rename(part, this.spec.outFile);
    } catch (err) {
      await Promise.allSettled([
        rm(part, { force: true }),
        rm(this.tmp, { recursive: true, force: true }),
      ]);
      this.rejectDone(
        new RenderError('ffmpeg', `The finished clip cannot be moved into place: ${String(err)}`, {
          cause: err,
        }),
      );
      return;
    }
    const bytes = (await stat(this.spec.outFile)).size;
    await rm(this.tmp, { recursive: true, force: true });
    const readyAt = Date.now();
    const result: RenderResult = {
      file: this.spec.outFile,
      durationS: (intro?.duration ?? 0) + (window.end - window.start) + (outro?.duration ?? 0),
      bytes,
      encoder: this.spec.encoder.name,
      pieces: this.pieces.length,
      window,
      timings: {
        firstPieceMs: (this.firstPieceAt ?? readyAt) - this.t0,
        lastPieceMs: (this.lastPieceAt ?? readyAt) - this.t0,
        muxMs: readyAt - muxStart,
        totalMs: readyAt - this.t0,
      },
      readyAt,
    };
    this.phase = 'done';
    this.report(window.end - window.start);
    this.resolveDone(result);
  }

  // -------------------------------------------------------------------------------------------

  private fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const error =
      err instanceof RenderError
        ? err
        : new RenderError('ffmpeg', err instanceof Error ? err.message : String(err), {
            cause: err,
          });
    this.abort.abort();
    const procs = [...this.procs];
    void (async () => {
      await Promise.allSettled(procs.map((p) => p.stop()));
      await Promise.allSettled([
        rm(this.tmp, { recursive: true, force: true }),
        rm(`${this.spec.outFile}.part`, { force: true }),
      ]);
      this.rejectDone(error);
    })();
  }

  private setPhase(phase: RenderPhase): void {
    if (this.phase === phase) return;
    this.phase = phase;
    this.report();
  }

  /** Seconds of the window encoded: finished pieces plus what running ones have written. */
  private encodedS(): number {
    let frames = 0;
    for (const p of this.pieces) frames += p.k1 - p.k0;
    for (const f of this.partial.values()) frames += f;
    return frames / FPS;
  }

  private report(encodedUpTo = this.encodedS()): void {
    const total = this.totalFrames();
    const fraction = total === null ? null : Math.min(1, encodedUpTo / (total / FPS));
    try {
      this.spec.onProgress?.({ phase: this.phase, encodedUpTo, fraction });
    } catch {
      // A throwing listener must not break the render.
    }
  }
}

/** The last non-empty line of ffmpeg's stderr (its error), capped. */
export function lastLine(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return lines.at(-1)?.slice(0, 500) ?? 'no error output';
}
