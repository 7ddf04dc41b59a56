import { describe, expect, it } from 'vitest';
import { ApiError, SETTING_DEFAULTS, type ReviewItem, type Settings } from '../contract';
import { decideReview, shownReview, stepReview, undoReview } from '../review/commands';
import { FLAGGED, itemFor, SESSION } from '../review/fixtures';
import { deferred, fakeClient, settle, type Replies } from '../testing/fakeClient';
import { connectEngine } from './engine';
import { findItem } from './review';
import type { Notifier } from './reviewEngine';
import { createAppStore } from './store';

const settings: Settings = { ...SETTING_DEFAULTS, 'ui.language': 'en' };

function fakeNotifier(permission: NotificationPermission | 'unsupported' = 'granted') {
  const shown: Array<{ title: string; body: string }> = [];
  let asked = 0;
  const notifier: Notifier = {
    permission: () => permission,
    request: async () => {
      asked++;
      return permission;
    },
    show: (title, body) => shown.push({ title, body }),
  };
  return { notifier, shown, asked: () => asked };
}

function setup(replies: Replies, notifier = fakeNotifier().notifier) {
  const fake = fakeClient({ 'review.list': () => ({ items: [] }), ...replies }, 'connected');
  const store = createAppStore({
    transport: 'websocket',
    connection: 'connected',
    systemLanguages: ['en-US'],
  });
  store.getState().setSettings(settings);
  store.getState().upsertSession({
    id: SESSION,
    title: 'Flash sale',
    source: { kind: 'none', uri: null },
    status: 'live',
    createdAt: 1,
    updatedAt: 1,
    endedAt: null,
  });
  store.getState().selectSession(SESSION);
  const actions = connectEngine(fake.client, store, notifier);
  return { ...fake, store, actions };
}

/** The engine's answer to review.decide. */
const decided = (items: ReviewItem[], refused: unknown[] = []) => ({ items, refused });
const id = (n: number) => `${SESSION}-h${n}`;

describe('loading the queue', () => {
  it('loads a session once for concurrent callers and keeps events that overtook it', async () => {
    const answer = deferred<{ items: ReviewItem[] }>();
    const { actions, store, emit, inputs } = setup({ 'review.list': () => answer.promise });
    const a = actions.review.loadReview(SESSION);
    const b = actions.review.loadReview(SESSION);
    emit('review.upserted', itemFor(1, { decision: 'approved', decidedAt: 9000 }));
    answer.resolve({ items: [itemFor(1), itemFor(2)] });
    await Promise.all([a, b]);
    expect(inputs('review.list')).toEqual([{ sessionId: SESSION, limit: 5000 }]);
    const entry = store.getState().review[SESSION];
    expect(entry?.status).toBe('loaded');
    expect(entry?.items.get(id(1))?.decision).toBe('approved');
    expect(entry?.order).toEqual([id(1), id(2)]);
  });

  it('a failed load says why and keeps what was held', async () => {
    const { actions, store } = setup({
      'review.list': () => {
        throw new ApiError('unavailable', 'review is not running');
      },
    });
    await actions.review.loadReview(SESSION);
    expect(store.getState().review[SESSION]?.status).toBe('error');
    expect(store.getState().review[SESSION]?.error?.message).toBe('review is not running');
  });

  it('reconnecting reloads the queues that were open', async () => {
    const { actions, setState, inputs } = setup({ 'review.list': () => ({ items: [itemFor(1)] }) });
    await actions.review.loadReview(SESSION);
    setState('disconnected');
    setState('connected');
    await settle();
    expect(inputs('review.list')).toHaveLength(2);
  });
});

