/** Reconnect delays: 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s for every further attempt. */
export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

export function backoffDelay(attempt: number): number {
  if (!Number.isFinite(attempt) || attempt <= 0) return BACKOFF_MIN_MS;
  return Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(attempt, 20));
}
