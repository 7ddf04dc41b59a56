/**
 * The crop box the operator drags over a still of the highlight, as fractions (0..1) of the
 * source frame — what the contract's `{ mode: 'box' }` reframe carries. Pure: moving and resizing
 * keep the box inside the frame and at least MIN_BOX big; an aspect lock keeps a pixel aspect
 * (9:16 for the output) whatever the frame's own shape.
 */

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The smallest box side, as a fraction of the frame's side. */
export const MIN_BOX = 0.05;

/** The output's pixel aspect (width / height). */
export const OUTPUT_ASPECT = 9 / 16;

/** Corner handles, then edge handles (compass points). */
export const CORNERS = ['nw', 'ne', 'sw', 'se'] as const;
export const EDGES = ['n', 'e', 's', 'w'] as const;
export type Handle = (typeof CORNERS)[number] | (typeof EDGES)[number];

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * The box's w / h in fraction units that gives `pixelAspect` in pixels on a frameW × frameH
 * frame (a 9:16 box on a 16:9 frame: 0.316).
 */
export function fractionAspect(pixelAspect: number, frameW: number, frameH: number): number {
  if (!(frameW > 0) || !(frameH > 0) || !(pixelAspect > 0)) return 1;
  return (pixelAspect * frameH) / frameW;
}

/** The smallest width a box of fraction aspect r (null: free) may have. */
function minWidth(r: number | null): number {
  return r === null ? MIN_BOX : Math.max(MIN_BOX, MIN_BOX * r);
}

/** Any box brought inside the frame: sides at least MIN_BOX (at most 1), then moved inside. */
export function clampBox(b: Box): Box {
  const w = clamp(Number.isFinite(b.w) ? b.w : 1, MIN_BOX, 1);
  const h = clamp(Number.isFinite(b.h) ? b.h : 1, MIN_BOX, 1);
  const x = clamp(Number.isFinite(b.x) ? b.x : 0, 0, 1 - w);
  const y = clamp(Number.isFinite(b.y) ? b.y : 0, 0, 1 - h);
  return { x, y, w, h };
}

/** The box dragged by (dx, dy): same size, stopped at the frame's edges. */
export function moveBox(start: Box, dx: number, dy: number): Box {
  return {
    x: clamp(start.x + dx, 0, 1 - start.w),
    y: clamp(start.y + dy, 0, 1 - start.h),
    w: start.w,
    h: start.h,
  };
}

/**
 * The box with one handle dragged by (dx, dy), the opposite corner (or edge) staying put,
 * clamped to the frame and to MIN_BOX. With `ratio` (w / h in fraction units, see
 * fractionAspect) the box keeps that shape: a corner follows the axis the pointer moved more
 * along; an edge resizes around the middle of the other axis.
 */
