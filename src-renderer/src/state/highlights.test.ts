import { describe, expect, it } from 'vitest';
import type { Highlight } from '../contract';
import {
  beginLoad,
  endLoad,
  filterHighlights,
  isManual,
  mergeHighlights,
  neighbourAfterRemoval,
  nudgedWindow,
  passesFilter,
  scorePercent,
  stepSelection,
  triggerPhrase,
  upsertHighlight,
} from './highlights';

const S = 'sess_aaaaaaaa';
function hl(id: string, start: number, over: Partial<Highlight> = {}): Highlight {
  return {
    id,
    sessionId: S,
    start,
    end: start + 10,
    detectedStart: start,
    detectedEnd: start + 10,
    score: 0.8,
    reasons: [
      { kind: 'trigger', text: 'trigger "最后三分钟" (urgency)', at: start + 2, weight: 0.8 },
    ],
    text: '最后三分钟',
    category: 'urgency',
    state: 'final',
    review: 'new',
    delayMs: 1,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  };
}

describe('mergeHighlights', () => {
  it('sorts by start, then id, and keeps one copy per id', () => {
    const list = mergeHighlights([], [hl('b', 20), hl('a', 5), hl('c', 20)]);
    expect(list.map((h) => h.id)).toEqual(['a', 'b', 'c']);
    const moved = mergeHighlights(list, [hl('a', 30, { updatedAt: 2 })]);
    expect(moved.map((h) => h.id)).toEqual(['b', 'c', 'a']);
    expect(moved).toHaveLength(3);
  });

  it('an older copy never replaces a newer one; an equal one (later arrival) does', () => {
    const list = mergeHighlights([], [hl('a', 5, { updatedAt: 5, review: 'accepted' })]);
    expect(mergeHighlights(list, [hl('a', 5, { updatedAt: 4 })])).toBe(list);
    const same = mergeHighlights(list, [hl('a', 5, { updatedAt: 5, review: 'dismissed' })]);
    expect(same[0]?.review).toBe('dismissed');
  });

  it('returns the same list when nothing comes in', () => {
    const list = mergeHighlights([], [hl('a', 5)]);
    expect(mergeHighlights(list, [])).toBe(list);
    expect(mergeHighlights(list, [list[0]!])).toBe(list);
  });
});

describe('per-session load state', () => {
  it('load → events → result merge; failures keep what was held', () => {
    let m = beginLoad({}, S);
    expect(m[S]?.status).toBe('loading');
    m = upsertHighlight(m, hl('e', 50, { updatedAt: 9 }));
    m = endLoad(m, S, { highlights: [hl('a', 5), hl('e', 50, { updatedAt: 3 })] });
    expect(m[S]?.status).toBe('loaded');
    expect(m[S]?.list.map((h) => [h.id, h.updatedAt])).toEqual([
      ['a', 1],
      ['e', 9],
    ]);
    m = endLoad(beginLoad(m, S), S, { message: 'boom', code: 'internal' });
    expect(m[S]?.status).toBe('error');
    expect(m[S]?.list).toHaveLength(2);
  });

  it('events for sessions not kept are ignored; the oldest session goes first', () => {
    expect(upsertHighlight({}, hl('a', 1))).toEqual({});
    let m = {};
    for (const id of ['s1', 's2', 's3']) m = beginLoad(m, id, 2);
    expect(Object.keys(m)).toEqual(['s2', 's3']);
  });
});

describe('filter', () => {
  const list = [
    hl('a', 1, { review: 'new', score: 0.5 }),
    hl('b', 2, { review: 'accepted', score: 0.9 }),
    hl('c', 3, { review: 'dismissed', score: 0.7 }),
    hl('d', 4, { review: 'new', score: 0.695 }),
  ];
  it.each([
    [{ review: 'all', minScore: 0 }, ['a', 'b', 'c', 'd']],
    [{ review: 'new', minScore: 0 }, ['a', 'd']],
    [{ review: 'accepted', minScore: 0 }, ['b']],
    [{ review: 'dismissed', minScore: 0 }, ['c']],
    [{ review: 'all', minScore: 0.7 }, ['b', 'c', 'd']],
    [{ review: 'new', minScore: 0.75 }, []],
  ] as const)('%j → %j', (f, ids) => {
    expect(filterHighlights(list, f).map((h) => h.id)).toEqual(ids);
  });
  it('the unfiltered view is the same array', () => {
    expect(filterHighlights(list, { review: 'all', minScore: 0 })).toBe(list);
    expect(passesFilter(list[0]!, { review: 'all', minScore: 0.51 })).toBe(false);
  });
});

