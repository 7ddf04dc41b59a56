/**
 * The engine's ingest: the push listeners (RTMP, SRT), the stream key, the active session
 * ingests, session media and loudness for the UI, storage use and retention, and recovery of
 * sessions that were recording when the app stopped.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { basename, join } from 'node:path';
import {
  ApiError,
  type IngestEndpoints,
  type IngestSourceInput,
  type IngestStatus,
  type LoudnessFrame,
  type Session,
  type SessionMedia,
  type Settings,
  type StorageUsage,
} from '../api/contract';
import type { EventBus } from '../api/events';
import { loadTimedText, TimedTextFeed } from '../asr/timed-text-feed';
import { TimedTextError } from '../asr/timed-text';
import type { Cue } from '../asr/timed-text';
import { type MediaProbe, ProbeError, probeMedia, ffprobeFor } from '../ffmpeg/probe';
import type { FfmpegResolution } from '../ffmpeg/resolve';
import type { Logger } from '../log/logger';
import type { Store } from '../store';
import { type IngestInput, InputError, parsePullUrl, protocolWhitelist } from './args';
import { decodeFrames, downsampleFrames } from './loudness';
import { planRetention } from './retention';
import { type RtmpListener, startRtmpListener } from './rtmp-listener';
import {
  DVR_DIR,
  LOUDNESS_FILE,
  type PcmChunk,
  PLAYLIST_FILE,
  playlistSegmentsOf,
  removeUnindexedFiles,
  round3,
  writePlaylistFile,
  type SegmentReport,
  SessionIngest,
  type SourceKind,
} from './session-ingest';
import { type SrtRelay, startSrtRelay } from './srt-relay';

const KEY_SETTING = 'ingest.streamKey';
const PASSPHRASE_SETTING = 'ingest.srtPassphrase';
export const SEGMENT_SECONDS = 1;

export interface IngestManagerDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  dataDir: string;
  ffmpeg: () => FfmpegResolution;
  settings: () => Settings;
  /** Tests: probe every new segment for resolution changes. */
  resolutionCheckMs?: number;
  /** How long a dropped publisher may resume the same run (default 30 s). */
  publishGraceMs?: number;
  /** Benchmarks only: keep source timestamps and report every segment. */
  bench?: {
    onSegment(seg: SegmentReport): void;
    onPublish(at: number): void;
  };
}

export class IngestManager {
  private rtmp: RtmpListener | null = null;
  private rtmpError: string | null = null;
  private srt: SrtRelay | null = null;
  private srtError: string | null = null;
  private readonly active = new Map<string, SessionIngest>();
  private pushSession: SessionIngest | null = null;
  private readonly pcmListeners = new Set<(c: PcmChunk) => void>();
  private readonly segmentListeners = new Set<(s: SegmentReport) => void>();
  /** Sessions whose transcript comes from a timed-text file (the recognizer stays off there). */
  private readonly timedText = new Map<string, TimedTextFeed>();
  private readonly log: Logger;
  private key: string;
  private passphrase: string;

  constructor(private readonly deps: IngestManagerDeps) {
    this.log = deps.logger.child({ component: 'ingest' });
    const s = deps.store.settings;
    const str = {
      safeParse: (v: unknown) =>
        typeof v === 'string' && v.length >= 16
          ? { success: true as const, data: v }
          : { success: false as const },
    };
    this.key = (s.getInternal(KEY_SETTING, str as never) as string | null) ?? newKey();
    this.passphrase =
      (s.getInternal(PASSPHRASE_SETTING, str as never) as string | null) ?? newKey();
    s.setInternal(KEY_SETTING, this.key);
    s.setInternal(PASSPHRASE_SETTING, this.passphrase);
    deps.logger.addSecret(this.key);
    deps.logger.addSecret(this.passphrase);
  }

