/**
 * One session's ingest: a sequence of runs (one ffmpeg process per publish, connection or file),
 * stitched onto one monotonic media clock. Each run writes keyframe-aligned MPEG-TS segments into
 * the session's DVR directory; every closed segment is indexed (SQLite) and appended to the
 * session's HLS playlist. The audio is tapped as 16 kHz mono PCM for ASR and metered every 100 ms.
 *
 * Resilience: a publisher that drops and comes back continues the same session after a marked
 * gap; a crashed ffmpeg is restarted with backoff; a pull that fails after media has flowed is
 * retried; stalls are detected; the disk guard warns and then stops cleanly. Nothing that was
 * indexed is ever lost: a partial segment from a killed run is the only thing removed.
 */
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import type {
  IngestState,
  IngestStatus,
  LoudnessFrame,
  Session,
  SessionMarker,
} from '../api/contract';
import type { EventBus } from '../api/events';
import { createProgressParser, type FfmpegProgress } from '../ffmpeg/progress';
import {
  createLineSplitter,
  startProcess,
  type FfmpegProcess,
  type ProcessExit,
} from '../ffmpeg/run';
import type { Logger } from '../log/logger';
import type { Store } from '../store';
import { buildIngestArgs, type IngestInput, parseSegmentCsvLine } from './args';
import { encodeFrames, LoudnessMeter } from './loudness';
import { type PlaylistSegment, renderPlaylist } from './playlist';
import type { MediaProbe } from '../ffmpeg/probe';

export const DVR_DIR = 'dvr';
export const PLAYLIST_FILE = 'live.m3u8';
export const LOUDNESS_FILE = 'loudness.f32';
const STALL_MS = 4000;
const STATUS_EVERY_MS = 1000;
const LOUDNESS_FLUSH_MS = 500;
const RESOLUTION_CHECK_MS = 10_000;

export type SourceKind = 'rtmp' | 'srt' | 'url' | 'file';

export interface PcmChunk {
  sessionId: string;
  /** Media time of the first sample, seconds. */
  mediaTime: number;
  samples: Buffer;
}

/** Benchmarks: an indexed segment with its source-timeline times. */
export interface SegmentReport {
  sessionId: string;
  seq: number;
  srcStart: number;
  srcEnd: number;
  closedAt: number;
}

/** The DVR index rows as playlist entries. */
export function playlistSegmentsOf(
  rows: ReadonlyArray<{ file: string; duration: number; run: number; wall_start: number }>,
): PlaylistSegment[] {
  return rows.map((r) => ({
    file: r.file,
    duration: r.duration,
    run: r.run,
    wallStart: r.wall_start,
  }));
}

/** Writes a session's playlist atomically (readers never see half a file). */
export function writePlaylistFile(
  sessionDir: string,
  segments: readonly PlaylistSegment[],
  ended: boolean,
): void {
  const target = join(sessionDir, PLAYLIST_FILE);
  const tmp = `${target}.tmp`;
  writeFileSync(tmp, renderPlaylist(segments, ended));
  renameSync(tmp, target);
}

/**
 * Removes DVR files the index does not know (a killed run's unfinished segment), optionally only
 * those of one run (`prefix`, e.g. "r003-"). A missing directory means nothing to clean.
 */
export function removeUnindexedFiles(
  dvrDir: string,
  known: ReadonlySet<string>,
  prefix = '',
): void {
  let names: string[];
  try {
    names = readdirSync(dvrDir);
  } catch {
    return;
  }
  for (const f of names) {
    if (f.startsWith(prefix) && !known.has(f)) rmSync(join(dvrDir, f), { force: true });
  }
}

export interface SessionIngestDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  ffmpeg: string;
  dataDir: string;
  segmentSeconds: number;
  probe(input: IngestInput, live: boolean): Promise<MediaProbe>;
  probeFile(path: string): Promise<MediaProbe | null>;
  onPcm?(chunk: PcmChunk): void;
  /** Free bytes on the data disk, or null when unknown. */
  freeBytes(): Promise<number | null>;
  diskLimits(): { warnBytes: number; stopBytes: number };
  /** How often a new segment is probed for a resolution change (default 10 s). */
  resolutionCheckMs?: number;
  /** Benchmarks only (see buildIngestArgs). */
  copyTimestamps?: boolean;
  /** Benchmarks: every indexed segment with its source-timeline times. */
  onSegment?(seg: SegmentReport): void;
}