describe('decisions', () => {
  it('shows a decision at once and keeps it while the answer is on its way', async () => {
    const answer = deferred<unknown>();
    const { actions, store, emit } = setup({
      'review.list': () => ({ items: [itemFor(1), itemFor(2)] }),
      'review.decide': () => answer.promise,
    });
    await actions.review.loadReview(SESSION);
    const p = actions.review.decide([id(1)], 'approved');
    expect(findItem(store.getState().review, id(1))?.decision).toBe('approved');
    // An event the engine sent before it saw the decision must not flip it back.
    emit('review.upserted', itemFor(1, { quality: 0.8 }));
    const shown = findItem(store.getState().review, id(1));
    expect(shown?.decision).toBe('approved');
    expect(shown?.quality).toBe(0.8);
    answer.resolve(decided([itemFor(1, { decision: 'approved', decidedAt: 9000 })]));
    const r = await p;
    expect(r.ok && r.value.refused).toEqual([]);
    expect(findItem(store.getState().review, id(1))?.decidedAt).toBe(9000);
    // Settled: a later event is taken as it is.
    emit('review.upserted', itemFor(1));
    expect(findItem(store.getState().review, id(1))?.decision).toBe('pending');
  });

  it('puts refused clips back and names the reason', async () => {
    const { actions, store } = setup({
      'review.list': () => ({ items: [itemFor(1), itemFor(2, { safety: FLAGGED })] }),
      'review.decide': () =>
        decided(
          [itemFor(1, { decision: 'approved', decidedAt: 9 })],
          [{ clipId: id(2), reason: 'flagged: needs an override' }],
        ),
    });
    await actions.review.loadReview(SESSION);
    const r = await actions.review.decide([id(1), id(2)], 'approved');
    expect(r.ok && r.value.refused[0]?.clipId).toBe(id(2));
    expect(findItem(store.getState().review, id(1))?.decision).toBe('approved');
    expect(findItem(store.getState().review, id(2))?.decision).toBe('pending');
  });

  it('a failed call reverts every clip and becomes a notice', async () => {
    const { actions, store } = setup({
      'review.list': () => ({ items: [itemFor(1), itemFor(2)] }),
      'review.decide': () => {
        throw new ApiError('unavailable', 'engine went away');
      },
    });
    await actions.review.loadReview(SESSION);
    const r = await actions.review.decide([id(1), id(2)], 'rejected');
    expect(r.ok).toBe(false);
    expect(findItem(store.getState().review, id(1))?.decision).toBe('pending');
    expect(findItem(store.getState().review, id(2))?.decision).toBe('pending');
    expect(store.getState().notices.at(-1)?.message).toBe('engine went away');
    expect(store.getState().notices.at(-1)?.action).toBe('action.reviewDecide');
  });

  it('approving with an override records the reason, then approves', async () => {
    const { actions, calls } = setup({
      'review.override': (input) => {
        const { reason } = input as { reason: string };
        return itemFor(1, { safety: FLAGGED, override: { reason, at: 10 } });
      },
      'review.decide': () =>
        decided([itemFor(1, { safety: FLAGGED, decision: 'approved', decidedAt: 11 })]),
    });
    const r = await actions.review.approveWithOverride(id(1), '  a quote from the product sheet ');
    expect(r.ok && r.value.decision).toBe('approved');
    expect(calls.map(([m]) => m).filter((m) => m.startsWith('review.'))).toEqual([
      'review.override',
      'review.decide',
    ]);
    expect(calls.find(([m]) => m === 'review.override')?.[1]).toEqual({
      clipId: id(1),
      reason: 'a quote from the product sheet',
    });
  });

  it('an override the engine refuses stops before approving', async () => {
    const { actions, inputs } = setup({
      'review.override': () => {
        throw new ApiError('bad_request', 'reason: at least 3 characters');
      },
      'review.decide': () => decided([]),
    });
    const r = await actions.review.approveWithOverride(id(1), 'no');
    expect(r.ok).toBe(false);
    expect(inputs('review.decide')).toEqual([]);
  });

  it('undo applies what the engine reverted', async () => {
    const { actions, store } = setup({
      'review.list': () => ({ items: [itemFor(1, { decision: 'approved', decidedAt: 5 })] }),
      'review.undo': () => ({ items: [itemFor(1)] }),
    });
    await actions.review.loadReview(SESSION);
    const r = await actions.review.undo(SESSION);
    expect(r.ok).toBe(true);
    expect(findItem(store.getState().review, id(1))?.decision).toBe('pending');
  });
});

