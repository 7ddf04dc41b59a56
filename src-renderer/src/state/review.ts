/**
 * The review queue's state (pure functions over a mutable index): per session, every highlight's
 * current clip as a ReviewItem, kept in a Map keyed by clip id so that an event for one clip costs
 * O(1) whatever the queue's length. The Map is updated in place and the session entry is replaced
 * by a shallow copy with a new `rev`, which is what zustand compares; rows select their own item
 * (`items.get(id)`), whose identity changes only when that item changes, so one event re-renders
 * one row. `order` (by the highlight's start) is a new array only when an item comes or goes.
 */
import type {
  Clip,
  ErrorCode,
  Highlight,
  Publication,
  ReviewDecision,
  ReviewItem,
  SafetyState,
} from '../contract';
import { renderNumber } from './clips';
import { beginSessionLoad, endSessionLoad } from './sessionCache';

/** Review queues are kept for at most this many sessions (the least recently loaded goes first). */
export const MAX_REVIEW_SESSIONS = 5;

export interface SessionReview {
  /** By clip id; updated in place (see the module comment). */
  items: Map<string, ReviewItem>;
  /**
   * Highlight id → the clip id of its stream item (one per highlight: its current render).
   * Generated videos are items of their own and never appear here.
   */
  byHighlight: Map<string, string>;
  /** Clip ids by the highlight's start (then id). */
  order: readonly string[];
  /** Bumped on every change. */
  rev: number;
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
}

export type ReviewBySession = Readonly<Record<string, SessionReview>>;

function emptySession(): SessionReview {
  return {
    items: new Map(),
    byHighlight: new Map(),
    order: [],
    rev: 0,
    status: 'loading',
    error: null,
  };
}

/**
 * How recent a copy of an item is: the latest time anything in it changed. A list answer taken
 * before an event must not undo that event, so a copy older than the one held is ignored.
 */
export function itemStamp(item: ReviewItem): number {
  let t = item.clip.updatedAt;
  if (item.prompt && item.prompt.updatedAt > t) t = item.prompt.updatedAt;
  if (item.decidedAt !== null && item.decidedAt > t) t = item.decidedAt;
  if (item.override && item.override.at > t) t = item.override.at;
  if (item.safety.checkedAt !== null && item.safety.checkedAt > t) t = item.safety.checkedAt;
  if (item.highlight.updatedAt > t) t = item.highlight.updatedAt;
  for (const p of item.publications) if (p.updatedAt > t) t = p.updatedAt;
  return t;
}

/**
 * A video the generation engine made: listed on its own, next to the highlight's stream clip
 * (a generation never replaces the stream clip, nor a later render the generation).
 */
export function isGenerated(item: ReviewItem): boolean {
  return item.generation !== null || item.aiGenerated;
}

/** True when clip `a` is a later render of the same highlight than `b`. */
export function laterRender(a: Clip, b: Clip): boolean {
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt;
  return renderNumber(a) > renderNumber(b);
}

function startOf(s: SessionReview, clipId: string): number {
  return s.items.get(clipId)?.highlight.start ?? 0;
}

