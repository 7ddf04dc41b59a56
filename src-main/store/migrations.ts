/**
 * Versioned schema migrations. Append only: a shipped migration is never edited, a change is a
 * new entry. The database's `PRAGMA user_version` records the last one applied.
 */
import { PUBLISH_SQL } from '../publish/schema';

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
  {
    version: 2,
    name: 'DVR index: ingest runs, segments, markers, media holds',
    sql: `
      ALTER TABLE sessions ADD COLUMN dvr_dir TEXT;

      -- One row per connection/publish/process of a session's ingest.
      CREATE TABLE ingest_runs (
        session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        run          INTEGER NOT NULL,
        source       TEXT NOT NULL,
        started_at   INTEGER NOT NULL,
        ended_at     INTEGER,
        media_offset REAL NOT NULL,
        end_reason   TEXT,
        PRIMARY KEY (session_id, run)
      ) STRICT;

      -- The DVR: keyframe-aligned segments on the session's monotonic media clock.
      CREATE TABLE segments (
        session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        run         INTEGER NOT NULL,
        file        TEXT NOT NULL,
        media_start REAL NOT NULL,
        duration    REAL NOT NULL,
        wall_start  INTEGER NOT NULL,
        wall_end    INTEGER NOT NULL,
        bytes       INTEGER NOT NULL,
        deleted     INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (session_id, seq)
      ) STRICT;
      CREATE INDEX segments_wall ON segments (wall_end);

      CREATE TABLE session_markers (
        id          INTEGER PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind        TEXT NOT NULL,
        media_time  REAL NOT NULL,
        at          INTEGER NOT NULL,
        duration_ms INTEGER,
        message     TEXT NOT NULL
      ) STRICT;
      CREATE INDEX session_markers_session ON session_markers (session_id, media_time);

      -- Media a clip (or anything else) still needs: retention never deletes it.
      CREATE TABLE media_holds (
        id          INTEGER PRIMARY KEY,
        session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        media_start REAL NOT NULL,
        media_end   REAL NOT NULL,
        reason      TEXT NOT NULL,
        created_at  INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'transcript utterances',
    sql: `
      CREATE TABLE utterances (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        start      REAL NOT NULL,
        "end"      REAL NOT NULL,
        text       TEXT NOT NULL,
        norm       TEXT NOT NULL,
        source     TEXT NOT NULL CHECK (source IN ('timed-text', 'asr')),
        PRIMARY KEY (session_id, seq)
      ) STRICT;
      CREATE INDEX utterances_time ON utterances (session_id, start);
    `,
  },
  {
    version: 4,
    name: 'keyword hits',
    sql: `
      CREATE TABLE keyword_hits (
        id         INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        keyword    TEXT NOT NULL,
        at         REAL NOT NULL,
        source     TEXT NOT NULL DEFAULT 'kws'
      ) STRICT;
      CREATE INDEX keyword_hits_session ON keyword_hits (session_id, at);
    `,
  },
  {
    version: 5,
    name: 'highlights and manual marks',
    sql: `
      CREATE TABLE highlights (
        id             TEXT PRIMARY KEY,
        session_id     TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        n              INTEGER NOT NULL,
        start          REAL NOT NULL,
        "end"          REAL NOT NULL,
        detected_start REAL NOT NULL,
        detected_end   REAL NOT NULL,
        nudged         INTEGER NOT NULL DEFAULT 0,
        score          REAL NOT NULL,
        reasons        TEXT NOT NULL,
        text           TEXT NOT NULL,
        category       TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('provisional', 'final')),
        review         TEXT NOT NULL DEFAULT 'new' CHECK (review IN ('new', 'accepted', 'dismissed')),
        delay_ms       REAL,
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        UNIQUE (session_id, n)
      ) STRICT;
      CREATE INDEX highlights_session ON highlights (session_id, start);

      CREATE TABLE marks (
        id         INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        at         REAL NOT NULL,
        source     TEXT NOT NULL,
        note       TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX marks_session ON marks (session_id, at);
    `,
  },
  {
    version: 6,
    name: 'utterance tags (laughter, applause, emotion:…)',
    sql: `
      -- A JSON array of strings, or NULL when the utterance has none.
      ALTER TABLE utterances ADD COLUMN tags TEXT;
    `,
  },
  {
    version: 7,
    name: 'job queue',
    sql: `
      -- The persistent job queue (src-main/jobs). lease is the running attempt's token: only the
      -- attempt holding it may complete the job. needs_cleanup: an attempt was interrupted and its
      -- partial outputs are not yet removed (the job is not started again until they are).
      CREATE TABLE jobs (
        seq           INTEGER PRIMARY KEY AUTOINCREMENT,
        id            TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL,
        key           TEXT,
        priority      INTEGER NOT NULL,
        state         TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        attempts      INTEGER NOT NULL DEFAULT 0,
        max_attempts  INTEGER NOT NULL,
        run_after     INTEGER NOT NULL,
        payload       TEXT NOT NULL,
        result        TEXT,
        error         TEXT,
        progress      REAL,
        progress_note TEXT,
        lease         TEXT,
        owner         TEXT,
        owner_pid     INTEGER,
        lease_until   INTEGER,
        needs_cleanup INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        started_at    INTEGER,
        finished_at   INTEGER,
        CHECK ((state = 'running') = (lease IS NOT NULL))
      ) STRICT;
      CREATE INDEX jobs_next ON jobs (kind, state, priority, seq);
      CREATE INDEX jobs_state ON jobs (state);
      CREATE UNIQUE INDEX jobs_live_key ON jobs (kind, key)
        WHERE key IS NOT NULL AND state IN ('queued', 'running', 'done');
    `,
  },
  {
    version: 8,
    name: 'review: prompts, decisions, safety, caption corrections',
    sql: `
      -- A highlight's prompt choices (the filled text is recomputed from them).
      CREATE TABLE prompts (
        highlight_id TEXT PRIMARY KEY REFERENCES highlights (id) ON DELETE CASCADE,
        template_id  TEXT,
        custom       TEXT,
        title_custom TEXT,
        updated_at   INTEGER NOT NULL
      ) STRICT;

      -- One row per clip that reached the review queue.
      CREATE TABLE reviews (
        clip_id      TEXT PRIMARY KEY,
        highlight_id TEXT NOT NULL REFERENCES highlights (id) ON DELETE CASCADE,
        session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        decision     TEXT NOT NULL DEFAULT 'pending' CHECK (decision IN ('pending', 'approved', 'rejected')),
        decided_at   INTEGER,
        override     TEXT,
        safety_state TEXT NOT NULL DEFAULT 'pending'
          CHECK (safety_state IN ('pending', 'ok', 'warn', 'flagged', 'error')),
        safety       TEXT,
        cover_at     REAL,
        cover_path   TEXT,
        quality      REAL,
        prompt       TEXT NOT NULL DEFAULT '',
        title        TEXT NOT NULL DEFAULT '',
        ai_generated INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL,
        updated_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX reviews_session ON reviews (session_id, created_at DESC);

      -- Every decision and override, for undo and for the record.
      CREATE TABLE review_log (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL,
        clip_id    TEXT NOT NULL,
        action     TEXT NOT NULL CHECK (action IN ('decide', 'override', 'auto')),
        before     TEXT,
        after      TEXT,
        note       TEXT,
        at         INTEGER NOT NULL,
        undone     INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX review_log_session ON review_log (session_id, seq DESC);

      -- The operator's caption corrections, per utterance (the transcript itself is untouched).
      CREATE TABLE caption_edits (
        session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        seq        INTEGER NOT NULL,
        text       TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) STRICT;
    `,
  },
  // The publish stage's tables live with its code (credentials, targets, publications).
  { version: 9, name: 'publish: credentials, targets, publications', sql: PUBLISH_SQL },
];
