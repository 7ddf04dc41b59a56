import { memo } from 'react';
import type { ReviewItem } from '../contract';
import type { Translate } from '../i18n/language';
import { formatDuration } from '../live/format';
import { progressPercent } from '../state/clips';
import { useT } from '../state/context';
import { excerpt, publicationSummary } from '../state/review';
import { RV_ROW_HEIGHT } from './layout';

/** Quality as a whole percent, or '—'. */
export function qualityText(q: number | null): string {
  return q === null || !Number.isFinite(q)
    ? '—'
    : `${Math.round(Math.max(0, Math.min(1, q)) * 100)}%`;
}

/** The row's one-line render state when the clip is not ready (ready: null). */
export function renderStateText(t: Translate, item: ReviewItem): string | null {
  const c = item.clip;
  if (c.state === 'ready') return null;
  if (c.state === 'rendering') return t('review.rendering', { percent: progressPercent(c) });
  return t(`review.clipState.${c.state}`);
}

/**
 * One clip of the queue: a tick box for bulk actions and a button that makes it current (its
 * detail shows under the list): time, title or transcript, quality, safety, decision, upload.
 */
export const ReviewRow = memo(function ReviewRow(props: {
  item: ReviewItem;
  current: boolean;
  checked: boolean;
  top: number;
  onSelect: (clipId: string) => void;
  onCheck: (clipId: string) => void;
}) {
  const t = useT();
  const { item, current, checked } = props;
  const h = item.highlight;
  const id = item.clip.id;
  const title = item.prompt?.title || excerpt(h.text, 80) || t('highlights.noText');
  const publish = publicationSummary(item.publications);
  const rendering = renderStateText(t, item);
  return (
    <div
      className={`rv-item rv-item--${item.decision}${current ? ' rv-item--current' : ''}`}
      style={{ top: props.top, height: RV_ROW_HEIGHT }}
      data-testid="review-item"
      data-clip-id={id}
    >
      <input
        type="checkbox"
        className="rv-item__check"
        data-testid="review-check"
        aria-label={t('review.check', { title })}
        checked={checked}
        onChange={() => props.onCheck(id)}
      />
      <button
        type="button"
        className="rv-row"
        data-testid="review-row"
        data-clip-id={id}
        data-highlight-id={h.id}
        data-decision={item.decision}
        data-safety={item.safety.state}
        data-clip-state={item.clip.state}
        data-publish={publish}
        data-ai={item.aiGenerated ? 'true' : 'false'}
        aria-current={current ? 'true' : undefined}
        onClick={() => props.onSelect(id)}
      >
        <span className="rv-row__head">
          <span className="rv-row__time">
            {formatDuration(h.start)}–{formatDuration(h.end)}
          </span>
          <span className="rv-row__quality" title={t('review.quality')}>
            {qualityText(item.quality)}
          </span>
          <span
            className={`safety-badge safety-badge--${item.safety.state}`}
            data-testid="review-safety"
          >
            {t(`review.safety.${item.safety.state}`)}
          </span>
          <span className={`hl-badge rv-decision rv-decision--${item.decision}`}>
            {t(`review.decision.${item.decision}`)}
          </span>
          {publish !== 'none' && (
            <span className={`hl-badge rv-publish rv-publish--${publish}`}>
              {t(`review.publish.${publish}`)}
            </span>
          )}
          {rendering !== null && <span className="hl-badge">{rendering}</span>}
          {item.aiGenerated && (
            <span className="hl-badge ai-badge" data-testid="review-ai">
              {t('review.ai')}
            </span>
          )}
        </span>
        <span className="rv-row__title">{title}</span>
      </button>
    </div>
  );
});
