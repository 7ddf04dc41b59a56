/**
 * The client for the headless host (`liveslice serve`) over one WebSocket.
 *
 * Lifecycle: auth check (GET AUTH_CHECK_PATH with the bearer token: 204 ok, 401 unauthorized) →
 * media cookie → WebSocket with the protocol and token subprotocols → connected. When the socket
 * closes, pending calls reject with ApiError('unavailable') and the client reconnects with capped
 * backoff, re-running the auth check (a restarted host may have a new token) and re-subscribing.
 * Each event is subscribed on the server once, when its first local listener arrives.
 */
import {
  ApiError,
  AUTH_CHECK_PATH,
  type EventName,
  type MethodName,
  type MethodOutput,
  type SerializedError,
  WS_PATH,
  WS_PROTOCOL,
  WS_TOKEN_PREFIX,
  type WsClientMessage,
  type WsServerMessage,
} from '../contract';
import { backoffDelay } from './backoff';
import { decodeEvent, unwrapResult } from './decode';
import { mediaCookie } from './token';
import type { ConnectionState, RendererClient } from './types';

/** The part of a WebSocket this client uses (the DOM WebSocket fits; tests pass a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type WebSocketCtor = new (url: string, protocols: string[]) => WebSocketLike;

export type FetchLike = (
  url: string,
  init: { method: 'GET'; headers: Record<string, string>; cache: 'no-store' },
) => Promise<{ status: number }>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WsClientOptions {
  /** null when no token was found: the client goes straight to `unauthorized`. */
  token: string | null;
  /** Where the page was served from: `http:`/`https:` and host:port. */
  location: { protocol: string; host: string };
  WebSocket: WebSocketCtor;
  fetch: FetchLike;
  /** Sets the media cookie (document.cookie in the browser). */
  setCookie: (cookie: string) => void;
  timers?: Timers;
  /** A protocol-level error the server reported outside any call. */
  onServerError?: SerializedErrorHandler;
  log?: Pick<Console, 'warn' | 'error'>;
}

export type SerializedErrorHandler = (error: SerializedError) => void;

const WS_OPEN = 1;

interface Pending {
  method: MethodName;
  resolve: (value: unknown) => void;
  reject: (err: ApiError) => void;
}

