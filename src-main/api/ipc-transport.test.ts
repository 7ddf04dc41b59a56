import { describe, expect, it, vi } from 'vitest';
import { eventChannel, METHOD_NAMES, methodChannel } from './contract';
import type { Handlers } from './dispatch';
import { createEventBus } from './events';
import {
  forwardEventsToWindows,
  type IpcMainLike,
  type IpcSenderEvent,
  registerIpcApi,
} from './ipc-transport';

const session = {
  id: 'sabcdefgh12',
  title: 'Live',
  source: { kind: 'none' as const, uri: null },
  status: 'idle' as const,
  createdAt: 1,
  updatedAt: 1,
  endedAt: null,
};

function fakeHandlers(): Handlers {
  const notUsed = () => {
    throw new Error('not used in this test');
  };
  const all = Object.fromEntries(METHOD_NAMES.map((m) => [m, notUsed])) as unknown as Handlers;
  return {
    ...all,
    'sessions.list': () => [session],
    'sessions.create': ({ title }) => ({ ...session, title }),
  };
}

function fakeIpcMain() {
  const handlers = new Map<string, (event: IpcSenderEvent, ...args: unknown[]) => unknown>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipcMain, handlers };
}

const TRUSTED_ID = 7;
const trusted: IpcSenderEvent = {
  sender: { id: TRUSTED_ID },
  senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null },
};
const isTrustedSender = (e: IpcSenderEvent) =>
  e.sender.id === TRUSTED_ID && e.senderFrame?.parent === null;
const logger = { warn: vi.fn(), error: vi.fn() };

describe('IPC transport', () => {
  it('registers one handler per contract method, on its fixed channel', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const unregister = registerIpcApi({
      ipcMain,
      handlers: fakeHandlers(),
      isTrustedSender,
      logger,
    });
    expect([...handlers.keys()].sort()).toEqual(METHOD_NAMES.map(methodChannel).sort());
    unregister();
    expect(handlers.size).toBe(0);
  });

  it('dispatches a trusted call through the handler map with validation', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    registerIpcApi({ ipcMain, handlers: fakeHandlers(), isTrustedSender, logger });
    const create = handlers.get(methodChannel('sessions.create'))!;
    expect(await create(trusted, { title: '  最后三分钟  ' })).toMatchObject({
      ok: true,
      value: { title: '最后三分钟' },
    });
    const bad = (await create(trusted, { title: '' })) as { ok: boolean; error: { code: string } };
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const extra = await create(trusted, { title: 'x', evil: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const twoArgs = await create(trusted, { title: 'x' }, 'second');
    expect(twoArgs).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it.each([
    ['an unknown window', { sender: { id: 99 }, senderFrame: trusted.senderFrame }],
    [
      'a subframe of our window',
      { sender: { id: TRUSTED_ID }, senderFrame: { url: 'https://evil.example/', parent: {} } },
    ],
    ['a frame that is gone', { sender: { id: TRUSTED_ID }, senderFrame: null }],
  ])('refuses a call from %s without running the handler', async (_name, event) => {
    const { ipcMain, handlers } = fakeIpcMain();
    const h = fakeHandlers();
    const spy = vi.spyOn(h, 'sessions.list');
    registerIpcApi({ ipcMain, handlers: h, isTrustedSender, logger });
    const result = await handlers.get(methodChannel('sessions.list'))!(event as IpcSenderEvent, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(spy).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      'refused an IPC call from an untrusted sender',
      expect.objectContaining({ method: 'sessions.list' }),
    );
  });

  it('gives handlers a startDrag on the calling window (with the icon), none without an icon', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const seen: Array<((file: string) => void) | undefined> = [];
    const h: Handlers = {
      ...fakeHandlers(),
      'clips.drag': (_input, ctx) => {
        seen.push(ctx.startDrag);
        ctx.startDrag?.('/data/sessions/s/clips/a.mp4');
        return {};
      },
    };
    registerIpcApi({ ipcMain, handlers: h, isTrustedSender, logger, dragIcon: '/icon.png' });
    const startDrag = vi.fn();
    const event: IpcSenderEvent = { ...trusted, sender: { id: TRUSTED_ID, startDrag } };
    const drag = handlers.get(methodChannel('clips.drag'))!;
    expect(await drag(event, { id: 'sabcdefgh12-h1' })).toEqual({ ok: true, value: {} });
    expect(startDrag).toHaveBeenCalledWith({
      file: '/data/sessions/s/clips/a.mp4',
      icon: '/icon.png',
    });
    // Another window's call drags from that window, never from the first one.
    const other = vi.fn();
    await drag({ ...trusted, sender: { id: TRUSTED_ID, startDrag: other } }, { id: 'x' });
    expect(other).toHaveBeenCalledTimes(1);
    expect(startDrag).toHaveBeenCalledTimes(1);

    const { ipcMain: ipc2, handlers: handlers2 } = fakeIpcMain();
    registerIpcApi({ ipcMain: ipc2, handlers: h, isTrustedSender, logger });
    await handlers2.get(methodChannel('clips.drag'))!(event, { id: 'x' });
    expect(seen.at(-1)).toBeUndefined();
  });

  it('forwards engine events to live windows only', () => {
    const bus = createEventBus();
    const live = { isDestroyed: () => false, send: vi.fn() };
    const dead = { isDestroyed: () => true, send: vi.fn() };
    const off = forwardEventsToWindows(bus, () => [live, dead]);
    bus.emit('session.upserted', session);
    off();
    bus.emit('session.upserted', session);
    expect(live.send).toHaveBeenCalledTimes(1);
    expect(live.send).toHaveBeenCalledWith(eventChannel('session.upserted'), session);
    expect(dead.send).not.toHaveBeenCalled();
  });
});
