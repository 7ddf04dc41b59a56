/** Tests: a fresh app database with the publish tables (migration 9, applied here until it ships). */
import { join } from 'node:path';
import { type Db, openDatabase, schemaVersion } from '../../store/db';
import { PUBLISH_SCHEMA_VERSION, PUBLISH_SQL } from '../schema';

export function openPublishDb(dir: string): Db {
  const db = openDatabase(join(dir, 'data'));
  if (schemaVersion(db) < PUBLISH_SCHEMA_VERSION && !hasTable(db, 'publications'))
    db.exec(PUBLISH_SQL);
  return db;
}

function hasTable(db: Db, name: string): boolean {
  return (
    db
      .prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
      )
      .get(name)!.n > 0
  );
}
