/** The engine's SQLite database: one file in the data directory, WAL, versioned migrations. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Migration, MIGRATIONS } from './migrations';

export type Db = Database.Database;

export const DB_FILE = 'liveslice.db';

export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

export function openDatabase(dataDir: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DB_FILE);
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new StoreError(
      `Cannot open the database ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    throw new StoreError(
      `The database ${file} is not usable: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

export function schemaVersion(db: Db): number {
  return Number(db.pragma('user_version', { simple: true }));
}

/** Applies every pending migration, each in its own transaction. Refuses a newer database. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const current = schemaVersion(db);
  if (current > latest) {
    throw new StoreError(
      `The database has schema version ${current}, newer than this LiveSlice understands (${latest}). ` +
        'Update LiveSlice, or point --data-dir at another directory.',
    );
  }
  const pending = [...migrations]
    .filter((m) => m.version > current)
    .sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    })();
  }
  return schemaVersion(db);
}
