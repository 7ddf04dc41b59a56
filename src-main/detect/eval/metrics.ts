/**
 * Matching predicted highlight windows to labeled ones, and the figures the evaluation reports:
 * precision, recall, boundary error, detection-delay percentiles. Pure.
 */
import { percentile } from '../../bench/stats';

export interface Window {
  start: number;
  end: number;
}

export const MIN_IOU = 0.3;
export const MIN_LABEL_COVERAGE = 0.5;

export function overlapS(a: Window, b: Window): number {
  return Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
}

export function iou(a: Window, b: Window): number {
  const inter = overlapS(a, b);
  const union = Math.max(a.end, b.end) - Math.min(a.start, b.start);
  return union <= 0 ? 0 : inter / union;
}

/** A prediction may match a label when IoU ≥ 0.3 or it covers ≥ 50 % of the label. */
export function canMatch(pred: Window, label: Window): boolean {
  const len = label.end - label.start;
  return (
    iou(pred, label) >= MIN_IOU || (len > 0 && overlapS(pred, label) / len >= MIN_LABEL_COVERAGE)
  );
}

export interface MatchPair {
  pred: number;
  label: number;
  iou: number;
  startErrorS: number;
  endErrorS: number;
}

export interface MatchResult {
  pairs: MatchPair[];
  /** Indexes of predictions that match no label (false positives). */
  unmatchedPreds: number[];
  /** Indexes of labels that no prediction matches (misses). */
  unmatchedLabels: number[];
}

/**
 * One-to-one greedy matching: every eligible (prediction, label) pair by IoU, highest first (ties:
 * earlier label, then earlier prediction); a pair is taken when neither side is taken yet.
 */
export function matchWindows(preds: readonly Window[], labels: readonly Window[]): MatchResult {
  const candidates: Array<{ p: number; l: number; iou: number }> = [];
  preds.forEach((p, pi) => {
    labels.forEach((l, li) => {
      if (canMatch(p, l)) candidates.push({ p: pi, l: li, iou: iou(p, l) });
    });
  });
  candidates.sort((a, b) => b.iou - a.iou || a.l - b.l || a.p - b.p);
  const usedP = new Set<number>();
  const usedL = new Set<number>();
  const pairs: MatchPair[] = [];
  for (const c of candidates) {
    if (usedP.has(c.p) || usedL.has(c.l)) continue;
    usedP.add(c.p);
    usedL.add(c.l);
    const p = preds[c.p]!;
    const l = labels[c.l]!;
    pairs.push({
      pred: c.p,
      label: c.l,
      iou: c.iou,
      startErrorS: Math.abs(p.start - l.start),
      endErrorS: Math.abs(p.end - l.end),
    });
  }
  pairs.sort((a, b) => a.label - b.label);
  return {
    pairs,
    unmatchedPreds: preds.map((_, i) => i).filter((i) => !usedP.has(i)),
    unmatchedLabels: labels.map((_, i) => i).filter((i) => !usedL.has(i)),
  };
}

export interface Counts {
  labels: number;
  predicted: number;
  tp: number;
  fp: number;
  fn: number;
  /** tp / predicted; null when nothing was predicted. */
  precision: number | null;
  /** tp / labels; null when there is nothing to find. */
  recall: number | null;
  /** Mean over matched pairs of (|Δstart| + |Δend|) / 2; null without a match. */
  meanBoundaryErrorS: number | null;
  meanStartErrorS: number | null;
  meanEndErrorS: number | null;
}

export function counts(labels: number, predicted: number, pairs: readonly MatchPair[]): Counts {
  const tp = pairs.length;
  const mean = (xs: number[]) =>
    xs.length === 0 ? null : xs.reduce((s, x) => s + x, 0) / xs.length;
  return {
    labels,
    predicted,
    tp,
    fp: predicted - tp,
    fn: labels - tp,
    precision: predicted === 0 ? null : tp / predicted,
    recall: labels === 0 ? null : tp / labels,
    meanBoundaryErrorS: mean(pairs.map((p) => (p.startErrorS + p.endErrorS) / 2)),
    meanStartErrorS: mean(pairs.map((p) => p.startErrorS)),
    meanEndErrorS: mean(pairs.map((p) => p.endErrorS)),
  };
}

export interface DelayStats {
  n: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

export function delayStats(delaysMs: readonly number[]): DelayStats {
  return {
    n: delaysMs.length,
    p50: round(percentile(delaysMs, 50), 3),
    p95: round(percentile(delaysMs, 95), 3),
    max: delaysMs.length === 0 ? null : round(Math.max(...delaysMs), 3),
  };
}

export const round = (x: number | null, digits: number): number | null =>
  x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits;
