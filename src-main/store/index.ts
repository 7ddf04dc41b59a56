/** The store's public surface. */
import { type Db, openDatabase } from './db';
import { type DvrRepo, dvrRepo } from './dvr';
import { type HighlightsRepo, highlightsRepo } from './highlights';
import { type KeywordsRepo, keywordsRepo } from './keywords';
import { type SessionsRepo, sessionsRepo } from './sessions';
import { type SettingsRepo, settingsRepo } from './settings';
import { type TranscriptRepo, transcriptRepo } from './transcript';

export { StoreError, DB_FILE } from './db';
export type { SessionsRepo } from './sessions';
export type { SettingsRepo } from './settings';
export type { DvrRepo, SegmentRow, RunRow, HoldRow } from './dvr';
export type { HighlightsRepo, DetectedHighlight, MarkRow } from './highlights';

export interface Store {
  readonly db: Db;
  readonly sessions: SessionsRepo;
  readonly settings: SettingsRepo;
  readonly dvr: DvrRepo;
  readonly transcript: TranscriptRepo;
  readonly keywords: KeywordsRepo;
  readonly highlights: HighlightsRepo;
  close(): void;
}

export function openStore(dataDir: string): Store {
  const db = openDatabase(dataDir);
  return {
    db,
    sessions: sessionsRepo(db),
    settings: settingsRepo(db),
    dvr: dvrRepo(db),
    transcript: transcriptRepo(db),
    keywords: keywordsRepo(db),
    highlights: highlightsRepo(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}
