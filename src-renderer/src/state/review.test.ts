import { describe, expect, it } from 'vitest';
import type { Publication, ReviewItem } from '../contract';
import { generationFor } from '../generate/fixtures';
import { FLAGGED, highlightFor, itemFor, SESSION } from '../review/fixtures';
import { RV_ROW_HEIGHT } from '../review/layout';
import { visibleRange } from '../transcript/windowing';
import {
  actionTargets,
  applyClip,
  applyHighlight,
  applyPublication,
  beginLoad,
  DEFAULT_REVIEW_FILTER,
  endLoad,
  excerpt,
  findItem,
  isGenerated,
  itemStamp,
  needsOverride,
  neighbourOf,
  passesReviewFilter,
  pendingCount,
  publicationSummary,
  sessionOfClip,
  shownIds,
  splitBySpans,
  stepId,
  toggleChecked,
  upsertItems,
  withDecision,
  type ReviewBySession,
  type ReviewFilter,
} from './review';

function loaded(items: readonly ReviewItem[]): ReviewBySession {
  return endLoad(beginLoad({}, SESSION), SESSION, { items });
}
const order = (map: ReviewBySession) => [...(map[SESSION]?.order ?? [])];

function publication(clipId: string, over: Partial<Publication> = {}): Publication {
  return {
    clipId,
    targetId: 'folder-1',
    targetName: 'Desk',
    kind: 'folder',
    state: 'queued',
    progress: null,
    url: null,
    error: null,
    bytes: null,
    updatedAt: 5000,
    ...over,
  };
}

