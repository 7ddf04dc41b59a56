/**
 * The monitor's numbers (pure): the engine's pulses of the last ten minutes, latency statistics
 * per pipeline stage from the per-clip records, and the geometry of the SVG charts that draw them.
 */
import type { MonitorRecord, MonitorSample } from '../contract';

/** Ten minutes of pulses, one a second. */
export const MAX_SAMPLES = 600;
export const SAMPLE_WINDOW_MS = 600_000;

/**
 * Merges pulses into a list sorted by time (unique by `at`, the later copy wins), keeping the
 * newest `max`. Returns the same array when nothing was added. Appending in order (the usual
 * case: one a second) costs one copy of at most `max` entries.
 */
export function mergeSamples(
  list: readonly MonitorSample[],
  incoming: readonly MonitorSample[],
  max = MAX_SAMPLES,
): readonly MonitorSample[] {
  if (incoming.length === 0) return list;
  const last = list[list.length - 1];
  const inOrder =
    (last === undefined || (incoming[0]?.at ?? 0) > last.at) &&
    incoming.every((s, i) => i === 0 || s.at > (incoming[i - 1]?.at ?? 0));
  let merged: MonitorSample[];
  if (inOrder) merged = [...list, ...incoming];
  else {
    const byAt = new Map<number, MonitorSample>();
    for (const s of list) byAt.set(s.at, s);
    for (const s of incoming) byAt.set(s.at, s);
    merged = [...byAt.values()].sort((a, b) => a.at - b.at);
  }
  return merged.length > max ? merged.slice(merged.length - max) : merged;
}

export const STAGES = [
  'detectMs',
  'queueMs',
  'renderMs',
  'safetyMs',
  'publishMs',
  'momentToClipMs',
] as const;
export type Stage = (typeof STAGES)[number];

export interface StageStats {
  stage: Stage;
  /** Records that reached the stage. */
  count: number;
  median: number | null;
  p95: number | null;
  max: number | null;
}

/** The q-quantile (0..1) of sorted numbers, nearest-rank; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil(Math.min(1, Math.max(0, q)) * sorted.length);
  return sorted[Math.max(0, rank - 1)] ?? null;
}

/** Median, p95 and max of every stage over the records (stages a record did not reach skipped). */
export function stageStats(records: readonly MonitorRecord[]): StageStats[] {
  return STAGES.map((stage) => {
    const values = records
      .map((r) => r.stages[stage])
      .filter((v): v is number => v !== null && Number.isFinite(v) && v >= 0)
      .sort((a, b) => a - b);
    return {
      stage,
      count: values.length,
      median: quantile(values, 0.5),
      p95: quantile(values, 0.95),
      max: values.length > 0 ? (values[values.length - 1] ?? null) : null,
    };
  });
}

export interface SeriesPoint {
  /** Seconds before `now` (negative: in the past). */
  t: number;
  v: number;
}

/** One value per pulse in the window ending at `now`, as (seconds relative to now, value). */
export function series(
  samples: readonly MonitorSample[],
  now: number,
  pick: (s: MonitorSample) => number,
  windowMs = SAMPLE_WINDOW_MS,
): SeriesPoint[] {
  const from = now - windowMs;
  const out: SeriesPoint[] = [];
  for (const s of samples) {
    if (s.at < from || s.at > now) continue;
    out.push({ t: (s.at - now) / 1000, v: pick(s) });
  }
  return out;
}

/**
 * Per-second rates averaged over buckets of `bucketS` seconds ending at `now` (the raw pulses are
 * mostly 0 or 1 a second: averaging makes the line readable). A bucket no pulse fell in is 0; the
 * point sits at the bucket's end.
 */
export function bucketRates(
  samples: readonly MonitorSample[],
  now: number,
  pick: (s: MonitorSample) => number,
  bucketS = 10,
  windowMs = SAMPLE_WINDOW_MS,
): SeriesPoint[] {
  const buckets = Math.max(1, Math.round(windowMs / 1000 / bucketS));
  const sums = new Array<number>(buckets).fill(0);
  const from = now - buckets * bucketS * 1000;
  for (const s of samples) {
    if (s.at <= from || s.at > now) continue;
    const i = Math.min(buckets - 1, Math.floor((s.at - from - 1) / (bucketS * 1000)));
    sums[i] = (sums[i] ?? 0) + pick(s);
  }
  return sums.map((sum, i) => ({ t: (i - (buckets - 1)) * bucketS, v: sum / bucketS }));
}

/** Every queue kind any pulse reported, sorted. */
export function queueKinds(samples: readonly MonitorSample[]): string[] {
  const kinds = new Set<string>();
  for (const s of samples) for (const k of Object.keys(s.queues)) kinds.add(k);
  return [...kinds].sort();
}

/** Queued + running of one kind in a pulse (0 when the pulse does not name it). */
export function queueDepth(s: MonitorSample, kind: string): number {
  const q = Object.prototype.hasOwnProperty.call(s.queues, kind) ? s.queues[kind] : undefined;
  return q ? q.queued + q.running : 0;
}

/** Totals over the window: clips ready and publications finished. */
export function totals(
  samples: readonly MonitorSample[],
  now: number,
  windowMs = SAMPLE_WINDOW_MS,
): { ready: number; published: number; seconds: number } {
  let ready = 0;
  let published = 0;
  let first: number | null = null;
  for (const s of samples) {
    if (s.at < now - windowMs || s.at > now) continue;
    ready += s.ready;
    published += s.published;
    first ??= s.at;
  }
  return { ready, published, seconds: first === null ? 0 : (now - first) / 1000 };
}

/** A round axis maximum ≥ v: 1, 2, 5 × 10^n (at least `floor`). */
export function niceMax(v: number, floor = 1): number {
  const x = Math.max(floor, Number.isFinite(v) ? v : 0);
  const exp = Math.floor(Math.log10(x));
  const base = 10 ** exp;
  for (const m of [1, 2, 5, 10]) if (m * base >= x) return m * base;
  return 10 * base;
}

/**
 * An SVG path ("M x y L x y …") through the points, mapped into a w × h box: t from -windowS..0
 * left to right, v from 0..max bottom to top. '' for no points.
 */
export function linePath(
  points: readonly SeriesPoint[],
  box: { w: number; h: number; windowS: number; max: number },
): string {
  if (points.length === 0 || box.max <= 0 || box.windowS <= 0) return '';
  const x = (t: number) => ((t + box.windowS) / box.windowS) * box.w;
  const y = (v: number) => box.h - (Math.min(v, box.max) / box.max) * box.h;
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.t).toFixed(1)} ${y(p.v).toFixed(1)}`)
    .join(' ');
}

/** Milliseconds as the table shows them: "850 ms", "4.2 s", "—". */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
