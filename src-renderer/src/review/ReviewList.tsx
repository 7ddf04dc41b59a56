import { useCallback, type ReactNode } from 'react';
import { useWindowedList } from '../components/useWindowedList';
import { useAppState, useEngine, useT } from '../state/context';
import { toggleChecked } from '../state/review';
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
  const { viewportRef, range, onScroll } = useWindowedList({
    rowHeight: RV_ROW_HEIGHT,
    count: shown.length,
    selectedIndex: cursor === null ? -1 : shown.indexOf(cursor),
    selectedRow:
      cursor === null
        ? null
        : () => `[data-testid="review-row"][data-clip-id="${CSS.escape(cursor)}"]`,
    defaultViewport: DEFAULT_VIEWPORT,
    overscan: OVERSCAN,
  });

  const onSelect = useCallback((id: string) => store.getState().setReviewCursor(id), [store]);
  const onCheck = useCallback(
    (id: string) => {
      const s = store.getState();
      s.setReviewChecked(toggleChecked(s.reviewChecked, id));
    },
    [store],
  );

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
      onScroll={onScroll}
    >
      <div className="rv-list__spacer" style={{ height: shown.length * RV_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
