/**
 * Tests and bench: a real S3-compatible server (s3rver) on 127.0.0.1, behind a small proxy that
 * does what s3rver does not — it checks every request's Signature V4 (s3rver accepts any V4
 * signature) and its payload hash — records each request, and lets a test break a connection or
 * answer an error at a chosen request.
 *
 * The proxy verifies from the request as it arrived on the wire (raw path, query re-encoded from
 * its decoded parts, the signed headers' received values, the body's own SHA-256), so a client
 * that signs something other than what it sends fails here as it would on AWS.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';
import { canonicalQuery, encodeKey, signV4 } from '../s3';

export const TEST_ACCESS_KEY = 'S3RVER';
export const TEST_SECRET = 'S3RVER';
/** Virtual-hosted requests use <bucket>.s3.<this> (resolved to 127.0.0.1 by vhostAgent). */
export const TEST_SERVICE_DOMAIN = 'liveslice.test';

export interface RecordedRequest {
  op: string;
  method: string;
  host: string;
  path: string;
  partNumber: number | null;
  uploadId: string | null;
  bytes: number;
  /** The status sent back (0 when the connection was cut). */
  status: number;
}

export type InterceptAction =
  | { kill: true }
  | { status: number; code: string; message: string }
  /** A reply of the test's own (e.g. a ListParts document, which s3rver does not implement). */
  | { status: number; xml: string };
export type Intercept = (
  r: RecordedRequest,
) => Promise<InterceptAction | void> | InterceptAction | void;

export interface TestS3 {
  /** The verifying proxy, for path-style clients. */
  endpoint: string;
  /** The proxy as a virtual-hosted style endpoint (use with vhostAgent()). */
  vhostEndpoint: string;
  /** s3rver itself (no signature checks). */
  direct: string;
  bucket: string;
  requests: RecordedRequest[];
  /** Called for every request before it is forwarded. */
  intercept: Intercept | null;
  /** Requests of one operation (e.g. 'UploadPart'), in order. */
  ops(op: string): RecordedRequest[];
  /** The stored object's bytes, or null. */
  getObject(key: string): Promise<Buffer | null>;
  stop(): Promise<void>;
}

