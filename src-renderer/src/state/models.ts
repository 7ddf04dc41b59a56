/**
 * Pure reducers for the speech & models slice: the model list, and per model the state of a
 * download the operator started (running, the file being fetched and how far, or why it failed).
 */
import type { EventPayload } from '../contract';

export type ModelProgress = EventPayload<'models.progress'>;

export interface PullState {
  running: boolean;
  /** The file being downloaded now (null until the first progress event). */
  file: string | null;
  received: number;
  total: number | null;
  /** Why the last download failed (the engine's message); null while running or after success. */
  error: string | null;
}

export type Pulls = Readonly<Record<string, PullState>>;

const IDLE: PullState = { running: false, file: null, received: 0, total: null, error: null };

/** A download starts: progress resets, any earlier error is cleared. */
export function beginPull(map: Pulls, id: string): Pulls {
  return { ...map, [id]: { ...IDLE, running: true } };
}

/**
 * A models.progress event. Only downloads started here are tracked (another window's download
 * shows up once the list is read again); events after the end are ignored.
 */
export function applyProgress(map: Pulls, p: ModelProgress): Pulls {
  const known = map[p.id];
  if (!known || !known.running) return map;
  if (known.file === p.file && known.received === p.received && known.total === p.total) {
    return map;
  }
  return { ...map, [p.id]: { ...known, file: p.file, received: p.received, total: p.total } };
}

/** A download ended: success forgets it; failure keeps the reason for inline display. */
export function endPull(map: Pulls, id: string, error: string | null): Pulls {
  if (error === null) {
    if (!(id in map)) return map;
    const next = { ...map };
    delete next[id];
    return next;
  }
  const known = map[id] ?? IDLE;
  return { ...map, [id]: { ...known, running: false, error } };
}

/** 0–100 for a progress bar, or null when the size is not known. */
export function progressPercent(pull: PullState): number | null {
  if (pull.total === null || !(pull.total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((pull.received / pull.total) * 100)));
}
