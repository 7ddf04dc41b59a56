/**
 * The contract over a WebSocket, for the headless host. Derived from the contract: every
 * method is dispatched through the same handler map, every event name is a contract event.
 * Authentication and origin checks happen before the upgrade completes.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  type EventName,
  formatIssues,
  isEventName,
  WS_PROTOCOL,
  WsClientMessage,
  type WsServerMessage,
} from './contract';
import { dispatch, type Handlers } from './dispatch';
import type { EventBus } from './events';

export interface WsApiLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface WsApiOptions {
  handlers: Handlers;
  bus: EventBus;
  logger: WsApiLogger;
  /** Decides whether an upgrade may proceed; returns an HTTP status and reason when not. */
  admit(
    req: IncomingMessage,
  ): { ok: true } | { ok: false; status: 401 | 403 | 421; reason: string };
  maxPayloadBytes?: number;
  /** A client whose unsent data exceeds this is disconnected (slow consumer). */
  maxBufferedBytes?: number;
}

export interface WsApi {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  clientCount(): number;
  close(): Promise<void>;
}

const STATUS_TEXT = { 401: 'Unauthorized', 403: 'Forbidden', 421: 'Misdirected Request' } as const;

export function createWsApi(opts: WsApiOptions): WsApi {
  const { handlers, bus, logger } = opts;
  const maxBuffered = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxPayloadBytes ?? 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  wss.on('connection', (ws: WebSocket) => {
    const subscriptions = new Map<EventName, () => void>();
    const send = (msg: WsServerMessage): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        logger.warn('disconnecting a slow WebSocket client', { buffered: ws.bufferedAmount });
        ws.close(1013, 'client too slow');
        return;
      }
      ws.send(JSON.stringify(msg));
    };
    const protocolError = (message: string): void =>
      send({ type: 'error', error: { code: 'bad_request', message } });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return protocolError('Binary messages are not part of the protocol');
      let json: unknown;
      try {
        json = JSON.parse(rawToString(data));
      } catch {
        return protocolError('A message must be JSON');
      }
      const parsed = WsClientMessage.safeParse(json);
      if (!parsed.success) return protocolError(`Malformed message: ${formatIssues(parsed.error)}`);
      const msg = parsed.data;
      switch (msg.type) {
        case 'call':
          void dispatch(handlers, msg.method, msg.input, { transport: 'websocket' }, logger).then(
            (result) => send({ type: 'result', id: msg.id, result }),
          );
          return;
        case 'subscribe':
          if (!isEventName(msg.event))
            return protocolError(`Unknown event ${JSON.stringify(msg.event)}`);
          if (!subscriptions.has(msg.event)) {
            const event = msg.event;
            subscriptions.set(
              event,
              bus.on(event, (payload) => send({ type: 'event', event, payload })),
            );
          }
          return;
        case 'unsubscribe':
          if (isEventName(msg.event)) {
            subscriptions.get(msg.event)?.();
            subscriptions.delete(msg.event);
          }
          return;
      }
    });
    ws.on('close', () => {
      for (const off of subscriptions.values()) off();
      subscriptions.clear();
    });
    ws.on('error', (err) => logger.warn('WebSocket client error', { error: err.message }));
  });

  return {
    handleUpgrade(req, socket, head) {
      const verdict = opts.admit(req);
      if (!verdict.ok) {
        logger.warn('refused a WebSocket upgrade', {
          reason: verdict.reason,
          remote: req.socket.remoteAddress,
        });
        socket.end(
          `HTTP/1.1 ${verdict.status} ${STATUS_TEXT[verdict.status]}\r\nConnection: close\r\n` +
            `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(verdict.reason)}\r\n\r\n${verdict.reason}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    clientCount: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