interface RunState {
  run: number;
  tag: string;
  proc: FfmpegProcess;
  offset: number;
  firstStart: number | null;
  meter: LoudnessMeter | null;
  mediaFlowed: boolean;
  startedAt: number;
}

export class SessionIngest {
  readonly sessionId: string;
  private state: IngestState = 'starting';
  private message: string | null = null;
  private code: string | null = null;
  private video: IngestStatus['video'] = null;
  private audio: IngestStatus['audio'] = null;
  private progress: FfmpegProgress | null = null;
  private lastMediaAt: number | null = null;
  private current: RunState | null = null;
  private runCount: number;
  private nextSeq: number;
  private mediaEnd: number;
  private segmentsTotal: number;
  private bytesTotal: number;
  private playlistSegments: PlaylistSegment[];
  private pendingFrames: LoudnessFrame[] = [];
  /** The last few segments, for the incoming bitrate (ffmpeg reports N/A for a segment muxer). */
  private recent: Array<{ bytes: number; duration: number }> = [];
  private timers: NodeJS.Timeout[] = [];
  private lastStatusAt = 0;
  private stopping = false;
  private gapStartedAt: number | null = null;
  private restartDelayMs = 500;
  private everFlowed = false;
  private diskWarned = false;
  private lastResolutionCheck = 0;
  private pendingChecks = new Set<Promise<void>>();
  private ended: Promise<void>;
  private resolveEnded!: () => void;
  readonly sessionDir: string;
  readonly dvrDir: string;

  constructor(
    session: Session,
    private readonly kind: SourceKind,
    private readonly input: IngestInput,
    private readonly deps: SessionIngestDeps,
  ) {
    this.sessionId = session.id;
    this.sessionDir = join(deps.dataDir, 'sessions', session.id);
    this.dvrDir = join(this.sessionDir, DVR_DIR);
    mkdirSync(this.dvrDir, { recursive: true });
    const dvr = deps.store.dvr;
    const segs = dvr.segments(session.id);
    this.playlistSegments = playlistSegmentsOf(segs);
    const last = dvr.lastSegment(session.id);
    this.nextSeq = last ? last.seq + 1 : 0;
    this.mediaEnd = last ? last.media_start + last.duration : 0;
    this.runCount = dvr.runs(session.id).reduce((m, r) => Math.max(m, r.run), 0);
    const totals = dvr.totals(session.id);
    this.segmentsTotal = totals.segments;
    this.bytesTotal = totals.bytes;
    this.ended = new Promise((r) => (this.resolveEnded = r));
    this.timers.push(setInterval(() => this.tick(), 1000));
    this.timers.push(setInterval(() => this.flushLoudness(), LOUDNESS_FLUSH_MS));
    for (const t of this.timers) t.unref();
  }

  /** Resolves when the session's ingest is over (ended or failed) and everything is written. */
  whenEnded(): Promise<void> {
    return this.ended;
  }

  isActive(): boolean {
    return this.state !== 'ended' && this.state !== 'failed';
  }

  status(): IngestStatus {
    const now = Date.now();
    return {
      sessionId: this.sessionId,
      state: this.state,
      message: this.message,
      code: this.code,
      video: this.video,
      audio: this.audio,
      bitrateKbps: this.progress?.bitrateKbps ?? recentBitrateKbps(this.recent),
      fps: this.progress?.fps ?? null,
      droppedFrames: this.progress?.dropFrames ?? 0,
      lateFrames: this.progress?.dupFrames ?? 0,
      lagMs:
        this.lastMediaAt === null || !this.isActive() ? null : Math.max(0, now - this.lastMediaAt),
      mediaTimeS: round3(this.mediaEnd),
      segments: this.segmentsTotal,
      bytes: this.bytesTotal,
      runs: this.runCount,
      at: now,
    };
  }

