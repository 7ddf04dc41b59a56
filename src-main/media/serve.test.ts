import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contentTypeFor,
  type MediaResponse,
  openMedia,
  sendMediaResponse,
  toWebResponse,
} from './serve';

async function readAll(body: Readable | null): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** 256 bytes 0..255, so any slice is easy to predict. */
const BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

let tmp: string;
let root: string;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'liveslice-serve-'));
  root = path.join(tmp, 'media');
  await fs.mkdir(path.join(root, 's1'), { recursive: true });
  await fs.writeFile(path.join(root, 's1', 'seg 0.ts'), BYTES);
  await fs.writeFile(path.join(root, 's1', 'empty.m4s'), '');
  await fs.writeFile(path.join(root, 's1', 'big.mp4'), Buffer.alloc(8 * 1024 * 1024, 7));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('contentTypeFor', () => {
  const cases: Array<[string, string]> = [
    ['a/index.m3u8', 'application/vnd.apple.mpegurl'],
    ['seg.ts', 'video/mp2t'],
    ['SEG.TS', 'video/mp2t'],
    ['init.m4s', 'video/iso.segment'],
    ['clip.mp4', 'video/mp4'],
    ['audio.aac', 'audio/aac'],
    ['audio.wav', 'audio/wav'],
    ['meta.json', 'application/json; charset=utf-8'],
    ['subs.vtt', 'text/vtt; charset=utf-8'],
    ['thumb.jpg', 'image/jpeg'],
    ['thumb.jpeg', 'image/jpeg'],
    ['thumb.png', 'image/png'],
    ['thumb.webp', 'image/webp'],
    ['page.html', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ];
  it.each(cases)('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type);
  });
});

describe('openMedia', () => {
  it('serves the whole file without Range', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', null);
    expect(m.status).toBe(200);
    expect(m.headers).toMatchObject({
      'Content-Type': 'video/mp2t',
      'Content-Length': '256',
      'Accept-Ranges': 'bytes',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(m.headers['Content-Range']).toBeUndefined();
    expect((await readAll(m.body)).equals(BYTES)).toBe(true);
  });

  it('serves a byte range with 206 and Content-Range', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', 'bytes=10-19');
    expect(m.status).toBe(206);
    expect(m.headers).toMatchObject({ 'Content-Length': '10', 'Content-Range': 'bytes 10-19/256' });
    expect((await readAll(m.body)).equals(BYTES.subarray(10, 20))).toBe(true);
  });

  it('serves a suffix range', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', 'bytes=-6');
    expect(m.status).toBe(206);
    expect(m.headers['Content-Range']).toBe('bytes 250-255/256');
    expect([...(await readAll(m.body))]).toEqual([250, 251, 252, 253, 254, 255]);
  });

  it('answers 416 with bytes */size for an unsatisfiable range', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', 'bytes=256-');
    expect(m.status).toBe(416);
    expect(m.headers['Content-Range']).toBe('bytes */256');
    expect(m.headers['Content-Type']).toBe('text/plain; charset=utf-8');
    expect((await readAll(m.body)).toString()).toMatch(/range not satisfiable/);
  });

  it('answers HEAD with the GET headers and no body', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', 'bytes=0-99', 'HEAD');
    expect(m.status).toBe(206);
    expect(m.headers['Content-Length']).toBe('100');
    expect(m.body).toBeNull();
  });

  it('serves an empty file as an empty 200', async () => {
    const m = await openMedia(root, 's1/empty.m4s', null);
    expect(m.status).toBe(200);
    expect(m.headers['Content-Length']).toBe('0');
    expect((await readAll(m.body)).length).toBe(0);
  });

  const errors: Array<[string, string, number, RegExp]> = [
    ['traversal', '..%2f..%2fetc%2fpasswd', 400, /"\.\." segment/],
    ['missing', 's1/nope.ts', 404, /not found/],
    ['directory', 's1', 404, /directory/],
  ];
  it.each(errors)('answers %s with a small text/plain reason', async (_n, req, status, reason) => {
    const m = await openMedia(root, req, null);
    expect(m.status).toBe(status);
    expect(m.headers['Content-Type']).toBe('text/plain; charset=utf-8');
    expect(m.headers['X-Content-Type-Options']).toBe('nosniff');
    const text = (await readAll(m.body)).toString();
    expect(text).toMatch(reason);
    expect(m.headers['Content-Length']).toBe(String(Buffer.byteLength(text)));
  });

  it('refuses other methods with 405 and Allow', async () => {
    const m = await openMedia(root, 's1/seg%200.ts', null, 'POST');
    expect(m.status).toBe(405);
    expect(m.headers['Allow']).toBe('GET, HEAD');
  });
});

describe('toWebResponse', () => {
  it('wraps a partial response as a WHATWG Response', async () => {
    const res = toWebResponse(await openMedia(root, 's1/seg%200.ts', 'bytes=0-3'));
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 0-3/256');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 1, 2, 3]);
  });

  it('has a null body for HEAD', async () => {
    const res = toWebResponse(await openMedia(root, 's1/seg%200.ts', null, 'HEAD'));
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });
});

describe('sendMediaResponse over a real HTTP server', () => {
  let server: http.Server;
  let base: string;
  let port: number;
  const served: MediaResponse[] = [];
  const done: Array<Promise<void>> = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      // The raw request path: new URL() would already normalise %2e%2e segments away.
      const rawPath = (req.url ?? '/').split(/[?#]/)[0] ?? '/';
      const requested = rawPath.replace(/^\/media\//, '');
      void openMedia(root, requested, req.headers.range, req.method).then((m) => {
        served.push(m);
        done.push(sendMediaResponse(res, m));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('fetches a range', async () => {
    const res = await fetch(`${base}/media/s1/seg%200.ts`, { headers: { Range: 'bytes=100-103' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 100-103/256');
    expect(res.headers.get('content-length')).toBe('4');
    expect(res.headers.get('content-type')).toBe('video/mp2t');
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([100, 101, 102, 103]);
  });

  it('answers a raw encoded traversal with 400 text', async () => {
    // fetch() and URL strings normalise %2e%2e away (WHATWG URL); a raw `path` option does not.
    const { status, text } = await new Promise<{ status: number; text: string }>(
      (resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port, path: '/media/%2e%2e/secret' }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          })
          .on('error', reject);
      },
    );
    expect(status).toBe(400);
    expect(text).toMatch(/"\.\." segment in path/);
  });

  it('destroys the file stream when the client hangs up early', async () => {
    const before = served.length;
    const ac = new AbortController();
    const res = await fetch(`${base}/media/s1/big.mp4`, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    const first = await reader?.read();
    expect(first?.done).toBe(false);
    ac.abort();
    const body = served[before]?.body;
    expect(body).toBeTruthy();
    if (body && !body.destroyed) await new Promise((resolve) => body.once('close', resolve));
    expect(body?.destroyed).toBe(true);
    await done[before];
  });
});
