import { describe, expect, it } from 'vitest';
import {
  ApiError,
  AUTH_CHECK_PATH,
  MEDIA_COOKIE,
  type Session,
  SETTING_DEFAULTS,
  type Settings,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
  type WsClientMessage,
} from '../contract';
import { backoffDelay } from './backoff';
import { hashWithoutToken, mediaCookie, takeToken, tokenFromHash } from './token';
import type { ConnectionState } from './types';
import { createWsClient, type FetchLike, type Timers, type WebSocketLike, wsUrl } from './wsClient';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

class FakeSocket implements WebSocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: WsClientMessage[] = [];
  closedByClient = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as WsClientMessage);
  }
  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }
  // ---- test controls ----
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
  }
  calls(): Array<Extract<WsClientMessage, { type: 'call' }>> {
    return this.sent.flatMap((m) => (m.type === 'call' ? [m] : []));
  }
}

class ManualTimers implements Timers {
  queue: Array<{ fn: () => void; ms: number; handle: number }> = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const handle = this.next++;
    this.queue.push({ fn, ms, handle });
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((t) => t.handle !== handle);
  }
  runNext(): number {
    const t = this.queue.shift();
    if (!t) throw new Error('no timer scheduled');
    t.fn();
    return t.ms;
  }
}

/** Lets the client's awaited fetch continue. */
const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(opts: { status?: number | (() => number); token?: string | null } = {}) {
  FakeSocket.instances = [];
  const fetches: Array<{ url: string; auth: string | undefined }> = [];
  const cookies: string[] = [];
  const states: ConnectionState[] = [];
  const timers = new ManualTimers();
  const fetch: FetchLike = async (url, init) => {
    fetches.push({ url, auth: init.headers['Authorization'] });
    const status = opts.status ?? 204;
    return { status: typeof status === 'function' ? status() : status };
  };
  const client = createWsClient({
    token: opts.token === undefined ? TOKEN : opts.token,
    location: { protocol: 'http:', host: '127.0.0.1:4321' },
    WebSocket: FakeSocket,
    fetch,
    setCookie: (c) => cookies.push(c),
    timers,
    log: { warn: () => undefined, error: () => undefined },
  });
  client.onStateChange((s) => states.push(s));
  const socket = (): FakeSocket => {
    const s = FakeSocket.instances.at(-1);
    if (!s) throw new Error('no socket was opened');
    return s;
  };
  return { client, fetches, cookies, states, timers, socket };
}

async function connected(opts: Parameters<typeof setup>[0] = {}) {
  const env = setup(opts);
  env.client.start();
  await flush();
  env.socket().open();
  return env;
}

const settings: Settings = {
  ...SETTING_DEFAULTS,
  'ui.language': 'en',
  'ui.theme': 'dark',
  'ffmpeg.path': null,
};
const session: Session = {
  id: 'sess_0001abcd',
  title: 'Friday sale',
  source: { kind: 'none', uri: null },
  status: 'idle',
  createdAt: 1,
  updatedAt: 2,
  endedAt: null,
};

