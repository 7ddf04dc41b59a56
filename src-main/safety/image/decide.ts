/**
 * The image check's verdict from per-frame scores: pure, so the thresholds are table-tested
 * without a model.
 */

/** nsfwjs's five classes, in the order of the model's output. */
export const LABELS = ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'] as const;
export type Label = (typeof LABELS)[number];
export type Scores = Record<Label, number>;

/** Per label, the score at or above which a frame flags the clip; null never flags. */
export type Thresholds = Record<Label, number | null>;

/**
 * Porn and Hentai flag at 0.6: with five classes that is a clear majority for explicit content,
 * and a false flag only costs the operator an explicit override, while a miss publishes
 * explicit content. Sexy flags only at 0.85: that class covers swimwear, lingerie and
 * low necklines, which live-commerce streams show legitimately all day (clothing, beauty), so a
 * lower limit would flag ordinary product clips. Drawing and Neutral are not unsafe.
 */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  Drawing: null,
  Hentai: 0.6,
  Neutral: null,
  Porn: 0.6,
  Sexy: 0.85,
});

export interface FrameScores {
  /** Seconds from the start of the clip. */
  at: number;
  scores: Scores;
}

export interface Verdict {
  flagged: boolean;
  /** The frame and label closest to (or furthest over) its limit; null without frames or limits. */
  worst: { label: Label; score: number; at: number } | null;
  /** A sentence for the operator when flagged, else null. */
  reason: string | null;
}

/** Defaults overlaid with `partial`; throws a RangeError naming the label for a bad limit. */
export function resolveThresholds(partial: Partial<Thresholds> = {}): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS };
  for (const [key, value] of Object.entries(partial)) {
    if (!(LABELS as readonly string[]).includes(key)) {
      throw new RangeError(
        `unknown image-check label "${key}" in thresholds (expected one of ${LABELS.join(', ')})`,
      );
    }
    if (value === undefined) continue;
    if (value !== null && !(typeof value === 'number' && value >= 0 && value <= 1)) {
      throw new RangeError(
        `the image-check threshold for ${key} must be a number from 0 to 1, or null to never flag (got ${String(value)})`,
      );
    }
    out[key as Label] = value;
  }
  return out;
}

/**
 * Flags when any frame's score for a label reaches that label's limit. `worst` is the frame and
 * label with the largest score − limit: the flagging one when flagged, else the nearest miss.
 */
export function decide(frames: readonly FrameScores[], thresholds: Thresholds): Verdict {
  let worst: { label: Label; score: number; at: number; limit: number } | null = null;
  let flaggedFrames = 0;
  for (const frame of frames) {
    let frameFlagged = false;
    for (const label of LABELS) {
      const limit = thresholds[label];
      if (limit === null) continue;
      const score = frame.scores[label];
      if (score >= limit) frameFlagged = true;
      if (worst === null || score - limit > worst.score - worst.limit) {
        worst = { label, score, at: frame.at, limit };
      }
    }
    if (frameFlagged) flaggedFrames++;
  }
  if (worst === null) return { flagged: false, worst: null, reason: null };
  const flagged = flaggedFrames > 0;
  let reason: string | null = null;
  if (flagged) {
    reason = `frame at ${worst.at.toFixed(1)} s scored ${worst.label} ${worst.score.toFixed(2)} (limit ${worst.limit.toFixed(2)})`;
    if (flaggedFrames > 1)
      reason += `; ${flaggedFrames} of ${frames.length} frames were over a limit`;
  }
  return { flagged, worst: { label: worst.label, score: worst.score, at: worst.at }, reason };
}

/** Scores from the model's output vector, in LABELS order. */
export function scoresFromVector(values: ArrayLike<number>): Scores {
  if (values.length !== LABELS.length) {
    throw new Error(
      `the image model returned ${values.length} scores; expected ${LABELS.length} (${LABELS.join(', ')})`,
    );
  }
  const out = {} as Scores;
  LABELS.forEach((label, i) => {
    out[label] = values[i]!;
  });
  return out;
}
