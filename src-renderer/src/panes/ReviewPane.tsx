import { useEffect, useMemo } from 'react';
import { currentItem } from '../review/commands';
import { CaptionsDialog, OverrideDialog, PromptDialog } from '../review/ItemDialogs';
import { ReviewDetail } from '../review/ReviewDetail';
import { ReviewList } from '../review/ReviewList';
import { ReviewTools, ReviewToolbar } from '../review/ReviewToolbar';
import { useAppState, useEngine, useT } from '../state/context';
import { pendingCount, shownIds } from '../state/review';
import { Pane } from './Pane';
import { FailureLine } from '../components/FailureLine';

/** The dialog the pane opened for one item (E, an override, captions). */
function ItemDialog() {
  const { store } = useEngine();
  const dialog = useAppState((s) => s.reviewDialog);
  const item = useAppState((s) => {
    const d = s.reviewDialog;
    if (!d) return null;
    for (const entry of Object.values(s.review)) {
      const found = entry.items.get(d.clipId);
      if (found) return found;
    }
    return null;
  });
  if (!dialog || !item) return null;
  const close = () => store.getState().setReviewDialog(null);
  switch (dialog.kind) {
    case 'prompt':
      return <PromptDialog item={item} onClose={close} />;
    case 'override':
      return <OverrideDialog item={item} onClose={close} />;
    case 'captions':
      return <CaptionsDialog item={item} onClose={close} />;
  }
}

/** The selected session's queue: filters and bulk bar, the windowed list, the current clip. */
function SessionReview(props: { sessionId: string }) {
  const t = useT();
  const { actions } = useEngine();
  const { sessionId } = props;
  const connected = useAppState((s) => s.connection === 'connected');
  const entry = useAppState((s) => s.review[sessionId]);
  const filter = useAppState((s) => s.reviewFilter);
  const current = useAppState(currentItem);

  useEffect(() => {
    if (connected) void actions.review.loadReview(sessionId);
  }, [sessionId, connected, actions]);

  // O(n) per change with a filter set; with none it is the held order itself.
  const shown = useMemo(() => shownIds(entry, filter), [entry, filter]);
  const total = entry?.order.length ?? 0;
  const pending = useMemo(() => pendingCount(entry), [entry]);

  let body;
  if (total === 0) {
    if (entry?.error) body = null;
    else if (!entry || entry.status === 'loading') {
      body = (
        <p className="pane__context" data-testid="review-loading">
          {t('review.loading')}
        </p>
      );
    } else {
      body = (
        <p className="hl-empty" data-testid="review-empty" data-reason="none-yet">
          {t('pane.review.empty')}
        </p>
      );
    }
  } else if (shown.length === 0) {
    body = (
      <p className="hl-empty" data-testid="review-empty" data-reason="filtered">
        {t('review.filteredOut')}
      </p>
    );
  } else {
    body = <ReviewList sessionId={sessionId} shown={shown} />;
  }

  return (
    <div className="review" data-session-id={sessionId}>
      <ReviewToolbar sessionId={sessionId} shown={shown} total={total} pending={pending} />
      {body}
      {entry?.error && (
        <FailureLine
          testId="review-error"
          text={t('review.loadFailed', { message: entry.error.message })}
          code={entry.error.code}
        >
          <button type="button" onClick={() => void actions.review.loadReview(sessionId)}>
            {t('highlights.retry')}
          </button>
        </FailureLine>
      )}
      {current ? (
        <ReviewDetail key={current.clip.id} item={current} />
      ) : (
        shown.length > 0 && <p className="hint">{t('review.pickHint')}</p>
      )}
    </div>
  );
}

export function ReviewPane() {
  const t = useT();
  const sessionId = useAppState((s) =>
    s.selectedSessionId !== null && s.sessions[s.selectedSessionId] ? s.selectedSessionId : null,
  );
  return (
    <Pane pane="review">
      <ReviewTools />
      {sessionId !== null ? (
        <SessionReview key={sessionId} sessionId={sessionId} />
      ) : (
        <p className="hl-empty" data-testid="review-empty" data-reason="no-session">
          {t('pane.review.empty')}
        </p>
      )}
      <ItemDialog />
    </Pane>
  );
}