/** S3's operation name for a request (enough for these tests). */
export function opOf(method: string, path: string, q: URLSearchParams): string {
  const objectLevel = path.split('/').filter(Boolean).length > 1;
  if (q.has('uploads')) return 'CreateMultipartUpload';
  if (q.has('uploadId')) {
    if (method === 'PUT') return 'UploadPart';
    if (method === 'POST') return 'CompleteMultipartUpload';
    if (method === 'DELETE') return 'AbortMultipartUpload';
    return 'ListParts';
  }
  if (method === 'PUT') return objectLevel ? 'PutObject' : 'CreateBucket';
  if (method === 'HEAD') return objectLevel ? 'HeadObject' : 'HeadBucket';
  if (method === 'DELETE') return 'DeleteObject';
  return objectLevel ? 'GetObject' : 'ListObjects';
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>` +
  '<RequestId>test-proxy</RequestId></Error>';

/** Why a request's signature is not valid, or null when it is. */
export function checkSignature(
  req: { method: string; url: string; headers: http.IncomingHttpHeaders },
  body: Buffer,
): { status: number; code: string; message: string } | null {
  const auth = req.headers['authorization'];
  const m =
    typeof auth === 'string'
      ? /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request,SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(
          auth,
        )
      : null;
  if (!m)
    return {
      status: 403,
      code: 'AccessDenied',
      message: 'a Signature V4 Authorization header is required',
    };
  const [, accessKeyId, , region, signed, signature] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (accessKeyId !== TEST_ACCESS_KEY)
    return {
      status: 403,
      code: 'InvalidAccessKeyId',
      message: 'The AWS Access Key Id you provided does not exist in our records.',
    };
  const payloadHash = createHash('sha256').update(body).digest('hex');
  if (req.headers['x-amz-content-sha256'] !== payloadHash)
    return {
      status: 400,
      code: 'XAmzContentSHA256Mismatch',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    };
  const [path, qs = ''] = req.url.split('?') as [string, string?];
  const pairs = qs
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf('=');
      const k = i < 0 ? p : p.slice(0, i);
      const v = i < 0 ? '' : p.slice(i + 1);
      return [decodeURIComponent(k), decodeURIComponent(v)] as [string, string];
    });
  const names = signed.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date'))
    return { status: 403, code: 'AccessDenied', message: 'host and x-amz-date must be signed' };
  const headers: Record<string, string> = {};
  for (const n of names) {
    const v = req.headers[n];
    if (typeof v !== 'string')
      return { status: 403, code: 'AccessDenied', message: `signed header ${n} is missing` };
    headers[n] = v;
  }
  const expected = signV4({
    method: req.method,
    path,
    query: canonicalQuery(pairs),
    headers,
    payloadHash,
    accessKeyId,
    secretAccessKey: TEST_SECRET,
    region,
    amzDate: headers['x-amz-date']!,
  });
  if (expected.signature !== signature)
    return {
      status: 403,
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  return null;
}

/** An agent that connects every host name to 127.0.0.1 (for virtual-hosted style tests). */
export function vhostAgent(): http.Agent {
  return new http.Agent({
    keepAlive: true,
    lookup: (_host, opts, cb) => {
      if ((opts as { all?: boolean }).all)
        (cb as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [
          { address: '127.0.0.1', family: 4 },
        ]);
      else cb(null, '127.0.0.1', 4);
    },
  });
}

export async function startTestS3(dir: string, opts: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = opts.bucket ?? 'media';
  mkdirSync(dir, { recursive: true });
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    serviceEndpoint: TEST_SERVICE_DOMAIN,
    configureBuckets: [{ name: bucket }],
  });
  const { port: s3Port } = await s3rver.run();
  const direct = `http://127.0.0.1:${s3Port}`;
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://x');
    const host = req.headers.host ?? '';
    const vhostBucket = host.split(':')[0]!.endsWith(`.s3.${TEST_SERVICE_DOMAIN}`)
      ? host.split('.')[0]!
      : null;
    const fullPath = vhostBucket ? `/${vhostBucket}${url.pathname}` : url.pathname;
    const rec: RecordedRequest = {
      op: opOf(req.method ?? 'GET', fullPath, url.searchParams),
      method: req.method ?? 'GET',
      host,
      path: fullPath,
      partNumber: url.searchParams.has('partNumber')
        ? Number(url.searchParams.get('partNumber'))
        : null,
      uploadId: url.searchParams.get('uploadId'),
      bytes: body.length,
      status: 0,
    };
    requests.push(rec);
    const reply = (status: number, text: string) => {
      rec.status = status;
      res.writeHead(status, {
        'content-type': 'application/xml',
        'content-length': Buffer.byteLength(text),
      });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    const bad = checkSignature(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers },
      body,
    );
    if (bad) return reply(bad.status, errorXml(bad.code, bad.message));
    const action = await (api.intercept?.(rec) ?? undefined);
    if (action && 'kill' in action) {
      req.socket.destroy();
      return;
    }
    if (action)
      return reply(
        action.status,
        'xml' in action ? action.xml : errorXml(action.code, action.message),
      );
    if (req.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const up = http.request(
        {
          host: '127.0.0.1',
          port: s3Port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          rec.status = r.statusCode ?? 0;
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
          r.on('end', resolve);
          r.on('error', resolve);
        },
      );
      up.on('error', () => {
        if (!res.headersSent) reply(502, errorXml('BadGateway', 's3rver is not answering'));
        resolve();
      });
      up.end(body);
    });
  };

  const proxy = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) res.destroy();
    });
  });
  proxy.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const port = (proxy.address() as AddressInfo).port;

  const api: TestS3 = {
    endpoint: `http://127.0.0.1:${port}`,
    vhostEndpoint: `http://s3.${TEST_SERVICE_DOMAIN}:${port}`,
    direct,
    bucket,
    requests,
    intercept: null,
    ops: (op) => requests.filter((r) => r.op === op),
    getObject: (key) =>
      new Promise<Buffer | null>((resolve, reject) => {
        http
          .get(`${direct}/${bucket}/${encodeKey(key)}`, (r) => {
            const parts: Buffer[] = [];
            r.on('data', (c: Buffer) => parts.push(c));
            r.on('end', () => resolve(r.statusCode === 200 ? Buffer.concat(parts) : null));
            r.on('error', reject);
          })
          .on('error', reject);
      }),
    stop: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      await s3rver.close();
    },
  };
  return api;
}
