/**
 * Pure reducers for the transcript slice: per session, the final utterances in seq order (no
 * duplicates), the load state and the recognizer's partial text. Only a few sessions are kept.
 */
import type { ErrorCode, Utterance } from '../contract';

/** Transcripts are kept for at most this many sessions (the least recently loaded goes first). */
export const MAX_TRANSCRIPT_SESSIONS = 3;

export interface Partial {
  start: number;
  text: string;
}

export interface SessionTranscript {
  /** Sorted by seq, unique by seq. */
  utterances: readonly Utterance[];
  status: 'loading' | 'loaded' | 'error';
  error: { message: string; code: ErrorCode } | null;
  partial: Partial | null;
}

export type Transcripts = Readonly<Record<string, SessionTranscript>>;

const EMPTY: SessionTranscript = { utterances: [], status: 'loading', error: null, partial: null };

/** Merges utterances into a seq-sorted list; duplicates (by seq) keep the copy already there. */
export function mergeUtterances(
  list: readonly Utterance[],
  incoming: readonly Utterance[],
): readonly Utterance[] {
  if (incoming.length === 0) return list;
  // The usual case: strictly newer, in order (a page, or a live event).
  let lastSeq = list.length > 0 ? (list[list.length - 1]?.seq ?? -1) : -1;
  let inOrder = true;
  for (const u of incoming) {
    if (u.seq <= lastSeq) {
      inOrder = false;
      break;
    }
    lastSeq = u.seq;
  }
  if (inOrder) return list.concat(incoming);
  const bySeq = new Map<number, Utterance>();
  for (const u of incoming) if (!bySeq.has(u.seq)) bySeq.set(u.seq, u);
  for (const u of list) bySeq.set(u.seq, u);
  if (bySeq.size === list.length) return list; // nothing new
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** Starts (or restarts) loading a session: it becomes the most recent; the oldest may go. */
export function beginLoad(
  map: Transcripts,
  sessionId: string,
  max = MAX_TRANSCRIPT_SESSIONS,
): Transcripts {
  const known = map[sessionId];
  const next: Record<string, SessionTranscript> = {};
  const others = Object.keys(map).filter((id) => id !== sessionId);
  for (const id of others.slice(Math.max(0, others.length - (Math.max(1, max) - 1)))) {
    const t = map[id];
    if (t) next[id] = t;
  }
  next[sessionId] = known ? { ...known, status: 'loading', error: null } : EMPTY;
  return next;
}

/** Ends a load: loaded, or failed with the engine's reason (what was there stays). */
export function endLoad(
  map: Transcripts,
  sessionId: string,
  error: { message: string; code: ErrorCode } | null,
): Transcripts {
  const known = map[sessionId];
  if (!known) return map;
  return { ...map, [sessionId]: { ...known, status: error ? 'error' : 'loaded', error } };
}

/**
 * Adds final utterances (a page or an event). Sessions not being kept are ignored: selecting one
 * loads its transcript from the engine anyway. A final utterance ends the partial it finishes.
 */
export function addUtterances(
  map: Transcripts,
  sessionId: string,
  incoming: readonly Utterance[],
): Transcripts {
  const known = map[sessionId];
  if (!known || incoming.length === 0) return map;
  const utterances = mergeUtterances(known.utterances, incoming);
  const p = known.partial;
  const partial = p && incoming.some((u) => u.end >= p.start) ? null : p;
  if (utterances === known.utterances && partial === known.partial) return map;
  return { ...map, [sessionId]: { ...known, utterances, partial } };
}

/** The recognizer's partial text for a kept session (empty text clears it). */
export function setPartial(map: Transcripts, sessionId: string, partial: Partial): Transcripts {
  const known = map[sessionId];
  if (!known) return map;
  const next = partial.text.trim() === '' ? null : { start: partial.start, text: partial.text };
  if (next === null && known.partial === null) return map;
  return { ...map, [sessionId]: { ...known, partial: next } };
}
