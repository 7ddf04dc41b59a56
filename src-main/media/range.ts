/**
 * `Range` request header parsing per RFC 9110 §14. Pure.
 *
 * - `bytes=a-b`, `bytes=a-`, `bytes=-n` (suffix); the unit is case-insensitive.
 * - The end is clamped to `size - 1`; a suffix longer than the file selects the whole file.
 * - `first-pos >= size`, a zero suffix, or `last-pos < first-pos` (an invalid range-spec, which
 *   §14.2 says SHOULD get 416) → unsatisfiable.
 * - Missing, malformed, or another unit → full (§14.2: a server MAY ignore Range, and MUST ignore
 *   an unknown unit). Several ranges → full: a server may send the whole representation instead
 *   of a multipart/byteranges body, which media elements never need.
 * - `size === 0`: an int-range can never be satisfied (first-pos is not < 0) → unsatisfiable; a
 *   suffix range would select an empty range, which a 206 cannot express → full (an empty 200).
 */
export type ByteRange =
  { kind: 'full' } | { kind: 'partial'; start: number; end: number } | { kind: 'unsatisfiable' };

const FULL: ByteRange = { kind: 'full' };
const UNSATISFIABLE: ByteRange = { kind: 'unsatisfiable' };
const DIGITS = /^[0-9]+$/;

export function parseRange(header: string | null | undefined, size: number): ByteRange {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new RangeError(`parseRange: size must be a non-negative integer, got ${size}`);
  }
  if (header === null || header === undefined) return FULL;
  const eq = header.indexOf('=');
  if (eq < 0) return FULL;
  if (header.slice(0, eq).trim().toLowerCase() !== 'bytes') return FULL;

  // range-set = 1#range-spec; list rules allow empty elements and OWS around commas.
  const specs = header
    .slice(eq + 1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (specs.length !== 1) return FULL;
  const spec = specs[0] ?? '';
  const dash = spec.indexOf('-');
  if (dash < 0) return FULL;
  const first = spec.slice(0, dash);
  const last = spec.slice(dash + 1);

  if (first === '') {
    // suffix-range: the last n bytes
    if (!DIGITS.test(last)) return FULL;
    const n = Number(last);
    if (n === 0) return UNSATISFIABLE;
    if (size === 0) return FULL;
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }

  if (!DIGITS.test(first) || (last !== '' && !DIGITS.test(last))) return FULL;
  const start = Number(first);
  const requestedEnd = last === '' ? Infinity : Number(last);
  if (requestedEnd < start) return UNSATISFIABLE;
  if (start >= size) return UNSATISFIABLE;
  return { kind: 'partial', start, end: Math.min(requestedEnd, size - 1) };
}
