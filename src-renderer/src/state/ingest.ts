/**
 * Pure reducers for the ingest slices: the latest status per session, markers per session and
 * the per-session loudness rings. Kept apart from the store so they are tested directly.
 */
import type { IngestStatus, LoudnessFrame, SessionMarker } from '../contract';
import { LoudnessRing } from '../live/loudnessRing';

/** Loudness is kept for at most this many sessions (the oldest-created ring goes first). */
export const MAX_LOUDNESS_SESSIONS = 4;

/** Keeps the newest status per session; an older one (by `at`) arriving late is ignored. */
export function reduceIngestStatus(
  map: Readonly<Record<string, IngestStatus>>,
  status: IngestStatus,
): Readonly<Record<string, IngestStatus>> {
  const known = map[status.sessionId];
  if (known && known.at > status.at) return map;
  return { ...map, [status.sessionId]: status };
}

const markerKey = (m: SessionMarker) => `${m.kind}|${m.at}|${m.mediaTime}`;

/** Adds markers to a session's list: no duplicates, sorted by media time. */
export function mergeMarkers(
  list: readonly SessionMarker[] | undefined,
  incoming: readonly SessionMarker[],
): SessionMarker[] {
  const seen = new Map<string, SessionMarker>();
  for (const m of list ?? []) seen.set(markerKey(m), m);
  for (const m of incoming) seen.set(markerKey(m), m);
  return [...seen.values()].sort((a, b) => a.mediaTime - b.mediaTime || a.at - b.at);
}

/**
 * Appends frames to the session's ring, creating it (and evicting the oldest session's) when
 * needed. Returns the same map object when no ring was created or dropped, so subscribers that
 * select the map do not re-render on every batch; the ring's `version` says that it changed.
 */
export function reduceLoudness(
  rings: Readonly<Record<string, LoudnessRing>>,
  sessionId: string,
  frames: readonly LoudnessFrame[],
  opts: { maxSessions?: number; capacity?: number } = {},
): Readonly<Record<string, LoudnessRing>> {
  const existing = rings[sessionId];
  if (existing) {
    existing.push(frames);
    return rings;
  }
  const ring = new LoudnessRing(opts.capacity);
  ring.push(frames);
  const max = Math.max(1, opts.maxSessions ?? MAX_LOUDNESS_SESSIONS);
  const ids = Object.keys(rings);
  const keep = ids.slice(Math.max(0, ids.length - (max - 1)));
  const next: Record<string, LoudnessRing> = {};
  for (const id of keep) {
    const r = rings[id];
    if (r) next[id] = r;
  }
  next[sessionId] = ring;
  return next;
}