  /** Push sources: the publisher is waiting (before its first publish, or between publishes). */
  waitForPublisher(): void {
    if (this.stopping) return;
    if (this.state !== 'reconnecting')
      this.setState('waiting', 'Waiting for the publisher (OBS) to connect', 'waiting');
  }

  /** Starts a run with what the probe found. */
  async startRun(probe: MediaProbe): Promise<void> {
    if (this.stopping || this.current) return;
    this.video = probe.video
      ? {
          codec: probe.video.codec,
          width: probe.video.width,
          height: probe.video.height,
          fps: probe.video.fps,
        }
      : null;
    this.audio = probe.audio ? { ...probe.audio } : null;
    if (this.gapStartedAt !== null) {
      const durationMs = Date.now() - this.gapStartedAt;
      this.marker('gap', `The source was away for ${(durationMs / 1000).toFixed(1)} s`, durationMs);
      this.gapStartedAt = null;
    }
    const run = ++this.runCount;
    const tag = `r${String(run).padStart(3, '0')}`;
    const built = buildIngestArgs({
      input: this.input,
      streams: { video: probe.video, audio: probe.audio },
      dvrDir: this.dvrDir,
      runTag: tag,
      segmentSeconds: this.deps.segmentSeconds,
      fps: probe.video?.fps ?? null,
      ...(this.deps.copyTimestamps ? { copyTimestamps: true } : {}),
    });
    if (built.transcodeVideo || built.transcodeAudio) {
      this.deps.logger.info('transcoding codecs that MPEG-TS/preview cannot carry', {
        sessionId: this.sessionId,
        video: probe.video?.codec ?? null,
        audio: probe.audio?.codec ?? null,
      });
    }
    const startedAt = Date.now();
    this.deps.store.dvr.startRun({
      session_id: this.sessionId,
      run,
      source: this.kind,
      started_at: startedAt,
      media_offset: this.mediaEnd,
    });
    const proc = startProcess({
      bin: this.deps.ffmpeg,
      args: built.args,
      extraPipes: 2,
      stdin: 'pipe',
      stdout: built.pcm ? 'pipe' : 'ignore',
      lowPriority: true,
      onStderrLine: (line) => this.onStderr(line),
    });
    const state: RunState = {
      run,
      tag,
      proc,
      offset: this.mediaEnd,
      firstStart: null,
      meter: built.pcm ? new LoudnessMeter(this.mediaEnd) : null,
      mediaFlowed: false,
      startedAt,
    };
    this.current = state;
    this.setState('live', null, null);
    const segmentList = createLineSplitter((line) => this.onSegmentLine(state, line));
    proc
      .pipe(3)
      .setEncoding('utf8')
      .on('data', (text: string) => segmentList.push(text))
      .on('end', () => segmentList.end());
    const parser = createProgressParser((p) => this.onProgress(state, p));
    proc.pipe(4).on('data', (c: Buffer) => parser.push(c));
    proc.stdout?.on('data', (c: Buffer) => this.onPcm(state, c));
    let exit: ProcessExit;
    try {
      exit = await proc.done;
    } catch (err) {
      exit = {
        code: null,
        signal: null,
        stderrTail: err instanceof Error ? err.message : String(err),
        killed: false,
      };
    }
    this.onRunExit(state, exit);
  }

  /** The push publisher's connection closed: it may come back (OBS retries). */
  publisherAway(): void {
    if (this.stopping || !this.isActive()) return;
    this.gapStartedAt ??= Date.now();
    this.setState(
      'reconnecting',
      'The publisher disconnected; waiting for it to come back',
      'publisher_left',
    );
  }

  /** The publisher came back while our run was still attached: same run, one media clock. */
  publisherResumed(): boolean {
    if (!this.current || this.stopping) return false;
    if (this.gapStartedAt !== null) {
      const durationMs = Date.now() - this.gapStartedAt;
      this.marker('gap', `The source was away for ${(durationMs / 1000).toFixed(1)} s`, durationMs);
      this.gapStartedAt = null;
    }
    this.setState('live', null, null);
    return true;
  }

