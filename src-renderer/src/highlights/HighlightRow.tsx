import { memo } from 'react';
import { ClipStatus } from '../clips/ClipStatus';
import type { Clip, Highlight } from '../contract';
import { formatDuration } from '../live/format';
import { useT } from '../state/context';
import { isManual, scorePercent, triggerPhrase } from '../state/highlights';
import { categoryLabel } from './labels';
import { Thumbnail } from './Thumbnail';

/** The highlight part's height in px (the CSS gives .hl-row the same). */
export const HL_MAIN_HEIGHT = 86;
/** The clip strip under it (the CSS gives .clip-state the same). */
export const HL_CLIP_HEIGHT = 30;
/** Every row's height in px: the highlight and its clip strip. */
export const HL_ROW_HEIGHT = HL_MAIN_HEIGHT + HL_CLIP_HEIGHT;

/**
 * One highlight: still, window, category, open/closed, review state, score bar, reasons, text;
 * under it, its clip (ClipStatus: buttons of its own, so it sits beside the row's button, not in
 * it). A click selects it and plays it from its in point (Enter on a focused row does the same).
 */
export const HighlightRow = memo(function HighlightRow(props: {
  highlight: Highlight;
  /** The highlight's clip renders, newest first. */
  clips: readonly Clip[];
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
    <div
      className={`hl-item hl-item--${h.review}${props.selected ? ' hl-item--current' : ''}`}
      data-testid="highlight-item"
      data-id={h.id}
      style={{ top: props.top, height: HL_ROW_HEIGHT }}
    >
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
        style={{ height: HL_MAIN_HEIGHT }}
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
      <ClipStatus highlight={h} clips={props.clips} />
    </div>
  );
});
