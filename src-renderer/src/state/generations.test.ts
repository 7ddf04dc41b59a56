import { describe, expect, it } from 'vitest';
import type { Generation } from '../contract';
import { generationFor } from '../generate/fixtures';
import {
  beginLoad,
  changesWorker,
  endLoad,
  findGeneration,
  formatEta,
  generationNumber,
  generationsOf,
  isActive,
  mergeGenerations,
  progressPercent,
  supersedes,
  upsertGeneration,
} from './generations';

const S = 'sess_gen00001';
const H = `${S}-h1`;
const gen = (n: number, over: Partial<Generation> = {}) => generationFor(`${H}-g${n}`, S, over);
const ids = (list: readonly Generation[]) => list.map((g) => g.id);

describe('mergeGenerations', () => {
  it('orders newest first whatever order they arrive in', () => {
    const list = mergeGenerations(
      [],
      [gen(1, { createdAt: 1 }), gen(3, { createdAt: 3 }), gen(2, { createdAt: 2 })],
    );
    expect(ids(list)).toEqual([`${H}-g3`, `${H}-g2`, `${H}-g1`]);
  });

  it('two made in the same millisecond: the higher number first', () => {
    const list = mergeGenerations([], [gen(2, { createdAt: 5 }), gen(10, { createdAt: 5 })]);
    expect(ids(list)).toEqual([`${H}-g10`, `${H}-g2`]);
    expect(generationNumber(`${H}-g10`)).toBe(10);
    expect(generationNumber('no-number')).toBe(0);
  });

  it('step events replace the held copy in place; an older copy is ignored', () => {
    let list = mergeGenerations([], [gen(1), gen(2, { createdAt: 200 })]);
    list = mergeGenerations(list, [
      gen(1, { state: 'running', step: 3, progress: 0.1, updatedAt: 300 }),
    ]);
    expect(list).toHaveLength(2);
    expect(list[1]?.step).toBe(3);
    const stale = mergeGenerations(list, [gen(1, { state: 'queued', updatedAt: 150 })]);
    expect(stale).toBe(list);
  });

  it("with equal times a call's 'queued' answer does not undo a 'running' event", () => {
    const running = gen(1, { state: 'running', step: 1 });
    const list = mergeGenerations([], [running]);
    expect(mergeGenerations(list, [gen(1, { state: 'queued' })])).toBe(list);
    expect(supersedes(gen(1), running)).toBe(true);
    // Same time and stage: the later step wins, an earlier one does not.
    const step5 = gen(1, { state: 'running', step: 5 });
    expect(supersedes(running, step5)).toBe(true);
    expect(supersedes(step5, running)).toBe(false);
  });

  it('returns the same array when nothing changes', () => {
    const g = gen(1);
    const list = mergeGenerations([], [g]);
    expect(mergeGenerations(list, [])).toBe(list);
    expect(mergeGenerations(list, [g])).toBe(list);
  });
});

describe('cancel and the other ends', () => {
  it('a cancelled copy is final: a step event sent before the kill does not revive it', () => {
    let list = mergeGenerations([], [gen(1, { state: 'running', step: 4, updatedAt: 500 })]);
    list = mergeGenerations(list, [gen(1, { state: 'cancelled', updatedAt: 600 })]);
    expect(list[0]?.state).toBe('cancelled');
    // The worker's last step was stamped after the cancel answer was: still cancelled.
    const late = mergeGenerations(list, [gen(1, { state: 'running', step: 5, updatedAt: 700 })]);
    expect(late).toBe(list);
    expect(isActive(late[0]!)).toBe(false);
  });

  it('a finished copy wins over a running one even when its clock is behind', () => {
    const running = gen(1, { state: 'running', step: 9, updatedAt: 900 });
    expect(supersedes(running, gen(1, { state: 'failed', error: 'OOM', updatedAt: 800 }))).toBe(
      true,
    );
  });

  it('a later copy of a finished job (the file written) still replaces it', () => {
    const done = gen(1, { state: 'done', updatedAt: 900 });
    const withFile = gen(1, { state: 'done', file: 'sessions/x/gen/a.mp4', updatedAt: 950 });
    expect(mergeGenerations([done], [withFile])[0]?.file).toBe('sessions/x/gen/a.mp4');
  });

  it.each([
    ['queued', true],
    ['loading', true],
    ['running', true],
    ['decoding', true],
    ['encoding', true],
    ['done', false],
    ['failed', false],
    ['cancelled', false],
  ] as const)('%s can be cancelled: %s', (state, active) => {
    expect(isActive({ state })).toBe(active);
  });
});

