/**
 * The headless host behind `liveslice serve`: the built renderer over HTTP and the API contract
 * over a WebSocket, on 127.0.0.1 by default, protected by a random token.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname } from 'node:path';
import { AUTH_CHECK_PATH, MEDIA_COOKIE, WS_PATH, WS_TOKEN_PREFIX } from '../api/contract';
import { createWsApi } from '../api/ws-transport';
import type { Engine } from '../engine';
import { resolveMediaPath } from '../media/resolve';
import { openMedia, sendMediaResponse } from '../media/serve';
import { RENDERER_CSP_HEADER } from '../security/csp';
import { isAllowedHostHeader, isAllowedOrigin, isLoopbackHost } from '../security/urls';

export class HostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostError';
  }
}

export interface HostOptions {
  engine: Engine;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  host?: string;
  port?: number;
  /** Required to bind anything but a loopback address. */
  allowRemote?: boolean;
  /** For tests; a random 256-bit token otherwise. */
  token?: string;
}

export interface Host {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
};

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': RENDERER_CSP_HEADER,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export async function startHost(opts: HostOptions): Promise<Host> {
  const { engine } = opts;
  const log = engine.logger.child({ component: 'host' });
  const bindHost = opts.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(bindHost);
  if (!loopback && !opts.allowRemote) {
    throw new HostError(
      `Refusing to listen on ${bindHost}: the operator UI controls the engine, so it listens on ` +
        '127.0.0.1 only. Pass --allow-remote to expose it on the network (anyone with the token can use it).',
    );
  }
  const token = opts.token ?? randomBytes(32).toString('hex');
  engine.logger.addSecret(token);
  let port = opts.port ?? 0;

  const tokenMatches = (candidate: string | undefined | null): boolean => {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };
  const hostOk = (req: IncomingMessage): boolean =>
    !loopback || isAllowedHostHeader(req.headers.host, port);

  const wsApi = createWsApi({
    handlers: engine.handlers,
    bus: engine.bus,
    logger: log,
    admit(req) {
      if (!hostOk(req)) return { ok: false, status: 421, reason: 'Unexpected Host header' };
      if (!isAllowedOrigin(req.headers.origin, req.headers.host)) {
        return { ok: false, status: 403, reason: 'Cross-origin WebSocket refused' };
      }
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      const tokenProto = offered.find((p) => p.startsWith(WS_TOKEN_PREFIX));
      if (!tokenMatches(tokenProto?.slice(WS_TOKEN_PREFIX.length))) {
        return { ok: false, status: 401, reason: 'Missing or wrong access token' };
      }
      return { ok: true };
    },
  });

  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      log.error('HTTP handler failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    if (!hostOk(req)) return sendText(res, 421, 'Unexpected Host header');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method not allowed');
    }
    const pathname = rawPathname(req.url ?? '/');
    if (pathname === null) return sendText(res, 400, 'Malformed request target');

    if (pathname === '/healthz') return sendText(res, 200, 'ok');
    if (pathname === AUTH_CHECK_PATH) {
      const ok = tokenMatches(bearer(req));
      return sendText(res, ok ? 204 : 401, ok ? '' : 'Missing or wrong access token');
    }
    if (pathname === WS_PATH) return sendText(res, 426, 'Upgrade to a WebSocket');
    if (pathname.startsWith('/media/')) {
      if (!tokenMatches(bearer(req) ?? cookie(req, MEDIA_COOKIE))) {
        return sendText(res, 401, 'Missing or wrong access token');
      }
      const media = await openMedia(
        engine.dataDir,
        pathname.slice('/media/'.length),
        req.headers.range,
        req.method === 'HEAD' ? 'HEAD' : 'GET',
      );
      return sendMediaResponse(res, media);
    }
    return serveStatic(req, res, pathname === '/' ? 'index.html' : pathname.slice(1));
  }

  async function serveStatic(
    req: IncomingMessage,
    res: ServerResponse,
    rel: string,
  ): Promise<void> {
    const resolved = await resolveMediaPath(opts.rendererDir, rel);
    if (!resolved.ok) return sendText(res, resolved.status, resolved.reason);
    const info = await stat(resolved.path);
    if (!info.isFile()) return sendText(res, 404, 'Not found');
    res.statusCode = 200;
    res.setHeader(
      'Content-Type',
      STATIC_TYPES[extname(resolved.path).toLowerCase()] ?? 'application/octet-stream',
    );
    res.setHeader('Content-Length', info.size);
    res.setHeader('Cache-Control', rel === 'index.html' ? 'no-store' : 'no-cache');
    if (req.method === 'HEAD') return void res.end();
    const stream = createReadStream(resolved.path);
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    stream.pipe(res);
  }

  server.on('upgrade', (req, socket, head) => {
    if (rawPathname(req.url ?? '') !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wsApi.handleUpgrade(req, socket, head);
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new HostError(
          err.code === 'EADDRINUSE'
            ? `Port ${port} on ${bindHost} is already in use: choose another with --port (or --port 0 for any free port)`
            : `Cannot listen on ${bindHost}:${port}: ${err.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, bindHost, () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  const origin = `http://${urlHost === '0.0.0.0' || urlHost === '[::]' ? '127.0.0.1' : urlHost}:${port}`;
  if (!loopback) {
    log.warn(
      'listening on a non-loopback address: anyone who can reach it and has the token controls the engine',
      {
        host: bindHost,
        port,
      },
    );
  }
  log.info('headless host listening', { host: bindHost, port });

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    close() {
      closing ??= (async () => {
        await wsApi.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        log.info('headless host stopped');
      })();
      return closing;
    },
  };
}

/** The request target's path, still percent-encoded; null when it is not a plain origin-form path. */
export function rawPathname(target: string): string | null {
  if (!target.startsWith('/') || target.startsWith('//')) return null;
  const end = target.search(/[?#]/);
  return end === -1 ? target : target.slice(0, end);
}

function bearer(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null;
  return m?.[1] ?? null;
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  if (status === 204) return void res.end();
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(text);
}