export function wsUrl(location: { protocol: string; host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${WS_PATH}`;
}

export function createWsClient(opts: WsClientOptions): RendererClient {
  const timers: Timers = opts.timers ?? {
    setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
    clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
  };
  const log = opts.log ?? console;

  let state: ConnectionState = 'connecting';
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let socket: WebSocketLike | null = null;
  let attempt = 0;
  let retryTimer: unknown = null;
  let started = false;
  let disposed = false;
  /** Bumped on every connect attempt so stale callbacks of an older attempt do nothing. */
  let generation = 0;

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const l of [...stateListeners]) {
      try {
        l(next);
      } catch (err) {
        log.error('LiveSlice: a connection-state listener failed', err);
      }
    }
  }

  function send(msg: WsClientMessage): boolean {
    if (!socket || socket.readyState !== WS_OPEN) return false;
    socket.send(JSON.stringify(msg));
    return true;
  }

  function rejectAllPending(reason: string): void {
    const all = [...pending.values()];
    pending.clear();
    for (const p of all) {
      p.reject(new ApiError('unavailable', `${p.method} did not complete: ${reason}`));
    }
  }

  function scheduleReconnect(): void {
    if (disposed || retryTimer !== null) return;
    const delay = backoffDelay(attempt);
    attempt += 1;
    retryTimer = timers.setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
  }

  async function connect(): Promise<void> {
    if (disposed) return;
    const gen = ++generation;
    setState('connecting');
    const token = opts.token;
    if (token === null) {
      setState('unauthorized');
      return;
    }
    let status: number;
    try {
      const res = await opts.fetch(AUTH_CHECK_PATH, {
        method: 'GET',
        headers: { Authorization: `Bearer ${token}` },
        cache: 'no-store',
      });
      status = res.status;
    } catch {
      if (gen !== generation || disposed) return;
      setState('disconnected');
      scheduleReconnect();
      return;
    }
    if (gen !== generation || disposed) return;
    if (status === 401 || status === 403) {
      setState('unauthorized');
      return;
    }
    if (status < 200 || status > 299) {
      setState('disconnected');
      scheduleReconnect();
      return;
    }
    opts.setCookie(mediaCookie(token));
    openSocket(gen, token);
  }

  function openSocket(gen: number, token: string): void {
    let ws: WebSocketLike;
    try {
      ws = new opts.WebSocket(wsUrl(opts.location), [WS_PROTOCOL, WS_TOKEN_PREFIX + token]);
    } catch (err) {
      log.error('LiveSlice: could not open the WebSocket', err);
      setState('disconnected');
      scheduleReconnect();
      return;
    }
    socket = ws;
    ws.onopen = () => {
      if (gen !== generation || disposed) return;
      attempt = 0;
      for (const [event, set] of listeners) {
        if (set.size > 0) send({ type: 'subscribe', event });
      }
      setState('connected');
    };
    ws.onmessage = (ev) => {
      if (gen !== generation) return;
      handleMessage(ev.data);
    };
    ws.onerror = () => {
      // The close event follows and carries the handling.
    };
    ws.onclose = () => {
      if (gen !== generation) return;
      socket = null;
      rejectAllPending('the connection to the LiveSlice engine closed');
      if (disposed) return;
      setState('disconnected');
      scheduleReconnect();
    };
  }

  function handleMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: WsServerMessage;
    try {
      msg = JSON.parse(data) as WsServerMessage;
    } catch {
      log.warn('LiveSlice: ignored a message that is not JSON');
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    switch (msg.type) {
      case 'result': {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        try {
          p.resolve(unwrapResult(p.method, msg.result));
        } catch (err) {
          p.reject(err instanceof ApiError ? err : new ApiError('internal', String(err)));
        }
        return;
      }
      case 'event': {
        const set = listeners.get(msg.event);
        if (!set || set.size === 0) return;
        const decoded = decodeEvent(msg.event, msg.payload);
        if (!decoded.ok) {
          log.warn(`LiveSlice: dropped an event: ${decoded.reason}`);
          return;
        }
        for (const l of [...set]) {
          try {
            l(decoded.payload);
          } catch (err) {
            log.error(`LiveSlice: a ${msg.event} listener failed`, err);
          }
        }
        return;
      }
      case 'error':
        opts.onServerError?.(msg.error);
        return;
      default:
        log.warn('LiveSlice: ignored a message of unknown type');
    }
  }

  return {
    transport: 'websocket',

    call<M extends MethodName>(method: M, input: unknown): Promise<MethodOutput<M>> {
      if (state !== 'connected' || !socket || socket.readyState !== WS_OPEN) {
        return Promise.reject(
          new ApiError(
            'unavailable',
            state === 'unauthorized'
              ? `${method} was not sent: the access token is missing or wrong`
              : `${method} was not sent: not connected to the LiveSlice engine`,
          ),
        );
      }
      const id = nextId++;
      return new Promise<MethodOutput<M>>((resolve, reject) => {
        pending.set(id, {
          method,
          resolve: resolve as (value: unknown) => void,
          reject,
        });
        if (!send({ type: 'call', id, method, input })) {
          pending.delete(id);
          reject(new ApiError('unavailable', `${method} was not sent: the connection closed`));
        }
      });
    },

    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as (payload: unknown) => void;
      // The same function may subscribe twice; wrap it so each subscription is distinct.
      const entry = (payload: unknown): void => l(payload);
      set.add(entry);
      if (set.size === 1) send({ type: 'subscribe', event });
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        const current = listeners.get(event);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) send({ type: 'unsubscribe', event });
      };
    },

    getState: () => state,

    onStateChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },

    start() {
      if (started || disposed) return;
      started = true;
      void connect();
    },

    dispose() {
      if (disposed) return;
      disposed = true;
      generation++;
      if (retryTimer !== null) timers.clearTimeout(retryTimer);
      retryTimer = null;
      const ws = socket;
      socket = null;
      rejectAllPending('the client was closed');
      ws?.close(1000, 'client closed');
      setState('disconnected');
    },
  };
}
