import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useAppState, useEngine, useT } from '../state/context';
import { toggleChecked } from '../state/review';
import { visibleRange } from '../transcript/windowing';
import { RV_ROW_HEIGHT } from './layout';
import { ReviewRow } from './ReviewRow';

const OVERSCAN = 4;
const DEFAULT_VIEWPORT = 240;

/**
 * The shown queue, windowed (fixed row height): only the rows in view are rendered, each reading
 * its own item from the Map, so an event for one clip re-renders one row. The current row is kept
 * in view and keeps the focus when the list had it (J/K then A act on what is seen).
 */
export function ReviewList(props: { sessionId: string; shown: readonly string[] }) {
  const t = useT();
  const { store } = useEngine();
  const { sessionId, shown } = props;
  // The session entry changes with every item change; the rows below read their items from it.
  const entry = useAppState((s) => s.review[sessionId]);
  const cursor = useAppState((s) => s.reviewCursor);
  const checked = useAppState((s) => s.reviewChecked);
  const viewportRef = useRef<HTMLDivElement>(null);
  const [viewportH, setViewportH] = useState(DEFAULT_VIEWPORT);
  const [scrollTop, setScrollTop] = useState(0);
  const focusCurrent = useRef(false);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    setViewportH(el.clientHeight || DEFAULT_VIEWPORT);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewportH(el.clientHeight || DEFAULT_VIEWPORT));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const index = cursor === null ? -1 : shown.indexOf(cursor);
  useLayoutEffect(() => {
    const el = viewportRef.current;
    if (!el || index < 0) return;
    const top = index * RV_ROW_HEIGHT;
    const height = el.clientHeight || viewportH;
    let next = el.scrollTop;
    if (top < next) next = top;
    else if (top + RV_ROW_HEIGHT > next + height) next = top + RV_ROW_HEIGHT - height;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
    focusCurrent.current =
      document.activeElement instanceof HTMLElement && el.contains(document.activeElement);
  }, [index, viewportH]);

  useLayoutEffect(() => {
    if (!focusCurrent.current || cursor === null) return;
    const row = viewportRef.current?.querySelector<HTMLElement>(
      `[data-testid="review-row"][data-clip-id="${CSS.escape(cursor)}"]`,
    );
    if (!row) return;
    if (document.activeElement !== row) row.focus();
    focusCurrent.current = false;
  });

  const onSelect = useCallback((id: string) => store.getState().setReviewCursor(id), [store]);
  const onCheck = useCallback(
    (id: string) => {
      const s = store.getState();
      s.setReviewChecked(toggleChecked(s.reviewChecked, id));
    },
    [store],
  );

  const range = visibleRange({
    scrollTop,
    viewportHeight: viewportH,
    rowHeight: RV_ROW_HEIGHT,
    count: shown.length,
    overscan: OVERSCAN,
  });
  const rows: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const id = shown[i];
    const item = id !== undefined ? entry?.items.get(id) : undefined;
    if (!id || !item) continue;
    rows.push(
      <ReviewRow
        key={id}
        item={item}
        current={id === cursor}
        checked={checked.has(id)}
        top={i * RV_ROW_HEIGHT}
        onSelect={onSelect}
        onCheck={onCheck}
      />,
    );
  }
  return (
    <div
      ref={viewportRef}
      className="rv-list"
      data-testid="review-list"
      data-rows={rows.length}
      role="group"
      aria-label={t('review.list')}
      onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
    >
      <div className="rv-list__spacer" style={{ height: shown.length * RV_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
