/** Utterance tags (migration v6): stored as a JSON array, read back only when well-formed. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE, openStore } from '.';
import { migrate } from './db';
import { MIGRATIONS } from './migrations';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'liveslice-transcript-'));
  dirs.push(d);
  return d;
};

describe('transcript tags', () => {
  it('round-trips tags, and an utterance without tags has no tags field', () => {
    const store = openStore(tempDir());
    try {
      const s = store.sessions.create('t', { kind: 'none', uri: null });
      const a = store.transcript.add(
        {
          sessionId: s.id,
          start: 1,
          end: 2,
          text: '哈哈哈',
          source: 'asr',
          tags: ['laughter', 'emotion:happy'],
        },
        '哈哈哈',
      );
      const b = store.transcript.add(
        { sessionId: s.id, start: 3, end: 4, text: 'ok', source: 'asr', tags: [] },
        'ok',
      );
      const c = store.transcript.add(
        { sessionId: s.id, start: 5, end: 6, text: 'cue', source: 'timed-text' },
        'cue',
      );
      expect(a.tags).toEqual(['laughter', 'emotion:happy']);
      expect('tags' in b).toBe(false);
      expect('tags' in c).toBe(false);
      expect(store.transcript.list(s.id)).toEqual([a, b, c]);
      // A damaged stored value reads as no tags instead of breaking the list.
      store.db.prepare(`UPDATE utterances SET tags = '{"no":1}' WHERE seq = 0`).run();
      expect('tags' in store.transcript.list(s.id)[0]!).toBe(false);
    } finally {
      store.close();
    }
  });

  it('migrates a database that already holds utterances (they get no tags)', () => {
    const dir = tempDir();
    const db = new Database(join(dir, DB_FILE));
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 6),
    );
    db.prepare(
      `INSERT INTO sessions (id, title, source_kind, status, created_at, updated_at)
       VALUES ('sess_old00001', 'old', 'none', 'ended', 0, 0)`,
    ).run();
    db.prepare(
      `INSERT INTO utterances (session_id, seq, start, "end", text, norm, source)
       VALUES ('sess_old00001', 0, 1, 2, 'before tags', 'beforetags', 'timed-text')`,
    ).run();
    db.close();
    const store = openStore(dir);
    try {
      expect(store.transcript.list('sess_old00001')).toEqual([
        {
          sessionId: 'sess_old00001',
          seq: 0,
          start: 1,
          end: 2,
          text: 'before tags',
          source: 'timed-text',
        },
      ]);
    } finally {
      store.close();
    }
  });
});
