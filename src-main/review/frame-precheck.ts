/**
 * The image check, done while the stream goes on: the frames of a highlight's window are scored
 * from the DVR as its segments close (every other 1 s segment), so when the clip is ready its
 * verdict needs only the last segment or two — the check no longer sits between "clip ready"
 * and "published". The source frames are a superset of what the clip shows (the clip is a crop
 * or a fit of them, plus our own captions and cards), so this is the conservative reading.
 */
import { join } from 'node:path';
import type { Highlight } from '../api/contract';
import type { Logger } from '../log/logger';
import { decide, type FrameScores, resolveThresholds, type Scores } from '../safety/image/decide';
import type { Store } from '../store';
import type { SegmentRow } from '../store/dvr';
import type { ImageCheck } from './service';

/** One sampled segment in this many. */
const STEP = 2;
const MAX_SAMPLES = 12;

export interface PrecheckDeps {
  store: Store;
  dataDir: string;
  logger: Logger;
  /** The checker, or null while the image check is off or cannot run. */
  checker: () => ImageCheck | null;
}

export interface WindowVerdict {
  model: string;
  backend: string;
  frames: FrameScores[];
  flagged: boolean;
  worst: { label: string; score: number; at: number } | null;
  reason: string | null;
  /** Frames scored now (not already done while the window was open). */
  late: number;
}

/** The segments sampled for a media-time window (every STEP-th, at least 2, at most 12). */
export function sampleSegments(
  segments: readonly SegmentRow[],
  start: number,
  end: number,
): SegmentRow[] {
  const inside = segments.filter(
    (s) => !s.deleted && s.media_start < end && s.media_start + s.duration > start,
  );
  let picked = inside.filter((s) => s.seq % STEP === 0);
  if (picked.length < 2) picked = inside;
  if (picked.length <= MAX_SAMPLES) return picked;
  const every = picked.length / MAX_SAMPLES;
  return Array.from({ length: MAX_SAMPLES }, (_, i) => picked[Math.floor(i * every)]!);
}

export class FramePrecheck {
  /** `<sessionId>:<seq>` → the scored frame (media time). */
  private readonly scored = new Map<string, FrameScores & { model: string; backend: string }>();
  private readonly running = new Map<string, Promise<void>>();
  /** Windows of highlights not dismissed, per session: the segments worth scoring. */
  private readonly windows = new Map<string, Map<string, { start: number; end: number }>>();
  private readonly thresholds = resolveThresholds();

  constructor(private readonly deps: PrecheckDeps) {}

  highlight(h: Highlight): void {
    const byId = this.windows.get(h.sessionId) ?? new Map<string, { start: number; end: number }>();
    this.windows.set(h.sessionId, byId);
    if (h.review === 'dismissed') {
      byId.delete(h.id);
      return;
    }
    byId.set(h.id, { start: h.start, end: h.end });
    if (!this.deps.checker()) return;
    // The pre-roll's segments closed before the trigger: score them now.
    for (const s of sampleSegments(this.deps.store.dvr.segments(h.sessionId), h.start, h.end))
      this.score(h.sessionId, s);
  }

  /** A segment closed: scored now when it is a sampled one inside an open window. */
  segment(sessionId: string, seq: number): void {
    // Odd segments are never sampled while the window is open (a short window scores them late).
    if (seq % STEP !== 0) return;
    const windows = this.windows.get(sessionId);
    if (!windows?.size || !this.deps.checker()) return;
    const seg = this.deps.store.dvr.lastSegment(sessionId);
    if (!seg || seg.seq !== seq) return;
    const end = seg.media_start + seg.duration;
    for (const w of windows.values())
      if (seg.media_start < w.end && end > w.start) return this.score(sessionId, seg);
  }

  /** The window's verdict from its sampled frames (scoring the missing ones now); null without DVR. */
  async verdict(
    sessionId: string,
    start: number,
    end: number,
    signal: AbortSignal,
  ): Promise<WindowVerdict | null> {
    const segs = sampleSegments(this.deps.store.dvr.segments(sessionId), start, end);
    if (segs.length === 0) return null;
    let late = 0;
    for (const s of segs) {
      const key = `${sessionId}:${s.seq}`;
      if (!this.scored.has(key) && !this.running.has(key)) late++;
      this.score(sessionId, s);
    }
    await Promise.all(segs.map((s) => this.running.get(`${sessionId}:${s.seq}`)));
    signal.throwIfAborted();
    const frames = segs.flatMap((s) => {
      const f = this.scored.get(`${sessionId}:${s.seq}`);
      return f ? [f] : [];
    });
    if (frames.length < segs.length)
      throw new Error(
        `${segs.length - frames.length} of ${segs.length} frames could not be scored`,
      );
    const v = decide(
      frames.map((f) => ({ at: Math.max(0, f.at - start), scores: f.scores })),
      this.thresholds,
    );
    return {
      model: frames[0]!.model,
      backend: frames[0]!.backend,
      frames,
      flagged: v.flagged,
      worst: v.worst,
      reason: v.reason,
      late,
    };
  }

  forget(sessionId: string): void {
    this.windows.delete(sessionId);
    for (const k of [...this.scored.keys()])
      if (k.startsWith(`${sessionId}:`)) this.scored.delete(k);
  }

  private score(sessionId: string, seg: SegmentRow): void {
    const key = `${sessionId}:${seg.seq}`;
    const checker = this.deps.checker();
    if (!checker || this.scored.has(key) || this.running.has(key)) return;
    const file = join(this.deps.dataDir, 'sessions', sessionId, seg.file);
    const p = checker
      .check(file, { samples: 1, durationS: seg.duration })
      .then((r) => {
        const f = r.frames[0];
        if (f)
          this.scored.set(key, {
            at: seg.media_start + f.at,
            scores: f.scores as Scores,
            model: r.model,
            backend: r.backend,
          });
      })
      .catch((err: unknown) => {
        this.deps.logger.warn('could not score a DVR frame', {
          segment: seg.file,
          error: (err as Error).message,
        });
      })
      .finally(() => this.running.delete(key));
    this.running.set(key, p);
  }
}
