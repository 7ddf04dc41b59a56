/** Session history: one row per stream (live or replayed). */
import { randomBytes } from 'node:crypto';
import type { Session, SessionSource } from '../api/contract';
import type { Db } from './db';

interface Row {
  id: string;
  title: string;
  source_kind: Session['source']['kind'];
  source_uri: string | null;
  status: Session['status'];
  created_at: number;
  updated_at: number;
  ended_at: number | null;
}

const toSession = (r: Row): Session => ({
  id: r.id,
  title: r.title,
  source: { kind: r.source_kind, uri: r.source_uri },
  status: r.status,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  endedAt: r.ended_at,
});

export function newSessionId(now = Date.now()): string {
  // Sortable by creation time, unguessable enough to be a path segment.
  return `s${now.toString(36)}${randomBytes(5).toString('hex')}`;
}

export interface SessionsRepo {
  create(title: string, source: SessionSource, now?: number): Session;
  get(id: string): Session | null;
  list(limit: number): Session[];
  rename(id: string, title: string, now?: number): Session | null;
  setStatus(id: string, status: Session['status'], now?: number): Session | null;
  withStatus(status: Session['status']): Session[];
}

export function sessionsRepo(db: Db): SessionsRepo {
  const insert = db.prepare<[Row]>(
    `INSERT INTO sessions (id, title, source_kind, source_uri, status, created_at, updated_at, ended_at)
     VALUES (@id, @title, @source_kind, @source_uri, @status, @created_at, @updated_at, @ended_at)`,
  );
  const byId = db.prepare<[string], Row>('SELECT * FROM sessions WHERE id = ?');
  const recent = db.prepare<[number], Row>(
    'SELECT * FROM sessions ORDER BY created_at DESC, id DESC LIMIT ?',
  );
  const setTitle = db.prepare<[string, number, string]>(
    'UPDATE sessions SET title = ?, updated_at = ? WHERE id = ?',
  );
  const setStatus = db.prepare<[string, number, number | null, string]>(
    'UPDATE sessions SET status = ?, updated_at = ?, ended_at = coalesce(?, ended_at) WHERE id = ?',
  );
  const byStatus = db.prepare<[string], Row>(
    'SELECT * FROM sessions WHERE status = ? ORDER BY created_at',
  );
  return {
    setStatus(id, status, now = Date.now()) {
      setStatus.run(status, now, status === 'ended' ? now : null, id);
      const row = byId.get(id);
      return row ? toSession(row) : null;
    },
    withStatus: (status) => byStatus.all(status).map(toSession),
    create(title, source, now = Date.now()) {
      const row: Row = {
        id: newSessionId(now),
        title,
        source_kind: source.kind,
        source_uri: source.uri,
        status: 'idle',
        created_at: now,
        updated_at: now,
        ended_at: null,
      };
      insert.run(row);
      return toSession(row);
    },
    get(id) {
      const row = byId.get(id);
      return row ? toSession(row) : null;
    },
    list(limit) {
      return recent.all(limit).map(toSession);
    },
    rename(id, title, now = Date.now()) {
      const info = setTitle.run(title, now, id);
      if (info.changes === 0) return null;
      const row = byId.get(id);
      return row ? toSession(row) : null;
    },
  };
}
