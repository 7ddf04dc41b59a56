import { useState } from 'react';
import { useAppState, useEngine, useT } from '../state/context';
import {
  DECISION_FILTERS,
  SAFETY_FILTERS,
  type DecisionFilter,
  type SafetyFilter,
} from '../state/review';
import { decideReview, undoReview } from './commands';
import { SafetyDialog } from './SafetyDialog';
import { TargetsDialog } from './TargetsDialog';

/**
 * "Notify me": the review.notify setting. Turning it on asks for the system notification
 * permission from this click (browsers only ask from a user gesture); without it the operator
 * still gets the in-app notice.
 */
function NotifyToggle() {
  const t = useT();
  const { actions } = useEngine();
  const on = useAppState((s) => s.settings?.['review.notify'] ?? false);
  const [permission, setPermission] = useState(() => actions.review.notificationPermission());
  const toggle = (next: boolean) => {
    if (next && permission === 'default') {
      // Asked before anything is awaited: still inside the click's user activation.
      void actions.review.requestNotifications().then(setPermission);
    }
    void actions.changeSetting({ key: 'review.notify', value: next });
  };
  return (
    <span className="rv-notify">
      <label className="checkbox">
        <input
          type="checkbox"
          data-testid="review-notify"
          checked={on}
          onChange={(ev) => toggle(ev.target.checked)}
        />
        {t('review.notify')}
      </label>
      {on && permission === 'default' && (
        <button
          type="button"
          className="link-button"
          data-testid="review-notify-allow"
          onClick={() => void actions.review.requestNotifications().then(setPermission)}
        >
          {t('review.notifyAllow')}
        </button>
      )}
      {on && (permission === 'denied' || permission === 'unsupported') && (
        <span className="hint" data-testid="review-notify-blocked">
          {t(permission === 'denied' ? 'review.notifyDenied' : 'review.notifyUnsupported')}
        </span>
      )}
    </span>
  );
}

/** The publish targets, the safety words and the notification switch (no session needed). */
export function ReviewTools() {
  const t = useT();
  const [open, setOpen] = useState<'targets' | 'safety' | null>(null);
  return (
    <div className="hl-tools">
      <button type="button" data-testid="open-targets" onClick={() => setOpen('targets')}>
        {t('targets.open')}
      </button>
      <button type="button" data-testid="open-safety" onClick={() => setOpen('safety')}>
        {t('safety.open')}
      </button>
      <NotifyToggle />
      {open === 'targets' && <TargetsDialog onClose={() => setOpen(null)} />}
      {open === 'safety' && <SafetyDialog onClose={() => setOpen(null)} />}
    </div>
  );
}

/** Filters, bulk actions on the ticked clips, and undo. */
export function ReviewToolbar(props: {
  sessionId: string;
  shown: readonly string[];
  total: number;
  pending: number;
}) {
  const t = useT();
  const { store, actions } = useEngine();
  const filter = useAppState((s) => s.reviewFilter);
  const checked = useAppState((s) => s.reviewChecked);
  const { shown } = props;
  const ticked = shown.filter((id) => checked.has(id)).length;
  const set = store.getState().setReviewFilter;
  const percent = Math.round(filter.minQuality * 100);
  return (
    <div className="rv-toolbar">
      <div className="rv-toolbar__filters" role="group" aria-label={t('review.filters')}>
        <select
          data-testid="review-filter-decision"
          aria-label={t('review.filterDecision')}
          value={filter.decision}
          onChange={(ev) => set({ decision: ev.target.value as DecisionFilter })}
        >
          {DECISION_FILTERS.map((d) => (
            <option key={d} value={d}>
              {t(`review.filter.decision.${d}`)}
            </option>
          ))}
        </select>
        <select
          data-testid="review-filter-safety"
          aria-label={t('review.filterSafety')}
          value={filter.safety}
          onChange={(ev) => set({ safety: ev.target.value as SafetyFilter })}
        >
          {SAFETY_FILTERS.map((f) => (
            <option key={f} value={f}>
              {t(`review.filter.safety.${f}`)}
            </option>
          ))}
        </select>
        <label className="rv-toolbar__quality">
          <span>{t('review.minQuality', { percent })}</span>
          <input
            type="range"
            data-testid="review-filter-quality"
            min={0}
            max={100}
            step={5}
            value={percent}
            onChange={(ev) => set({ minQuality: Number(ev.target.value) / 100 })}
          />
        </label>
      </div>
      <div className="rv-toolbar__bulk" role="group" aria-label={t('review.bulk')}>
        <button
          type="button"
          data-testid="review-tick-all"
          disabled={shown.length === 0}
          onClick={() => store.getState().setReviewChecked(new Set(shown))}
        >
          {t('review.tickAll')}
        </button>
        {ticked > 0 && (
          <>
            <span className="pane__context" data-testid="review-ticked">
              {t('review.ticked', { count: ticked })}
            </span>
            <button
              type="button"
              className="primary"
              data-testid="review-bulk-approve"
              onClick={() => void decideReview(store, actions, 'approved')}
            >
              {t('review.bulkApprove')}
            </button>
            <button
              type="button"
              className="danger"
              data-testid="review-bulk-reject"
              onClick={() => void decideReview(store, actions, 'rejected')}
            >
              {t('review.bulkReject')}
            </button>
            <button
              type="button"
              data-testid="review-tick-none"
              onClick={() => store.getState().setReviewChecked(new Set())}
            >
              {t('review.tickNone')}
            </button>
          </>
        )}
        <button
          type="button"
          data-testid="review-undo"
          onClick={() => void undoReview(store, actions)}
        >
          {t('review.undo')}
        </button>
      </div>
      <p className="pane__context" data-testid="review-count" aria-live="polite">
        {t('review.count', { shown: shown.length, total: props.total, pending: props.pending })}
      </p>
    </div>
  );
}