  /** Sessions that were recording when LiveSlice stopped: close them, keeping every indexed second. */
  recover(): void {
    for (const s of this.deps.store.sessions.withStatus('live')) {
      const dir = join(this.deps.dataDir, 'sessions', s.id);
      const segs = this.deps.store.dvr.segments(s.id);
      removeUnindexedFiles(join(dir, DVR_DIR), new Set(segs.map((x) => basename(x.file))));
      this.writeFinalPlaylist(s.id);
      const last = segs.at(-1);
      this.deps.store.dvr.addMarker({
        sessionId: s.id,
        kind: 'error',
        mediaTime: last ? last.media_start + last.duration : 0,
        at: Date.now(),
        durationMs: null,
        message: 'LiveSlice stopped while recording; everything recorded up to here was kept',
      });
      this.deps.store.sessions.setStatus(s.id, 'ended');
      this.log.warn('recovered a session that was recording when LiveSlice stopped', {
        sessionId: s.id,
        segments: segs.length,
      });
    }
  }

  /** Starts the RTMP and SRT push listeners (errors are reported in endpoints(), not thrown). */
  async listen(): Promise<void> {
    const settings = this.deps.settings();
    try {
      this.rtmp = await startRtmpListener({
        port: settings['ingest.rtmpPort'],
        key: this.key,
        logger: this.log,
        ...(this.deps.publishGraceMs !== undefined ? { graceMs: this.deps.publishGraceMs } : {}),
      });
      this.rtmpError = null;
      this.rtmp.onPublish((info) => {
        this.deps.bench?.onPublish(info.at);
        void this.onPublish();
      });
      this.rtmp.onAway(() => this.pushSession?.publisherAway());
    } catch (err) {
      this.rtmpError = err instanceof Error ? err.message : String(err);
      this.log.warn('RTMP listener not available', { error: this.rtmpError });
      return;
    }
    const ff = this.deps.ffmpeg();
    if (!ff.found) {
      this.srtError = ff.message;
      return;
    }
    this.srt = startSrtRelay({
      ffmpeg: ff.path,
      port: settings['ingest.srtPort'],
      passphrase: this.passphrase,
      rtmpTarget: this.rtmp.pullUrl(),
      logger: this.log,
    });
  }

  endpoints(): IngestEndpoints {
    const port = this.deps.settings()['ingest.rtmpPort'];
    const srtPort = this.deps.settings()['ingest.srtPort'];
    return {
      rtmp: {
        serverUrl: this.rtmp?.serverUrl() ?? `rtmp://127.0.0.1:${port}/live`,
        streamKey: this.key,
        listening: this.rtmp !== null,
        error: this.rtmp
          ? null
          : (this.rtmpError ?? 'The RTMP listener is not running in this mode'),
      },
      srt: {
        url:
          this.srt?.url() ??
          `srt://127.0.0.1:${srtPort}?mode=caller&passphrase=${encodeURIComponent(this.passphrase)}&pbkeylen=16`,
        passphrase: this.passphrase,
        listening: this.srt?.listening() ?? false,
        error: this.srt
          ? this.srt.error()
          : (this.srtError ?? this.rtmpError ?? 'The SRT listener is not running in this mode'),
      },
    };
  }

  rotateKey(): IngestEndpoints {
    this.key = newKey();
    this.passphrase = newKey();
    this.deps.logger.addSecret(this.key);
    this.deps.logger.addSecret(this.passphrase);
    this.deps.store.settings.setInternal(KEY_SETTING, this.key);
    this.deps.store.settings.setInternal(PASSPHRASE_SETTING, this.passphrase);
    this.rtmp?.setKey(this.key);
    if (this.rtmp) this.srt?.setPassphrase(this.passphrase, this.rtmp.pullUrl());
    this.log.info('rotated the stream key and SRT passphrase');
    return this.endpoints();
  }

  onPcm(cb: (c: PcmChunk) => void): () => void {
    this.pcmListeners.add(cb);
    return () => this.pcmListeners.delete(cb);
  }

