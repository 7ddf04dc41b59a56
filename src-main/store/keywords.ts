/** Trigger phrases spotted straight from the audio, per session, on the media clock. */
import type { Db } from './db';

export interface KeywordHitRow {
  keyword: string;
  at: number;
}

export interface KeywordsRepo {
  add(sessionId: string, hit: KeywordHitRow): void;
  list(sessionId: string): KeywordHitRow[];
}

export function keywordsRepo(db: Db): KeywordsRepo {
  const ins = db.prepare<[string, string, number]>(
    'INSERT INTO keyword_hits (session_id, keyword, at) VALUES (?, ?, ?)',
  );
  const list = db.prepare<[string], KeywordHitRow>(
    'SELECT keyword, at FROM keyword_hits WHERE session_id = ? ORDER BY at',
  );
  return {
    add: (sessionId, hit) => void ins.run(sessionId, hit.keyword, hit.at),
    list: (sessionId) => list.all(sessionId),
  };
}
