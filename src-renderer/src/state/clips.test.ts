import { describe, expect, it } from 'vitest';
import type { Clip } from '../contract';
import {
  beginLoad,
  clipsOf,
  endLoad,
  findClip,
  isActive,
  mergeClips,
  newestReady,
  progressPercent,
  renderNumber,
  supersedes,
  upsertClip,
} from './clips';

const S = 'sess_aaaaaaaa';
function clip(id: string, over: Partial<Clip> = {}): Clip {
  const highlightId = id.replace(/-r\d+$/, '');
  return {
    id,
    highlightId,
    sessionId: S,
    state: 'queued',
    progress: null,
    file: null,
    start: 2,
    end: 12,
    output: '720x1280',
    reframe: { mode: 'center' },
    captionStyle: 'bold',
    durationS: null,
    bytes: null,
    encoder: null,
    latencyMs: null,
    error: null,
    createdAt: 100,
    updatedAt: 100,
    ...over,
  };
}
const H = `${S}-h1`;

describe('renderNumber', () => {
  it.each([
    [H, 1],
    [`${H}-r2`, 2],
    [`${H}-r13`, 13],
  ])('%s → %i', (id, n) => expect(renderNumber(clip(id))).toBe(n));
});

describe('mergeClips', () => {
  it('keys by highlight, newest render first', () => {
    const m = mergeClips({}, [
      clip(H, { createdAt: 1 }),
      clip(`${H}-r3`, { createdAt: 3 }),
      clip(`${S}-h2`, { createdAt: 2 }),
      clip(`${H}-r2`, { createdAt: 2 }),
    ]);
    expect(m[H]?.map((c) => c.id)).toEqual([`${H}-r3`, `${H}-r2`, H]);
    expect(m[`${S}-h2`]?.map((c) => c.id)).toEqual([`${S}-h2`]);
  });

  it('a re-render made in the same millisecond still comes first', () => {
    const m = mergeClips({}, [clip(`${H}-r2`, { createdAt: 5 }), clip(H, { createdAt: 5 })]);
    expect(m[H]?.map((c) => c.id)).toEqual([`${H}-r2`, H]);
  });

  it('an older copy never replaces a newer one; a newer one does', () => {
    const m = mergeClips({}, [clip(H, { state: 'rendering', progress: 0.5, updatedAt: 200 })]);
    expect(mergeClips(m, [clip(H, { updatedAt: 150 })])).toBe(m);
    const done = mergeClips(m, [clip(H, { state: 'ready', progress: 1, updatedAt: 300 })]);
    expect(done[H]?.[0]?.state).toBe('ready');
    expect(done[H]).toHaveLength(1);
  });

  it("with equal times a call's 'queued' answer does not undo a 'rendering' event", () => {
    const m = mergeClips({}, [clip(H, { state: 'rendering', progress: 0.1 })]);
    expect(mergeClips(m, [clip(H, { state: 'queued' })])).toBe(m);
    expect(supersedes(clip(H, { state: 'queued' }), clip(H, { state: 'rendering' }))).toBe(true);
    const further = mergeClips(m, [clip(H, { state: 'rendering', progress: 0.4 })]);
    expect(further[H]?.[0]?.progress).toBe(0.4);
  });

  it('returns the same object when nothing changes', () => {
    const c = clip(H);
    const m = mergeClips({}, [c]);
    expect(mergeClips(m, [])).toBe(m);
    expect(mergeClips(m, [c])).toBe(m);
  });
});

describe('the per-session map', () => {
  it('events for a session not loaded are ignored; while loading they are kept', () => {
    expect(upsertClip({}, clip(H))).toEqual({});
    let map = beginLoad({}, S);
    map = upsertClip(map, clip(H, { state: 'rendering', progress: 0.3, updatedAt: 500 }));
    // The list answered with an older copy: the event's newer one stays.
    map = endLoad(map, S, { clips: [clip(H, { updatedAt: 400 }), clip(`${S}-h2`)] });
    expect(map[S]?.status).toBe('loaded');
    expect(clipsOf(map, S, H)[0]?.state).toBe('rendering');
    expect(clipsOf(map, S, `${S}-h2`)).toHaveLength(1);
    expect(findClip(map, `${S}-h2`)?.id).toBe(`${S}-h2`);
    expect(findClip(map, 'nope')).toBeNull();
  });

  it('a failed load keeps what was held and says why', () => {
    let map = beginLoad({}, S);
    map = endLoad(map, S, { clips: [clip(H)] });
    map = beginLoad(map, S);
    map = endLoad(map, S, { message: 'Clip rendering is not running', code: 'unavailable' });
    expect(map[S]?.status).toBe('error');
    expect(map[S]?.error?.code).toBe('unavailable');
    expect(clipsOf(map, S, H)).toHaveLength(1);
  });

  it('keeps at most `max` sessions, dropping the least recently loaded', () => {
    let map = beginLoad({}, 'a', 2);
    map = beginLoad(map, 'b', 2);
    map = beginLoad(map, 'c', 2);
    expect(Object.keys(map)).toEqual(['b', 'c']);
  });
});

describe('helpers', () => {
  it('newestReady skips renders that are not ready', () => {
    const list = mergeClips({}, [
      clip(`${H}-r3`, { createdAt: 3, state: 'rendering' }),
      clip(`${H}-r2`, { createdAt: 2, state: 'ready', file: 'sessions/x/clips/b.mp4' }),
      clip(H, { createdAt: 1, state: 'ready', file: 'sessions/x/clips/a.mp4' }),
    ])[H]!;
    expect(newestReady(list)?.id).toBe(`${H}-r2`);
    expect(newestReady([clip(H, { state: 'failed' })])).toBeNull();
  });

  it.each([
    ['queued', true],
    ['rendering', true],
    ['ready', false],
    ['failed', false],
    ['cancelled', false],
  ] as const)('%s can be cancelled: %s', (state, active) => {
    expect(isActive(clip(H, { state }))).toBe(active);
  });

  it.each([
    [null, 0],
    [0, 0],
    [0.257, 25],
    [0.999, 99],
    [1, 100],
    [7, 100],
    [-1, 0],
    [Number.NaN, 0],
  ])('progress %f → %i%', (p, want) => expect(progressPercent({ progress: p })).toBe(want));
});
