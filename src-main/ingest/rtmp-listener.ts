/**
 * The RTMP push listener OBS publishes to: rtmp://127.0.0.1:<port>/live + the app's stream key.
 *
 * The protocol is node-media-server's RTMP server (a well-kept, Apache-2.0 implementation). Only
 * its RTMP server class is used — not its HTTP API, store or CLI — and we listen ourselves, so a
 * busy port is an error we report instead of NMS's process.exit(). NMS keeps process-global state
 * (its Context), so there is one listener per process. A publish or play on any path but
 * /live/<key> is refused at once; the ingest pulls the accepted stream from it over loopback.
 */
import { timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';

interface NmsSession {
  id: string;
  streamPath: string;
  ip: string;
  socket?: NodeJS.EventEmitter;
  close(): void;
}
interface NmsBroadcast {
  publishGraceMs: number;
  subscribers: Map<string, NmsSession>;
}
interface NmsLogger {
  level: string;
  log(message: string, level?: string): void;
}
interface NmsContext {
  config: Record<string, unknown>;
  eventEmitter: NodeJS.EventEmitter;
  broadcasts: Map<string, NmsBroadcast>;
}
interface NmsRtmpServer {
  tcpServer?: Server;
  stop(): void;
}

export interface ListenerLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface PublishInfo {
  ip: string;
  at: number;
}

export interface RtmpListener {
  readonly host: string;
  readonly port: number;
  /** What OBS needs: the server URL (without key). */
  serverUrl(): string;
  /** Where the ingest pulls the accepted stream from (loopback, key included). */
  pullUrl(): string;
  setKey(key: string): void;
  isPublishing(): boolean;
  /** A publish on the right key (also a publisher resuming within the grace window). */
  onPublish(cb: (info: PublishInfo) => void): () => void;
  /** The publisher's connection closed (it may resume within the grace window). */
  onAway(cb: (info: PublishInfo) => void): () => void;
  /** The grace window passed without the publisher: players were detached. */
  onUnpublish(cb: (info: PublishInfo) => void): () => void;
  close(): Promise<void>;
}

export class ListenerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListenerError';
  }
}

export const RTMP_APP = 'live';
let active = false;

