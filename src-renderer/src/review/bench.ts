/**
 * How the review queue's state scales (pure, no DOM): the figures the bench reports for a queue of
 * n clips. Loading sorts once; an event for one clip must stay O(1) (a Map update and a shallow
 * copy of the session entry), whatever n is; a filter pass is O(n); the list renders only the rows
 * in view.
 */
import { DEFAULT_REVIEW_FILTER, beginLoad, endLoad, shownIds, upsertItems } from '../state/review';
import { visibleRange } from '../transcript/windowing';
import { itemFor, SESSION } from './fixtures';
import { RV_ROW_HEIGHT } from './layout';

export interface QueueBench {
  n: number;
  /** Building the queue from a list answer (items in reverse order), ms. */
  loadMs: number;
  /** One review.upserted event for an item already held, µs (mean over `events`). */
  eventUs: number;
  events: number;
  /** One filtered view (decision = pending) over the whole queue, µs (mean). */
  filterUs: number;
  /** Rows the list renders in a 240 px viewport scrolled to the middle. */
  renderedRows: number;
}

export function benchQueueOps(n: number, events = 2000): QueueBench {
  const items = Array.from({ length: n }, (_, i) => itemFor(n - i));
  let t0 = performance.now();
  let map = endLoad(beginLoad({}, SESSION), SESSION, { items });
  const loadMs = performance.now() - t0;

  t0 = performance.now();
  for (let e = 0; e < events; e++) {
    const item = items[(e * 7919) % n];
    if (!item) continue;
    map = upsertItems(map, [{ ...item, quality: (e % 100) / 100 }]);
  }
  const eventUs = ((performance.now() - t0) * 1000) / events;

  const rounds = 200;
  const filter = { ...DEFAULT_REVIEW_FILTER, decision: 'pending' as const };
  let shown = 0;
  t0 = performance.now();
  for (let r = 0; r < rounds; r++) shown += shownIds(map[SESSION], filter).length;
  const filterUs = ((performance.now() - t0) * 1000) / rounds;
  if (shown !== rounds * n) throw new Error(`the filter lost items: ${shown / rounds} of ${n}`);

  const range = visibleRange({
    scrollTop: (n * RV_ROW_HEIGHT) / 2,
    viewportHeight: 240,
    rowHeight: RV_ROW_HEIGHT,
    count: n,
    overscan: 4,
  });
  return { n, loadMs, eventUs, events, filterUs, renderedRows: range.end - range.start };
}
