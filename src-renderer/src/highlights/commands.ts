/**
 * What the highlight keys and buttons do, on the store and the engine actions: the shortcuts and
 * the pane share these, so a key and its button behave the same.
 */
import type { Highlight } from '../contract';
import type { EngineActions } from '../state/engine';
import {
  filterHighlights,
  neighbourAfterRemoval,
  passesFilter,
  stepSelection,
  type NudgeEdge,
} from '../state/highlights';
import type { AppState, AppStore } from '../state/store';

const NONE: readonly Highlight[] = [];

/** The selected session's highlights as the pane shows them (filtered, by start). */
export function shownHighlights(s: AppState): readonly Highlight[] {
  const id = s.selectedSessionId;
  if (id === null) return NONE;
  return filterHighlights(s.highlights[id]?.list ?? NONE, s.highlightFilter);
}

/** The selected highlight, when it is shown. */
export function selectedHighlight(s: AppState): Highlight | null {
  const id = s.selectedHighlightId;
  if (id === null) return null;
  return shownHighlights(s).find((h) => h.id === id) ?? null;
}

/** J / K: selects the next / previous shown highlight. False when there is none. */
export function stepHighlight(store: AppStore, dir: 1 | -1): boolean {
  const s = store.getState();
  const next = stepSelection(shownHighlights(s), s.selectedHighlightId, dir);
  if (next === null) return false;
  s.selectHighlight(next);
  return true;
}

/** Plays the highlight from its in point. */
export function seekHighlight(store: AppStore, h: Highlight): void {
  store.getState().requestSeek(h.sessionId, h.start);
}

/**
 * Accept / dismiss / undo. When the decision hides the highlight under the current filter, the
 * selection moves to its neighbour.
 */
export async function reviewHighlight(
  store: AppStore,
  actions: EngineActions,
  h: Highlight,
  review: Highlight['review'],
): Promise<void> {
  if (h.review === review) return;
  const neighbour = neighbourAfterRemoval(shownHighlights(store.getState()), h.id);
  const r = await actions.reviewHighlight(h.id, review);
  if (!r.ok) return;
  const s = store.getState();
  if (s.selectedHighlightId === h.id && !passesFilter(r.value, s.highlightFilter)) {
    s.selectHighlight(neighbour);
  }
}

/** Runs a review / seek / nudge on the selected highlight; false when none is selected. */
export function onSelected(
  store: AppStore,
  actions: EngineActions,
  op:
    | { type: 'review'; review: Highlight['review'] }
    | { type: 'seek' }
    | { type: 'nudge'; edge: NudgeEdge; delta: number },
): boolean {
  const h = selectedHighlight(store.getState());
  if (!h) return false;
  if (op.type === 'review') void reviewHighlight(store, actions, h, op.review);
  else if (op.type === 'seek') seekHighlight(store, h);
  else void actions.nudgeHighlight(h.id, op.edge, op.delta);
  return true;
}
