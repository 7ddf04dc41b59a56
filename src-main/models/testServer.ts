/** Test helper: a node:http file server on 127.0.0.1 with Range support and failure modes. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body?: Buffer;
  /** Redirect (302) to this path or URL. */
  redirect?: string;
  status?: number;
  /** Cut the connection after this many body bytes, for the next `cuts` requests (default 1). */
  cutAt?: number;
  cuts?: number;
  /** Answer Range requests with the whole file (200). */
  ignoreRange?: boolean;
  /** Send the headers, then nothing. */
  stall?: boolean;
}

export interface RequestLog {
  path: string;
  range: string | undefined;
}

export interface FileServer {
  url: string;
  requests: RequestLog[];
  routes: Record<string, Route>;
  close: () => Promise<void>;
}

export async function startFileServer(routes: Record<string, Route>): Promise<FileServer> {
  const requests: RequestLog[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push({ path, range: req.headers.range });
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.redirect !== undefined) {
      res.writeHead(302, { location: route.redirect }).end();
      return;
    }
    if (route.status !== undefined) {
      res.writeHead(route.status).end();
      return;
    }
    const body = route.body ?? Buffer.alloc(0);
    let start = 0;
    let status = 200;
    const headers: Record<string, string | number> = { 'accept-ranges': 'bytes' };
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m && !route.ignoreRange) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      status = 206;
      headers['content-range'] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const slice = body.subarray(start);
    headers['content-length'] = slice.length;
    res.writeHead(status, headers);
    if (route.stall) {
      res.flushHeaders();
      return;
    }
    const cuts = route.cuts ?? 1;
    if (route.cutAt !== undefined && cuts > 0) {
      route.cuts = cuts - 1;
      res.write(slice.subarray(0, route.cutAt), () => {
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    res.end(slice);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    routes,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
