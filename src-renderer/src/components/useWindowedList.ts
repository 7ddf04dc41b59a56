import { type UIEvent, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { visibleRange } from '../transcript/windowing';

/**
 * A windowed list of fixed-height rows (highlights, the review queue): which rows to render for
 * the viewport's height and scroll, and the selected row kept in view — carrying the focus along
 * when the list had it, so keys act on the row that is seen.
 */
export function useWindowedList(opts: {
  rowHeight: number;
  count: number;
  /** The selected row's index in the list, or -1. */
  selectedIndex: number;
  /**
   * The selected row's CSS selector (null: none), to move the focus to it; a function, as it runs
   * only in the browser (CSS.escape), never in a server render.
   */
  selectedRow: (() => string) | null;
  /** Viewport height before it is measured (and where it cannot be). */
  defaultViewport: number;
  overscan?: number;
}) {
  const { rowHeight, selectedIndex, selectedRow, defaultViewport } = opts;
  const viewportRef = useRef<HTMLDivElement>(null);
  const [viewportH, setViewportH] = useState(defaultViewport);
  const [scrollTop, setScrollTop] = useState(0);
  const focusSelected = useRef(false);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    setViewportH(el.clientHeight || defaultViewport);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewportH(el.clientHeight || defaultViewport));
    ro.observe(el);
    return () => ro.disconnect();
  }, [defaultViewport]);

  useLayoutEffect(() => {
    const el = viewportRef.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * rowHeight;
    const height = el.clientHeight || viewportH;
    let next = el.scrollTop;
    if (top < next) next = top;
    else if (top + rowHeight > next + height) next = top + rowHeight - height;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
    focusSelected.current =
      document.activeElement instanceof HTMLElement && el.contains(document.activeElement);
  }, [selectedIndex, viewportH, rowHeight]);

  useLayoutEffect(() => {
    if (!focusSelected.current || selectedRow === null) return;
    const row = viewportRef.current?.querySelector<HTMLElement>(selectedRow());
    // Not rendered yet: the scroll above re-renders, and this runs again.
    if (!row) return;
    if (document.activeElement !== row) row.focus();
    focusSelected.current = false;
  });

  const onScroll = useCallback(
    (ev: UIEvent<HTMLDivElement>) => setScrollTop(ev.currentTarget.scrollTop),
    [],
  );
  const range = visibleRange({
    scrollTop,
    viewportHeight: viewportH,
    rowHeight,
    count: opts.count,
    overscan: opts.overscan ?? 4,
  });
  return { viewportRef, range, onScroll };
}
