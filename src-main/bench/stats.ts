/** Small statistics for benchmark reports. Pure. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Least-squares slope of y over x (per unit of x); null with fewer than two points. */
export function slope(points: ReadonlyArray<readonly [number, number]>): number | null {
  if (points.length < 2) return null;
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? null : num / den;
}

export const round = (x: number | null, digits = 1): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs named bench steps in order; a step that throws reports its error instead of a figure. */
export async function runSteps(
  steps: ReadonlyArray<readonly [string, () => Promise<unknown>]>,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of steps) {
    try {
      out[name] = await f();
    } catch (err) {
      out[name] = { error: err instanceof Error ? err.message : String(err) };
    }
  }
  return out;
}
