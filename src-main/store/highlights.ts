/**
 * Highlights the detector proposed, with the operator's decisions and nudges, and the manual
 * marks they came from. The detector owns the detected window; a nudge owns the clip window
 * from then on (later detector updates move only the detected one).
 */
import type { Highlight, HighlightReason } from '../api/contract';
import type { Db } from './db';

/** What the detector reports; the repo adds review state, nudges and timestamps. */
export interface DetectedHighlight {
  id: string;
  sessionId: string;
  n: number;
  start: number;
  end: number;
  score: number;
  reasons: HighlightReason[];
  text: string;
  category: string;
  state: Highlight['state'];
  delayMs: number | null;
}

export interface MarkRow {
  at: number;
  source: string;
  note: string | null;
}

export interface HighlightsRepo {
  /** Inserts or updates from the detector (keeps review and nudges). */
  upsert(h: DetectedHighlight, now?: number): Highlight;
  get(id: string): Highlight | null;
  list(sessionId: string): Highlight[];
  /** The highest n used in the session (0 when none): a resumed detector counts on from it. */
  maxN(sessionId: string): number;
  review(id: string, review: Highlight['review'], now?: number): Highlight | null;
  nudge(id: string, start: number, end: number, now?: number): Highlight | null;
  /** Closes every provisional highlight of the session (recovery after a crash or restart). */
  finalizeOpen(sessionId: string, now?: number): Highlight[];
  /** Closes every provisional highlight of every session (engine start: none is running). */
  finalizeAll(now?: number): number;
  addMark(sessionId: string, mark: MarkRow, now?: number): void;
  marks(sessionId: string): MarkRow[];
}

interface Row {
  id: string;
  session_id: string;
  start: number;
  end: number;
  detected_start: number;
  detected_end: number;
  score: number;
  reasons: string;
  text: string;
  category: string;
  state: Highlight['state'];
  review: Highlight['review'];
  delay_ms: number | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS = `id, session_id, start, "end" AS end, detected_start, detected_end, score, reasons,
  text, category, state, review, delay_ms, created_at, updated_at`;

function fromRow(r: Row): Highlight {
  return {
    id: r.id,
    sessionId: r.session_id,
    start: r.start,
    end: r.end,
    detectedStart: r.detected_start,
    detectedEnd: r.detected_end,
    score: r.score,
    reasons: parseReasons(r.reasons),
    text: r.text,
    category: r.category,
    state: r.state,
    review: r.review,
    delayMs: r.delay_ms,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function parseReasons(json: string): HighlightReason[] {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as HighlightReason[]) : [];
  } catch {
    return [];
  }
}

export function highlightsRepo(db: Db): HighlightsRepo {
  const upsert = db.prepare(
    `INSERT INTO highlights (id, session_id, n, start, "end", detected_start, detected_end, score,
       reasons, text, category, state, delay_ms, created_at, updated_at)
     VALUES (@id, @sessionId, @n, @start, @end, @start, @end, @score, @reasons, @text, @category,
       @state, @delayMs, @now, @now)
     ON CONFLICT (id) DO UPDATE SET
       start = CASE WHEN nudged THEN start ELSE excluded.start END,
       "end" = CASE WHEN nudged THEN "end" ELSE excluded."end" END,
       detected_start = excluded.detected_start, detected_end = excluded.detected_end,
       score = excluded.score, reasons = excluded.reasons, text = excluded.text,
       category = excluded.category, state = excluded.state,
       delay_ms = coalesce(delay_ms, excluded.delay_ms), updated_at = excluded.updated_at`,
  );
  const get = db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM highlights WHERE id = ?`);
  const list = db.prepare<[string], Row>(
    `SELECT ${COLUMNS} FROM highlights WHERE session_id = ? ORDER BY start, n`,
  );
  const maxN = db.prepare<[string], { n: number }>(
    'SELECT coalesce(max(n), 0) AS n FROM highlights WHERE session_id = ?',
  );
  const review = db.prepare<[string, number, string]>(
    'UPDATE highlights SET review = ?, updated_at = ? WHERE id = ?',
  );
  const nudge = db.prepare<[number, number, number, string]>(
    'UPDATE highlights SET start = ?, "end" = ?, nudged = 1, updated_at = ? WHERE id = ?',
  );
  const openIds = db.prepare<[string], { id: string }>(
    "SELECT id FROM highlights WHERE session_id = ? AND state = 'provisional'",
  );
  const finalize = db.prepare<[number, string]>(
    "UPDATE highlights SET state = 'final', updated_at = ? WHERE id = ?",
  );
  const finalizeAll = db.prepare<[number]>(
    "UPDATE highlights SET state = 'final', updated_at = ? WHERE state = 'provisional'",
  );
  const addMark = db.prepare(
    `INSERT INTO marks (session_id, at, source, note, created_at)
     VALUES (@sessionId, @at, @source, @note, @now)`,
  );
  const marks = db.prepare<[string], MarkRow>(
    'SELECT at, source, note FROM marks WHERE session_id = ? ORDER BY at',
  );
  const one = (id: string): Highlight | null => {
    const r = get.get(id);
    return r ? fromRow(r) : null;
  };
  return {
    upsert(h, now = Date.now()) {
      upsert.run({
        id: h.id,
        sessionId: h.sessionId,
        n: h.n,
        start: h.start,
        end: h.end,
        score: h.score,
        reasons: JSON.stringify(h.reasons),
        text: h.text,
        category: h.category,
        state: h.state,
        delayMs: h.delayMs,
        now,
      });
      return one(h.id)!;
    },
    get: one,
    list: (sessionId) => list.all(sessionId).map(fromRow),
    maxN: (sessionId) => maxN.get(sessionId)?.n ?? 0,
    review(id, r, now = Date.now()) {
      review.run(r, now, id);
      return one(id);
    },
    nudge(id, start, end, now = Date.now()) {
      nudge.run(start, end, now, id);
      return one(id);
    },
    finalizeOpen: db.transaction((sessionId: string, now: number = Date.now()) =>
      openIds.all(sessionId).map(({ id }) => {
        finalize.run(now, id);
        return one(id)!;
      }),
    ),
    finalizeAll: (now = Date.now()) => finalizeAll.run(now).changes,
    addMark(sessionId, mark, now = Date.now()) {
      addMark.run({ sessionId, at: mark.at, source: mark.source, note: mark.note, now });
    },
    marks: (sessionId) => marks.all(sessionId),
  };
}
