/** Windowing math for the virtualized transcript list (pure: fixed row height, no DOM). */

export interface WindowInput {
  /** The scroll container's scrollTop, px. */
  scrollTop: number;
  /** The scroll container's visible height, px. */
  viewportHeight: number;
  /** Every row's height, px (> 0). */
  rowHeight: number;
  /** How many rows the list has. */
  count: number;
  /** Extra rows rendered above and below the visible ones. */
  overscan: number;
}

/** Rows [start, end) to render; empty (start === end) when there are none. */
export interface RowRange {
  start: number;
  end: number;
}

const finiteOr = (n: number, fallback: number) => (Number.isFinite(n) ? n : fallback);

/** The rows that intersect the viewport, widened by the overscan and clamped to [0, count). */
export function visibleRange(input: WindowInput): RowRange {
  const count = Math.max(0, Math.floor(finiteOr(input.count, 0)));
  const rowHeight = finiteOr(input.rowHeight, 0);
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const overscan = Math.max(0, Math.floor(finiteOr(input.overscan, 0)));
  const maxTop = Math.max(0, count * rowHeight - Math.max(0, finiteOr(input.viewportHeight, 0)));
  const top = Math.min(Math.max(0, finiteOr(input.scrollTop, 0)), maxTop);
  const height = Math.max(0, finiteOr(input.viewportHeight, 0));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + height) / rowHeight); // exclusive
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, Math.max(last, first + 1) + overscan);
  return { start, end };
}

/** The scrollTop that shows the row in the middle of the viewport (clamped to the list). */
export function scrollTopToCenter(
  row: number,
  rowHeight: number,
  viewportHeight: number,
  count: number,
): number {
  const max = Math.max(0, count * rowHeight - viewportHeight);
  const want = row * rowHeight - (viewportHeight - rowHeight) / 2;
  return Math.min(max, Math.max(0, Math.round(want)));
}

/** True when the viewport shows the end of the list (within `slack` px). */
export function isAtBottom(
  scrollTop: number,
  viewportHeight: number,
  scrollHeight: number,
  slack: number,
): boolean {
  return scrollTop + viewportHeight >= scrollHeight - slack;
}