describe('commands (keys and buttons)', () => {
  const five = () => ({
    items: [1, 2, 3, 4, 5].map((n) => (n === 3 ? itemFor(n, { safety: FLAGGED }) : itemFor(n))),
  });

  it('A on one flagged clip opens the override dialog instead of deciding', async () => {
    const { actions, store, inputs } = setup({ 'review.list': five });
    await actions.review.loadReview(SESSION);
    store.getState().setReviewCursor(id(3));
    const r = await decideReview(store, actions, 'approved');
    expect(r.sent).toBe(0);
    expect(store.getState().reviewDialog).toEqual({ kind: 'override', clipId: id(3) });
    expect(inputs('review.decide')).toEqual([]);
  });

  it('a bulk approval leaves flagged clips out, says so and clears the ticks', async () => {
    const { actions, store, inputs } = setup({
      'review.list': five,
      'review.decide': (input) => {
        const { clipIds } = input as { clipIds: string[] };
        return decided(
          clipIds.map((c) => ({
            ...itemFor(Number(c.split('-h')[1])),
            decision: 'approved' as const,
            decidedAt: 9,
          })),
        );
      },
    });
    await actions.review.loadReview(SESSION);
    store.getState().setReviewChecked(new Set([id(1), id(3), id(5)]));
    const r = await decideReview(store, actions, 'approved');
    expect(r.sent).toBe(2);
    expect(r.needOverride).toEqual([id(3)]);
    expect(inputs('review.decide')).toEqual([{ clipIds: [id(1), id(5)], decision: 'approved' }]);
    expect(store.getState().reviewChecked.size).toBe(0);
    expect(store.getState().notices.at(-1)?.messageKey).toBe('review.leftOutFlagged');
  });

  it('the cursor moves on when its clip leaves the filtered list', async () => {
    const { actions, store } = setup({
      'review.list': five,
      'review.decide': () => decided([itemFor(2, { decision: 'rejected', decidedAt: 9 })]),
    });
    await actions.review.loadReview(SESSION);
    store.getState().setReviewFilter({ decision: 'pending' });
    stepReview(store, 1);
    stepReview(store, 1);
    expect(store.getState().reviewCursor).toBe(id(2));
    await decideReview(store, actions, 'rejected');
    expect(shownReview(store.getState())).not.toContain(id(2));
    expect(store.getState().reviewCursor).toBe(id(3));
  });

  it('a decision from the clip’s own button ignores the ticks', async () => {
    const { actions, store, inputs } = setup({
      'review.list': five,
      'review.decide': () => decided([]),
    });
    await actions.review.loadReview(SESSION);
    store.getState().setReviewChecked(new Set([id(1), id(2)]));
    await decideReview(store, actions, 'rejected', [id(4)]);
    expect(inputs('review.decide')).toEqual([{ clipIds: [id(4)], decision: 'rejected' }]);
    expect(store.getState().reviewChecked.size).toBe(2);
  });

  it('undo puts the cursor on the reverted clip', async () => {
    const { actions, store } = setup({
      'review.list': five,
      'review.undo': () => ({ items: [itemFor(4)] }),
    });
    await actions.review.loadReview(SESSION);
    expect(await undoReview(store, actions)).toBe(true);
    expect(store.getState().reviewCursor).toBe(id(4));
  });
});

