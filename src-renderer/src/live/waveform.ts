/**
 * The pure parts of the loudness waveform: which media-time window to show, binning frames into
 * one value per pixel column (the loudest frame wins, so short bursts stay visible), and the
 * dBFS → y mapping.
 */

/** The range of levels drawn; quieter is drawn as silence. */
export const DB_FLOOR = -60;
export const DB_CEIL = 0;
/** How much recent audio a live session shows. */
export const LIVE_WINDOW_S = 60;

export interface Window {
  fromS: number;
  toS: number;
}

/**
 * Live: the last `span` seconds up to the newest known media time (never before 0, and at least
 * `span` wide so the picture does not stretch at the start). Ended: the whole session.
 */
export function displayWindow(opts: {
  live: boolean;
  /** The newest media time known (latest frame end or status.mediaTimeS). */
  endS: number;
  durationS: number;
  span?: number;
}): Window {
  const span = opts.span ?? LIVE_WINDOW_S;
  if (!opts.live) return { fromS: 0, toS: Math.max(opts.durationS, opts.endS, 1) };
  const toS = Math.max(opts.endS, span);
  return { fromS: toS - span, toS };
}

export interface Columns {
  rms: Float32Array;
  peak: Float32Array;
}

/** Columns that hold no frame are -Infinity (drawn as nothing). */
export function emptyColumns(width: number): Columns {
  const n = Math.max(0, Math.floor(width));
  return { rms: new Float32Array(n).fill(-Infinity), peak: new Float32Array(n).fill(-Infinity) };
}

/**
 * Adds one frame to the column its time falls in; each column keeps its loudest rms and peak.
 * A frame lasts `frameS`, so a window wider than the columns still paints every column it covers.
 */
export function binFrame(
  cols: Columns,
  win: Window,
  t: number,
  rms: number,
  peak: number,
  frameS = 0.1,
): void {
  const n = cols.rms.length;
  const span = win.toS - win.fromS;
  if (n === 0 || !(span > 0) || t + frameS <= win.fromS || t >= win.toS) return;
  const first = Math.max(0, Math.floor(((t - win.fromS) / span) * n));
  // The epsilon keeps 0.30000000000000004 from reaching into the next column.
  const lastExclusive = Math.min(n, Math.ceil(((t + frameS - win.fromS) / span) * n - 1e-9));
  for (let c = first; c < Math.max(first + 1, lastExclusive) && c < n; c++) {
    if (rms > (cols.rms[c] ?? -Infinity)) cols.rms[c] = rms;
    if (peak > (cols.peak[c] ?? -Infinity)) cols.peak[c] = peak;
  }
}

/** Bins a list of frames (history from sessions.loudness, or a whole ended session). */
export function binFrames(
  cols: Columns,
  win: Window,
  frames: ReadonlyArray<{ t: number; rms: number; peak: number }>,
  frameS = 0.1,
): Columns {
  for (const f of frames) binFrame(cols, win, f.t, f.rms, f.peak, frameS);
  return cols;
}

/** The y (0 = top) of a level in a canvas `height` tall: 0 dBFS at the top, the floor at the bottom. */
export function dbToY(db: number, height: number): number {
  if (!Number.isFinite(db)) return height;
  const clamped = Math.min(DB_CEIL, Math.max(DB_FLOOR, db));
  return ((DB_CEIL - clamped) / (DB_CEIL - DB_FLOOR)) * height;
}

/** How long a frame lasts when a list was downsampled to fewer points than 100 ms frames. */
export function frameSpan(frames: ReadonlyArray<{ t: number }>): number {
  if (frames.length < 2) return 0.1;
  const first = frames[0]?.t ?? 0;
  const last = frames[frames.length - 1]?.t ?? 0;
  return Math.max(0.1, (last - first) / (frames.length - 1));
}