  hasRun(): boolean {
    return this.current !== null;
  }

  /** Stops cleanly: ffmpeg finishes the segment it is writing, which is indexed. */
  async stop(reason = 'Stopped by the operator', code = 'stopped'): Promise<void> {
    if (this.stopping) return this.ended;
    this.stopping = true;
    this.message = reason;
    this.code = code;
    if (this.current) {
      this.setState('stopping', reason, code);
      await this.current.proc.stop({ graceful: true });
    } else {
      this.finish('ended', reason, code);
    }
    return this.ended;
  }

  /** Called by the manager when a run failed before any media and there is nothing to retry. */
  fail(message: string, code: string): void {
    this.stopping = true;
    this.finish('failed', message, code);
  }

  // ---------------------------------------------------------------------------------------------

  private onSegmentLine(run: RunState, line: string): void {
    const entry = parseSegmentCsvLine(line);
    if (!entry) {
      if (line.trim())
        this.deps.logger.warn('unexpected segment list line', { line: line.slice(0, 200) });
      return;
    }
    const closedAt = Date.now();
    run.firstStart ??= entry.start;
    const file = `${DVR_DIR}/${entry.file.split(/[\\/]/).pop()}`;
    let bytes = 0;
    try {
      bytes = statSync(join(this.sessionDir, file)).size;
    } catch {
      this.deps.logger.warn('a listed segment is missing on disk', { file });
      return;
    }
    const duration = round3(entry.end - entry.start);
    const mediaStart = round3(run.offset + (entry.start - run.firstStart));
    const seq = this.nextSeq++;
    const wallStart = closedAt - Math.round(duration * 1000);
    this.deps.store.dvr.addSegment({
      session_id: this.sessionId,
      seq,
      run: run.run,
      file,
      media_start: mediaStart,
      duration,
      wall_start: wallStart,
      wall_end: closedAt,
      bytes,
    });
    this.mediaEnd = Math.max(this.mediaEnd, round3(mediaStart + duration));
    this.segmentsTotal++;
    this.bytesTotal += bytes;
    this.recent.push({ bytes, duration });
    if (this.recent.length > 5) this.recent.shift();
    this.lastMediaAt = closedAt;
    this.markFlowing(run);
    this.playlistSegments.push({ file, duration, run: run.run, wallStart });
    this.onAdvance?.(this.mediaEnd);
    this.deps.onSegment?.({
      sessionId: this.sessionId,
      seq,
      srcStart: entry.start,
      srcEnd: entry.end,
      closedAt,
    });
    this.writePlaylist(false);
    if (
      closedAt - this.lastResolutionCheck >= (this.deps.resolutionCheckMs ?? RESOLUTION_CHECK_MS) &&
      this.video
    ) {
      this.lastResolutionCheck = closedAt;
      // One at a time, in segment order: a later segment's answer never lands before an earlier one's.
      const prev = [...this.pendingChecks].at(-1) ?? Promise.resolve();
      const check = prev.then(() => this.checkResolution(join(this.sessionDir, file), mediaStart));
      this.pendingChecks.add(check);
      void check.finally(() => this.pendingChecks.delete(check));
    }
  }

  private onProgress(run: RunState, p: FfmpegProgress): void {
    const prev = this.progress;
    this.progress = p;
    if (p.outTimeUs !== null && (prev?.outTimeUs ?? -1) < p.outTimeUs) {
      this.lastMediaAt = Date.now();
      this.markFlowing(run);
      if (
        this.state === 'stalled' ||
        (this.state === 'reconnecting' && this.gapStartedAt === null)
      ) {
        this.setState('live', null, null);
      }
    }
    if (Date.now() - this.lastStatusAt >= STATUS_EVERY_MS) this.emitStatus();
  }

  private onPcm(run: RunState, chunk: Buffer): void {
    if (!run.meter) return;
    const mediaTime = run.offset + run.meter.elapsedS;
    this.deps.onPcm?.({ sessionId: this.sessionId, mediaTime, samples: chunk });
    this.pendingFrames.push(...run.meter.push(chunk));
    this.lastMediaAt = Date.now();
    this.markFlowing(run);
  }

