import { describe, expect, it } from 'vitest';
import { ApiError, SETTING_DEFAULTS, type Generation, type GenerationStatus } from '../contract';
import { generationFor, statusFor } from '../generate/fixtures';
import { deferred, fakeClient, settle, type Replies } from '../testing/fakeClient';
import { connectGeneration } from './generationEngine';
import { generationsOf } from './generations';
import { createAppStore } from './store';

const S = 'sess_gen00001';
const H = `${S}-h1`;
const gen = (n: number, over: Partial<Generation> = {}) => generationFor(`${H}-g${n}`, S, over);

function setup(replies: Replies) {
  const fake = fakeClient(replies, 'connected');
  const store = createAppStore({
    transport: 'websocket',
    connection: 'connected',
    systemLanguages: ['en'],
  });
  const actions = connectGeneration(fake.client, store);
  return { ...fake, store, actions, state: () => store.getState() };
}

describe('the generations list', () => {
  it('loads a session, then generation.upserted keeps it live (steps, then done)', async () => {
    const t = setup({ 'generate.list': () => ({ generations: [gen(1, { state: 'done' })] }) });
    await t.actions.loadGenerations(S);
    expect(t.inputs('generate.list')).toEqual([{ sessionId: S }]);
    expect(generationsOf(t.state().generations, S).map((g) => g.id)).toEqual([`${H}-g1`]);

    t.emit('generation.upserted', gen(2, { createdAt: 200, updatedAt: 200 }));
    t.emit(
      'generation.upserted',
      gen(2, {
        state: 'running',
        step: 7,
        progress: 0.2,
        etaS: 90,
        createdAt: 200,
        updatedAt: 300,
      }),
    );
    const [newest] = generationsOf(t.state().generations, S);
    expect(newest?.id).toBe(`${H}-g2`);
    expect(newest?.step).toBe(7);
    expect(newest?.etaS).toBe(90);
  });

  it('concurrent loads share one call; a failure is kept with the reason', async () => {
    const held = deferred<{ generations: Generation[] }>();
    const t = setup({ 'generate.list': () => held.promise });
    const a = t.actions.loadGenerations(S);
    const b = t.actions.loadGenerations(S);
    held.reject(new ApiError('unavailable', 'Video generation is not running'));
    await Promise.all([a, b]);
    expect(t.inputs('generate.list')).toHaveLength(1);
    expect(t.state().generations[S]?.error).toEqual({
      message: 'Video generation is not running',
      code: 'unavailable',
    });
  });
});

describe('start and cancel', () => {
  it('start shows the queued job at once and returns it', async () => {
    const t = setup({
      'generate.list': () => ({ generations: [] }),
      'generate.start': () => gen(1),
    });
    await t.actions.loadGenerations(S);
    const r = await t.actions.start({ highlightId: H, frames: 17, size: '832x480' });
    expect(r.ok).toBe(true);
    expect(t.inputs('generate.start')).toEqual([{ highlightId: H, frames: 17, size: '832x480' }]);
    expect(generationsOf(t.state().generations, S)[0]?.state).toBe('queued');
  });

  it('a refused start is returned (shown in the form), not a notice', async () => {
    const t = setup({
      'generate.start': () => {
        throw new ApiError('bad_request', 'No text-to-video model is installed');
      },
    });
    const r = await t.actions.start({ highlightId: H });
    expect(r).toEqual({
      ok: false,
      message: 'No text-to-video model is installed',
      code: 'bad_request',
    });
    expect(t.state().notices).toEqual([]);
  });

  it('cancel: the cancelled answer replaces the running job; a late step does not revive it', async () => {
    const t = setup({
      'generate.list': () => ({
        generations: [gen(1, { state: 'running', step: 3, updatedAt: 300 })],
      }),
      'generate.cancel': (input) =>
        gen(1, { ...(input as object), state: 'cancelled', updatedAt: 400 }),
    });
    await t.actions.loadGenerations(S);
    const r = await t.actions.cancel(`${H}-g1`);
    expect(r.ok).toBe(true);
    expect(t.inputs('generate.cancel')).toEqual([{ id: `${H}-g1` }]);
    t.emit('generation.upserted', gen(1, { state: 'running', step: 4, updatedAt: 450 }));
    expect(generationsOf(t.state().generations, S)[0]?.state).toBe('cancelled');
  });

  it('a refused cancel becomes a notice naming the action and the reason', async () => {
    const t = setup({
      'generate.cancel': () => {
        throw new ApiError('not_found', 'No generation sess_gen00001-h1-g9');
      },
    });
    const r = await t.actions.cancel(`${H}-g9`);
    expect(r.ok).toBe(false);
    expect(t.state().notices).toHaveLength(1);
    expect(t.state().notices[0]).toMatchObject({
      kind: 'error',
      action: 'action.cancelGeneration',
      message: 'No generation sess_gen00001-h1-g9',
      code: 'not_found',
    });
  });
});

