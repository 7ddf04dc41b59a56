import { useCallback, type ReactNode } from 'react';
import { useWindowedList } from '../components/useWindowedList';
import type { Clip, Highlight } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { seekHighlight } from './commands';
import { HL_ROW_HEIGHT, HighlightRow } from './HighlightRow';

const OVERSCAN = 4;
const NO_CLIPS: readonly Clip[] = [];
const NO_SESSION_CLIPS: Readonly<Record<string, readonly Clip[]>> = {};
const DEFAULT_VIEWPORT = 320;

/**
 * The shown highlights, virtualized (fixed row height): only rows in view are rendered, so only
 * they ask for thumbnails. The selected row is scrolled into view (and keeps the focus when the
 * list had it, so Enter plays the row J/K moved to).
 */
export function HighlightList(props: {
  sessionId: string;
  shown: readonly Highlight[];
  selectedId: string | null;
}) {
  const t = useT();
  const { store } = useEngine();
  const { shown, selectedId } = props;
  const clips = useAppState((s) => s.clips[props.sessionId]?.byHighlight ?? NO_SESSION_CLIPS);
  const { viewportRef, range, onScroll } = useWindowedList({
    rowHeight: HL_ROW_HEIGHT,
    count: shown.length,
    selectedIndex: selectedId === null ? -1 : shown.findIndex((h) => h.id === selectedId),
    selectedRow:
      selectedId === null
        ? null
        : () => `[data-testid="highlight-row"][data-id="${CSS.escape(selectedId)}"]`,
    defaultViewport: DEFAULT_VIEWPORT,
    overscan: OVERSCAN,
  });

  const onActivate = useCallback(
    (h: Highlight) => {
      store.getState().selectHighlight(h.id);
      seekHighlight(store, h);
    },
    [store],
  );

  const rows: ReactNode[] = [];
  for (let i = range.start; i < range.end; i++) {
    const h = shown[i];
    if (!h) continue;
    rows.push(
      <HighlightRow
        key={h.id}
        highlight={h}
        clips={clips[h.id] ?? NO_CLIPS}
        selected={h.id === selectedId}
        top={i * HL_ROW_HEIGHT}
        onActivate={onActivate}
      />,
    );
  }
  return (
    <div
      ref={viewportRef}
      className="hl-list"
      data-testid="highlight-list"
      role="group"
      aria-label={t('highlights.list')}
      onScroll={onScroll}
    >
      <div className="hl-list__spacer" style={{ height: shown.length * HL_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
