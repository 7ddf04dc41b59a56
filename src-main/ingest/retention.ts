/**
 * Which DVR segments the retention policy removes: oldest first, until the DVR is within the
 * hour and size limits — never a segment of a live session's newest minute, and never one that
 * overlaps media a clip still needs (a hold). Pure.
 */
/** The newest minute is what the live player is showing: never removed. */
export const PROTECT_RECENT_MS = 60_000;

export interface RetentionSegment {
  sessionId: string;
  seq: number;
  mediaStart: number;
  duration: number;
  wallEnd: number;
  bytes: number;
}

export interface RetentionHold {
  sessionId: string;
  mediaStart: number;
  mediaEnd: number;
}

export interface RetentionPolicy {
  maxHours: number | null;
  maxBytes: number | null;
}

export interface RetentionPlan {
  remove: RetentionSegment[];
  keptBytes: number;
  /** Bytes over the size limit that holds kept from being removed. */
  heldOverBytes: number;
}

export function planRetention(
  segments: readonly RetentionSegment[],
  holds: readonly RetentionHold[],
  policy: RetentionPolicy,
  now: number,
): RetentionPlan {
  const sorted = [...segments].sort((a, b) => a.wallEnd - b.wallEnd || a.seq - b.seq);
  const held = (s: RetentionSegment): boolean =>
    holds.some(
      (h) =>
        h.sessionId === s.sessionId &&
        h.mediaStart < s.mediaStart + s.duration &&
        h.mediaEnd > s.mediaStart,
    );
  let total = sorted.reduce((n, s) => n + s.bytes, 0);
  const cutoff = policy.maxHours === null ? -Infinity : now - policy.maxHours * 3600_000;
  const remove: RetentionSegment[] = [];
  let heldOver = 0;
  for (const s of sorted) {
    if (s.wallEnd > now - PROTECT_RECENT_MS) break;
    const tooOld = s.wallEnd < cutoff;
    const tooBig = policy.maxBytes !== null && total > policy.maxBytes;
    if (!tooOld && !tooBig) break;
    if (held(s)) {
      if (tooBig) heldOver += s.bytes;
      continue;
    }
    remove.push(s);
    total -= s.bytes;
  }
  return {
    remove,
    keptBytes: total,
    heldOverBytes: policy.maxBytes !== null && total > policy.maxBytes ? heldOver : 0,
  };
}