export async function startRtmpListener(opts: {
  host?: string;
  port: number;
  key: string;
  logger: ListenerLogger;
  /**
   * How long a dropped publisher may take to come back and continue the same timeline (NMS shifts
   * its timestamps past the previous ones, so the media clock stays monotonic). OBS retries after
   * 2 s, then ~1.5× longer each time. Default 30 s.
   */
  graceMs?: number;
}): Promise<RtmpListener> {
  if (active) throw new ListenerError('An RTMP listener is already running in this process');
  const host = opts.host ?? '127.0.0.1';
  const req = createRequire(__filename);
  const Context = req('node-media-server/src/core/context.js') as NmsContext;
  const nmsLogger = req('node-media-server/src/core/logger.js') as NmsLogger;
  // NMS logs to console.log: route it into our logger (debug), never the terminal.
  nmsLogger.log = (message: string, level = 'info') => {
    if (level === 'error' || level === 'warn')
      opts.logger.debug('rtmp server', { nms: message, level });
  };
  Context.config = { bind: host, rtmp: { port: opts.port } };
  const NodeRtmpServer = req(
    'node-media-server/src/server/rtmp_server.js',
  ) as new () => NmsRtmpServer;
  const server = new NodeRtmpServer();
  const tcp = server.tcpServer;
  if (!tcp) throw new ListenerError('node-media-server did not create its RTMP socket');

  let key = opts.key;
  let publisher: NmsSession | null = null;
  const publishCbs = new Set<(i: PublishInfo) => void>();
  const awayCbs = new Set<(i: PublishInfo) => void>();
  const unpublishCbs = new Set<(i: PublishInfo) => void>();
  const expected = (): string => `/${RTMP_APP}/${key}`;
  const pathOk = (path: string): boolean => {
    const a = Buffer.from(path);
    const b = Buffer.from(expected());
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const onPrePublish = (s: NmsSession): void => {
    if (!pathOk(s.streamPath)) {
      opts.logger.warn('refused an RTMP publish with a wrong app or stream key', { ip: s.ip });
      s.close();
    }
  };
  const onPostPublish = (s: NmsSession): void => {
    if (!pathOk(s.streamPath)) return;
    publisher = s;
    const broadcast = Context.broadcasts.get(s.streamPath);
    if (broadcast && opts.graceMs !== undefined) broadcast.publishGraceMs = opts.graceMs;
    opts.logger.info('RTMP publisher connected', { ip: s.ip });
    s.socket?.once('close', () => {
      if (publisher !== s) return;
      opts.logger.info('RTMP publisher connection closed', { ip: s.ip });
      for (const cb of awayCbs) cb({ ip: s.ip, at: Date.now() });
    });
    for (const cb of publishCbs) cb({ ip: s.ip, at: Date.now() });
  };
  const onDonePublish = (s: NmsSession): void => {
    if (publisher !== s) return;
    publisher = null;
    opts.logger.info('RTMP publish ended', { ip: s.ip });
    // Players stay attached waiting for a new publisher; ours must end its run instead, so the
    // next publish (timestamps from 0 again) starts a new run on the media clock.
    for (const sub of Context.broadcasts.get(s.streamPath)?.subscribers.values() ?? []) sub.close();
    for (const cb of unpublishCbs) cb({ ip: s.ip, at: Date.now() });
  };
  const onPrePlay = (s: NmsSession): void => {
    if (!pathOk(s.streamPath)) {
      opts.logger.warn('refused an RTMP play with a wrong stream key', { ip: s.ip });
      s.close();
    }
  };
  Context.eventEmitter.on('prePublish', onPrePublish);
  Context.eventEmitter.on('postPublish', onPostPublish);
  Context.eventEmitter.on('donePublish', onDonePublish);
  Context.eventEmitter.on('prePlay', onPrePlay);

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new ListenerError(
          err.code === 'EADDRINUSE'
            ? `RTMP port ${opts.port} is already in use (another server or OBS plugin?): choose another port in settings`
            : `Cannot listen for RTMP on ${host}:${opts.port}: ${err.message}`,
        ),
      );
    };
    tcp.once('error', onError);
    tcp.listen(opts.port, host, () => {
      tcp.off('error', onError);
      tcp.on('error', (err) => opts.logger.warn('RTMP socket error', { error: err.message }));
      resolve();
    });
  }).catch((err: unknown) => {
    detach();
    throw err;
  });
  active = true;
  const port = (tcp.address() as { port: number }).port;

  function detach(): void {
    Context.eventEmitter.off('prePublish', onPrePublish);
    Context.eventEmitter.off('postPublish', onPostPublish);
    Context.eventEmitter.off('donePublish', onDonePublish);
    Context.eventEmitter.off('prePlay', onPrePlay);
  }

  return {
    host,
    port,
    serverUrl: () => `rtmp://${host}:${port}/${RTMP_APP}`,
    pullUrl: () => `rtmp://127.0.0.1:${port}${expected()}`,
    setKey(next) {
      key = next;
      // A publisher on the old key is cut off.
      if (publisher && !pathOk(publisher.streamPath)) publisher.close();
    },
    isPublishing: () =>
      publisher !== null && Context.broadcasts.get(publisher.streamPath) !== undefined,
    onPublish(cb) {
      publishCbs.add(cb);
      return () => publishCbs.delete(cb);
    },
    onAway(cb) {
      awayCbs.add(cb);
      return () => awayCbs.delete(cb);
    },
    onUnpublish(cb) {
      unpublishCbs.add(cb);
      return () => unpublishCbs.delete(cb);
    },
    close: () =>
      new Promise<void>((resolve) => {
        detach();
        tcp.close(() => {
          active = false;
          resolve();
        });
        server.stop();
      }),
  };
}
