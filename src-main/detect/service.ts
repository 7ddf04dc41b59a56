/**
 * Highlight detection for every session: one Detector per session, fed from the engine's own
 * events (final utterances, spotted keywords, loudness frames, the media clock) plus manual
 * marks and chat, and its highlights stored and announced as `highlight.upserted`. The lexicon
 * and the settings are read when a session's detector starts; lexicon edits also reach the
 * detectors already running.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApiError,
  type DetectSettings,
  type Highlight as ApiHighlight,
  Lexicon as LexiconSchema,
} from '../api/contract';
import type { EventBus } from '../api/events';
import { runToCompletion } from '../ffmpeg/run';
import type { Logger } from '../log/logger';
import type { Store } from '../store';
import { DEFAULT_LEXICON } from './default-lexicon';
import { ChatSocket, ClockFeed } from './inputs';
import { Detector } from './detector';
import { LexiconError, parseLexicon } from './lexicon';
import { PRESETS } from './presets';
import type { ChatMsg, Highlight, Lexicon, Mark } from './types';

const LEXICON_KEY = 'detect.lexicon';

export interface DetectServiceDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  dataDir: string;
  /** The ffmpeg binary for thumbnails, or null when there is none. */
  ffmpegPath: () => string | null;
  /** The live edge of a session's media, seconds (null when it is not ingesting). */
  liveEdge: (sessionId: string) => number | null;
  /** Media time before which every utterance of the session has been delivered (see Detector). */
  transcriptHorizon?: (sessionId: string) => number;
  /** Wall clock for delays (tests inject one). */
  now?: () => number;
}

interface Running {
  detector: Detector;
  base: number;
  mediaTime: number;
  /** Detector ids → stored highlight ids. */
  n: Map<string, number>;
}

export class DetectService {
  private readonly running = new Map<string, Running>();
  private readonly unsubscribe: Array<() => void> = [];
  private readonly thumbs = new Map<string, Promise<string | null>>();
  private readonly sockets = new Map<string, ChatSocket>();
  private readonly feeds = new Map<string, { marks: ClockFeed<Mark>; chat: ClockFeed<ChatMsg> }>();
  private readonly leftOver = new Map<string, number>();
  private overrides: { settings?: DetectSettings; lexicon?: Lexicon } = {};

  constructor(private readonly deps: DetectServiceDeps) {
    const { bus } = deps;
    // Nothing runs yet in this engine: what a previous run left open is closed.
    const stale = deps.store.highlights.finalizeAll();
    if (stale) deps.logger.info('closed highlights left open by the previous run', { stale });
    this.unsubscribe.push(
      bus.on('transcript.utterance', (u) => {
        const r = this.session(u.sessionId);
        if (!r) return;
        // Marks and chat up to the end of this sentence go first, as they happened before it.
        this.releaseFeeds(u.sessionId, u.end);
        r.detector.utterance({
          seq: u.seq,
          start: u.start,
          end: u.end,
          text: u.text,
          ...(u.tags ? { tags: u.tags } : {}),
        });
      }),
      bus.on('asr.keyword', (k) =>
        this.session(k.sessionId)?.detector.keyword({ keyword: k.keyword, at: k.at }),
      ),
      bus.on('ingest.loudness', ({ sessionId, frames }) => {
        const r = this.session(sessionId);
        if (!r || frames.length === 0) return;
        r.detector.loudness(frames);
        this.advance(r, frames[frames.length - 1]!.t + 0.1, sessionId);
      }),
      bus.on('ingest.status', (s) => {
        const r = this.running.get(s.sessionId);
        if (r && ['live', 'stalled', 'reconnecting', 'stopping'].includes(s.state))
          this.advance(r, s.mediaTimeS, s.sessionId);
      }),
    );
  }

  /**
   * Settings and a lexicon for this engine's sessions only, not stored (the CLI's --preset,
   * --config and --lexicon). The lexicon is validated here (LexiconError names the entry).
   */
  useOverrides(o: { settings?: DetectSettings; lexicon?: unknown }): void {
    this.overrides = {
      ...(o.settings ? { settings: o.settings } : {}),
      ...(o.lexicon !== undefined ? { lexicon: parseLexicon(o.lexicon) } : {}),
    };
  }

  /** Starts detecting on a session (idempotent); ingest start calls it. */
  start(sessionId: string): void {
    if (this.running.has(sessionId)) return;
    // Whatever a previous run of this session left open is closed now.
    for (const h of this.deps.store.highlights.finalizeOpen(sessionId))
      this.deps.bus.emit('highlight.upserted', h);
    const settings = this.settings();
    const base = this.deps.store.highlights.maxN(sessionId);
    const r: Running = {
      base,
      mediaTime: 0,
      n: new Map(),
      detector: null as unknown as Detector,
    };
    r.detector = new Detector({
      settings,
      lexicon: this.lexicon().lexicon as Lexicon,
      idFor: (n) => {
        const id = `${sessionId}-h${base + n}`;
        r.n.set(id, base + n);
        return id;
      },
      ...(this.deps.now ? { now: this.deps.now } : {}),
      events: {
        onHighlight: (h) => this.store(sessionId, r, h),
      },
    });
    this.running.set(sessionId, r);
  }

