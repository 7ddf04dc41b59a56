/**
 * Pure reducers and helpers for the highlights slice: per session, the highlights sorted by start
 * (unique by id, the newest copy of each wins), the load state; the operator's filter; the
 * neighbours J/K move to; the in/out points a nudge asks for. Only a few sessions are kept.
 */
import type { ErrorCode, Highlight } from '../contract';
import { beginSessionLoad, endSessionLoad } from './sessionCache';

/** Highlights are kept for at most this many sessions (the least recently loaded goes first). */
export const MAX_HIGHLIGHT_SESSIONS = 5;

export interface SessionHighlights {
  /** Sorted by start (then id), unique by id. */
  list: readonly Highlight[];
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
}

export type HighlightsBySession = Readonly<Record<string, SessionHighlights>>;

const EMPTY: SessionHighlights = { list: [], status: 'loading', error: null };

const byStart = (a: Highlight, b: Highlight): number =>
  a.start - b.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Merges highlights into a start-sorted list. A copy replaces the one held when it is at least as
 * new (updatedAt; equal times: the later arrival wins, as events and results arrive in order).
 */
export function mergeHighlights(
  list: readonly Highlight[],
  incoming: readonly Highlight[],
): readonly Highlight[] {
  if (incoming.length === 0) return list;
  const byId = new Map<string, Highlight>();
  for (const h of list) byId.set(h.id, h);
  let changed = false;
  for (const h of incoming) {
    const known = byId.get(h.id);
    if (known && known.updatedAt > h.updatedAt) continue;
    if (known === h) continue;
    byId.set(h.id, h);
    changed = true;
  }
  if (!changed) return list;
  return [...byId.values()].sort(byStart);
}

/** Starts (or restarts) loading a session: it becomes the most recent; the oldest may go. */
export function beginLoad(
  map: HighlightsBySession,
  sessionId: string,
  max = MAX_HIGHLIGHT_SESSIONS,
): HighlightsBySession {
  return beginSessionLoad(map, sessionId, EMPTY, max);
}

/** Ends a load: the engine's list merged in, or why it failed (what was held stays). */
export function endLoad(
  map: HighlightsBySession,
  sessionId: string,
  result: { highlights: readonly Highlight[] } | { message: string; code: ErrorCode },
): HighlightsBySession {
  return endSessionLoad(
    map,
    sessionId,
    'highlights' in result
      ? { merge: (known) => ({ ...known, list: mergeHighlights(known.list, result.highlights) }) }
      : result,
  );
}

/**
 * A highlight from an event or a call result. Sessions not kept are ignored (selecting one loads
 * its list from the engine anyway).
 */
export function upsertHighlight(map: HighlightsBySession, h: Highlight): HighlightsBySession {
  const known = map[h.sessionId];
  if (!known) return map;
  const list = mergeHighlights(known.list, [h]);
  return list === known.list ? map : { ...map, [h.sessionId]: { ...known, list } };
}

// ---------- filter ----------

export const REVIEW_FILTERS = ['all', 'new', 'accepted', 'dismissed'] as const;
export type ReviewFilter = (typeof REVIEW_FILTERS)[number];

export interface HighlightFilter {
  review: ReviewFilter;
  /** 0..1: highlights scoring below are hidden. */
  minScore: number;
}

export const DEFAULT_FILTER: HighlightFilter = { review: 'all', minScore: 0 };

export function passesFilter(h: Highlight, f: HighlightFilter): boolean {
  if (f.review !== 'all' && h.review !== f.review) return false;
  // Scores are stored with full precision; the slider works in whole percent.
  return Math.round(h.score * 100) >= Math.round(f.minScore * 100);
}

export function filterHighlights(
  list: readonly Highlight[],
  f: HighlightFilter,
): readonly Highlight[] {
  if (f.review === 'all' && f.minScore <= 0) return list;
  return list.filter((h) => passesFilter(h, f));
}

// ---------- selection ----------

/**
 * The id J (+1) or K (−1) selects in the shown list: the next/previous one, clamped at the ends;
 * with nothing (or something no longer shown) selected, J starts at the top and K at the bottom.
 */
export function stepSelection(
  shown: readonly Highlight[],
  selectedId: string | null,
  dir: 1 | -1,
): string | null {
  if (shown.length === 0) return null;
  const i = selectedId === null ? -1 : shown.findIndex((h) => h.id === selectedId);
  if (i < 0) return (dir === 1 ? shown[0] : shown[shown.length - 1])?.id ?? null;
  const j = Math.min(shown.length - 1, Math.max(0, i + dir));
  return shown[j]?.id ?? null;
}

/**
 * What stays selected when the selected highlight leaves the shown list (e.g. dismissed while
 * only new ones are shown): the one after it, else the one before, else nothing.
 */
export function neighbourAfterRemoval(
  shown: readonly Highlight[],
  removedId: string,
): string | null {
  const i = shown.findIndex((h) => h.id === removedId);
  if (i < 0) return null;
  return shown[i + 1]?.id ?? shown[i - 1]?.id ?? null;
}

// ---------- nudges ----------

/** The shortest window a nudge may leave, seconds. */
export const MIN_WINDOW_S = 0.5;

export type NudgeEdge = 'in' | 'out';

/**
 * The window after moving one edge by delta seconds (rounded to 0.1 s), or null when the move
 * would do nothing or leave less than MIN_WINDOW_S (the in point never goes below 0).
 */
export function nudgedWindow(
  w: { start: number; end: number },
  edge: NudgeEdge,
  delta: number,
): { start: number; end: number } | null {
  const round = (x: number) => Math.round(x * 10) / 10;
  if (edge === 'in') {
    const start = Math.max(0, round(w.start + delta));
    if (start === w.start || w.end - start < MIN_WINDOW_S - 1e-9) return null;
    return { start, end: w.end };
  }
  const end = round(w.end + delta);
  if (end === w.end || end - w.start < MIN_WINDOW_S - 1e-9) return null;
  return { start: w.start, end };
}

// ---------- presentation ----------

/** Score as a whole percent, 0–100. */
export function scorePercent(score: number): number {
  if (!Number.isFinite(score)) return 0;
  return Math.round(Math.min(1, Math.max(0, score)) * 100);
}

/** True for highlights the operator made ("clip that!"), drawn differently. */
export function isManual(h: Highlight): boolean {
  return h.category === 'manual' || h.reasons.some((r) => r.kind === 'mark');
}

/**
 * The phrase of a trigger or keyword reason ('trigger "最后三分钟" (urgency)' → '最后三分钟'), or
 * null for other kinds and texts without a quoted phrase.
 */
export function triggerPhrase(r: Highlight['reasons'][number]): string | null {
  if (r.kind !== 'trigger' && r.kind !== 'keyword') return null;
  const quoted = /["“]([^"”]+)["”]/.exec(r.text);
  return quoted?.[1] ?? null;
}
