import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, eventChannel, METHOD_NAMES, methodChannel } from '../src-main/api/contract';
import { createBridge, type IpcRendererLike } from './bridge';

function fakeIpc() {
  const invoked: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const ipc = {
    invoke: (channel: string, ...args: unknown[]) => {
      invoked.push([channel, args[0]]);
      return Promise.resolve({ ok: true, value: channel });
    },
    on: (channel: string, l: (...a: unknown[]) => void) => {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(l);
      return ipc;
    },
    removeListener: (channel: string, l: (...a: unknown[]) => void) => {
      listeners.get(channel)?.delete(l);
      return ipc;
    },
  };
  const emit = (channel: string, payload: unknown) =>
    [...(listeners.get(channel) ?? [])].forEach((l) => l({}, payload));
  return { ipc: ipc as unknown as IpcRendererLike, invoked, listeners, emit };
}

describe('preload bridge', () => {
  it('exposes exactly the contract: one function per method and per event, nothing generic', () => {
    const bridge = createBridge(fakeIpc().ipc);
    expect(Object.keys(bridge).sort()).toEqual(['events', 'methods', 'transport']);
    expect(Object.keys(bridge.methods).sort()).toEqual([...METHOD_NAMES].sort());
    expect(Object.keys(bridge.events).sort()).toEqual([...EVENT_NAMES].sort());
    expect(Object.isFrozen(bridge.methods)).toBe(true);
    expect('send' in bridge || 'invoke' in bridge || 'on' in bridge).toBe(false);
  });

  it('calls each method on its own fixed channel with one argument', async () => {
    const f = fakeIpc();
    const bridge = createBridge(f.ipc);
    const result = await bridge.methods['sessions.create']({ title: 'x' });
    expect(f.invoked).toEqual([[methodChannel('sessions.create'), { title: 'x' }]]);
    expect(result).toEqual({ ok: true, value: methodChannel('sessions.create') });
  });

  it('delivers events to a subscriber until it unsubscribes', () => {
    const f = fakeIpc();
    const bridge = createBridge(f.ipc);
    const got: unknown[] = [];
    const off = bridge.events['session.upserted']((p) => got.push(p));
    f.emit(eventChannel('session.upserted'), { id: 1 });
    f.emit(eventChannel('settings.changed'), { other: true });
    off();
    f.emit(eventChannel('session.upserted'), { id: 2 });
    expect(got).toEqual([{ id: 1 }]);
    expect(f.listeners.get(eventChannel('session.upserted'))?.size).toBe(0);
  });

  it('rejects a non-function listener', () => {
    const bridge = createBridge(fakeIpc().ipc);
    expect(() => bridge.events['settings.changed']('nope' as never)).toThrow(TypeError);
  });
});
