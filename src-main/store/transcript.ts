/** Final utterances of each session, with their normalized form for matching and search. */
import type { Utterance } from '../api/contract';
import type { Db } from './db';

export interface TranscriptRepo {
  add(u: Omit<Utterance, 'seq'>, norm: string): Utterance;
  list(sessionId: string, afterSeq?: number, limit?: number): Utterance[];
}

export function transcriptRepo(db: Db): TranscriptRepo {
  const next = db.prepare<[string], { n: number }>(
    'SELECT coalesce(max(seq) + 1, 0) AS n FROM utterances WHERE session_id = ?',
  );
  const ins = db.prepare(
    `INSERT INTO utterances (session_id, seq, start, "end", text, norm, source)
     VALUES (@sessionId, @seq, @start, @end, @text, @norm, @source)`,
  );
  const list = db.prepare<
    [string, number, number],
    Omit<Utterance, 'sessionId'> & { session_id: string }
  >(
    `SELECT session_id, seq, start, "end" AS end, text, source FROM utterances
     WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  return {
    add: db.transaction((u: Omit<Utterance, 'seq'>, norm: string): Utterance => {
      const seq = next.get(u.sessionId)?.n ?? 0;
      ins.run({ ...u, seq, norm });
      return { ...u, seq };
    }),
    list: (sessionId, afterSeq = -1, limit = 10_000) =>
      list
        .all(sessionId, afterSeq, limit)
        .map(({ session_id, ...r }) => ({ sessionId: session_id, ...r })),
  };
}