describe('events', () => {
  it('review.ready shows a notice and a system notification when the setting is on', async () => {
    const n = fakeNotifier('granted');
    const { store, emit } = setup({}, n.notifier);
    emit('review.ready', { sessionId: SESSION, clipIds: [id(1), id(2)], pending: 5 });
    expect(store.getState().notices.at(-1)?.messageKey).toBe('review.readyNotice');
    expect(store.getState().notices.at(-1)?.params).toMatchObject({ count: '2', pending: '5' });
    expect(n.shown).toEqual([
      {
        title: 'LiveSlice: 2 clip(s) ready for review',
        body: '“Flash sale”: 5 waiting for a decision.',
      },
    ]);
  });

  it('without permission only the in-app notice shows; with the setting off nothing', async () => {
    const denied = fakeNotifier('denied');
    const a = setup({}, denied.notifier);
    a.emit('review.ready', { sessionId: SESSION, clipIds: [id(1)], pending: 1 });
    expect(a.store.getState().notices).toHaveLength(1);
    expect(denied.shown).toEqual([]);

    const granted = fakeNotifier('granted');
    const b = setup({}, granted.notifier);
    b.store.getState().setSettings({ ...settings, 'review.notify': false });
    b.emit('review.ready', { sessionId: SESSION, clipIds: [id(1)], pending: 1 });
    expect(b.store.getState().notices).toEqual([]);
    expect(granted.shown).toEqual([]);
  });

  it('publications, clips and pulses reach the state', async () => {
    const { actions, store, emit } = setup({ 'review.list': () => ({ items: [itemFor(1)] }) });
    await actions.review.loadReview(SESSION);
    emit('publish.upserted', {
      clipId: id(1),
      targetId: 'folder-1',
      targetName: 'Desk',
      kind: 'folder',
      state: 'uploading',
      progress: 0.4,
      url: null,
      error: null,
      bytes: null,
      updatedAt: 10_000,
    });
    expect(findItem(store.getState().review, id(1))?.publications[0]?.progress).toBe(0.4);
    const clip = findItem(store.getState().review, id(1))!.clip;
    emit('clip.upserted', { ...clip, encoder: 'h264_nvenc', updatedAt: clip.updatedAt + 1 });
    expect(findItem(store.getState().review, id(1))?.clip.encoder).toBe('h264_nvenc');
    emit('monitor.sample', {
      at: 1000,
      queues: { render: { queued: 2, running: 1 } },
      ready: 1,
      published: 0,
    });
    emit('monitor.sample', { at: 2000, queues: {}, ready: 0, published: 1 });
    expect(store.getState().monitorSamples.map((s) => s.at)).toEqual([1000, 2000]);
  });

  it('the cursor, the ticks and an open dialog follow a re-render to the new clip', async () => {
    const { actions, store, emit } = setup({
      'review.list': () => ({ items: [itemFor(1), itemFor(2)] }),
    });
    await actions.review.loadReview(SESSION);
    store.getState().setReviewCursor(id(1));
    store.getState().setReviewChecked(new Set([id(1), id(2)]));
    store.getState().setReviewDialog({ kind: 'captions', clipId: id(1) });
    const rerender = itemFor(1, {}, { id: `${id(1)}-r2`, createdAt: 9000, updatedAt: 9000 });
    emit('review.upserted', rerender);
    const s = store.getState();
    expect(s.review[SESSION]?.order).toEqual([`${id(1)}-r2`, id(2)]);
    expect(s.reviewCursor).toBe(`${id(1)}-r2`);
    expect([...s.reviewChecked].sort()).toEqual([`${id(1)}-r2`, id(2)]);
    expect(s.reviewDialog).toEqual({ kind: 'captions', clipId: `${id(1)}-r2` });
    // An ordinary event leaves them alone.
    const ticks = s.reviewChecked;
    emit('review.upserted', itemFor(2, { quality: 0.9 }));
    expect(store.getState().reviewChecked).toBe(ticks);
    expect(store.getState().reviewCursor).toBe(`${id(1)}-r2`);
  });

  it('a saved prompt shows on the queue item at once', async () => {
    const item = itemFor(1);
    const prompt = {
      highlightId: item.highlight.id,
      templateId: 'default-en',
      templateVersion: 1,
      custom: 'Buy ${product}',
      text: 'Buy Blender',
      titleCustom: null,
      title: 'Blender',
      values: { product: 'Blender' },
      action: '',
      styling: {},
      productIndex: 0,
      updatedAt: 50,
    };
    const { actions, store } = setup({
      'review.list': () => ({ items: [item] }),
      'prompts.set': () => ({ prompt, clip: null }),
    });
    await actions.review.loadReview(SESSION);
    const r = await actions.review.savePrompt({
      highlightId: item.highlight.id,
      custom: 'Buy ${product}',
    });
    expect(r.ok).toBe(true);
    expect(store.getState().prompts[item.highlight.id]?.text).toBe('Buy Blender');
    expect(findItem(store.getState().review, id(1))?.prompt?.text).toBe('Buy Blender');
  });
});
