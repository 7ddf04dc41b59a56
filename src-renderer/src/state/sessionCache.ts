/**
 * Per-session lists the renderer keeps (highlights, clips): the few most recently opened
 * sessions, each with its load state. Pure; the slices give it their own merge.
 */
import type { ErrorCode } from '../contract';

export interface SessionEntry {
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
}

/** Starts (or restarts) loading a session: it becomes the most recent; the oldest may go. */
export function beginSessionLoad<E extends SessionEntry>(
  map: Readonly<Record<string, E>>,
  sessionId: string,
  empty: E,
  max: number,
): Readonly<Record<string, E>> {
  const known = map[sessionId];
  const next: Record<string, E> = {};
  const others = Object.keys(map).filter((id) => id !== sessionId);
  for (const id of others.slice(Math.max(0, others.length - (Math.max(1, max) - 1)))) {
    const e = map[id];
    if (e) next[id] = e;
  }
  next[sessionId] = known ? { ...known, status: 'loading', error: null } : empty;
  return next;
}

/** Ends a load: the engine's list merged in by `merge`, or why it failed (what was held stays). */
export function endSessionLoad<E extends SessionEntry>(
  map: Readonly<Record<string, E>>,
  sessionId: string,
  result: { merge: (known: E) => E } | { message: string; code: ErrorCode },
): Readonly<Record<string, E>> {
  const known = map[sessionId];
  if (!known) return map;
  if ('merge' in result)
    return { ...map, [sessionId]: { ...result.merge(known), status: 'loaded', error: null } };
  return {
    ...map,
    [sessionId]: {
      ...known,
      status: 'error',
      error: { message: result.message, code: result.code },
    },
  };
}
