/** Final utterances of each session, with their normalized form for matching and search. */
import type { Utterance } from '../api/contract';
import type { Db } from './db';

export interface TranscriptRepo {
  add(u: Omit<Utterance, 'seq'>, norm: string): Utterance;
  list(sessionId: string, afterSeq?: number, limit?: number): Utterance[];
}

interface Row {
  session_id: string;
  seq: number;
  start: number;
  end: number;
  text: string;
  source: Utterance['source'];
  tags: string | null;
}

/** The stored JSON array of tags → the field (absent when there are none or it is unreadable). */
function parseTags(raw: string | null): { tags?: string[] } {
  if (raw === null) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    if (Array.isArray(v) && v.length > 0 && v.every((t) => typeof t === 'string'))
      return { tags: v as string[] };
  } catch {
    // a damaged value reads as no tags
  }
  return {};
}

export function transcriptRepo(db: Db): TranscriptRepo {
  const next = db.prepare<[string], { n: number }>(
    'SELECT coalesce(max(seq) + 1, 0) AS n FROM utterances WHERE session_id = ?',
  );
  const ins = db.prepare(
    `INSERT INTO utterances (session_id, seq, start, "end", text, norm, source, tags)
     VALUES (@sessionId, @seq, @start, @end, @text, @norm, @source, @tags)`,
  );
  const list = db.prepare<[string, number, number], Row>(
    `SELECT session_id, seq, start, "end" AS end, text, source, tags FROM utterances
     WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  return {
    add: db.transaction((u: Omit<Utterance, 'seq'>, norm: string): Utterance => {
      const seq = next.get(u.sessionId)?.n ?? 0;
      const tags = u.tags && u.tags.length > 0 ? JSON.stringify(u.tags) : null;
      ins.run({
        sessionId: u.sessionId,
        seq,
        start: u.start,
        end: u.end,
        text: u.text,
        norm,
        source: u.source,
        tags,
      });
      const { tags: _t, ...rest } = u;
      return { ...rest, seq, ...(tags !== null ? { tags: [...u.tags!] } : {}) };
    }),
    list: (sessionId, afterSeq = -1, limit = 10_000) =>
      list.all(sessionId, afterSeq, limit).map((r) => ({
        sessionId: r.session_id,
        seq: r.seq,
        start: r.start,
        end: r.end,
        text: r.text,
        source: r.source,
        ...parseTags(r.tags),
      })),
  };
}
