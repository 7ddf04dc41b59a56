/**
 * `<out>/highlights.jsonl`: one line per final highlight, as the brief fixes it:
 * {"id", "start", "end", "score", "reasons": ["…"], "text"} — times in media seconds.
 */
import type { Highlight } from './types';

/** One JSON line (no trailing newline) for a highlight, normally a 'final' one. */
export function toJsonlLine(h: Highlight): string {
  return JSON.stringify({
    id: h.id,
    start: round(h.start, 3),
    end: round(h.end, 3),
    score: round(Math.min(1, Math.max(0, h.score)), 3),
    reasons: h.reasons.map((r) => r.text),
    text: h.text,
  });
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
