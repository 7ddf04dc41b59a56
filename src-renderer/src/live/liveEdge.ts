/** Live-edge arithmetic for the DVR player (pure). */

/** Within this many seconds of the live sync position the player counts as "at live". */
export const LIVE_EDGE_TOLERANCE_S = 3;

/** True when the player is at (or ahead of) live, or there is no live position (VOD). */
export function isAtLive(
  currentTime: number,
  liveSyncPosition: number | null | undefined,
  tolerance = LIVE_EDGE_TOLERANCE_S,
): boolean {
  if (liveSyncPosition === null || liveSyncPosition === undefined) return true;
  if (!Number.isFinite(liveSyncPosition)) return true;
  return liveSyncPosition - currentTime <= tolerance;
}

/** Where a marker sits on a timeline of `durationS`, as a 0–100 percentage (clamped). */
export function timelinePercent(mediaTime: number, durationS: number): number {
  if (!(durationS > 0) || !Number.isFinite(mediaTime)) return 0;
  return Math.min(100, Math.max(0, (mediaTime / durationS) * 100));
}