export function resizeBox(
  start: Box,
  handle: Handle,
  dx: number,
  dy: number,
  ratio: number | null = null,
): Box {
  const west = handle.includes('w');
  const east = handle.includes('e');
  const north = handle.includes('n');
  const south = handle.includes('s');
  if (ratio === null || !(ratio > 0)) {
    let left = start.x;
    let right = start.x + start.w;
    let top = start.y;
    let bottom = start.y + start.h;
    if (west) left = clamp(left + dx, 0, right - MIN_BOX);
    if (east) right = clamp(right + dx, left + MIN_BOX, 1);
    if (north) top = clamp(top + dy, 0, bottom - MIN_BOX);
    if (south) bottom = clamp(bottom + dy, top + MIN_BOX, 1);
    return { x: left, y: top, w: right - left, h: bottom - top };
  }
  const r = ratio;
  const minW = minWidth(r);
  const fit = (w: number, maxW: number): number => (maxW < minW ? maxW : clamp(w, minW, maxW));
  if ((west || east) && (north || south)) {
    const ax = east ? start.x : start.x + start.w;
    const ay = south ? start.y : start.y + start.h;
    const w1 = start.w + (east ? dx : -dx);
    const h1 = start.h + (south ? dy : -dy);
    const relW = Math.abs(w1 - start.w) / start.w;
    const relH = Math.abs(h1 - start.h) / start.h;
    const maxW = Math.min(east ? 1 - ax : ax, (south ? 1 - ay : ay) * r);
    const w = fit(relW >= relH ? w1 : h1 * r, maxW);
    const h = w / r;
    return { x: east ? ax : ax - w, y: south ? ay : ay - h, w, h };
  }
  if (west || east) {
    const ax = east ? start.x : start.x + start.w;
    const cy = start.y + start.h / 2;
    const maxW = Math.min(east ? 1 - ax : ax, 2 * Math.min(cy, 1 - cy) * r);
    const w = fit(start.w + (east ? dx : -dx), maxW);
    const h = w / r;
    return { x: east ? ax : ax - w, y: cy - h / 2, w, h };
  }
  const ay = south ? start.y : start.y + start.h;
  const cx = start.x + start.w / 2;
  const maxH = Math.min(south ? 1 - ay : ay, (2 * Math.min(cx, 1 - cx)) / r);
  const h = fit((start.h + (south ? dy : -dy)) * r, maxH * r) / r;
  const w = h * r;
  return { x: cx - w / 2, y: south ? ay : ay - h, w, h };
}

/** The largest box of fraction aspect r, centred (what a centre crop takes). */
export function centeredBox(r: number): Box {
  let w = Math.min(1, r);
  let h = w / r;
  if (h > 1) {
    h = 1;
    w = r;
  }
  return { x: (1 - w) / 2, y: (1 - h) / 2, w, h };
}

/** The box reshaped to fraction aspect r around its centre, keeping its height where it fits. */
export function fitAspect(b: Box, r: number): Box {
  let h = b.h;
  let w = h * r;
  if (w > 1) {
    w = 1;
    h = w / r;
  }
  if (h > 1) {
    h = 1;
    w = r;
  }
  const minW = minWidth(r);
  if (w < minW) {
    w = Math.min(minW, 1, r);
    h = w / r;
  }
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  return { x: clamp(cx - w / 2, 0, 1 - w), y: clamp(cy - h / 2, 0, 1 - h), w, h };
}

const round4 = (v: number): number => Math.round(v * 10_000) / 10_000;

/**
 * The contract's reframe for a box: rounded to 4 decimals, never past the frame's right or bottom
 * edge after rounding, sides above 0.
 */
export function toReframe(b: Box): { mode: 'box'; x: number; y: number; w: number; h: number } {
  const c = clampBox(b);
  const x = clamp(round4(c.x), 0, 1 - MIN_BOX);
  const y = clamp(round4(c.y), 0, 1 - MIN_BOX);
  const w = Math.max(0.0001, Math.min(round4(c.w), Math.round((1 - x) * 10_000) / 10_000));
  const h = Math.max(0.0001, Math.min(round4(c.h), Math.round((1 - y) * 10_000) / 10_000));
  return { mode: 'box', x, y, w, h };
}

/** A key pressed on the focused box: arrows move it, Shift+arrows resize it (from its corner). */
export function keyStep(
  b: Box,
  key: string,
  shift: boolean,
  ratio: number | null,
  step = 0.01,
): Box | null {
  const d: Record<string, [number, number]> = {
    ArrowLeft: [-step, 0],
    ArrowRight: [step, 0],
    ArrowUp: [0, -step],
    ArrowDown: [0, step],
  };
  const v = d[key];
  if (!v) return null;
  if (!shift) return moveBox(b, v[0], v[1]);
  if (ratio !== null) {
    // Locked: Right/Down grow, Left/Up shrink, from the top-left corner.
    const grow = v[0] + v[1];
    return resizeBox(b, 'se', grow, grow / ratio, ratio);
  }
  return resizeBox(b, 'se', v[0], v[1], null);
}