  /** Every DVR segment as soon as it is closed and indexed (the clip renderer feeds on these). */
  onSegment(cb: (s: SegmentReport) => void): () => void {
    this.segmentListeners.add(cb);
    return () => this.segmentListeners.delete(cb);
  }

  /** With a timed-text transcript: the media time up to which its lines are all out (else null). */
  timedTextHorizon(sessionId: string): number | null {
    const feed = this.timedText.get(sessionId);
    if (!feed) return null;
    const ingest = this.active.get(sessionId);
    return ingest?.isActive() ? feed.horizon(this.status(sessionId).mediaTimeS) : Infinity;
  }

  /** Whether the session was started with a .vtt/.srt transcript (it replaces the recognizer). */
  hasTimedText(sessionId: string): boolean {
    return this.timedText.has(sessionId);
  }

  /** Probes a pull/file source (≤ 10 s), creates its session and starts it. */
  async start(req: {
    title?: string | undefined;
    source: IngestSourceInput;
    transcript?: string | undefined;
  }): Promise<Session> {
    const ff = this.requireFfmpeg();
    const { source } = req;
    let cues: Cue[] | null = null;
    if (req.transcript !== undefined) {
      if (source.kind === 'rtmp' || source.kind === 'srt') {
        throw new ApiError(
          'bad_request',
          'A subtitles file applies to file and URL sources, not to a live push',
        );
      }
      cues = readCues(req.transcript);
    }
    if (source.kind === 'rtmp' || source.kind === 'srt')
      return this.startPush(source.kind, req.title);
    let input: IngestInput;
    try {
      input =
        source.kind === 'url'
          ? { kind: 'url', url: parsePullUrl(source.url).href }
          : { kind: 'file', path: source.path, realtime: source.realtime ?? true };
    } catch (err) {
      throw new ApiError('bad_request', err instanceof InputError ? err.message : String(err));
    }
    if (input.kind === 'file' && !existsSync(input.path)) {
      throw new ApiError('bad_request', `No such file: ${input.path}`);
    }
    const probe = await this.probe(input, input.kind === 'url', ff.path).catch((err: unknown) => {
      throw probeToApiError(err);
    });
    const title =
      req.title ?? (input.kind === 'file' ? basename(input.path) : new URL(input.url).host);
    const session = this.deps.store.sessions.create(title, {
      kind: source.kind,
      uri: input.kind === 'file' ? input.path : redactUrl(input.url),
    });
    const live = this.deps.store.sessions.setStatus(session.id, 'live') ?? session;
    this.deps.bus.emit('session.upserted', live);
    const ingest = this.track(live, source.kind, input, ff.path);
    if (cues) {
      const feed = new TimedTextFeed(live.id, cues, this.deps.store, this.deps.bus);
      this.timedText.set(live.id, feed);
      ingest.onAdvance = (t) => feed.advance(t);
    }
    if (input.kind === 'url') {
      ingest.restart = async () => {
        try {
          await ingest.startRun(await this.probe(input, true, ff.path));
        } catch (err) {
          ingest.scheduleRestart(
            `Reconnect failed: ${err instanceof Error ? err.message : String(err)}`,
            'reconnect_failed',
          );
        }
      };
    }
    void ingest.startRun(probe);
    return live;
  }

  private async startPush(kind: 'rtmp' | 'srt', title: string | undefined): Promise<Session> {
    if (!this.rtmp) {
      throw new ApiError(
        'unavailable',
        `The push listener is not running: ${this.endpoints().rtmp.error ?? 'unknown error'}`,
      );
    }
    if (this.pushSession?.isActive()) {
      const existing = this.deps.store.sessions.get(this.pushSession.sessionId);
      if (existing) return existing;
    }
    const ff = this.requireFfmpeg();
    const session = this.deps.store.sessions.create(title ?? `OBS ${new Date().toLocaleString()}`, {
      kind,
      uri: null,
    });
    const live = this.deps.store.sessions.setStatus(session.id, 'live') ?? session;
    this.deps.bus.emit('session.upserted', live);
    const ingest = this.track(live, kind, { kind: 'push', url: this.rtmp.pullUrl() }, ff.path);
    this.pushSession = ingest;
    ingest.restart = () => this.startPushRun(ingest);
    ingest.onPushRunEnded = () => {
      // ffmpeg ended while the publisher is still there (crash, kill): restart it.
      if (this.rtmp?.isPublishing())
        ingest.scheduleRestart('The ingest process stopped; restarting', 'restarting');
    };
    if (this.rtmp.isPublishing()) void this.startPushRun(ingest);
    else ingest.waitForPublisher();
    return live;
  }

