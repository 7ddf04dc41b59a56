/** The contract over the real WebSocket transport and the host's HTTP surface, on 127.0.0.1. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WS_PATH, WS_PROTOCOL, WS_TOKEN_PREFIX, type WsServerMessage } from '../api/contract';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { RENDERER_CSP_HEADER } from '../security/csp';
import { type Host, HostError, startHost } from './server';

let root: string;
let engine: Engine;
let host: Host;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liveslice-host-'));
  const rendererDir = join(root, 'renderer');
  const dataDir = join(root, 'data');
  mkdirSync(rendererDir);
  mkdirSync(join(dataDir, 'sessions', 's1'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>LiveSlice</title>');
  writeFileSync(join(rendererDir, 'app.js'), 'console.log(1)');
  writeFileSync(join(root, 'secret.txt'), 'TOP-SECRET-CONTENT');
  writeFileSync(join(dataDir, 'sessions', 's1', 'seg.ts'), Buffer.from('0123456789'));
  symlinkSync(join(root, 'secret.txt'), join(rendererDir, 'leak.txt'));
  engine = createEngine({
    dataDir,
    logger: createLogger({ dir: null, console: false }),
    transport: 'websocket',
  });
  host = await startHost({ engine, rendererDir, port: 0 });
});

afterAll(async () => {
  await host?.close();
  await engine?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Conn {
  ws: WebSocket;
  next(pred: (m: WsServerMessage) => boolean): Promise<WsServerMessage>;
  call(method: string, input: unknown): Promise<WsServerMessage>;
}

let nextId = 1;
function connect(token = host.token, headers: Record<string, string> = {}): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${host.port}${WS_PATH}`,
      [WS_PROTOCOL, WS_TOKEN_PREFIX + token],
      {
        headers,
      },
    );
    const inbox: WsServerMessage[] = [];
    const waiters: Array<{
      pred: (m: WsServerMessage) => boolean;
      resolve: (m: WsServerMessage) => void;
    }> = [];
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as WsServerMessage;
      const w = waiters.findIndex((x) => x.pred(msg));
      if (w >= 0) waiters.splice(w, 1)[0]!.resolve(msg);
      else inbox.push(msg);
    });
    const next = (pred: (m: WsServerMessage) => boolean) =>
      new Promise<WsServerMessage>((res) => {
        const i = inbox.findIndex(pred);
        if (i >= 0) res(inbox.splice(i, 1)[0]!);
        else waiters.push({ pred, resolve: res });
      });
    const call = (method: string, input: unknown) => {
      const id = nextId++;
      ws.send(JSON.stringify({ type: 'call', id, method, input }));
      return next((m) => m.type === 'result' && m.id === id);
    };
    ws.once('open', () => resolve({ ws, next, call }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function httpGet(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
    (resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    },
  );
}

describe('the contract over the WebSocket transport', () => {
  it('answers a call', async () => {
    const c = await connect();
    const msg = await c.call('app.info', {});
    expect(msg).toMatchObject({
      type: 'result',
      result: { ok: true, value: { name: 'LiveSlice', transport: 'websocket' } },
    });
    c.ws.close();
  });

  it('delivers a subscribed event, and stops after unsubscribe', async () => {
    const c = await connect();
    c.ws.send(JSON.stringify({ type: 'subscribe', event: 'session.upserted' }));
    const created = await c.call('sessions.create', { title: '全场五折 live' });
    expect(created).toMatchObject({ result: { ok: true } });
    const event = await c.next((m) => m.type === 'event');
    const id = (created as { result: { value: { id: string } } }).result.value.id;
    expect(event).toMatchObject({
      type: 'event',
      event: 'session.upserted',
      payload: { id, title: '全场五折 live' },
    });

    c.ws.send(JSON.stringify({ type: 'unsubscribe', event: 'session.upserted' }));
    await c.call('sessions.create', { title: 'second' });
    // A later call's result arrives after any event the server would have sent for the create.
    const list = await c.call('sessions.list', {});
    expect((list as { result: { value: unknown[] } }).result.value).toHaveLength(2);
    const stray = await Promise.race([
      c.next((m) => m.type === 'event').then(() => 'event'),
      new Promise((r) => setImmediate(() => r('none'))),
    ]);
    expect(stray).toBe('none');
    c.ws.close();
  });

  it('returns validation errors as data and keeps the connection', async () => {
    const c = await connect();
    expect(await c.call('sessions.create', { title: '   ' })).toMatchObject({
      result: {
        ok: false,
        error: { code: 'bad_request', message: expect.stringMatching(/title cannot be empty/) },
      },
    });
    expect(await c.call('sessions.get', { id: '../../etc' })).toMatchObject({
      result: { ok: false, error: { code: 'bad_request' } },
    });
    expect(await c.call('sessions.get', { id: 'doesnotexist1' })).toMatchObject({
      result: { ok: false, error: { code: 'not_found' } },
    });
    expect(await c.call('shell.exec', {})).toMatchObject({
      result: { ok: false, error: { code: 'unknown_method' } },
    });
    c.ws.send('{not json');
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      error: { code: 'bad_request', message: 'A message must be JSON' },
    });
    c.ws.send(JSON.stringify({ type: 'subscribe', event: 'everything' }));
    expect(await c.next((m) => m.type === 'error')).toMatchObject({
      error: { message: expect.stringMatching(/Unknown event/) },
    });
    expect(await c.call('app.info', {})).toMatchObject({ result: { ok: true } });
    c.ws.close();
  });

  it.each([
    ['a wrong token', () => connect('0'.repeat(64)), 'HTTP 401'],
    [
      'a token of the right length but wrong',
      () => connect(host.token.replace(/.$/, (d) => (d === 'a' ? 'b' : 'a'))),
      'HTTP 401',
    ],
    ['no token', () => connect(''), 'HTTP 401'],
    ['a foreign Origin', () => connect(host.token, { Origin: 'http://evil.example' }), 'HTTP 403'],
    [
      'a rebinding Host header',
      () => connect(host.token, { Host: `evil.example:${host.port}` }),
      'HTTP 421',
    ],
  ])('refuses %s', async (_name, open, expected) => {
    await expect(open()).rejects.toThrow(expected);
  });

  it('accepts the Origin of its own page', async () => {
    const c = await connect(host.token, { Origin: `http://127.0.0.1:${host.port}` });
    expect(await c.call('settings.get', {})).toMatchObject({
      result: { ok: true, value: { 'ui.language': 'system' } },
    });
    c.ws.close();
  });
});

describe('the host over HTTP', () => {
  it('serves the UI with the CSP and security headers', async () => {
    const res = await httpGet('/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>LiveSlice</title>');
    expect(res.headers['content-security-policy']).toBe(RENDERER_CSP_HEADER);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('checks the token at the auth endpoint', async () => {
    expect((await httpGet('/api/auth', { Authorization: `Bearer ${host.token}` })).status).toBe(
      204,
    );
    expect((await httpGet('/api/auth', { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await httpGet('/api/auth')).status).toBe(401);
  });

  it.each([['/../secret.txt'], ['/%2e%2e/secret.txt'], ['/leak.txt'], ['/app.js%00.html']])(
    'does not serve %s from outside the renderer',
    async (path) => {
      const res = await httpGet(path);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.body).not.toContain('TOP-SECRET-CONTENT');
    },
  );

  it('serves session media only with the token, with Range support', async () => {
    expect((await httpGet('/media/sessions/s1/seg.ts')).status).toBe(401);
    const full = await httpGet('/media/sessions/s1/seg.ts', {
      Cookie: `liveslice_token=${host.token}`,
    });
    expect(full).toMatchObject({ status: 200, body: '0123456789' });
    const part = await httpGet('/media/sessions/s1/seg.ts', {
      Authorization: `Bearer ${host.token}`,
      Range: 'bytes=2-4',
    });
    expect(part).toMatchObject({ status: 206, body: '234' });
    expect(part.headers['content-range']).toBe('bytes 2-4/10');
    const escape = await httpGet('/media/..%2f..%2fsecret.txt', {
      Authorization: `Bearer ${host.token}`,
    });
    expect(escape.status).toBeGreaterThanOrEqual(400);
  });

  it('refuses a rebinding Host header and non-GET methods', async () => {
    expect((await httpGet('/', { Host: 'evil.example' })).status).toBe(421);
    const post = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: host.port, path: '/', method: 'POST' },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(post).toBe(405);
  });
});

describe('binding', () => {
  it('refuses a non-loopback address without --allow-remote', async () => {
    await expect(
      startHost({ engine, rendererDir: root, host: '0.0.0.0', port: 0 }),
    ).rejects.toThrow(HostError);
    await expect(
      startHost({ engine, rendererDir: root, host: '0.0.0.0', port: 0 }),
    ).rejects.toThrow(/--allow-remote/);
  });

  it('reports a port in use clearly', async () => {
    await expect(startHost({ engine, rendererDir: root, port: host.port })).rejects.toThrow(
      /already in use/,
    );
  });

  it('closes open WebSocket clients on close()', async () => {
    const second = await startHost({ engine, rendererDir: root, port: 0 });
    const ws = new WebSocket(`ws://127.0.0.1:${second.port}${WS_PATH}`, [
      WS_PROTOCOL,
      WS_TOKEN_PREFIX + second.token,
    ]);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise((r) => ws.once('close', r));
    await second.close();
    await closed;
    expect(ws.readyState).toBe(WebSocket.CLOSED);
  });
});