  private markFlowing(run: RunState): void {
    if (run.mediaFlowed) return;
    run.mediaFlowed = true;
    this.everFlowed = true;
    this.restartDelayMs = 500;
  }

  private onStderr(line: string): void {
    if (line.trim())
      this.deps.logger.debug('ffmpeg', { sessionId: this.sessionId, line: line.slice(0, 500) });
  }

  private onRunExit(run: RunState, exit: ProcessExit): void {
    // Segment checks still in flight belong to this run: let them land first.
    if (this.pendingChecks.size > 0) {
      void Promise.allSettled([...this.pendingChecks]).then(() => this.onRunExit(run, exit));
      return;
    }
    this.current = null;
    this.flushLoudness();
    const reason = exitReason(exit);
    this.deps.store.dvr.endRun(this.sessionId, run.run, Date.now(), reason);
    this.removeUnindexed(run.tag);
    if (this.stopping) {
      this.finish('ended', this.message ?? 'Stopped', this.code ?? 'stopped');
      return;
    }
    const clean = exit.code === 0;
    const tail = lastMeaningfulLine(exit.stderrTail);
    if (this.kind === 'file') {
      if (clean) this.finish('ended', 'The file has been ingested to its end', 'eof');
      else this.finish('failed', `ffmpeg stopped reading the file: ${tail}`, 'ffmpeg_failed');
      return;
    }
    if (this.kind === 'url') {
      if (clean && run.mediaFlowed) {
        this.finish('ended', 'The stream ended', 'eof');
        return;
      }
      if (!this.everFlowed) {
        this.finish('failed', `Could not read the stream: ${tail}`, 'unreadable');
        return;
      }
      this.gapStartedAt ??= Date.now();
      this.scheduleRestart(`The stream dropped (${tail}); reconnecting`, 'dropped');
      return;
    }
    // Push: the publisher left (the manager calls publisherLeft) or ffmpeg crashed under it.
    this.gapStartedAt ??= Date.now();
    this.setState(
      'reconnecting',
      'The publisher disconnected; waiting for it to come back',
      'publisher_left',
    );
    this.emitStatus();
    this.onPushRunEnded?.(clean);
  }

  /** Set by the manager for push sessions: decides whether to restart at once (publisher still there). */
  onPushRunEnded: ((clean: boolean) => void) | null = null;
  /** Set by the manager for pull sessions: re-probes and starts a new run. */
  restart: (() => Promise<void>) | null = null;
  /** Called as the media clock advances (Infinity once the session is over). */
  onAdvance: ((mediaTime: number) => void) | null = null;

  scheduleRestart(message: string, code: string): void {
    if (this.stopping) return;
    this.setState('reconnecting', message, code);
    this.emitStatus();
    const delay = this.restartDelayMs;
    this.restartDelayMs = Math.min(this.restartDelayMs * 2, 30_000);
    const t = setTimeout(() => {
      if (this.stopping || this.current) return;
      this.marker('restart', message, null);
      void this.restart?.();
    }, delay);
    t.unref();
    this.timers.push(t);
  }

  private async checkResolution(file: string, mediaTime: number): Promise<void> {
    const probe = await this.deps.probeFile(file).catch(() => null);
    const v = probe?.video;
    if (!v || !this.video) return;
    if (v.width !== this.video.width || v.height !== this.video.height) {
      const msg = `Resolution changed from ${this.video.width}×${this.video.height} to ${v.width}×${v.height}`;
      this.video = { ...this.video, width: v.width, height: v.height };
      this.marker('resolution', msg, null, mediaTime);
      this.emitStatus();
    }
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    if (this.state === 'live' && this.lastMediaAt !== null && now - this.lastMediaAt > STALL_MS) {
      this.setState(
        'stalled',
        `No media for ${Math.round((now - this.lastMediaAt) / 1000)} s`,
        'stalled',
      );
      this.marker('stall', 'The stream stalled', null);
    }
    if (this.isActive()) {
      const free = await this.deps.freeBytes().catch(() => null);
      if (free !== null) {
        const { warnBytes, stopBytes } = this.deps.diskLimits();
        if (free < stopBytes && !this.stopping) {
          this.marker('disk', `Stopped recording: only ${gb(free)} GB left on the data disk`, null);
          void this.stop(
            `Stopped recording: the data disk is almost full (${gb(free)} GB free)`,
            'disk_full',
          );
        } else if (free < warnBytes && !this.diskWarned) {
          this.diskWarned = true;
          this.message = `Low disk space: ${gb(free)} GB free on the data disk`;
          this.code = 'disk_low';
          this.marker('disk', this.message, null);
        }
      }
      if (now - this.lastStatusAt >= STATUS_EVERY_MS) this.emitStatus();
    }
  }