describe('the per-session map', () => {
  it('events for a session not loaded, or for no session, are ignored; while loading they are kept', () => {
    expect(upsertGeneration({}, gen(1))).toEqual({});
    let map = beginLoad({}, S);
    expect(upsertGeneration(map, generationFor('cli-g1', null))).toBe(map);
    map = upsertGeneration(map, gen(1, { state: 'running', step: 2, updatedAt: 500 }));
    // The list answered with an older copy: the event's newer one stays.
    map = endLoad(map, S, { generations: [gen(1, { updatedAt: 400 }), gen(2)] });
    expect(map[S]?.status).toBe('loaded');
    expect(generationsOf(map, S).find((g) => g.id === `${H}-g1`)?.state).toBe('running');
    expect(generationsOf(map, S)).toHaveLength(2);
    expect(findGeneration(map, `${H}-g2`)?.id).toBe(`${H}-g2`);
    expect(findGeneration(map, 'nope')).toBeNull();
    expect(generationsOf(map, 'other')).toEqual([]);
  });

  it("a list answer keeps only the session's own generations", () => {
    const map = endLoad(beginLoad({}, S), S, {
      generations: [gen(1), generationFor('sess_other001-h1-g1', 'sess_other001')],
    });
    expect(ids(generationsOf(map, S))).toEqual([`${H}-g1`]);
  });

  it('a failed load keeps what was held and says why', () => {
    let map = endLoad(beginLoad({}, S), S, { generations: [gen(1)] });
    map = beginLoad(map, S);
    map = endLoad(map, S, { message: 'Video generation is not running', code: 'unavailable' });
    expect(map[S]?.status).toBe('error');
    expect(map[S]?.error?.message).toBe('Video generation is not running');
    expect(generationsOf(map, S)).toHaveLength(1);
  });

  it('keeps at most `max` sessions, dropping the least recently loaded', () => {
    let map = beginLoad({}, 'a', 2);
    map = beginLoad(map, 'b', 2);
    map = beginLoad(map, 'c', 2);
    expect(Object.keys(map)).toEqual(['b', 'c']);
  });
});

describe('progress and ETA', () => {
  it.each([
    [{ state: 'queued', progress: null, step: null }, 0],
    [{ state: 'running', progress: 0.257, step: 8 }, 25],
    // No figure from the engine: step i of 30 running means i − 1 done.
    [{ state: 'running', progress: null, step: 16 }, 50],
    [{ state: 'running', progress: null, step: 1 }, 0],
    [{ state: 'decoding', progress: 1.4, step: 30 }, 100],
    [{ state: 'running', progress: -1, step: null }, 0],
    [{ state: 'running', progress: Number.NaN, step: null }, 0],
    [{ state: 'done', progress: null, step: null }, 100],
  ] as const)('%j → %i%', (g, want) => {
    expect(progressPercent({ ...g, steps: 30 })).toBe(want);
  });

  it.each([
    [null, null],
    [-3, null],
    [Number.POSITIVE_INFINITY, null],
    [0, '0:00'],
    [0.2, '0:01'],
    [59, '0:59'],
    [200, '3:20'],
    [3725, '1:02:05'],
  ])('ETA %s s → %s', (s, want) => expect(formatEta(s)).toBe(want));

  it("reads the worker's status again on a change of stage, not on a step", () => {
    const running = gen(1, { state: 'running', step: 1 });
    expect(changesWorker(null, running)).toBe(true);
    expect(changesWorker(gen(1), running)).toBe(true);
    expect(changesWorker(running, { ...running, step: 2 })).toBe(false);
    expect(changesWorker(running, { ...running, state: 'done' })).toBe(true);
  });
});