describe('the queue index', () => {
  it('orders items by the highlight start whatever order they arrive in', () => {
    const map = loaded([itemFor(3), itemFor(1), itemFor(2)]);
    expect(order(map)).toEqual([`${SESSION}-h1`, `${SESSION}-h2`, `${SESSION}-h3`]);
    const more = upsertItems(map, [itemFor(0), itemFor(5), itemFor(4)]);
    expect(order(more)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `${SESSION}-h${n}`));
    expect(more[SESSION]?.status).toBe('loaded');
  });

  it('an event for one clip replaces only that item and keeps the order array', () => {
    const map = loaded([itemFor(1), itemFor(2), itemFor(3)]);
    const entry = map[SESSION]!;
    const before2 = entry.items.get(`${SESSION}-h2`);
    const before3 = entry.items.get(`${SESSION}-h3`);
    const orderBefore = entry.order;
    const next = upsertItems(map, [itemFor(1, { decision: 'approved', decidedAt: 9000 })]);
    expect(next).not.toBe(map);
    expect(next[SESSION]?.rev).toBe(entry.rev + 1);
    expect(next[SESSION]?.order).toBe(orderBefore);
    expect(next[SESSION]?.items.get(`${SESSION}-h1`)?.decision).toBe('approved');
    expect(next[SESSION]?.items.get(`${SESSION}-h2`)).toBe(before2);
    expect(next[SESSION]?.items.get(`${SESSION}-h3`)).toBe(before3);
  });

  it('the same object again changes nothing', () => {
    const item = itemFor(1);
    const map = loaded([item]);
    expect(upsertItems(map, [item])).toBe(map);
  });

  it('items of sessions not loaded are ignored', () => {
    expect(upsertItems({}, [itemFor(1)])).toEqual({});
  });

  it('a later render of a highlight replaces its item in place; an older one is ignored', () => {
    const map = loaded([itemFor(1), itemFor(2)]);
    const h2 = highlightFor(2);
    const rerender = itemFor(2, {}, { id: `${h2.id}-r2`, createdAt: 9000, updatedAt: 9000 });
    const next = upsertItems(map, [rerender]);
    expect(order(next)).toEqual([`${SESSION}-h1`, `${h2.id}-r2`]);
    expect(next[SESSION]?.items.has(h2.id)).toBe(false);
    expect(next[SESSION]?.byHighlight.get(h2.id)).toBe(`${h2.id}-r2`);
    // The first render's late event does not bring it back.
    const late = upsertItems(next, [itemFor(2, { decision: 'rejected', decidedAt: 9500 })]);
    expect(late).toBe(next);
    expect(order(late)).toEqual([`${SESSION}-h1`, `${h2.id}-r2`]);
  });

  it('a generated video is an item of its own: it neither replaces nor is replaced by renders', () => {
    const map = loaded([itemFor(1), itemFor(2)]);
    const h2 = highlightFor(2);
    const genId = `${h2.id}-g1`;
    const generated = itemFor(
      2,
      { aiGenerated: true, generation: generationFor(genId, SESSION, { state: 'done' }) },
      { id: genId, createdAt: 9000, updatedAt: 9000 },
    );
    expect(isGenerated(generated)).toBe(true);
    expect(isGenerated(itemFor(2))).toBe(false);
    const next = upsertItems(map, [generated]);
    expect(next[SESSION]?.items.has(h2.id)).toBe(true);
    expect(next[SESSION]?.items.has(genId)).toBe(true);
    expect(next[SESSION]?.byHighlight.get(h2.id)).toBe(h2.id);
    expect(order(next)).toHaveLength(3);
    // A later stream render replaces the stream item only.
    const rerender = itemFor(2, {}, { id: `${h2.id}-r2`, createdAt: 9100, updatedAt: 9100 });
    const after = upsertItems(next, [rerender]);
    expect([...(after[SESSION]?.items.keys() ?? [])].sort()).toEqual(
      [`${SESSION}-h1`, `${h2.id}-r2`, genId].sort(),
    );
    // The list answer holds both too.
    const listed = loaded([itemFor(2), generated]);
    expect(order(listed)).toHaveLength(2);
  });

  it('a list answer older than an event does not undo the event', () => {
    let map = beginLoad({}, SESSION);
    map = upsertItems(map, [itemFor(1, { decision: 'approved', decidedAt: 9000 })]);
    map = endLoad(map, SESSION, { items: [itemFor(1), itemFor(2)] });
    expect(map[SESSION]?.items.get(`${SESSION}-h1`)?.decision).toBe('approved');
    expect(map[SESSION]?.items.size).toBe(2);
  });

  it('events win by arrival: an undo (no decision time) replaces the approval', () => {
    let map = loaded([itemFor(1, { decision: 'approved', decidedAt: 9000 })]);
    map = upsertItems(map, [itemFor(1)]);
    expect(map[SESSION]?.items.get(`${SESSION}-h1`)?.decision).toBe('pending');
  });

  it('itemStamp is the latest change anywhere in the item', () => {
    const item = itemFor(1, {
      decidedAt: 7000,
      publications: [publication(`${SESSION}-h1`, { updatedAt: 8000 })],
    });
    expect(itemStamp(item)).toBe(8000);
  });

  it('a trim re-places the item by its new start', () => {
    const map = loaded([itemFor(1), itemFor(2), itemFor(3)]);
    const h1 = highlightFor(1, { start: 25, end: 33, updatedAt: 9000 });
    const next = applyHighlight(map, h1);
    expect(order(next)).toEqual([`${SESSION}-h2`, `${SESSION}-h1`, `${SESSION}-h3`]);
    expect(next[SESSION]?.items.get(`${SESSION}-h1`)?.highlight.start).toBe(25);
    // An older copy of the highlight is ignored.
    expect(applyHighlight(next, highlightFor(1, { updatedAt: 10 }))).toBe(next);
  });

  it('a publication event updates its target on the clip (not older copies)', () => {
    const id = `${SESSION}-h1`;
    let map = loaded([itemFor(1)]);
    map = applyPublication(map, sessionOfClip(map, id), publication(id));
    map = applyPublication(
      map,
      SESSION,
      publication(id, { state: 'uploading', progress: 0.5, updatedAt: 6000 }),
    );
    expect(findItem(map, id)?.publications).toHaveLength(1);
    expect(findItem(map, id)?.publications[0]?.progress).toBe(0.5);
    const stale = applyPublication(map, SESSION, publication(id, { updatedAt: 5500 }));
    expect(stale).toBe(map);
    const other = applyPublication(map, SESSION, publication(id, { targetId: 's3-1' }));
    expect(findItem(other, id)?.publications).toHaveLength(2);
    expect(applyPublication(map, null, publication('nope'))).toBe(map);
  });

  it('a clip event updates the item of that clip only', () => {
    const map = loaded([itemFor(1, {}, { state: 'rendering', progress: 0.2, updatedAt: 100 })]);
    const item = findItem(map, `${SESSION}-h1`)!;
    const next = applyClip(map, { ...item.clip, progress: 0.6, updatedAt: 200 });
    expect(findItem(next, `${SESSION}-h1`)?.clip.progress).toBe(0.6);
    expect(applyClip(next, { ...item.clip, progress: 0.1, updatedAt: 150 })).toBe(next);
    expect(applyClip(next, { ...item.clip, id: 'other', updatedAt: 999 })).toBe(next);
  });
});

