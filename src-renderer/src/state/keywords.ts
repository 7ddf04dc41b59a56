/**
 * Pure reducers for spotted keywords (asr.keyword events), per session, newest last. There is no
 * list method: only what arrives while the UI is connected is kept, a bounded number per session
 * and for a bounded number of sessions.
 */
import type { EventPayload } from '../contract';

export type KeywordHit = EventPayload<'asr.keyword'>;

/** Chips kept per session (the oldest go first). */
export const MAX_KEYWORDS_PER_SESSION = 50;
/** Sessions whose chips are kept (the least recently updated goes first). */
export const MAX_KEYWORD_SESSIONS = 10;

export type Keywords = Readonly<Record<string, readonly KeywordHit[]>>;

/** Adds a hit (a repeat of the same keyword at the same time is ignored), in media-time order. */
export function addKeyword(
  map: Keywords,
  hit: KeywordHit,
  max = MAX_KEYWORDS_PER_SESSION,
  maxSessions = MAX_KEYWORD_SESSIONS,
): Keywords {
  const list = map[hit.sessionId] ?? [];
  if (list.some((k) => k.keyword === hit.keyword && k.at === hit.at)) return map;
  const entry: KeywordHit = { sessionId: hit.sessionId, keyword: hit.keyword, at: hit.at };
  const last = list[list.length - 1];
  const merged =
    last === undefined || last.at <= hit.at
      ? [...list, entry]
      : [...list, entry].sort((a, b) => a.at - b.at);
  const capped = merged.slice(Math.max(0, merged.length - Math.max(1, max)));
  const others = Object.keys(map).filter((id) => id !== hit.sessionId);
  const next: Record<string, readonly KeywordHit[]> = {};
  for (const id of others.slice(Math.max(0, others.length - (Math.max(1, maxSessions) - 1)))) {
    const l = map[id];
    if (l) next[id] = l;
  }
  next[hit.sessionId] = capped;
  return next;
}

/** Where a chip seeks to: a few seconds before the keyword fired, never before the start. */
export const KEYWORD_LEAD_S = 3;
export function keywordSeekTime(at: number): number {
  return Math.max(0, at - KEYWORD_LEAD_S);
}