  private async onPublish(): Promise<void> {
    const current = this.pushSession?.isActive() ? this.pushSession : null;
    if (current?.publisherResumed()) return;
    if (current) return this.startPushRun(current);
    // A publish with no session waiting: record it anyway, nothing is lost.
    try {
      await this.startPush('rtmp', undefined);
    } catch (err) {
      this.log.error('could not start a session for a new publish', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private async startPushRun(ingest: SessionIngest): Promise<void> {
    if (!this.rtmp || !ingest.isActive()) return;
    try {
      const probe = await this.probe(
        { kind: 'push', url: this.rtmp.pullUrl() },
        true,
        this.requireFfmpeg().path,
      );
      await ingest.startRun(probe);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (this.rtmp.isPublishing())
        ingest.scheduleRestart(`Cannot read the published stream: ${msg}`, 'unreadable');
      else this.log.info('publisher left before its stream could be read', { error: msg });
    }
  }

  async stop(sessionId: string): Promise<Session> {
    const ingest = this.active.get(sessionId);
    if (ingest) await ingest.stop();
    const s = this.deps.store.sessions.get(sessionId);
    if (!s) throw new ApiError('not_found', `No session with id ${sessionId}`);
    return s;
  }

  status(sessionId: string): IngestStatus {
    const ingest = this.active.get(sessionId);
    if (ingest) return ingest.status();
    const s = this.deps.store.sessions.get(sessionId);
    if (!s) throw new ApiError('not_found', `No session with id ${sessionId}`);
    const t = this.deps.store.dvr.totals(sessionId);
    const runs = this.deps.store.dvr.runs(sessionId);
    return {
      sessionId,
      state: 'ended',
      message: null,
      code: null,
      video: null,
      audio: null,
      bitrateKbps: null,
      fps: null,
      droppedFrames: 0,
      lateFrames: 0,
      lagMs: null,
      mediaTimeS: round3(t.durationS),
      segments: t.segments,
      bytes: t.bytes,
      runs: runs.length,
      at: Date.now(),
    };
  }

  media(sessionId: string): SessionMedia {
    if (!this.deps.store.sessions.get(sessionId))
      throw new ApiError('not_found', `No session with id ${sessionId}`);
    const rel = `sessions/${sessionId}/${PLAYLIST_FILE}`;
    const t = this.deps.store.dvr.totals(sessionId);
    return {
      sessionId,
      playlist: existsSync(join(this.deps.dataDir, rel)) ? rel : null,
      durationS: round3(t.durationS),
      segments: t.segments,
      bytes: t.bytes,
      ended: !this.active.get(sessionId)?.isActive(),
      markers: this.deps.store.dvr.markers(sessionId),
    };
  }

  loudness(sessionId: string, fromS = 0, toS = Infinity, maxPoints = 2000): LoudnessFrame[] {
    if (!this.deps.store.sessions.get(sessionId))
      throw new ApiError('not_found', `No session with id ${sessionId}`);
    let buf: Buffer;
    try {
      buf = readFileSync(join(this.deps.dataDir, 'sessions', sessionId, LOUDNESS_FILE));
    } catch {
      return [];
    }
    return downsampleFrames(
      decodeFrames(buf).filter((f) => f.t >= fromS && f.t <= toS),
      maxPoints,
    );
  }

  async storageUsage(): Promise<StorageUsage> {
    const settings = this.deps.settings();
    const bySession = new Map<string, { bytes: number; durationS: number }>();
    let total = 0;
    for (const s of this.deps.store.dvr.allLiveSegments()) {
      const e = bySession.get(s.session_id) ?? { bytes: 0, durationS: 0 };
      e.bytes += s.bytes;
      e.durationS += s.duration;
      bySession.set(s.session_id, e);
      total += s.bytes;
    }
    const disk = await diskSpace(this.deps.dataDir);
    return {
      dataDir: this.deps.dataDir,
      dvrBytes: total,
      freeBytes: disk?.free ?? null,
      totalBytes: disk?.total ?? null,
      sessions: [...bySession].map(([id, e]) => ({
        id,
        bytes: e.bytes,
        durationS: round3(e.durationS),
      })),
      retentionHours: settings['dvr.retentionHours'],
      retentionGB: settings['dvr.retentionGB'],
    };
  }

  /** Applies the retention policy to sessions that are not recording now. */
  async prune(now = Date.now()): Promise<StorageUsage> {
    const settings = this.deps.settings();
    const segs = this.deps.store.dvr
      .allLiveSegments()
      .filter((s) => !this.active.get(s.session_id)?.isActive());
    const plan = planRetention(
      segs.map((s) => ({
        sessionId: s.session_id,
        seq: s.seq,
        mediaStart: s.media_start,
        duration: s.duration,
        wallEnd: s.wall_end,
        bytes: s.bytes,
      })),
      this.deps.store.dvr.holds().map((h) => ({
        sessionId: h.session_id,
        mediaStart: h.media_start,
        mediaEnd: h.media_end,
      })),
      {
        maxHours: settings['dvr.retentionHours'],
        maxBytes: settings['dvr.retentionGB'] === null ? null : settings['dvr.retentionGB'] * 1e9,
      },
      now,
    );
    const bySession = new Map<string, number[]>();
    for (const r of plan.remove)
      bySession.set(r.sessionId, [...(bySession.get(r.sessionId) ?? []), r.seq]);
    for (const [sessionId, seqs] of bySession) {
      const files = new Map(this.deps.store.dvr.segments(sessionId).map((s) => [s.seq, s.file]));
      this.deps.store.dvr.markDeleted(sessionId, seqs);
      for (const seq of seqs) {
        const f = files.get(seq);
        if (f) rmSync(join(this.deps.dataDir, 'sessions', sessionId, f), { force: true });
      }
      this.writeFinalPlaylist(sessionId);
    }
    if (plan.remove.length)
      this.log.info('retention removed DVR segments', { segments: plan.remove.length });
    return this.storageUsage();
  }

  /** Waits for every active ingest to end (CLI: after stop or at the end of the input). */
  async whenAllEnded(): Promise<void> {
    await Promise.all([...this.active.values()].map((i) => i.whenEnded()));
  }

  activeIngest(sessionId: string): SessionIngest | null {
    return this.active.get(sessionId) ?? null;
  }

  async close(): Promise<void> {
    await Promise.all(
      [...this.active.values()].map((i) => i.stop('LiveSlice is shutting down', 'shutdown')),
    );
    await this.srt?.close();
    await this.rtmp?.close();
    this.srt = null;
    this.rtmp = null;
  }

  // ---------------------------------------------------------------------------------------------

  private track(
    session: Session,
    kind: SourceKind,
    input: IngestInput,
    ffmpeg: string,
  ): SessionIngest {
    const ingest = new SessionIngest(session, kind, input, {
      store: this.deps.store,
      bus: this.deps.bus,
      logger: this.log.child({ sessionId: session.id }),
      ffmpeg,
      dataDir: this.deps.dataDir,
      segmentSeconds: SEGMENT_SECONDS,
      probe: (i, live) => this.probe(i, live, ffmpeg),
      probeFile: (path) =>
        probeMedia(path, { ffprobePath: ffprobeFor(ffmpeg), timeoutMs: 5000 }).catch(() => null),
      onPcm: (c) => this.pcmListeners.forEach((l) => l(c)),
      freeBytes: async () => (await diskSpace(this.deps.dataDir))?.free ?? null,
      ...(this.deps.resolutionCheckMs !== undefined
        ? { resolutionCheckMs: this.deps.resolutionCheckMs }
        : {}),
      ...(this.deps.bench ? { copyTimestamps: true } : {}),
      onSegment: (seg) => {
        this.deps.bench?.onSegment(seg);
        for (const l of this.segmentListeners) l(seg);
      },
      diskLimits: () => {
        const s = this.deps.settings();
        return { warnBytes: s['disk.warnFreeGB'] * 1e9, stopBytes: s['disk.stopFreeGB'] * 1e9 };
      },
    });
    this.active.set(session.id, ingest);
    void ingest.whenEnded().then(() => {
      const ended = this.deps.store.sessions.setStatus(session.id, 'ended');
      if (ended) this.deps.bus.emit('session.upserted', ended);
      if (this.pushSession === ingest) this.pushSession = null;
    });
    return ingest;
  }

  private probe(input: IngestInput, live: boolean, ffmpeg: string): Promise<MediaProbe> {
    const target = input.kind === 'file' ? input.path : input.url;
    return probeMedia(target, {
      ffprobePath: ffprobeFor(ffmpeg),
      live,
      timeoutMs: 10_000,
      protocolWhitelist: protocolWhitelist(input),
      // A push is already flowing through our own listener: a short look is enough.
      ...(input.kind === 'push' ? { analyzeDurationUs: 1_000_000 } : {}),
    });
  }

  private requireFfmpeg(): { path: string } {
    const ff = this.deps.ffmpeg();
    if (!ff.found) throw new ApiError('unavailable', ff.message);
    return ff;
  }

  private writeFinalPlaylist(sessionId: string): void {
    const dir = join(this.deps.dataDir, 'sessions', sessionId);
    if (!existsSync(dir)) return;
    try {
      writePlaylistFile(dir, playlistSegmentsOf(this.deps.store.dvr.segments(sessionId)), true);
    } catch (err) {
      this.log.warn('cannot write the playlist', {
        sessionId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
}

function readCues(path: string): Cue[] {
  try {
    return loadTimedText(path);
  } catch (err) {
    if (err instanceof TimedTextError)
      throw new ApiError('bad_request', `Bad subtitles file: ${err.message}`);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new ApiError('bad_request', `No such subtitles file: ${path}`);
    if (err instanceof TypeError) throw new ApiError('bad_request', `${path} is not UTF-8 text`);
    throw new ApiError('bad_request', `Cannot read the subtitles file ${path}: ${e.message}`);
  }
}

export function probeToApiError(err: unknown): ApiError {
  if (err instanceof ProbeError) {
    const code =
      err.kind === 'unreachable' || err.kind === 'timeout' || err.kind === 'ffprobe_missing'
        ? 'unavailable'
        : 'bad_request';
    return new ApiError(code, err.message);
  }
  return new ApiError('internal', err instanceof Error ? err.message : String(err));
}

function newKey(): string {
  // 20 chars of [a-z0-9]: safe in URLs, SRT passphrases (10–79 chars) and OBS's key field.
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** URLs may carry credentials or tokens in the query: keep only what identifies the stream. */
export function redactUrl(raw: string): string {
  try {
    const u = new URL(raw);
    u.username = '';
    u.password = '';
    if (u.search) u.search = '?…';
    return u.href;
  } catch {
    return '[unparseable URL]';
  }
}

async function diskSpace(dir: string): Promise<{ free: number; total: number } | null> {
  try {
    const s = await statfs(dir);
    return { free: s.bavail * s.bsize, total: s.blocks * s.bsize };
  } catch {
    return null;
  }
}
