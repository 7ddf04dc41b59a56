import { useId } from 'react';
import type { Highlight } from '../contract';
import { useAppState, useT } from '../state/context';
import { REVIEW_FILTERS, scorePercent } from '../state/highlights';

/** Review filter (all / new / accepted / dismissed, with counts) and the minimum score. */
export function HighlightFilters(props: { all: readonly Highlight[] }) {
  const t = useT();
  const id = useId();
  const filter = useAppState((s) => s.highlightFilter);
  const setFilter = useAppState((s) => s.setHighlightFilter);
  const count = (r: (typeof REVIEW_FILTERS)[number]) =>
    r === 'all' ? props.all.length : props.all.filter((h) => h.review === r).length;
  const minPercent = scorePercent(filter.minScore);
  return (
    <div className="hl-filters" data-testid="highlight-filters">
      <div className="segmented" role="group" aria-label={t('highlights.filter')}>
        {REVIEW_FILTERS.map((r) => (
          <button
            key={r}
            type="button"
            className="segmented__item"
            data-testid={`highlight-filter-${r}`}
            aria-pressed={filter.review === r}
            onClick={() => setFilter({ review: r })}
          >
            {t(`highlights.filter.${r}`)} <span className="segmented__count">{count(r)}</span>
          </button>
        ))}
      </div>
      <label className="hl-filters__score" htmlFor={id}>
        {t('highlights.minScore', { percent: minPercent })}
      </label>
      <input
        id={id}
        type="range"
        min={0}
        max={100}
        step={5}
        value={minPercent}
        data-testid="highlight-min-score"
        onChange={(ev) => setFilter({ minScore: Number(ev.target.value) / 100 })}
      />
    </div>
  );
}