  private flushLoudness(): void {
    if (this.pendingFrames.length === 0) return;
    const frames = this.pendingFrames;
    this.pendingFrames = [];
    try {
      appendFileSync(join(this.sessionDir, LOUDNESS_FILE), encodeFrames(frames));
    } catch (err) {
      this.deps.logger.warn('cannot write loudness', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.deps.bus.emit('ingest.loudness', { sessionId: this.sessionId, frames });
  }

  private writePlaylist(ended: boolean): void {
    try {
      writePlaylistFile(this.sessionDir, this.playlistSegments, ended);
    } catch (err) {
      this.deps.logger.error('cannot write the playlist', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /** A killed run leaves at most its last, unfinished segment: remove files the index does not know. */
  private removeUnindexed(tag: string): void {
    const known = new Set(this.playlistSegments.map((s) => basename(s.file)));
    removeUnindexedFiles(this.dvrDir, known, `${tag}-`);
  }

  private marker(
    kind: SessionMarker['kind'],
    message: string,
    durationMs: number | null,
    mediaTime = this.mediaEnd,
  ): void {
    const m: SessionMarker = {
      sessionId: this.sessionId,
      kind,
      mediaTime: round3(mediaTime),
      at: Date.now(),
      durationMs,
      message,
    };
    this.deps.store.dvr.addMarker(m);
    this.deps.bus.emit('session.marker', m);
  }

  private setState(state: IngestState, message: string | null, code: string | null): void {
    const changed = state !== this.state;
    this.state = state;
    if (message !== null || state === 'live') {
      this.message = message;
      this.code = code;
    }
    if (changed) this.emitStatus();
  }

  private emitStatus(): void {
    this.lastStatusAt = Date.now();
    this.deps.bus.emit('ingest.status', this.status());
  }

  private finish(state: 'ended' | 'failed', message: string, code: string): void {
    if (!this.isActive() && this.state === state) return;
    for (const t of this.timers) clearInterval(t);
    this.flushLoudness();
    this.writePlaylist(true);
    this.state = state;
    this.message = message;
    this.code = code;
    if (state === 'failed' && this.segmentsTotal > 0) this.marker('error', message, null);
    this.onAdvance?.(Infinity);
    this.emitStatus();
    this.resolveEnded();
  }
}

function exitReason(exit: ProcessExit): string {
  if (exit.killed) return 'stopped';
  if (exit.signal) return `signal ${exit.signal}`;
  return exit.code === 0 ? 'eof' : `exit ${exit.code}`;
}

export function lastMeaningfulLine(stderr: string): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter((l) => l && !/^(Last message repeated|frame=|size=)/.test(l));
  return (lines.at(-1) ?? 'ffmpeg exited without a message').slice(0, 300);
}

/** kbit/s over the given segments; null when there is nothing to measure. */
export function recentBitrateKbps(
  segs: ReadonlyArray<{ bytes: number; duration: number }>,
): number | null {
  const dur = segs.reduce((n, s) => n + s.duration, 0);
  if (dur <= 0) return null;
  return Math.round((segs.reduce((n, s) => n + s.bytes, 0) * 8) / dur / 100) / 10;
}

/** Seconds to the millisecond, as the index and the API carry them. */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;
const gb = (bytes: number): string => (bytes / 1e9).toFixed(1);
