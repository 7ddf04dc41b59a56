/** The DVR index: runs, segments, markers and holds of each session. */
import type { SessionMarker } from '../api/contract';
import type { Db } from './db';

export interface SegmentRow {
  session_id: string;
  seq: number;
  run: number;
  file: string;
  media_start: number;
  duration: number;
  wall_start: number;
  wall_end: number;
  bytes: number;
  deleted: number;
}

export interface RunRow {
  session_id: string;
  run: number;
  source: string;
  started_at: number;
  ended_at: number | null;
  media_offset: number;
  end_reason: string | null;
}

export interface HoldRow {
  id: number;
  session_id: string;
  media_start: number;
  media_end: number;
  reason: string;
  created_at: number;
}

export interface DvrTotals {
  segments: number;
  bytes: number;
  durationS: number;
}

export interface DvrRepo {
  startRun(row: Omit<RunRow, 'ended_at' | 'end_reason'>): void;
  endRun(sessionId: string, run: number, endedAt: number, reason: string): void;
  runs(sessionId: string): RunRow[];
  addSegment(row: Omit<SegmentRow, 'deleted'>): void;
  segments(sessionId: string, opts?: { includeDeleted?: boolean }): SegmentRow[];
  lastSegment(sessionId: string): SegmentRow | null;
  totals(sessionId: string): DvrTotals;
  /** Every live (not deleted) segment, oldest first by wall clock, for retention. */
  allLiveSegments(): SegmentRow[];
  markDeleted(sessionId: string, seqs: readonly number[]): void;
  addMarker(m: SessionMarker): void;
  markers(sessionId: string): SessionMarker[];
  addHold(h: Omit<HoldRow, 'id'>): number;
  holds(): HoldRow[];
}

export function dvrRepo(db: Db): DvrRepo {
  const insRun = db.prepare(
    `INSERT INTO ingest_runs (session_id, run, source, started_at, media_offset)
     VALUES (@session_id, @run, @source, @started_at, @media_offset)`,
  );
  const endRun = db.prepare<[number, string, string, number]>(
    'UPDATE ingest_runs SET ended_at = ?, end_reason = ? WHERE session_id = ? AND run = ?',
  );
  const runs = db.prepare<[string], RunRow>(
    'SELECT * FROM ingest_runs WHERE session_id = ? ORDER BY run',
  );
  const insSeg = db.prepare(
    `INSERT INTO segments (session_id, seq, run, file, media_start, duration, wall_start, wall_end, bytes)
     VALUES (@session_id, @seq, @run, @file, @media_start, @duration, @wall_start, @wall_end, @bytes)`,
  );
  const segs = db.prepare<[string], SegmentRow>(
    'SELECT * FROM segments WHERE session_id = ? AND deleted = 0 ORDER BY seq',
  );
  const segsAll = db.prepare<[string], SegmentRow>(
    'SELECT * FROM segments WHERE session_id = ? ORDER BY seq',
  );
  const last = db.prepare<[string], SegmentRow>(
    'SELECT * FROM segments WHERE session_id = ? ORDER BY seq DESC LIMIT 1',
  );
  const totals = db.prepare<[string], { n: number; bytes: number | null; dur: number | null }>(
    'SELECT count(*) AS n, sum(bytes) AS bytes, sum(duration) AS dur FROM segments WHERE session_id = ? AND deleted = 0',
  );
  const allLive = db.prepare<[], SegmentRow>(
    'SELECT * FROM segments WHERE deleted = 0 ORDER BY wall_end, seq',
  );
  const del = db.prepare<[string, number]>(
    'UPDATE segments SET deleted = 1 WHERE session_id = ? AND seq = ?',
  );
  const insMarker = db.prepare(
    `INSERT INTO session_markers (session_id, kind, media_time, at, duration_ms, message)
     VALUES (@sessionId, @kind, @mediaTime, @at, @durationMs, @message)`,
  );
  const markers = db.prepare<
    [string],
    {
      kind: SessionMarker['kind'];
      media_time: number;
      at: number;
      duration_ms: number | null;
      message: string;
    }
  >(
    'SELECT kind, media_time, at, duration_ms, message FROM session_markers WHERE session_id = ? ORDER BY media_time, id',
  );
  const insHold = db.prepare(
    `INSERT INTO media_holds (session_id, media_start, media_end, reason, created_at)
     VALUES (@session_id, @media_start, @media_end, @reason, @created_at)`,
  );
  const holds = db.prepare<[], HoldRow>('SELECT * FROM media_holds');
  return {
    startRun: (row) => void insRun.run(row),
    endRun: (sessionId, run, endedAt, reason) => void endRun.run(endedAt, reason, sessionId, run),
    runs: (sessionId) => runs.all(sessionId),
    addSegment: (row) => void insSeg.run(row),
    segments: (sessionId, opts) => (opts?.includeDeleted ? segsAll : segs).all(sessionId),
    lastSegment: (sessionId) => last.get(sessionId) ?? null,
    totals: (sessionId) => {
      const t = totals.get(sessionId);
      return { segments: t?.n ?? 0, bytes: t?.bytes ?? 0, durationS: t?.dur ?? 0 };
    },
    allLiveSegments: () => allLive.all(),
    markDeleted: db.transaction((sessionId: string, seqs: readonly number[]) => {
      for (const seq of seqs) del.run(sessionId, seq);
    }),
    addMarker: (m) => void insMarker.run(m),
    markers: (sessionId) =>
      markers.all(sessionId).map((r) => ({
        sessionId,
        kind: r.kind,
        mediaTime: r.media_time,
        at: r.at,
        durationMs: r.duration_ms,
        message: r.message,
      })),
    addHold: (h) => Number(insHold.run(h).lastInsertRowid),
    holds: () => holds.all(),
  };
}
