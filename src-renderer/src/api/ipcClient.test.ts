import { describe, expect, it } from 'vitest';
import {
  ApiError,
  EVENT_NAMES,
  METHOD_NAMES,
  type PreloadBridge,
  SETTING_DEFAULTS,
  type Settings,
} from '../contract';
import { createIpcClient } from './ipcClient';

const settings: Settings = {
  ...SETTING_DEFAULTS,
  'ui.language': 'zh-CN',
  'ui.theme': 'system',
  'ffmpeg.path': null,
};

function fakeBridge(reply: (method: string, input: unknown) => Promise<unknown>) {
  const inputs: Array<[string, unknown]> = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const method =
    (name: string) =>
    (input: unknown): Promise<never> => {
      inputs.push([name, input]);
      return reply(name, input) as Promise<never>;
    };
  const event = (name: string) => (l: (p: unknown) => void) => {
    const set = listeners.get(name) ?? new Set();
    listeners.set(name, set);
    set.add(l);
    return () => set.delete(l);
  };
  const bridge: PreloadBridge = {
    transport: 'electron',
    // Every method and event of the contract, so a new one never breaks this fake.
    methods: Object.fromEntries(
      METHOD_NAMES.map((name) => [name, method(name)]),
    ) as unknown as PreloadBridge['methods'],
    events: Object.fromEntries(
      EVENT_NAMES.map((name) => [name, event(name)]),
    ) as unknown as PreloadBridge['events'],
  };
  const emit = (name: string, payload: unknown) => {
    for (const l of listeners.get(name) ?? []) l(payload);
  };
  return { bridge, inputs, emit };
}

describe('IPC client', () => {
  it('unwraps an ok envelope and passes the input through', async () => {
    const { bridge, inputs } = fakeBridge(async () => ({ ok: true, value: settings }));
    const client = createIpcClient(bridge);
    expect(client.transport).toBe('electron');
    expect(client.getState()).toBe('connected');
    await expect(client.call('settings.get', {})).resolves.toEqual(settings);
    expect(inputs).toEqual([['settings.get', {}]]);
  });

  it('throws ApiError with the engine code on an error envelope', async () => {
    const { bridge } = fakeBridge(async () => ({
      ok: false,
      error: { code: 'not_found', message: 'no session abc' },
    }));
    const err: unknown = await createIpcClient(bridge)
      .call('sessions.get', { id: 'abcdefgh' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'not_found', message: 'no session abc' });
  });

  it('a rejected IPC invoke becomes unavailable, a malformed reply internal', async () => {
    const down = fakeBridge(async () => {
      throw new Error('IPC channel closed');
    });
    await expect(createIpcClient(down.bridge).call('app.info', {})).rejects.toMatchObject({
      code: 'unavailable',
    });
    const odd = fakeBridge(async () => 'hello');
    await expect(createIpcClient(odd.bridge).call('app.info', {})).rejects.toMatchObject({
      code: 'internal',
    });
  });

  it('forwards valid events, drops invalid ones, and unsubscribes', () => {
    const { bridge, emit } = fakeBridge(async () => ({ ok: true, value: null }));
    const client = createIpcClient(bridge, { warn: () => undefined });
    const got: Settings[] = [];
    const off = client.subscribe('settings.changed', (s) => got.push(s));
    emit('settings.changed', settings);
    emit('settings.changed', { 'ui.language': 'klingon' });
    off();
    emit('settings.changed', settings);
    expect(got).toEqual([settings]);
  });
});