describe('WebSocket client: connecting', () => {
  it('checks the token, sets the media cookie, then opens the socket with both subprotocols', async () => {
    const { client, fetches, cookies, states, socket } = setup();
    expect(client.transport).toBe('websocket');
    client.start();
    await flush();
    expect(fetches).toEqual([{ url: AUTH_CHECK_PATH, auth: `Bearer ${TOKEN}` }]);
    expect(cookies).toEqual([`${MEDIA_COOKIE}=${TOKEN}; Path=/media; SameSite=Strict`]);
    expect(socket().url).toBe('ws://127.0.0.1:4321/api/ws');
    expect(socket().protocols).toEqual([WS_PROTOCOL, WS_TOKEN_PREFIX + TOKEN]);
    expect(client.getState()).toBe('connecting');
    socket().open();
    expect(client.getState()).toBe('connected');
    expect(states).toEqual(['connected']);
  });

  it('401 from the auth check → unauthorized, no socket, no retry', async () => {
    const { client, timers, cookies } = setup({ status: 401 });
    client.start();
    await flush();
    expect(client.getState()).toBe('unauthorized');
    expect(FakeSocket.instances).toHaveLength(0);
    expect(cookies).toEqual([]);
    expect(timers.queue).toHaveLength(0);
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('no token at all → unauthorized without asking the server', async () => {
    const { client, fetches } = setup({ token: null });
    client.start();
    await flush();
    expect(client.getState()).toBe('unauthorized');
    expect(fetches).toHaveLength(0);
  });

  it('a server that cannot be reached → disconnected and a retry is scheduled', async () => {
    const { client, timers } = setup({ status: 503 });
    client.start();
    await flush();
    expect(client.getState()).toBe('disconnected');
    expect(timers.queue.map((t) => t.ms)).toEqual([500]);
  });

  it('uses wss on https pages', () => {
    expect(wsUrl({ protocol: 'https:', host: 'example.test:8443' })).toBe(
      'wss://example.test:8443/api/ws',
    );
  });
});

describe('WebSocket client: calls', () => {
  it('a call resolves with the validated value', async () => {
    const { client, socket } = await connected();
    const pending = client.call('settings.get', {});
    const [msg] = socket().calls();
    expect(msg).toMatchObject({ type: 'call', method: 'settings.get', input: {} });
    socket().receive({ type: 'result', id: msg?.id, result: { ok: true, value: settings } });
    await expect(pending).resolves.toEqual(settings);
  });

  it('concurrent calls are matched to their results by id', async () => {
    const { client, socket } = await connected();
    const a = client.call('settings.get', {});
    const b = client.call('sessions.list', {});
    const [ca, cb] = socket().calls();
    expect(ca?.id).not.toBe(cb?.id);
    socket().receive({ type: 'result', id: cb?.id, result: { ok: true, value: [session] } });
    socket().receive({ type: 'result', id: ca?.id, result: { ok: true, value: settings } });
    await expect(b).resolves.toEqual([session]);
    await expect(a).resolves.toEqual(settings);
  });

  it('an error result rejects with an ApiError carrying the code and message', async () => {
    const { client, socket } = await connected();
    const pending = client.call('sessions.create', { title: '' });
    const id = socket().calls()[0]?.id;
    socket().receive({
      type: 'result',
      id,
      result: { ok: false, error: { code: 'bad_request', message: 'title: cannot be empty' } },
    });
    const err: unknown = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'bad_request', message: 'title: cannot be empty' });
  });

  it('a result outside the contract rejects as internal', async () => {
    const { client, socket } = await connected();
    const pending = client.call('settings.get', {});
    const id = socket().calls()[0]?.id;
    socket().receive({ type: 'result', id, result: { ok: true, value: { 'ui.theme': 'pink' } } });
    await expect(pending).rejects.toMatchObject({ code: 'internal' });
  });

  it('closing the socket rejects pending calls with unavailable, then reconnects', async () => {
    const { client, socket, timers, states } = await connected();
    const first = socket();
    const a = client.call('app.info', {});
    const b = client.call('settings.get', {});
    first.drop();
    await expect(a).rejects.toMatchObject({ name: 'ApiError', code: 'unavailable' });
    await expect(b).rejects.toMatchObject({ code: 'unavailable' });
    expect(client.getState()).toBe('disconnected');
    expect(timers.runNext()).toBe(500);
    await flush();
    socket().open();
    expect(socket()).not.toBe(first);
    expect(states).toEqual(['connected', 'disconnected', 'connecting', 'connected']);
    // A late result for a call of the old socket is ignored, new calls work.
    const c = client.call('settings.get', {});
    socket().receive({
      type: 'result',
      id: socket().calls()[0]?.id,
      result: { ok: true, value: settings },
    });
    await expect(c).resolves.toEqual(settings);
  });

  it('a call while disconnected rejects at once instead of hanging', async () => {
    const { client, socket } = await connected();
    socket().drop();
    await expect(client.call('app.info', {})).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('WebSocket client: reconnect backoff', () => {
  it('backs off while the server is down, recovers, and the next drop starts at 0.5 s again', async () => {
    let status = 503;
    const { client, socket, timers } = setup({ status: () => status });
    client.start();
    await flush();
    const delays: number[] = [];
    for (let i = 0; i < 7; i++) {
      delays.push(timers.runNext());
      await flush();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
    status = 204;
    timers.runNext();
    await flush();
    socket().open();
    expect(client.getState()).toBe('connected');
    socket().drop();
    expect(timers.queue.map((t) => t.ms)).toEqual([500]);
  });

  it('a restarted host with a new token → unauthorized on reconnect', async () => {
    let status = 204;
    const { client, socket, timers } = setup({ status: () => status });
    client.start();
    await flush();
    socket().open();
    status = 401;
    socket().drop();
    timers.runNext();
    await flush();
    expect(client.getState()).toBe('unauthorized');
    expect(timers.queue).toHaveLength(0);
  });

  it('dispose stops reconnecting and closes the socket', async () => {
    const { client, socket, timers } = await connected();
    const s = socket();
    const pending = client.call('app.info', {});
    client.dispose();
    expect(s.closedByClient).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    expect(timers.queue).toHaveLength(0);
  });

  it('backoffDelay table', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, -1].map(backoffDelay)).toEqual([
      500, 1000, 2000, 4000, 8000, 10000, 10000, 10000, 500,
    ]);
  });
});

describe('WebSocket client: events', () => {
  it('an event reaches its subscriber, and unsubscribe stops it', async () => {
    const { client, socket } = await connected();
    const got: Session[] = [];
    const unsubscribe = client.subscribe('session.upserted', (s) => got.push(s));
    expect(socket().sent).toContainEqual({ type: 'subscribe', event: 'session.upserted' });
    socket().receive({ type: 'event', event: 'session.upserted', payload: session });
    expect(got).toEqual([session]);
    unsubscribe();
    expect(socket().sent).toContainEqual({ type: 'unsubscribe', event: 'session.upserted' });
    socket().receive({
      type: 'event',
      event: 'session.upserted',
      payload: { ...session, title: 'x' },
    });
    expect(got).toEqual([session]);
  });

  it('subscribes on the server once per event, unsubscribes when the last listener goes', async () => {
    const { client, socket } = await connected();
    const count = (type: string) =>
      socket().sent.filter((m) => m.type === type && 'event' in m && m.event === 'settings.changed')
        .length;
    const a: Settings[] = [];
    const b: Settings[] = [];
    const offA = client.subscribe('settings.changed', (s) => a.push(s));
    const offB = client.subscribe('settings.changed', (s) => b.push(s));
    expect(count('subscribe')).toBe(1);
    socket().receive({ type: 'event', event: 'settings.changed', payload: settings });
    expect([a.length, b.length]).toEqual([1, 1]);
    offA();
    offA();
    expect(count('unsubscribe')).toBe(0);
    offB();
    expect(count('unsubscribe')).toBe(1);
  });

  it('listeners added before connecting are subscribed on open, and again after a reconnect', async () => {
    const { client, socket, timers } = setup();
    const got: Settings[] = [];
    client.subscribe('settings.changed', (s) => got.push(s));
    client.start();
    await flush();
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', event: 'settings.changed' }]);
    socket().drop();
    timers.runNext();
    await flush();
    socket().open();
    expect(socket().sent).toEqual([{ type: 'subscribe', event: 'settings.changed' }]);
    socket().receive({ type: 'event', event: 'settings.changed', payload: settings });
    expect(got).toEqual([settings]);
  });

  it('drops an event whose payload is outside the contract', async () => {
    const { client, socket } = await connected();
    const got: unknown[] = [];
    client.subscribe('session.upserted', (s) => got.push(s));
    socket().receive({ type: 'event', event: 'session.upserted', payload: { id: 'x' } });
    socket().receive('not an object');
    expect(got).toEqual([]);
  });

  it('a throwing listener does not stop the others', async () => {
    const { client, socket } = await connected();
    const got: Settings[] = [];
    client.subscribe('settings.changed', () => {
      throw new Error('listener bug');
    });
    client.subscribe('settings.changed', (s) => got.push(s));
    socket().receive({ type: 'event', event: 'settings.changed', payload: settings });
    expect(got).toEqual([settings]);
  });
});

describe('access token', () => {
  it.each([
    ['#token=' + TOKEN, TOKEN],
    ['token=' + TOKEN, TOKEN],
    ['#foo=1&token=' + TOKEN, TOKEN],
    ['#token=short', null],
    ['#token=' + TOKEN + '%22%3E', null],
    ['', null],
    ['#', null],
  ])('tokenFromHash(%j) → %j', (hash, expected) => {
    expect(tokenFromHash(hash)).toBe(expected);
  });

  it('hashWithoutToken keeps other parameters', () => {
    expect(hashWithoutToken('#token=' + TOKEN)).toBe('');
    expect(hashWithoutToken('#foo=1&token=' + TOKEN)).toBe('#foo=1');
  });

  it('takes the token from the hash, stores it and strips it from the address bar', () => {
    const stored = new Map<string, string>();
    const replaced: string[] = [];
    const token = takeToken({
      location: { hash: '#token=' + TOKEN, pathname: '/', search: '?x=1' },
      history: { replaceState: (_d, _u, url) => replaced.push(String(url)) },
      storage: { getItem: (k) => stored.get(k) ?? null, setItem: (k, v) => stored.set(k, v) },
    });
    expect(token).toBe(TOKEN);
    expect(stored.get('liveslice.token')).toBe(TOKEN);
    expect(replaced).toEqual(['/?x=1']);
  });

  it('falls back to sessionStorage on reload, without touching history', () => {
    const replaced: string[] = [];
    const token = takeToken({
      location: { hash: '', pathname: '/', search: '' },
      history: { replaceState: (_d, _u, url) => replaced.push(String(url)) },
      storage: { getItem: () => TOKEN, setItem: () => undefined },
    });
    expect(token).toBe(TOKEN);
    expect(replaced).toEqual([]);
  });

  it('the media cookie is scoped to /media and SameSite=Strict', () => {
    expect(mediaCookie(TOKEN)).toBe(`liveslice_token=${TOKEN}; Path=/media; SameSite=Strict`);
  });
});
