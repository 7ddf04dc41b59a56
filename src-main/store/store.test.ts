import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DB_FILE, migrate, openDatabase, schemaVersion } from './db';
import { openStore, StoreError, type Store } from './index';
import { MIGRATIONS } from './migrations';

let dir: string;
let store: Store | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-store-'));
});
afterEach(() => {
  store?.close();
  store = null;
  rmSync(dir, { recursive: true, force: true });
});

describe('database', () => {
  it('applies every migration on a fresh directory, in WAL mode', () => {
    store = openStore(dir);
    expect(schemaVersion(store.db)).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(['sessions', 'settings']));
  });

  it('keeps data across reopen and does not re-run migrations', () => {
    store = openStore(dir);
    const s = store.sessions.create('first stream', { kind: 'none', uri: null });
    store.close();
    store = openStore(dir);
    expect(store.sessions.get(s.id)?.title).toBe('first stream');
  });

  it('refuses a database written by a newer version', () => {
    const db = new Database(join(dir, DB_FILE));
    db.pragma('user_version = 999');
    db.close();
    expect(() => openStore(dir)).toThrow(StoreError);
    expect(() => openStore(dir)).toThrow(/schema version 999, newer/);
  });

  it('rolls back a migration that fails half-way', () => {
    const db = openDatabase(dir, []);
    const broken = [
      { version: 1, name: 'ok', sql: 'CREATE TABLE a (x INTEGER);' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE b (y INTEGER); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(schemaVersion(db)).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type='table'").pluck().all();
    expect(tables).toContain('a');
    expect(tables).not.toContain('b');
    db.close();
  });

  it('reports a file that is not a database clearly', () => {
    writeFileSync(join(dir, DB_FILE), 'this is not sqlite'.repeat(100));
    expect(() => openStore(dir)).toThrow(/not usable|Cannot open/);
  });
});

describe('sessions', () => {
  it('lists newest first and stores hostile titles literally', () => {
    store = openStore(dir);
    const titles = [
      "Robert'); DROP TABLE sessions;--",
      '最后三分钟! 全场五折',
      '%s %n $(rm -rf /)',
    ];
    titles.forEach((t, i) =>
      store!.sessions.create(t, { kind: 'url', uri: 'https://x/y.m3u8' }, 1000 + i),
    );
    const listed = store.sessions.list(10);
    expect(listed.map((s) => s.title)).toEqual([...titles].reverse());
    expect(listed[0]?.source).toEqual({ kind: 'url', uri: 'https://x/y.m3u8' });
    expect(store.sessions.list(2)).toHaveLength(2);
  });

  it('renames, and returns null for an unknown id', () => {
    store = openStore(dir);
    const s = store.sessions.create('a', { kind: 'none', uri: null }, 1);
    expect(store.sessions.rename(s.id, 'b', 2)).toMatchObject({ title: 'b', updatedAt: 2 });
    expect(store.sessions.rename('nope-nope-nope', 'c')).toBeNull();
  });

  it('generates distinct, path-safe ids', () => {
    store = openStore(dir);
    const ids = new Set(
      Array.from(
        { length: 50 },
        () => store!.sessions.create('x', { kind: 'none', uri: null }, 5).id,
      ),
    );
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
  });
});

describe('settings', () => {
  it('returns defaults, persists a change, and survives reopen', () => {
    store = openStore(dir);
    expect(store.settings.getAll()['ui.language']).toBe('system');
    store.settings.set({ key: 'ui.language', value: 'zh-CN' });
    store.close();
    store = openStore(dir);
    expect(store.settings.getAll()['ui.language']).toBe('zh-CN');
  });

  it('falls back to the default for a corrupt stored value', () => {
    store = openStore(dir);
    store.db.prepare("INSERT INTO settings VALUES ('ui.theme', '\"purple\"', 0)").run();
    store.db.prepare("INSERT INTO settings VALUES ('ffmpeg.path', '{not json', 0)").run();
    const all = store.settings.getAll();
    expect(all['ui.theme']).toBe('system');
    expect(all['ffmpeg.path']).toBeNull();
  });

  it('validates internal values on read', () => {
    store = openStore(dir);
    const schema = z.object({ width: z.number() });
    store.settings.setInternal('window.state', { width: 'wide' });
    expect(store.settings.getInternal('window.state', schema)).toBeNull();
    store.settings.setInternal('window.state', { width: 800 });
    expect(store.settings.getInternal('window.state', schema)).toEqual({ width: 800 });
  });
});
