import { memo } from 'react';
import type { Highlight } from '../contract';
import { formatDuration } from '../live/format';
import { useT } from '../state/context';
import { isManual, scorePercent, triggerPhrase } from '../state/highlights';
import { categoryLabel } from './labels';
import { Thumbnail } from './Thumbnail';

/** Every row's height in px (the CSS gives .hl-row the same). */
export const HL_ROW_HEIGHT = 86;

/**
 * One highlight: still, window, category, open/closed, review state, score bar, reasons, text.
 * A click selects it and plays it from its in point (Enter on a focused row does the same).
 */
export const HighlightRow = memo(function HighlightRow(props: {
  highlight: Highlight;
  selected: boolean;
  /** px from the top of the list. */
  top: number;
  onActivate: (h: Highlight) => void;
}) {
  const t = useT();
  const h = props.highlight;
  const manual = isManual(h);
  const percent = scorePercent(h.score);
  const time = `${formatDuration(h.start)}–${formatDuration(h.end)}`;
  const nudged = h.start !== h.detectedStart || h.end !== h.detectedEnd;
  return (
    <button
      type="button"
      id={`highlight-${h.id}`}
      className={`hl-row hl-row--${h.review} hl-row--${h.state}${manual ? ' hl-row--manual' : ''}`}
      data-testid="highlight-row"
      data-id={h.id}
      data-review={h.review}
      data-state={h.state}
      data-manual={manual ? 'true' : 'false'}
      data-start={h.start}
      data-end={h.end}
      aria-current={props.selected ? 'true' : undefined}
      style={{ top: props.top, height: HL_ROW_HEIGHT }}
      title={t('highlights.rowTitle', { time })}
      onClick={() => props.onActivate(h)}
    >
      <Thumbnail highlight={h} />
      <span className="hl-row__main">
        <span className="hl-row__head">
          <span className="hl-row__time" data-testid="highlight-time">
            {time}
            {nudged && (
              <span className="hl-row__nudged" title={t('highlights.nudged')}>
                {' '}
                ✎
              </span>
            )}
          </span>
          <span
            className={`hl-badge hl-badge--category${manual ? ' hl-badge--manual' : ''}`}
            data-testid="highlight-category"
          >
            {categoryLabel(t, h.category)}
          </span>
        </span>
        <span className="hl-row__score">
          <span className="hl-score" aria-hidden="true">
            <span className="hl-score__fill" style={{ width: `${percent}%` }} />
          </span>
          <span
            className="hl-score__text"
            data-testid="highlight-score"
            title={t('highlights.score', { percent })}
          >
            {percent}%
          </span>
          <span
            className={`hl-badge hl-badge--${h.state}`}
            data-testid="highlight-state"
            title={t(`highlights.stateHint.${h.state}`)}
          >
            {t(`highlights.state.${h.state}`)}
          </span>
          <span className={`hl-badge hl-badge--${h.review}`} data-testid="highlight-review">
            {t(`highlights.review.${h.review}`)}
          </span>
        </span>
        <span className="hl-row__reasons" data-testid="highlight-reasons">
          {h.reasons.map((r, i) => (
            <span
              key={`${r.kind}-${r.at}-${i}`}
              className={`hl-chip hl-chip--${r.kind}`}
              data-testid="highlight-reason"
              data-kind={r.kind}
              title={r.text}
            >
              {triggerPhrase(r) ?? t(`reason.${r.kind}`)}
            </span>
          ))}
        </span>
        <span className="hl-row__text" data-testid="highlight-text">
          {h.text || t('highlights.noText')}
        </span>
      </span>
    </button>
  );
});