describe('filters', () => {
  const items = [
    itemFor(1, { quality: 0.9 }),
    itemFor(2, { quality: 0.4, decision: 'approved', decidedAt: 1 }),
    itemFor(3, { quality: null, safety: FLAGGED }),
    itemFor(4, { quality: 0.7, decision: 'rejected', decidedAt: 1 }),
    itemFor(5, { quality: 0.6, safety: { ...FLAGGED, state: 'warn' } }),
  ];
  const map = loaded(items);
  const ids = (f: Partial<ReviewFilter>) =>
    shownIds(map[SESSION], { ...DEFAULT_REVIEW_FILTER, ...f }).map((id) => id.split('-h')[1]);

  it.each<[Partial<ReviewFilter>, string[]]>([
    [{}, ['1', '2', '3', '4', '5']],
    [{ decision: 'pending' }, ['1', '3', '5']],
    [{ decision: 'approved' }, ['2']],
    [{ decision: 'rejected' }, ['4']],
    [{ safety: 'flagged' }, ['3']],
    [{ safety: 'attention' }, ['3', '5']],
    [{ safety: 'ok' }, ['1', '2', '4']],
    [{ minQuality: 0.6 }, ['1', '4', '5']],
    [{ minQuality: 0.604 }, ['1', '4', '5']],
    [{ minQuality: 0.61 }, ['1', '4']],
    [{ decision: 'pending', minQuality: 0.5 }, ['1', '5']],
  ])('%j → %j', (f, want) => expect(ids(f)).toEqual(want));

  it('without a filter the held order itself is returned (no copy)', () => {
    expect(shownIds(map[SESSION], DEFAULT_REVIEW_FILTER)).toBe(map[SESSION]?.order);
    expect(shownIds(undefined, DEFAULT_REVIEW_FILTER)).toEqual([]);
  });

  it('counts the items waiting for a decision', () => {
    expect(pendingCount(map[SESSION])).toBe(3);
    expect(passesReviewFilter(items[0]!, { ...DEFAULT_REVIEW_FILTER, minQuality: 0.95 })).toBe(
      false,
    );
  });
});

describe('cursor and selection', () => {
  const shown = ['a', 'b', 'c'];
  it.each<[string | null, 1 | -1, string | null]>([
    [null, 1, 'a'],
    [null, -1, 'c'],
    ['a', 1, 'b'],
    ['c', 1, 'c'],
    ['a', -1, 'a'],
    ['gone', 1, 'a'],
  ])('from %s by %i → %s', (from, dir, want) => expect(stepId(shown, from, dir)).toBe(want));

  it('moves to the next item, else the previous, when the current one leaves', () => {
    expect(neighbourOf(shown, 'b')).toBe('c');
    expect(neighbourOf(shown, 'c')).toBe('b');
    expect(neighbourOf(['a'], 'a')).toBeNull();
    expect(neighbourOf(shown, 'x')).toBeNull();
  });

  it('acts on the ticked items that are shown, else on the current one', () => {
    expect(actionTargets(shown, new Set(['c', 'a', 'hidden']), 'b')).toEqual(['a', 'c']);
    expect(actionTargets(shown, new Set(), 'b')).toEqual(['b']);
    expect(actionTargets(shown, new Set(), 'hidden')).toEqual([]);
    expect(actionTargets(shown, new Set(), null)).toEqual([]);
  });

  it('toggles ticks without touching the old set', () => {
    const one = toggleChecked(new Set(), 'a');
    const none = toggleChecked(one, 'a');
    expect([...one]).toEqual(['a']);
    expect([...none]).toEqual([]);
  });
});

