/**
 * Versioned schema migrations. Append only: a shipped migration is never edited, a change is a
 * new entry. The database's `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions and settings',
    sql: `
      CREATE TABLE sessions (
        id          TEXT PRIMARY KEY,
        title       TEXT NOT NULL,
        source_kind TEXT NOT NULL CHECK (source_kind IN ('none','rtmp','srt','url','file')),
        source_uri  TEXT,
        status      TEXT NOT NULL CHECK (status IN ('idle','live','ended')),
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        ended_at    INTEGER
      ) STRICT;
      CREATE INDEX sessions_created_at ON sessions (created_at DESC);

      CREATE TABLE settings (
        key        TEXT PRIMARY KEY,
        value      TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
];