describe("the worker's status", () => {
  it('is read on demand; a failure is kept, a later answer clears it', async () => {
    let fail = true;
    const t = setup({
      'generate.status': () => {
        if (fail) throw new ApiError('unavailable', 'The generation worker did not start');
        return statusFor({ state: 'ready', provider: 'cuda', coldStartMs: 2100 });
      },
    });
    await t.actions.loadStatus();
    expect(t.state().generationStatus).toBeNull();
    expect(t.state().generationStatusError?.message).toBe('The generation worker did not start');
    fail = false;
    await t.actions.loadStatus();
    expect(t.state().generationStatus?.worker.provider).toBe('cuda');
    expect(t.state().generationStatusError).toBeNull();
  });

  it('is read again when a job changes stage, not on every step', async () => {
    const t = setup({
      'generate.list': () => ({ generations: [] }),
      'generate.status': () => statusFor(),
    });
    await t.actions.loadGenerations(S);
    await t.actions.loadStatus();
    const before = t.inputs('generate.status').length;
    t.emit('generation.upserted', gen(1, { state: 'running', step: 1, updatedAt: 200 }));
    await settle();
    expect(t.inputs('generate.status')).toHaveLength(before + 1);
    t.emit('generation.upserted', gen(1, { state: 'running', step: 2, updatedAt: 300 }));
    t.emit('generation.upserted', gen(1, { state: 'running', step: 3, updatedAt: 400 }));
    await settle();
    expect(t.inputs('generate.status')).toHaveLength(before + 1);
    t.emit('generation.upserted', gen(1, { state: 'done', updatedAt: 500 }));
    await settle();
    expect(t.inputs('generate.status')).toHaveLength(before + 2);
  });

  it('calls made while one is on its way run once more after it, not once each', async () => {
    const answers: Array<ReturnType<typeof deferred<GenerationStatus>>> = [];
    const t = setup({
      'generate.status': () => {
        const d = deferred<GenerationStatus>();
        answers.push(d);
        return d.promise;
      },
    });
    const first = t.actions.loadStatus();
    void t.actions.loadStatus();
    void t.actions.loadStatus();
    expect(answers).toHaveLength(1);
    answers[0]?.resolve(statusFor({ state: 'loading' }));
    await settle();
    expect(answers).toHaveLength(2);
    answers[1]?.resolve(statusFor({ state: 'ready', model: 'tiny-t2v' }));
    await first;
    expect(answers).toHaveLength(2);
    expect(t.state().generationStatus?.worker.state).toBe('ready');
  });

  it('is read again when a generate.* setting changes, not for other settings', async () => {
    const t = setup({ 'generate.status': () => statusFor() });
    await t.actions.loadStatus();
    t.emit('settings.changed', SETTING_DEFAULTS);
    await settle();
    const before = t.inputs('generate.status').length;
    t.emit('settings.changed', { ...SETTING_DEFAULTS, 'ui.theme': 'dark' });
    await settle();
    expect(t.inputs('generate.status')).toHaveLength(before);
    t.emit('settings.changed', { ...SETTING_DEFAULTS, 'generate.idleUnloadS': 60 });
    await settle();
    expect(t.inputs('generate.status')).toHaveLength(before + 1);
  });

  it('detach stops listening', async () => {
    const t = setup({ 'generate.list': () => ({ generations: [] }) });
    await t.actions.loadGenerations(S);
    t.actions.detach();
    t.emit('generation.upserted', gen(1));
    expect(generationsOf(t.state().generations, S)).toEqual([]);
  });
});