/** Index at which an item with this start and id goes in `order` (binary search). */
function insertionIndex(s: SessionReview, start: number, id: string): number {
  let lo = 0;
  let hi = s.order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = s.order[mid] ?? '';
    const os = startOf(s, other);
    if (os < start || (os === start && other < id)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Puts items into one session's index (in place). Returns true when anything changed. An item for
 * a highlight that already has one replaces it only when its clip is a later render; a generated
 * video is always an item of its own. Events and
 * call answers arrive in the engine's order, so the latest copy of an item wins ('latest'); a list
 * answer may be older than events that overtook it, so its copies replace only copies that are
 * not newer ('newer', by itemStamp).
 */
export function putItems(
  s: SessionReview,
  incoming: readonly ReviewItem[],
  mode: 'latest' | 'newer' = 'latest',
): boolean {
  let changed = false;
  let order: string[] | null = null;
  for (const item of incoming) {
    const id = item.clip.id;
    const known = s.items.get(id);
    if (known) {
      if (known === item) continue;
      if (mode === 'newer' && itemStamp(item) < itemStamp(known)) continue;
      s.items.set(id, item);
      if (known.highlight.start !== item.highlight.start) {
        // A trim moved the highlight: re-place it.
        order ??= [...s.order];
        order.splice(order.indexOf(id), 1);
        s.order = order;
        order.splice(insertionIndex(s, item.highlight.start, id), 0, id);
      }
      changed = true;
      continue;
    }
    if (isGenerated(item)) {
      order ??= [...s.order];
      s.items.set(id, item);
      s.order = order;
      order.splice(insertionIndex(s, item.highlight.start, id), 0, id);
      changed = true;
      continue;
    }
    const currentId = s.byHighlight.get(item.highlight.id);
    const current = currentId !== undefined ? s.items.get(currentId) : undefined;
    if (current && !laterRender(item.clip, current.clip)) continue;
    order ??= [...s.order];
    if (current && currentId !== undefined) {
      s.items.delete(currentId);
      order.splice(order.indexOf(currentId), 1);
    }
    s.items.set(id, item);
    s.byHighlight.set(item.highlight.id, id);
    s.order = order;
    order.splice(insertionIndex(s, item.highlight.start, id), 0, id);
    changed = true;
  }
  if (order) s.order = order;
  return changed;
}

/** Starts (or restarts) loading a session's queue: it becomes the most recent; the oldest may go. */
export function beginLoad(
  map: ReviewBySession,
  sessionId: string,
  max = MAX_REVIEW_SESSIONS,
): ReviewBySession {
  return beginSessionLoad(map, sessionId, emptySession(), max);
}

/** Ends a load: the engine's list merged in, or why it failed (what was held stays). */
export function endLoad(
  map: ReviewBySession,
  sessionId: string,
  result: { items: readonly ReviewItem[] } | { message: string; code: ErrorCode },
): ReviewBySession {
  return endSessionLoad(
    map,
    sessionId,
    'items' in result
      ? {
          merge: (known) => {
            putItems(known, result.items, 'newer');
            return { ...known, rev: known.rev + 1 };
          },
        }
      : result,
  );
}

/** Items from events or call results; sessions not kept are ignored (opening one loads it). */
export function upsertItems(map: ReviewBySession, items: readonly ReviewItem[]): ReviewBySession {
  let next: Record<string, SessionReview> | null = null;
  for (const item of items) {
    const sid = item.clip.sessionId;
    const known = (next ?? map)[sid];
    if (!known) continue;
    if (!putItems(known, [item])) continue;
    next ??= { ...map };
    next[sid] = { ...known, rev: known.rev + 1 };
  }
  return next ?? map;
}

/** Applies a change to one held item (O(1)); the same map when the clip is not held or unchanged. */
export function patchItem(
  map: ReviewBySession,
  sessionId: string,
  clipId: string,
  change: (item: ReviewItem) => ReviewItem,
): ReviewBySession {
  const s = map[sessionId];
  const item = s?.items.get(clipId);
  if (!s || !item) return map;
  const next = change(item);
  if (next === item) return map;
  s.items.set(clipId, next);
  return { ...map, [sessionId]: { ...s, rev: s.rev + 1 } };
}

/** A highlight event (a trim, a review) for a held item's highlight. */
export function applyHighlight(map: ReviewBySession, h: Highlight): ReviewBySession {
  const s = map[h.sessionId];
  const clipId = s?.byHighlight.get(h.id);
  const item = clipId !== undefined ? s?.items.get(clipId) : undefined;
  if (!s || !item || item.highlight === h || item.highlight.updatedAt > h.updatedAt) return map;
  putItems(s, [{ ...item, highlight: h }]);
  return { ...map, [h.sessionId]: { ...s, rev: s.rev + 1 } };
}

/** A clip event for a held item's clip (render progress of the clip under review). */
export function applyClip(map: ReviewBySession, clip: Clip): ReviewBySession {
  return patchItem(map, clip.sessionId, clip.id, (item) =>
    item.clip.updatedAt > clip.updatedAt || item.clip === clip ? item : { ...item, clip },
  );
}

/** A publication event: replaces that target's entry of the clip's item (when not older). */
export function applyPublication(
  map: ReviewBySession,
  sessionIdOfClip: string | null,
  p: Publication,
): ReviewBySession {
  if (sessionIdOfClip === null) return map;
  return patchItem(map, sessionIdOfClip, p.clipId, (item) => {
    const i = item.publications.findIndex((x) => x.targetId === p.targetId);
    const known = i >= 0 ? item.publications[i] : undefined;
    if (known && (known === p || known.updatedAt > p.updatedAt)) return item;
    const publications =
      i >= 0 ? item.publications.map((x, j) => (j === i ? p : x)) : [...item.publications, p];
    return { ...item, publications };
  });
}

/** The session holding a clip's item, looked up per session (a handful) in O(1) each. */
export function sessionOfClip(map: ReviewBySession, clipId: string): string | null {
  for (const [sid, s] of Object.entries(map)) if (s.items.has(clipId)) return sid;
  return null;
}

/** A held item by clip id, wherever it is. */
export function findItem(map: ReviewBySession, clipId: string): ReviewItem | null {
  for (const s of Object.values(map)) {
    const item = s.items.get(clipId);
    if (item) return item;
  }
  return null;
}

/** Sets the decision on held items at once (the engine's answer follows). */
export function withDecision(item: ReviewItem, decision: ReviewDecision, at: number): ReviewItem {
  if (item.decision === decision) return item;
  return { ...item, decision, decidedAt: decision === 'pending' ? null : at };
}

// ---------- filter ----------

export const DECISION_FILTERS = ['all', 'pending', 'approved', 'rejected'] as const;
export type DecisionFilter = (typeof DECISION_FILTERS)[number];
/** 'attention': warn, flagged or error (what needs a look before approving). */
export const SAFETY_FILTERS = [
  'all',
  'attention',
  'ok',
  'warn',
  'flagged',
  'error',
  'pending',
] as const;
export type SafetyFilter = (typeof SAFETY_FILTERS)[number];

export interface ReviewFilter {
  decision: DecisionFilter;
  safety: SafetyFilter;
  /** 0..1: items whose quality is below are hidden (an item without a quality counts as 0). */
  minQuality: number;
}

export const DEFAULT_REVIEW_FILTER: ReviewFilter = {
  decision: 'all',
  safety: 'all',
  minQuality: 0,
};

const ATTENTION: ReadonlySet<SafetyState> = new Set(['warn', 'flagged', 'error']);

export function passesReviewFilter(item: ReviewItem, f: ReviewFilter): boolean {
  if (f.decision !== 'all' && item.decision !== f.decision) return false;
  if (f.safety === 'attention') {
    if (!ATTENTION.has(item.safety.state)) return false;
  } else if (f.safety !== 'all' && item.safety.state !== f.safety) return false;
  if (f.minQuality > 0) {
    // The slider works in whole percent.
    const q = Math.round((item.quality ?? 0) * 100);
    if (q < Math.round(f.minQuality * 100)) return false;
  }
  return true;
}

const NO_IDS: readonly string[] = [];

/** The clip ids the queue shows, in order (O(n) in the queue's length). */
export function shownIds(s: SessionReview | undefined, f: ReviewFilter): readonly string[] {
  if (!s) return NO_IDS;
  if (f.decision === 'all' && f.safety === 'all' && f.minQuality <= 0) return s.order;
  return s.order.filter((id) => {
    const item = s.items.get(id);
    return item !== undefined && passesReviewFilter(item, f);
  });
}

/** How many items wait for a decision. */
export function pendingCount(s: SessionReview | undefined): number {
  if (!s) return 0;
  let n = 0;
  for (const item of s.items.values()) if (item.decision === 'pending') n++;
  return n;
}

// ---------- cursor and selection ----------

/**
 * The id J (+1) or K (−1) moves to: the next/previous shown one, clamped at the ends; with
 * nothing (or something no longer shown) current, J starts at the top and K at the bottom.
 */
export function stepId(
  shown: readonly string[],
  current: string | null,
  dir: 1 | -1,
): string | null {
  if (shown.length === 0) return null;
  const i = current === null ? -1 : shown.indexOf(current);
  if (i < 0) return (dir === 1 ? shown[0] : shown[shown.length - 1]) ?? null;
  return shown[Math.min(shown.length - 1, Math.max(0, i + dir))] ?? null;
}

/** Where the cursor goes when its item leaves the shown list: the next one, else the previous. */
export function neighbourOf(shown: readonly string[], id: string): string | null {
  const i = shown.indexOf(id);
  if (i < 0) return null;
  return shown[i + 1] ?? shown[i - 1] ?? null;
}

/** Toggles one id in a selection (a new set). */
export function toggleChecked(checked: ReadonlySet<string>, id: string): ReadonlySet<string> {
  const next = new Set(checked);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
}

/**
 * What a bulk or single action applies to: the checked items that are still shown, else the
 * current one (so A works the same with or without a selection).
 */
export function actionTargets(
  shown: readonly string[],
  checked: ReadonlySet<string>,
  current: string | null,
): string[] {
  if (checked.size > 0) return shown.filter((id) => checked.has(id));
  return current !== null && shown.includes(current) ? [current] : [];
}

// ---------- presentation ----------

/** The newest publication state over the targets, for the row's badge. */
export function publicationSummary(
  list: readonly Publication[],
): 'none' | 'active' | 'failed' | 'done' {
  if (list.length === 0) return 'none';
  if (list.some((p) => p.state === 'queued' || p.state === 'uploading')) return 'active';
  if (list.some((p) => p.state === 'failed')) return 'failed';
  if (list.every((p) => p.state === 'done' || p.state === 'cancelled')) {
    return list.some((p) => p.state === 'done') ? 'done' : 'none';
  }
  return 'none';
}

/** A flagged clip needs an explicit override before it can be approved. */
export function needsOverride(item: ReviewItem): boolean {
  return item.safety.state === 'flagged' && item.override === null;
}

/** The transcript excerpt shown for an item: its text cut at `max` characters on a boundary. */
export function excerpt(text: string, max = 140): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * Splits text into plain and hit parts by the engine's spans (UTF-16 indexes), for highlighting;
 * overlapping or out-of-range spans are clipped, so the parts always rebuild the text.
 */
export function splitBySpans(
  text: string,
  spans: ReadonlyArray<{ start: number; end: number; severity?: string }>,
): Array<{ text: string; hit: boolean; severity: string | null }> {
  const sorted = [...spans]
    .filter((s) => Number.isFinite(s.start) && Number.isFinite(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: Array<{ text: string; hit: boolean; severity: string | null }> = [];
  let at = 0;
  for (const s of sorted) {
    const start = Math.max(at, Math.min(text.length, s.start));
    const end = Math.max(start, Math.min(text.length, s.end));
    if (end <= start) continue;
    if (start > at) parts.push({ text: text.slice(at, start), hit: false, severity: null });
    parts.push({ text: text.slice(start, end), hit: true, severity: s.severity ?? null });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), hit: false, severity: null });
  return parts;
}
