/**
 * Pure reducers and helpers for the clips slice: per session, each highlight's renders, newest
 * first (unique by id, the newest copy of each wins), and the load state. Only a few sessions are
 * kept, like highlights.
 */
import type { Clip, ErrorCode } from '../contract';
import { beginSessionLoad, endSessionLoad } from './sessionCache';

/** Clips are kept for at most this many sessions (the least recently loaded goes first). */
export const MAX_CLIP_SESSIONS = 5;

export interface SessionClips {
  /** Per highlight id: its renders, newest first. */
  byHighlight: Readonly<Record<string, readonly Clip[]>>;
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
}

export type ClipsBySession = Readonly<Record<string, SessionClips>>;

const EMPTY: SessionClips = { byHighlight: {}, status: 'loading', error: null };

/** 1 for a highlight's first render (id = the highlight's id), n for `<highlightId>-r<n>`. */
export function renderNumber(clip: Pick<Clip, 'id' | 'highlightId'>): number {
  if (clip.id === clip.highlightId) return 1;
  const m = /-r(\d+)$/.exec(clip.id);
  return m?.[1] ? Number(m[1]) : 1;
}

/** Newest first: by creation time, then by render number (a re-render made in the same ms). */
const newestFirst = (a: Clip, b: Clip): number =>
  b.createdAt - a.createdAt || renderNumber(b) - renderNumber(a) || (a.id < b.id ? 1 : -1);

/** How far along a state is, to order two copies with the same updatedAt. */
const STAGE: Readonly<Record<Clip['state'], number>> = {
  queued: 0,
  rendering: 1,
  ready: 2,
  failed: 2,
  cancelled: 2,
};

/**
 * Whether `incoming` should replace `known`: it is newer (updatedAt); with equal times, it is not
 * an earlier stage (a call's 'queued' answer must not undo a 'rendering' event of the same ms).
 */
export function supersedes(known: Clip, incoming: Clip): boolean {
  if (incoming.updatedAt !== known.updatedAt) return incoming.updatedAt > known.updatedAt;
  if (STAGE[incoming.state] !== STAGE[known.state])
    return STAGE[incoming.state] > STAGE[known.state];
  // Same stage and time: progress only moves forward.
  return (incoming.progress ?? 0) >= (known.progress ?? 0);
}

/** Merges clips into the per-highlight lists; returns the same object when nothing changed. */
export function mergeClips(
  byHighlight: SessionClips['byHighlight'],
  incoming: readonly Clip[],
): SessionClips['byHighlight'] {
  let next: Record<string, readonly Clip[]> | null = null;
  for (const clip of incoming) {
    const current: Readonly<Record<string, readonly Clip[]>> = next ?? byHighlight;
    const list = current[clip.highlightId] ?? [];
    const i = list.findIndex((c) => c.id === clip.id);
    const known = i >= 0 ? list[i] : undefined;
    if (known && (known === clip || !supersedes(known, clip))) continue;
    const updated = known ? list.map((c, j) => (j === i ? clip : c)) : [...list, clip];
    next ??= { ...byHighlight };
    next[clip.highlightId] = updated.sort(newestFirst);
  }
  return next ?? byHighlight;
}

/** Starts (or restarts) loading a session: it becomes the most recent; the oldest may go. */
export function beginLoad(
  map: ClipsBySession,
  sessionId: string,
  max = MAX_CLIP_SESSIONS,
): ClipsBySession {
  return beginSessionLoad(map, sessionId, EMPTY, max);
}

/** Ends a load: the engine's list merged in, or why it failed (what was held stays). */
export function endLoad(
  map: ClipsBySession,
  sessionId: string,
  result: { clips: readonly Clip[] } | { message: string; code: ErrorCode },
): ClipsBySession {
  return endSessionLoad(
    map,
    sessionId,
    'clips' in result
      ? {
          merge: (known) => ({
            ...known,
            byHighlight: mergeClips(known.byHighlight, result.clips),
          }),
        }
      : result,
  );
}

/** A clip from an event or a call result; sessions not kept are ignored (opening one loads it). */
export function upsertClip(map: ClipsBySession, clip: Clip): ClipsBySession {
  const known = map[clip.sessionId];
  if (!known) return map;
  const byHighlight = mergeClips(known.byHighlight, [clip]);
  return byHighlight === known.byHighlight
    ? map
    : { ...map, [clip.sessionId]: { ...known, byHighlight } };
}

const NONE: readonly Clip[] = [];

/** A highlight's renders, newest first. */
export function clipsOf(
  map: ClipsBySession,
  sessionId: string,
  highlightId: string,
): readonly Clip[] {
  return map[sessionId]?.byHighlight[highlightId] ?? NONE;
}

/** A clip by id, wherever it is held. */
export function findClip(map: ClipsBySession, id: string): Clip | null {
  for (const s of Object.values(map)) {
    for (const list of Object.values(s.byHighlight)) {
      const c = list.find((x) => x.id === id);
      if (c) return c;
    }
  }
  return null;
}

/** The newest render that is ready to play, if any. */
export function newestReady(list: readonly Clip[]): Clip | null {
  return list.find((c) => c.state === 'ready' && c.file !== null) ?? null;
}

/** Queued and rendering clips can be cancelled. */
export function isActive(c: Clip): boolean {
  return c.state === 'queued' || c.state === 'rendering';
}

/** Render progress as a whole percent, 0–100 (null progress reads as 0). */
export function progressPercent(c: Pick<Clip, 'progress'>): number {
  const p = c.progress;
  if (p === null || !Number.isFinite(p)) return 0;
  return Math.floor(Math.min(1, Math.max(0, p)) * 100);
}

/** What a retry (or re-render) asks for: the same reframe, captions and size as this render. */
export function renderOptions(c: Clip): Pick<Clip, 'reframe' | 'captionStyle' | 'output'> {
  return { reframe: c.reframe, captionStyle: c.captionStyle, output: c.output };
}
