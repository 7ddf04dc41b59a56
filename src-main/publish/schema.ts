/**
 * The publish stage's tables. The lead applies PUBLISH_SQL as migration 9 in
 * src-main/store/migrations.ts; until then tests apply it themselves (see testing/db.ts).
 */
export const PUBLISH_SQL = `
  -- Secrets (S3 secret keys, webhook signing secrets), encrypted: never plain text here.
  -- backend says which decrypts the blob: 'safeStorage' (the OS keychain through Electron) or
  -- 'keyfile' (AES-256-GCM with LIVESLICE_SECRET_KEY or <dataDir>/secret.key).
  CREATE TABLE credentials (
    name       TEXT PRIMARY KEY,
    backend    TEXT NOT NULL CHECK (backend IN ('safeStorage', 'keyfile')),
    blob       BLOB NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  -- One configured destination (folder, S3-compatible bucket, webhook); json is a PublishTarget
  -- (src-main/publish/targets.ts) without its secret.
  CREATE TABLE publish_targets (
    id         TEXT PRIMARY KEY,
    json       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) STRICT;

  -- One clip on one target. job_id is the publish job doing it (NULL while a webhook waits for
  -- the clip's other targets); upload_state is the multipart upload's JSON, kept after every part
  -- so that a restarted process sends only the missing parts.
  CREATE TABLE publications (
    clip_id      TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    state        TEXT NOT NULL
                 CHECK (state IN ('queued', 'uploading', 'done', 'failed', 'cancelled')),
    job_id       TEXT,
    url          TEXT,
    error        TEXT,
    bytes        INTEGER,
    sent         INTEGER NOT NULL DEFAULT 0,
    attempts     INTEGER NOT NULL DEFAULT 0,
    upload_state TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (clip_id, target_id)
  ) STRICT;
  CREATE INDEX publications_job ON publications (job_id) WHERE job_id IS NOT NULL;
  CREATE INDEX publications_target ON publications (target_id);
`;

/** The schema version that brings these tables (the lead's migration number). */
export const PUBLISH_SCHEMA_VERSION = 9;