  isRunning(sessionId: string): boolean {
    return this.running.has(sessionId);
  }

  /** The session's media is over: close every open window (idempotent). */
  endSession(sessionId: string): void {
    this.sockets.get(sessionId)?.close();
    this.sockets.delete(sessionId);
    const r = this.running.get(sessionId);
    if (!r) return;
    // The media's real end (the last status may be a second old).
    const end = this.deps.store.dvr.totals(sessionId).durationS;
    this.releaseFeeds(sessionId, end);
    const feeds = this.feeds.get(sessionId);
    if (feeds) this.leftOver.set(sessionId, feeds.marks.remaining);
    this.feeds.delete(sessionId);
    if (end > 0) r.detector.advance(end);
    r.detector.finish();
    this.running.delete(sessionId);
  }

  /** A manual mark ("clip that!"): at the live edge unless `at` is given. */
  mark(
    sessionId: string,
    opts: {
      at?: number | undefined;
      source?: Mark['source'] | undefined;
      note?: string | undefined;
    },
  ): ApiHighlight {
    if (!this.deps.store.sessions.get(sessionId))
      throw new ApiError('not_found', `No session with id ${sessionId}`);
    const r = this.running.get(sessionId);
    if (!r)
      throw new ApiError('unavailable', 'This session is not live: marks apply to a live session');
    const at = opts.at ?? this.deps.liveEdge(sessionId) ?? r.mediaTime;
    const source = opts.source ?? 'api';
    this.deps.store.highlights.addMark(sessionId, { at, source, note: opts.note ?? null });
    const h = r.detector.mark({
      at,
      source,
      ...(opts.note !== undefined ? { note: opts.note } : {}),
    });
    return this.deps.store.highlights.get(h.id) ?? this.store(sessionId, r, h);
  }

  /**
   * Marks and chat read from files (headless): released on the session's media clock, before the
   * sentences and the clock ticks that come after them. Returns how many were never released
   * (they lie after the end of the media) once the session ends.
   */
  feedOnClock(
    sessionId: string,
    items: { marks: readonly Mark[]; chat: readonly ChatMsg[] },
  ): void {
    this.feeds.set(sessionId, {
      marks: new ClockFeed(items.marks, (m) =>
        this.mark(sessionId, { at: m.at, source: m.source, note: m.note }),
      ),
      chat: new ClockFeed(items.chat, (m) => this.chat(sessionId, m)),
    });
  }

  /** Marks from feedOnClock that lay after the end of the media (after endSession). */
  unreleasedMarks(sessionId: string): number {
    return this.leftOver.get(sessionId) ?? 0;
  }

  private releaseFeeds(sessionId: string, mediaTime: number): void {
    const f = this.feeds.get(sessionId);
    if (!f) return;
    f.chat.advance(mediaTime);
    f.marks.advance(mediaTime);
  }

  /** Reads a chat WebSocket for a session until it ends; messages carry the live media time. */
  connectChat(sessionId: string, url: URL, clock: () => number): void {
    this.sockets.get(sessionId)?.close();
    const socket = new ChatSocket(
      url,
      clock,
      (m) => this.chat(sessionId, m),
      (problem) => this.deps.logger.warn('chat feed', { sessionId, problem }),
    );
    this.sockets.set(sessionId, socket);
  }

  chat(sessionId: string, msg: ChatMsg): void {
    this.running.get(sessionId)?.detector.chat(msg);
  }

  /** The lexicon in use (the operator's, else the built-in one). */
  lexicon(): { lexicon: Lexicon; builtIn: boolean } {
    if (this.overrides.lexicon) return { lexicon: this.overrides.lexicon, builtIn: false };
    const stored = this.deps.store.settings.getInternal(LEXICON_KEY, LexiconSchema);
    if (stored) {
      try {
        return { lexicon: parseLexicon(stored), builtIn: false };
      } catch (err) {
        this.deps.logger.warn('the stored lexicon is invalid; using the built-in one', {
          error: String(err),
        });
      }
    }
    return { lexicon: DEFAULT_LEXICON, builtIn: true };
  }