describe('presentation helpers', () => {
  it('summarizes publications over the targets', () => {
    const id = 'c';
    expect(publicationSummary([])).toBe('none');
    expect(publicationSummary([publication(id, { state: 'uploading' })])).toBe('active');
    expect(
      publicationSummary([
        publication(id, { state: 'done' }),
        publication(id, { targetId: 'b', state: 'failed' }),
      ]),
    ).toBe('failed');
    expect(publicationSummary([publication(id, { state: 'done' })])).toBe('done');
    expect(publicationSummary([publication(id, { state: 'cancelled' })])).toBe('none');
  });

  it('a flagged clip needs an override until it has one', () => {
    expect(needsOverride(itemFor(1, { safety: FLAGGED }))).toBe(true);
    expect(needsOverride(itemFor(1, { safety: FLAGGED, override: { reason: 'ok', at: 1 } }))).toBe(
      false,
    );
    expect(needsOverride(itemFor(1))).toBe(false);
  });

  it('withDecision sets and clears the decision time', () => {
    const approved = withDecision(itemFor(1), 'approved', 42);
    expect(approved.decidedAt).toBe(42);
    expect(withDecision(approved, 'pending', 50).decidedAt).toBeNull();
    expect(withDecision(approved, 'approved', 99)).toBe(approved);
  });

  it.each([
    ['short text', 20, 'short text'],
    ['  spaced\n\nout  ', 20, 'spaced out'],
    ['one two three four five six', 14, 'one two three…'],
    ['一二三四五六七八九十', 5, '一二三四五…'],
  ])('excerpt(%j, %i) → %j', (text, max, want) => expect(excerpt(text, max)).toBe(want));

  it('splits text by hit spans, clipping overlaps and out-of-range spans', () => {
    const text = '加微信领红包 call now';
    const parts = splitBySpans(text, [
      { start: 1, end: 3, severity: 'block' },
      { start: 2, end: 4 },
      { start: 12, end: 99, severity: 'warn' },
      { start: 40, end: 50 },
      { start: 5, end: 5 },
    ]);
    expect(parts.map((p) => p.text).join('')).toBe(text);
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['微信', '领', 'now']);
    expect(parts.find((p) => p.text === '微信')?.severity).toBe('block');
    expect(splitBySpans('abc', [])).toEqual([{ text: 'abc', hit: false, severity: null }]);
  });
});

describe('500 clips', () => {
  const N = 500;
  const items = Array.from({ length: N }, (_, i) => itemFor(N - i));
  const map = loaded(items);

  it('holds them in order and windows the list to the rows in view', () => {
    const shown = shownIds(map[SESSION], DEFAULT_REVIEW_FILTER);
    expect(shown).toHaveLength(N);
    expect(shown[0]).toBe(`${SESSION}-h1`);
    expect(shown[N - 1]).toBe(`${SESSION}-h${N}`);
    const top = visibleRange({
      scrollTop: 0,
      viewportHeight: 240,
      rowHeight: RV_ROW_HEIGHT,
      count: N,
      overscan: 4,
    });
    expect(top.end - top.start).toBeLessThanOrEqual(Math.ceil(240 / RV_ROW_HEIGHT) + 4);
    const bottom = visibleRange({
      scrollTop: N * RV_ROW_HEIGHT,
      viewportHeight: 240,
      rowHeight: RV_ROW_HEIGHT,
      count: N,
      overscan: 4,
    });
    expect(bottom.end).toBe(N);
    expect(bottom.end - bottom.start).toBeLessThan(15);
  });

  it('an update to one clip touches one entry of the Map and nothing else', () => {
    const entry = map[SESSION]!;
    const snapshot = new Map(entry.items);
    const id = `${SESSION}-h250`;
    const next = upsertItems(map, [{ ...entry.items.get(id)!, decision: 'rejected' }]);
    const after = next[SESSION]!;
    expect(after.order).toBe(entry.order);
    let changed = 0;
    for (const [key, item] of after.items) if (snapshot.get(key) !== item) changed++;
    expect(changed).toBe(1);
    expect(after.items.get(id)?.decision).toBe('rejected');
  });
});
