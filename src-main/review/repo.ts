/**
 * The review queue's tables (migration 8): per-clip decisions, safety results, covers and
 * quality; the decision log (undo, and the record of every override); a highlight's prompt
 * choices; the operator's caption corrections per utterance.
 */
import type { ReviewDecision, SafetyReport, SafetyState } from '../api/contract';
import type { Db } from '../store/db';

export interface ReviewRow {
  clipId: string;
  highlightId: string;
  sessionId: string;
  decision: ReviewDecision;
  decidedAt: number | null;
  override: { reason: string; at: number } | null;
  safety: SafetyReport | null;
  safetyState: SafetyState;
  cover: { at: number; path: string | null } | null;
  quality: number | null;
  prompt: string;
  title: string;
  aiGenerated: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface LogEntry {
  seq: number;
  sessionId: string;
  clipId: string;
  action: 'decide' | 'override' | 'auto';
  before: string | null;
  after: string | null;
  note: string | null;
  at: number;
}

export interface PromptChoice {
  templateId: string | null;
  custom: string | null;
  titleCustom: string | null;
  updatedAt: number;
}

interface Row {
  clip_id: string;
  highlight_id: string;
  session_id: string;
  decision: ReviewDecision;
  decided_at: number | null;
  override: string | null;
  safety_state: SafetyState;
  safety: string | null;
  cover_at: number | null;
  cover_path: string | null;
  quality: number | null;
  prompt: string;
  title: string;
  ai_generated: number;
  created_at: number;
  updated_at: number;
}

function fromRow(r: Row): ReviewRow {
  return {
    clipId: r.clip_id,
    highlightId: r.highlight_id,
    sessionId: r.session_id,
    decision: r.decision,
    decidedAt: r.decided_at,
    override: r.override ? (JSON.parse(r.override) as ReviewRow['override']) : null,
    safety: r.safety ? (JSON.parse(r.safety) as SafetyReport) : null,
    safetyState: r.safety_state,
    cover: r.cover_at === null ? null : { at: r.cover_at, path: r.cover_path },
    quality: r.quality,
    prompt: r.prompt,
    title: r.title,
    aiGenerated: r.ai_generated === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type ReviewRepo = ReturnType<typeof reviewRepo>;

export function reviewRepo(db: Db) {
  const get = db.prepare<[string], Row>('SELECT * FROM reviews WHERE clip_id = ?');
  const bySession = db.prepare<[string], Row>(
    'SELECT * FROM reviews WHERE session_id = ? ORDER BY created_at DESC',
  );
  const all = db.prepare<[number], Row>('SELECT * FROM reviews ORDER BY created_at DESC LIMIT ?');
  const insert = db.prepare<[string, string, string, string, string, number, number, number]>(
    `INSERT INTO reviews (clip_id, highlight_id, session_id, prompt, title, ai_generated, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (clip_id) DO NOTHING`,
  );
  const setDecision = db.prepare<[ReviewDecision, number | null, number, string]>(
    'UPDATE reviews SET decision = ?, decided_at = ?, updated_at = ? WHERE clip_id = ?',
  );
  const setOverride = db.prepare<[string | null, number, string]>(
    'UPDATE reviews SET override = ?, updated_at = ? WHERE clip_id = ?',
  );
  const setSafety = db.prepare<[SafetyState, string | null, number, string]>(
    'UPDATE reviews SET safety_state = ?, safety = ?, updated_at = ? WHERE clip_id = ?',
  );
  const setCover = db.prepare<[number, string | null, number, string]>(
    'UPDATE reviews SET cover_at = ?, cover_path = ?, updated_at = ? WHERE clip_id = ?',
  );
  const setPromptText = db.prepare<[string, string, number, string]>(
    'UPDATE reviews SET prompt = ?, title = ?, updated_at = ? WHERE clip_id = ?',
  );
  const setQuality = db.prepare<[number | null, number, string]>(
    'UPDATE reviews SET quality = ?, updated_at = ? WHERE clip_id = ?',
  );
  const log = db.prepare<
    [string, string, string, string | null, string | null, string | null, number]
  >(
    `INSERT INTO review_log (session_id, clip_id, action, before, after, note, at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const lastBatch = db.prepare<[string], { note: string | null; at: number }>(
    `SELECT note, at FROM review_log WHERE session_id = ? AND action = 'decide' AND undone = 0
     ORDER BY seq DESC LIMIT 1`,
  );
  const batch = db.prepare<[string, string], LogRow>(
    `SELECT * FROM review_log WHERE session_id = ? AND action = 'decide' AND undone = 0 AND note = ?
     ORDER BY seq DESC`,
  );
  const markUndone = db.prepare<[number]>('UPDATE review_log SET undone = 1 WHERE seq = ?');
  const logFor = db.prepare<[string], LogRow>(
    'SELECT * FROM review_log WHERE clip_id = ? ORDER BY seq',
  );
  const promptGet = db.prepare<
    [string],
    {
      template_id: string | null;
      custom: string | null;
      title_custom: string | null;
      updated_at: number;
    }
  >('SELECT template_id, custom, title_custom, updated_at FROM prompts WHERE highlight_id = ?');
  const promptPut = db.prepare<[string, string | null, string | null, string | null, number]>(
    `INSERT INTO prompts (highlight_id, template_id, custom, title_custom, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (highlight_id) DO UPDATE SET template_id = excluded.template_id,
       custom = excluded.custom, title_custom = excluded.title_custom, updated_at = excluded.updated_at`,
  );
  const editsGet = db.prepare<[string], { seq: number; text: string }>(
    'SELECT seq, text FROM caption_edits WHERE session_id = ?',
  );
  const editPut = db.prepare<[string, number, string, number]>(
    `INSERT INTO caption_edits (session_id, seq, text, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (session_id, seq) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at`,
  );
  const editDel = db.prepare<[string, number]>(
    'DELETE FROM caption_edits WHERE session_id = ? AND seq = ?',
  );

  interface LogRow {
    seq: number;
    session_id: string;
    clip_id: string;
    action: LogEntry['action'];
    before: string | null;
    after: string | null;
    note: string | null;
    at: number;
  }
  const entry = (r: LogRow): LogEntry => ({
    seq: r.seq,
    sessionId: r.session_id,
    clipId: r.clip_id,
    action: r.action,
    before: r.before,
    after: r.after,
    note: r.note,
    at: r.at,
  });

  return {
    get: (clipId: string): ReviewRow | null => {
      const r = get.get(clipId);
      return r ? fromRow(r) : null;
    },
    list: (sessionId: string): ReviewRow[] => bySession.all(sessionId).map(fromRow),
    all: (limit: number): ReviewRow[] => all.all(limit).map(fromRow),
    /** Creates the clip's row when it first reaches the queue (no-op if it exists). */
    ensure(
      c: { clipId: string; highlightId: string; sessionId: string },
      prompt: string,
      title: string,
      aiGenerated: boolean,
      now = Date.now(),
    ): ReviewRow {
      insert.run(
        c.clipId,
        c.highlightId,
        c.sessionId,
        prompt,
        title,
        aiGenerated ? 1 : 0,
        now,
        now,
      );
      return fromRow(get.get(c.clipId) as Row);
    },
    decide(clipId: string, decision: ReviewDecision, now = Date.now()): void {
      setDecision.run(decision, decision === 'pending' ? null : now, now, clipId);
    },
    override(clipId: string, o: { reason: string; at: number } | null, now = Date.now()): void {
      setOverride.run(o ? JSON.stringify(o) : null, now, clipId);
    },
    safety(clipId: string, report: SafetyReport, now = Date.now()): void {
      setSafety.run(report.state, JSON.stringify(report), now, clipId);
    },
    cover(clipId: string, at: number, path: string | null, now = Date.now()): void {
      setCover.run(at, path, now, clipId);
    },
    /** The prompt and title the clip's record (and its safety check) go by. */
    promptText(clipId: string, prompt: string, title: string, now = Date.now()): void {
      setPromptText.run(prompt, title, now, clipId);
    },
    quality(clipId: string, q: number | null, now = Date.now()): void {
      setQuality.run(q, now, clipId);
    },
    log(e: Omit<LogEntry, 'seq'>): void {
      log.run(e.sessionId, e.clipId, e.action, e.before, e.after, e.note, e.at);
    },
    /** The entries of the session's last decision not yet undone (a bulk decision is one). */
    lastDecision(sessionId: string): LogEntry[] {
      const last = lastBatch.get(sessionId);
      if (!last?.note) return [];
      return batch.all(sessionId, last.note).map(entry);
    },
    markUndone(seq: number): void {
      markUndone.run(seq);
    },
    history: (clipId: string): LogEntry[] => logFor.all(clipId).map(entry),
    promptChoice(highlightId: string): PromptChoice | null {
      const r = promptGet.get(highlightId);
      return r
        ? {
            templateId: r.template_id,
            custom: r.custom,
            titleCustom: r.title_custom,
            updatedAt: r.updated_at,
          }
        : null;
    },
    setPromptChoice(highlightId: string, c: Omit<PromptChoice, 'updatedAt'>, now = Date.now()) {
      promptPut.run(highlightId, c.templateId, c.custom, c.titleCustom, now);
    },
    /** The session's caption corrections: utterance seq → text. */
    captionEdits(sessionId: string): Map<number, string> {
      return new Map(editsGet.all(sessionId).map((r) => [r.seq, r.text]));
    },
    setCaptionEdit(sessionId: string, seq: number, text: string | null, now = Date.now()): void {
      if (text === null) editDel.run(sessionId, seq);
      else editPut.run(sessionId, seq, text, now);
    },
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
  };
}
