/**
 * What the review keys and buttons do, on the store and the engine actions: the shortcuts and the
 * pane share these, so a key and its button behave the same.
 */
import type { ReviewDecision, ReviewItem } from '../contract';
import type { EngineActions } from '../state/engine';
import {
  actionTargets,
  needsOverride,
  neighbourOf,
  passesReviewFilter,
  shownIds,
  stepId,
  toggleChecked,
} from '../state/review';
import type { AppState, AppStore } from '../state/store';

const NONE: readonly string[] = [];

/** The selected session's queue as the pane shows it (filtered, in order): clip ids. */
export function shownReview(s: AppState): readonly string[] {
  const id = s.selectedSessionId;
  if (id === null) return NONE;
  return shownIds(s.review[id], s.reviewFilter);
}

/** The item the cursor is on, when it is shown. */
export function currentItem(s: AppState): ReviewItem | null {
  const sid = s.selectedSessionId;
  const id = s.reviewCursor;
  if (sid === null || id === null) return null;
  const item = s.review[sid]?.items.get(id);
  return item && passesReviewFilter(item, s.reviewFilter) ? item : null;
}

/** J / K: moves the cursor. False when the queue shows nothing. */
export function stepReview(store: AppStore, dir: 1 | -1): boolean {
  const s = store.getState();
  const next = stepId(shownReview(s), s.reviewCursor, dir);
  if (next === null) return false;
  s.setReviewCursor(next);
  return true;
}

/** X: ticks or unticks the current item for a bulk action. */
export function toggleCurrentCheck(store: AppStore): boolean {
  const s = store.getState();
  const item = currentItem(s);
  if (!item) return false;
  s.setReviewChecked(toggleChecked(s.reviewChecked, item.clip.id));
  return true;
}

export interface DecideResult {
  /** Decided (sent to the engine). */
  sent: number;
  /** Flagged clips left out of an approval: they need an override first. */
  needOverride: string[];
  refused: Array<{ clipId: string; reason: string }>;
}

/**
 * A / R (and the buttons): decides `only` when given (a clip's own button), else the ticked
 * items, else the current one. Approving one flagged clip opens the override dialog instead; in a
 * bulk approval flagged clips are left out (and named). The cursor moves on when its item leaves
 * the filtered list; the ticks are cleared after a bulk decision.
 */
export async function decideReview(
  store: AppStore,
  actions: EngineActions,
  decision: ReviewDecision,
  only?: readonly string[],
): Promise<DecideResult> {
  const s = store.getState();
  const sid = s.selectedSessionId;
  const entry = sid !== null ? s.review[sid] : undefined;
  const shown = shownReview(s);
  const targets = only ? [...only] : actionTargets(shown, s.reviewChecked, s.reviewCursor);
  const result: DecideResult = { sent: 0, needOverride: [], refused: [] };
  if (!entry || targets.length === 0) return result;
  let ids = targets;
  if (decision === 'approved') {
    const flagged = targets.filter((id) => {
      const item = entry.items.get(id);
      return item !== undefined && needsOverride(item);
    });
    if (flagged.length > 0 && targets.length === 1 && flagged[0] !== undefined) {
      s.setReviewDialog({ kind: 'override', clipId: flagged[0] });
      return { ...result, needOverride: flagged };
    }
    result.needOverride = flagged;
    ids = targets.filter((id) => !flagged.includes(id));
  }
  if (ids.length === 0) return result;
  const cursor = s.reviewCursor;
  const neighbour = cursor !== null ? neighbourOf(shown, cursor) : null;
  if (!only && s.reviewChecked.size > 0) s.setReviewChecked(new Set());
  const r = await actions.review.decide(ids, decision);
  result.sent = ids.length;
  if (r.ok) result.refused = r.value.refused;
  const after = store.getState();
  if (result.needOverride.length > 0) {
    after.pushNotice({
      kind: 'info',
      action: null,
      message: '',
      messageKey: 'review.leftOutFlagged',
      params: { count: String(result.needOverride.length) },
      code: null,
    });
  }
  const firstRefusal = result.refused[0];
  if (firstRefusal) {
    after.pushNotice({
      kind: 'error',
      action: null,
      message: '',
      messageKey: 'review.refused',
      params: { count: String(result.refused.length), reason: firstRefusal.reason },
      code: null,
    });
  }
  const moved = cursor !== null ? after.review[sid ?? '']?.items.get(cursor) : undefined;
  if (after.reviewCursor === cursor && moved && !passesReviewFilter(moved, after.reviewFilter)) {
    after.setReviewCursor(neighbour);
  }
  return result;
}

/** U / Ctrl+Z: reverts the session's last decision. */
export async function undoReview(store: AppStore, actions: EngineActions): Promise<boolean> {
  const sid = store.getState().selectedSessionId;
  if (sid === null) return false;
  const r = await actions.review.undo(sid);
  if (!r.ok) return false;
  const first = r.value[0];
  if (first) store.getState().setReviewCursor(first.clip.id);
  return true;
}

/** E: opens the prompt editor of the current item. */
export function editCurrentPrompt(store: AppStore): boolean {
  const s = store.getState();
  const item = currentItem(s);
  if (!item) return false;
  s.setReviewDialog({ kind: 'prompt', clipId: item.clip.id });
  return true;
}