  setLexicon(input: unknown): { lexicon: Lexicon; builtIn: boolean } {
    let lexicon: Lexicon;
    try {
      lexicon = parseLexicon(input);
    } catch (err) {
      if (err instanceof LexiconError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    this.deps.store.settings.setInternal(LEXICON_KEY, lexicon);
    return this.lexiconChanged();
  }

  resetLexicon(): { lexicon: Lexicon; builtIn: boolean } {
    this.deps.store.settings.setInternal(LEXICON_KEY, null);
    return this.lexiconChanged();
  }

  presets(): Array<{ name: string; settings: DetectSettings }> {
    return Object.entries(PRESETS).map(([name, settings]) => ({ name, settings }));
  }

  /** A JPEG of the highlight's first trigger moment, made once (relative to the data dir). */
  thumbnail(id: string): Promise<string | null> {
    const h = this.deps.store.highlights.get(id);
    if (!h) throw new ApiError('not_found', `No highlight with id ${id}`);
    let p = this.thumbs.get(id);
    if (!p) {
      p = this.makeThumbnail(h).catch((err: unknown) => {
        this.deps.logger.warn('thumbnail failed', { id, error: String(err) });
        this.thumbs.delete(id);
        return null;
      });
      this.thumbs.set(id, p);
    }
    return p;
  }

  close(): void {
    for (const id of [...this.running.keys()]) this.endSession(id);
    for (const off of this.unsubscribe.splice(0)) off();
  }

  private session(sessionId: string): Running | undefined {
    return this.running.get(sessionId);
  }

  /** The settings a session started now would use. */
  currentSettings(): DetectSettings {
    return this.settings();
  }

  private settings(): DetectSettings {
    return this.overrides.settings ?? this.deps.store.settings.getAll()['detect.settings'];
  }

  private lexiconChanged(): { lexicon: Lexicon; builtIn: boolean } {
    const current = this.lexicon();
    for (const r of this.running.values()) r.detector.setLexicon(current.lexicon);
    this.deps.bus.emit('lexicon.changed', current);
    return current;
  }

  private advance(r: Running, mediaTime: number, sessionId: string): void {
    this.releaseFeeds(sessionId, mediaTime);
    const horizon = this.deps.transcriptHorizon?.(sessionId);
    if (horizon !== undefined) r.detector.transcriptHorizon(horizon);
    if (!(mediaTime > r.mediaTime)) return;
    r.mediaTime = mediaTime;
    r.detector.advance(mediaTime);
  }

  private store(sessionId: string, r: Running, h: Highlight): ApiHighlight {
    const stored = this.deps.store.highlights.upsert({
      id: h.id,
      sessionId,
      n: r.n.get(h.id) ?? r.base + r.n.size + 1,
      start: h.start,
      end: h.end,
      score: Math.min(1, Math.max(0, h.score)),
      reasons: h.reasons.map((x) => ({
        kind: x.kind,
        text: x.text,
        at: x.at,
        weight: x.weight,
        ...(x.entryId !== undefined ? { entryId: x.entryId } : {}),
        ...(x.category !== undefined ? { category: x.category } : {}),
      })),
      text: h.text,
      category: h.category,
      state: h.state,
      delayMs: Math.max(0, h.emittedWallMs - h.firstSignalWallMs),
    });
    this.deps.bus.emit('highlight.upserted', stored);
    return stored;
  }

  private async makeThumbnail(h: ApiHighlight): Promise<string | null> {
    const bin = this.deps.ffmpegPath();
    if (!bin) return null;
    // Half a second into the trigger: the host mid-sentence, not the cut before it.
    const at = Math.min((h.reasons[0]?.at ?? h.start) + 0.5, h.end);
    const segments = this.deps.store.dvr.segments(h.sessionId);
    const seg =
      segments.find((s) => s.media_start <= at && at < s.media_start + s.duration) ??
      segments.filter((s) => s.media_start <= at).at(-1);
    if (!seg) return null;
    const dir = join(this.deps.dataDir, 'sessions', h.sessionId, 'thumbs');
    mkdirSync(dir, { recursive: true });
    const rel = `sessions/${h.sessionId}/thumbs/${h.id}.jpg`;
    const out = join(this.deps.dataDir, rel);
    if (existsSync(out)) return rel;
    const input = join(this.deps.dataDir, 'sessions', h.sessionId, seg.file);
    // Output seeking (input seeking into a 1 s MPEG-TS segment can land past its frames), kept
    // clear of the segment's last frame; the segment's first frame if that still finds none.
    const offset = Math.max(0, Math.min(at - seg.media_start, seg.duration - 0.15));
    let tail = '';
    for (const ss of offset > 0 ? [offset, 0] : [0]) {
      const { exit } = await runToCompletion({
        bin,
        args: [
          '-hide_banner',
          '-loglevel',
          'error',
          '-i',
          input,
          '-ss',
          ss.toFixed(3),
          '-frames:v',
          '1',
          '-vf',
          'scale=-2:180',
          '-q:v',
          '5',
          '-y',
          out,
        ],
        timeoutMs: 15_000,
      });
      if (exit.code === 0 && existsSync(out)) return rel;
      tail = exit.stderrTail.trim().slice(-300) || `exit ${exit.code}, no frame`;
    }
    throw new Error(`ffmpeg could not grab a frame from ${seg.file}: ${tail}`);
  }
}
