import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { Clip, Highlight } from '../contract';
import { useAppState, useEngine, useT } from '../state/context';
import { visibleRange } from '../transcript/windowing';
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
  const viewportRef = useRef<HTMLDivElement>(null);
  const [viewportH, setViewportH] = useState(DEFAULT_VIEWPORT);
  const [scrollTop, setScrollTop] = useState(0);
  const focusSelected = useRef(false);

  useEffect(() => {
    const el = viewportRef.current;
    if (!el) return;
    setViewportH(el.clientHeight || DEFAULT_VIEWPORT);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewportH(el.clientHeight || DEFAULT_VIEWPORT));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the selected row in view; carry the focus along when it was in the list.
  const selectedIndex = selectedId === null ? -1 : shown.findIndex((h) => h.id === selectedId);
  useLayoutEffect(() => {
    const el = viewportRef.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * HL_ROW_HEIGHT;
    const height = el.clientHeight || viewportH;
    let next = el.scrollTop;
    if (top < next) next = top;
    else if (top + HL_ROW_HEIGHT > next + height) next = top + HL_ROW_HEIGHT - height;
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
    focusSelected.current =
      document.activeElement instanceof HTMLElement && el.contains(document.activeElement);
  }, [selectedIndex, viewportH]);

  useLayoutEffect(() => {
    if (!focusSelected.current || selectedId === null) return;
    const row = viewportRef.current?.querySelector<HTMLElement>(
      `[data-testid="highlight-row"][data-id="${CSS.escape(selectedId)}"]`,
    );
    // Not rendered yet: the scroll above re-renders, and this runs again.
    if (!row) return;
    if (document.activeElement !== row) row.focus();
    focusSelected.current = false;
  });

  const onActivate = useCallback(
    (h: Highlight) => {
      store.getState().selectHighlight(h.id);
      seekHighlight(store, h);
    },
    [store],
  );

  const range = visibleRange({
    scrollTop,
    viewportHeight: viewportH,
    rowHeight: HL_ROW_HEIGHT,
    count: shown.length,
    overscan: OVERSCAN,
  });
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
      onScroll={(ev) => setScrollTop(ev.currentTarget.scrollTop)}
    >
      <div className="hl-list__spacer" style={{ height: shown.length * HL_ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}