describe('selection', () => {
  const shown = [hl('a', 1), hl('b', 2), hl('c', 3)];
  it.each([
    [null, 1, 'a'],
    [null, -1, 'c'],
    ['a', 1, 'b'],
    ['c', 1, 'c'],
    ['a', -1, 'a'],
    ['b', -1, 'a'],
    ['gone', 1, 'a'],
  ] as const)('from %s by %d → %s', (from, dir, to) => {
    expect(stepSelection(shown, from, dir)).toBe(to);
  });
  it('nothing to select in an empty list', () => {
    expect(stepSelection([], null, 1)).toBeNull();
  });
  it('a removed highlight hands the selection to the next, else the previous', () => {
    expect(neighbourAfterRemoval(shown, 'b')).toBe('c');
    expect(neighbourAfterRemoval(shown, 'c')).toBe('b');
    expect(neighbourAfterRemoval([hl('a', 1)], 'a')).toBeNull();
    expect(neighbourAfterRemoval(shown, 'x')).toBeNull();
  });
});

describe('nudgedWindow', () => {
  const w = { start: 10, end: 20 };
  it.each([
    ['in', -0.5, { start: 9.5, end: 20 }],
    ['in', 0.5, { start: 10.5, end: 20 }],
    ['out', -0.1, { start: 10, end: 19.9 }],
    ['out', 0.5, { start: 10, end: 20.5 }],
  ] as const)('%s by %d', (edge, delta, want) => {
    expect(nudgedWindow(w, edge, delta)).toEqual(want);
  });
  it('rounds to 0.1 s (no float drift over repeated presses)', () => {
    let x = { start: 10, end: 20 };
    for (let i = 0; i < 7; i++) x = nudgedWindow(x, 'in', 0.1) ?? x;
    expect(x.start).toBe(10.7);
  });
  it('never goes below 0 nor leaves less than 0.5 s', () => {
    expect(nudgedWindow({ start: 0.2, end: 5 }, 'in', -0.5)).toEqual({ start: 0, end: 5 });
    expect(nudgedWindow({ start: 0, end: 5 }, 'in', -0.5)).toBeNull();
    expect(nudgedWindow({ start: 10, end: 10.6 }, 'in', 0.5)).toBeNull();
    expect(nudgedWindow({ start: 10, end: 10.9 }, 'out', -0.5)).toBeNull();
    expect(nudgedWindow({ start: 10, end: 11 }, 'out', -0.5)).toEqual({ start: 10, end: 10.5 });
  });
});

describe('presentation', () => {
  it('score as percent, clamped', () => {
    expect(scorePercent(0.874)).toBe(87);
    expect(scorePercent(1.2)).toBe(100);
    expect(scorePercent(Number.NaN)).toBe(0);
  });
  it('manual highlights are recognised by category or a mark reason', () => {
    expect(isManual(hl('a', 1))).toBe(false);
    expect(isManual(hl('a', 1, { category: 'manual' }))).toBe(true);
    expect(
      isManual(
        hl('a', 1, {
          reasons: [{ kind: 'mark', text: 'manual mark (hotkey)', at: 3, weight: 1 }],
        }),
      ),
    ).toBe(true);
  });
  it('trigger chips show the phrase', () => {
    expect(
      triggerPhrase({ kind: 'trigger', text: 'trigger "全场五折" (price)', at: 1, weight: 1 }),
    ).toBe('全场五折');
    expect(triggerPhrase({ kind: 'keyword', text: 'keyword “last call”', at: 1, weight: 1 })).toBe(
      'last call',
    );
    expect(
      triggerPhrase({ kind: 'excitement', text: 'loudness "x"', at: 1, weight: 1 }),
    ).toBeNull();
  });
});
