/**
 * A small S3 client for publishing: AWS Signature V4 over node:http/https, path-style or
 * virtual-hosted style, and a resumable multipart upload.
 *
 * Every request signs the SHA-256 of its payload (each part's own hash): UNSIGNED-PAYLOAD is not
 * accepted by every S3-compatible provider, and a signed hash lets the server reject a corrupted
 * body. Errors carry S3's code, message and HTTP status; `permanent` says whether a retry can help
 * (4xx other than 408/429 cannot; 5xx and network failures can).
 *
 * Resume: `uploadFile` hands its multipart state (upload id, part size, the parts already stored
 * with their ETags) to `saveState` after every part; given that state again — in a new process —
 * it sends only the missing parts. An upload the server no longer knows (NoSuchUpload: aborted,
 * expired by a lifecycle rule) starts over.
 */
import { createHash, createHmac } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpRequest, type HttpResponse, NetworkError } from './http';

export const MiB = 1024 * 1024;
/** S3's minimum part size (all parts but the last). */
export const MIN_PART_SIZE = 5 * MiB;
export const DEFAULT_PART_SIZE = 8 * MiB;
const MAX_PARTS = 10_000;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

// ---------- Signature V4 (pure; checked against AWS's published examples) ----------

/** RFC 3986 percent-encoding, as SigV4 wants it (everything but A-Z a-z 0-9 - . _ ~). */
export function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** An object key as a URL path: each segment encoded, "/" kept. */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeRfc3986).join('/');
}

/** Sorted, encoded `k=v&…` (an empty value gives `k=`): the same string is sent and signed. */
export function canonicalQuery(query: ReadonlyArray<readonly [string, string]>): string {
  return query
    .map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export interface SignInput {
  method: string;
  /** The encoded path exactly as sent, e.g. /bucket/a%20b.mp4. */
  path: string;
  /** The canonical query (canonicalQuery()), exactly as sent after "?". */
  query: string;
  /** Headers to sign, host included; names in any case. */
  headers: Record<string, string>;
  payloadHash: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service?: string;
  /** YYYYMMDDTHHMMSSZ */
  amzDate: string;
}

export interface Signed {
  authorization: string;
  canonicalRequest: string;
  stringToSign: string;
  signedHeaders: string;
  signature: string;
}

const hmac = (key: Buffer | string, data: string) =>
  createHmac('sha256', key).update(data, 'utf8').digest();
export const sha256Hex = (data: Buffer | string): string =>
  createHash('sha256').update(data).digest('hex');

export function signV4(input: SignInput): Signed {
  const service = input.service ?? 's3';
  const date = input.amzDate.slice(0, 8);
  const headers = Object.entries(input.headers)
    .map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const signedHeaders = headers.map(([k]) => k).join(';');
  const canonicalRequest = [
    input.method.toUpperCase(),
    input.path,
    input.query,
    ...headers.map(([k, v]) => `${k}:${v}`),
    '',
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${date}/${input.region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', input.amzDate, scope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, date), input.region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    authorization:
      `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope},` +
      `SignedHeaders=${signedHeaders},Signature=${signature}`,
    canonicalRequest,
    stringToSign,
    signedHeaders,
    signature,
  };
}

export const amzDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

// ---------- errors ----------

const HINTS: Record<string, string> = {
  SignatureDoesNotMatch: 'check the secret access key (and the region)',
  InvalidAccessKeyId: 'check the access key id',
  AccessDenied:
    'the key is not allowed to do this (it needs s3:PutObject on the bucket and prefix)',
  NoSuchBucket: 'check the bucket name (and the endpoint)',
  AuthorizationHeaderMalformed: 'check the region',
  PermanentRedirect: 'the bucket lives at another endpoint or region',
  RequestTimeTooSkewed: "this computer's clock is off; correct it",
  InvalidBucketName: 'check the bucket name',
  Forbidden: 'check the secret access key, the region and what the key is allowed to do',
};

export class S3Error extends Error {
  readonly permanent: boolean;
  constructor(
    readonly operation: string,
    readonly status: number,
    readonly code: string,
    readonly serverMessage: string,
    readonly requestId: string | null,
    target: string,
  ) {
    const hint = HINTS[code];
    super(
      `S3 ${operation} ${target} failed: HTTP ${status} ${code}` +
        (serverMessage ? ` — ${serverMessage}` : '') +
        (hint ? ` (${hint})` : ''),
    );
    this.name = 'S3Error';
    this.permanent = status >= 300 && status < 500 && status !== 408 && status !== 429;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
export function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#')
      return String.fromCodePoint(
        e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1)),
      );
    return ENTITIES[e] ?? m;
  });
}
export function xmlValue(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml);
  return m ? xmlText(m[1]!) : null;
}
const xmlEscape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]!};`,
  );

/** Parses an S3 error document (or a status without one) into an S3Error. */
export function parseS3Error(operation: string, target: string, res: HttpResponse): S3Error {
  const xml = res.body.toString('utf8');
  // HEAD replies (and some proxies' errors) carry no error document.
  const fallback: Record<number, string> = {
    301: 'PermanentRedirect',
    400: 'BadRequest',
    403: 'Forbidden',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    501: 'NotImplemented',
    503: 'SlowDown',
  };
  const code = xmlValue(xml, 'Code') ?? fallback[res.status] ?? `HTTP${res.status}`;
  let message = (xmlValue(xml, 'Message') ?? (xml.trim() === '' ? 'no details in the reply' : ''))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
  const region = res.headers['x-amz-bucket-region'];
  if (typeof region === 'string' && region)
    message = `${message} (the bucket is in ${region})`.trim();
  const requestId =
    xmlValue(xml, 'RequestId') ?? (res.headers['x-amz-request-id'] as string | undefined) ?? null;
  return new S3Error(operation, res.status, code, message, requestId, target);
}

// ---------- the client ----------

export interface S3ClientOptions {
  /** https://host[:port] or http://127.0.0.1:port — no path. */
  endpoint: string;
  region: string;
  pathStyle: boolean;
  accessKeyId: string;
  secretAccessKey: string;
  /** Connection pooling / custom DNS (tests); default Node's global agent. */
  agent?: http.Agent | undefined;
  /** Idle timeout per request; default 60 s. */
  timeoutMs?: number | undefined;
  /** For signing; default the system clock. */
  now?: (() => Date) | undefined;
}

export interface ObjectHead {
  size: number;
  etag: string | null;
  contentType: string | null;
  /** x-amz-meta-* without the prefix. */
  metadata: Record<string, string>;
}

export interface PartRecord {
  /** Part number, 1-based. */
  n: number;
  etag: string;
  size: number;
}

interface CallOptions {
  method: string;
  bucket: string;
  key?: string | undefined;
  query?: Array<[string, string]> | undefined;
  headers?: Record<string, string> | undefined;
  body?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  onSent?: ((bytes: number) => void) | undefined;
}

type Common = { bucket: string; key: string; signal?: AbortSignal | undefined };
type Meta = { contentType?: string | undefined; metadata?: Record<string, string> | undefined };

export class S3Client {
  private readonly endpoint: URL;

  constructor(private readonly opts: S3ClientOptions) {
    this.endpoint = new URL(opts.endpoint);
    if (this.endpoint.pathname !== '/' || this.endpoint.search)
      throw new TypeError(`S3 endpoint ${opts.endpoint} must not have a path or query`);
  }

  /** Where an object is, as a URL (for a bucket readable without signing, or a CDN in front). */
  objectUrl(bucket: string, key: string): string {
    return this.locate(bucket, key, []).url.href;
  }

  async putObject(
    p: Common & Meta & { body: Buffer; onSent?: ((bytes: number) => void) | undefined },
  ): Promise<{ etag: string | null }> {
    const res = await this.call('PutObject', {
      method: 'PUT',
      bucket: p.bucket,
      key: p.key,
      headers: metaHeaders(p),
      body: p.body,
      signal: p.signal,
      onSent: p.onSent,
    });
    return { etag: etagOf(res) };
  }

  async createMultipart(p: Common & Meta): Promise<string> {
    const res = await this.call('CreateMultipartUpload', {
      method: 'POST',
      bucket: p.bucket,
      key: p.key,
      query: [['uploads', '']],
      headers: metaHeaders(p),
      signal: p.signal,
    });
    const id = xmlValue(res.body.toString('utf8'), 'UploadId');
    if (!id)
      throw new S3Error(
        'CreateMultipartUpload',
        res.status,
        'InvalidResponse',
        'no UploadId in the reply',
        null,
        `s3://${p.bucket}/${p.key}`,
      );
    return id;
  }

  async uploadPart(
    p: Common & {
      uploadId: string;
      partNumber: number;
      body: Buffer;
      onSent?: ((bytes: number) => void) | undefined;
    },
  ): Promise<string> {
    const res = await this.call('UploadPart', {
      method: 'PUT',
      bucket: p.bucket,
      key: p.key,
      query: [
        ['partNumber', String(p.partNumber)],
        ['uploadId', p.uploadId],
      ],
      body: p.body,
      signal: p.signal,
      onSent: p.onSent,
    });
    const etag = etagOf(res);
    if (!etag)
      throw new S3Error(
        'UploadPart',
        res.status,
        'InvalidResponse',
        'no ETag in the reply',
        null,
        `s3://${p.bucket}/${p.key}`,
      );
    return etag;
  }

  async completeMultipart(
    p: Common & { uploadId: string; parts: ReadonlyArray<Pick<PartRecord, 'n' | 'etag'>> },
  ): Promise<{ etag: string | null }> {
    const xml =
      '<CompleteMultipartUpload>' +
      [...p.parts]
        .sort((a, b) => a.n - b.n)
        .map((x) => `<Part><PartNumber>${x.n}</PartNumber><ETag>${xmlEscape(x.etag)}</ETag></Part>`)
        .join('') +
      '</CompleteMultipartUpload>';
    const res = await this.call('CompleteMultipartUpload', {
      method: 'POST',
      bucket: p.bucket,
      key: p.key,
      query: [['uploadId', p.uploadId]],
      headers: { 'content-type': 'application/xml' },
      body: Buffer.from(xml, 'utf8'),
      signal: p.signal,
    });
    return { etag: xmlValue(res.body.toString('utf8'), 'ETag') };
  }

  async abortMultipart(p: Common & { uploadId: string }): Promise<void> {
    await this.call('AbortMultipartUpload', {
      method: 'DELETE',
      bucket: p.bucket,
      key: p.key,
      query: [['uploadId', p.uploadId]],
      signal: p.signal,
    });
  }

  /** The parts the server holds for an upload (all pages). */
  async listParts(p: Common & { uploadId: string }): Promise<PartRecord[]> {
    const parts: PartRecord[] = [];
    let marker = '0';
    for (;;) {
      const res = await this.call('ListParts', {
        method: 'GET',
        bucket: p.bucket,
        key: p.key,
        query: [
          ['uploadId', p.uploadId],
          ['part-number-marker', marker],
        ],
        signal: p.signal,
      });
      const xml = res.body.toString('utf8');
      for (const m of xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)) {
        const block = m[1]!;
        parts.push({
          n: Number(xmlValue(block, 'PartNumber')),
          etag: xmlValue(block, 'ETag') ?? '',
          size: Number(xmlValue(block, 'Size')),
        });
      }
      const next = xmlValue(xml, 'NextPartNumberMarker');
      if (xmlValue(xml, 'IsTruncated') !== 'true' || !next || next === marker) return parts;
      marker = next;
    }
  }

  /** The object's size and metadata, or null when there is none. */
  async headObject(p: Common): Promise<ObjectHead | null> {
    let res: HttpResponse;
    try {
      res = await this.call('HeadObject', {
        method: 'HEAD',
        bucket: p.bucket,
        key: p.key,
        signal: p.signal,
      });
    } catch (err) {
      if (err instanceof S3Error && err.status === 404) return null;
      throw err;
    }
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (k.startsWith('x-amz-meta-') && typeof v === 'string') metadata[k.slice(11)] = v;
    return {
      size: Number(res.headers['content-length'] ?? NaN),
      etag: etagOf(res),
      contentType: (res.headers['content-type'] as string | undefined) ?? null,
      metadata,
    };
  }

  async headBucket(p: { bucket: string; signal?: AbortSignal | undefined }): Promise<void> {
    try {
      await this.call('HeadBucket', { method: 'HEAD', bucket: p.bucket, signal: p.signal });
    } catch (err) {
      // HEAD replies have no error document: name the usual causes.
      if (err instanceof S3Error && err.status === 404)
        throw new S3Error(
          'HeadBucket',
          404,
          'NoSuchBucket',
          'the bucket does not exist',
          null,
          `s3://${p.bucket}`,
        );
      throw err;
    }
  }

  async deleteObject(p: Common): Promise<void> {
    await this.call('DeleteObject', {
      method: 'DELETE',
      bucket: p.bucket,
      key: p.key,
      signal: p.signal,
    });
  }

  // ---------------------------------------------------------------------------------------------

  private locate(bucket: string, key: string | undefined, query: Array<[string, string]>) {
    const e = this.endpoint;
    const host = this.opts.pathStyle ? e.host : `${bucket}.${e.host}`;
    const path = this.opts.pathStyle
      ? `/${encodeRfc3986(bucket)}${key === undefined ? '' : `/${encodeKey(key)}`}`
      : `/${key === undefined ? '' : encodeKey(key)}`;
    const q = canonicalQuery(query);
    const url = new URL(`${e.protocol}//${host}${path}${q ? `?${q}` : ''}`);
    return { url, host, path, query: q };
  }

  private async call(operation: string, c: CallOptions): Promise<HttpResponse> {
    const { url, host, path, query } = this.locate(c.bucket, c.key, c.query ?? []);
    const target = `s3://${c.bucket}${c.key === undefined ? '' : `/${c.key}`}`;
    const body = c.body ?? Buffer.alloc(0);
    const payloadHash = body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
    const date = amzDate((this.opts.now ?? (() => new Date()))());
    const signedHeaders: Record<string, string> = {
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': date,
      ...c.headers,
    };
    const { authorization } = signV4({
      method: c.method,
      path,
      query,
      headers: signedHeaders,
      payloadHash,
      accessKeyId: this.opts.accessKeyId,
      secretAccessKey: this.opts.secretAccessKey,
      region: this.opts.region,
      amzDate: date,
    });
    const headers: Record<string, string | number> = { ...signedHeaders, authorization };
    if (c.method === 'PUT' || c.method === 'POST') headers['content-length'] = body.length;
    let res: HttpResponse;
    try {
      res = await httpRequest(url, {
        method: c.method,
        headers,
        body,
        signal: c.signal,
        idleTimeoutMs: this.opts.timeoutMs,
        agent: this.opts.agent,
        onSent: c.onSent,
      });
    } catch (err) {
      if (err instanceof NetworkError) err.message = `S3 ${operation} ${target}: ${err.message}`;
      throw err;
    }
    if (res.status >= 300) throw parseS3Error(operation, target, res);
    // CompleteMultipartUpload can answer 200 and still fail, with an error document as the body.
    if (operation === 'CompleteMultipartUpload' && /<Error>/.test(res.body.toString('utf8'))) {
      const err = parseS3Error(operation, target, { ...res, status: 500 });
      throw err;
    }
    return res;
  }
}

function etagOf(res: HttpResponse): string | null {
  const e = res.headers['etag'];
  return typeof e === 'string' && e !== '' ? e : null;
}

/** Content-Type and x-amz-meta-* (values outside printable ASCII are percent-encoded: HTTP headers are ASCII). */
function metaHeaders(p: Meta): Record<string, string> {
  const h: Record<string, string> = {};
  if (p.contentType) h['content-type'] = p.contentType;
  for (const [k, v] of Object.entries(p.metadata ?? {})) {
    if (!/^[a-z0-9-]{1,64}$/.test(k))
      throw new TypeError(`S3 metadata name "${k}" must be lowercase letters, digits and "-"`);
    h[`x-amz-meta-${k}`] = /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
  }
  return h;
}

// ---------- resumable upload ----------

export interface MultipartState {
  uploadId: string;
  key: string;
  partSize: number;
  /** The file's size and mtime when the upload began: a changed file starts over. */
  size: number;
  mtimeMs: number;
  parts: PartRecord[];
}

export interface UploadFileOptions {
  bucket: string;
  key: string;
  /** Absolute path of the file to upload. */
  file: string;
  /** Default 8 MiB, at least 5 MiB; raised when the file would need more than 10,000 parts. */
  partSize?: number | undefined;
  contentType?: string | undefined;
  metadata?: Record<string, string> | undefined;
  /**
   * The file's SHA-256 (hex): stored as x-amz-meta-sha256, so an object already there with the
   * same size and hash is not uploaded again (and a lost CompleteMultipartUpload reply is
   * recognized on resume).
   */
  sha256?: string | undefined;
  /** Skip the upload when the object is already there with the same size and sha256. Default true. */
  skipIfSame?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((sent: number, total: number) => void) | undefined;
  /** The state saved by a previous, interrupted call (or null). */
  state?: MultipartState | null | undefined;
  /** Called with the state after every stored part, and null once the upload is complete. */
  saveState?: ((state: MultipartState | null) => void | Promise<void>) | undefined;
  /** Parts in flight at once (memory: concurrency × partSize). Default 2. */
  concurrency?: number | undefined;
  /** Extra tries of one request after a retryable failure (0.5 s, 1 s, … apart). Default 2. */
  retries?: number | undefined;
}

export interface UploadResult {
  size: number;
  etag: string | null;
  multipart: boolean;
  /** Parts sent by this call (0 for a single PUT or a skipped upload). */
  partsSent: number;
  /** The object was already there (same size and sha256). */
  skipped: boolean;
  /** A saved multipart upload could not be continued and was started over. */
  restarted: boolean;
}

const isNoSuchUpload = (err: unknown) => err instanceof S3Error && err.code === 'NoSuchUpload';

/** Uploads a file: one PUT up to partSize, else a multipart upload resumable from `state`. */
export async function uploadFile(client: S3Client, o: UploadFileOptions): Promise<UploadResult> {
  const { bucket, key, signal } = o;
  const info = await stat(o.file);
  const size = info.size;
  const retries = o.retries ?? 2;
  const save = serialize(o.saveState);
  const progress = o.onProgress ?? (() => undefined);
  const meta: Meta = {
    contentType: o.contentType,
    metadata: { ...o.metadata, ...(o.sha256 ? { sha256: o.sha256 } : {}) },
  };
  const attempt = <T>(fn: () => Promise<T>) => withRetries(fn, retries, signal);
  const sameObject = async () => {
    if (!o.sha256) return false;
    let head: ObjectHead | null;
    try {
      head = await attempt(() => client.headObject({ bucket, key, signal }));
    } catch (err) {
      // HEAD needs read permission, which an upload-only key lacks; and its 403 has no details.
      // Upload then: the PUT's own reply says what is wrong, if anything.
      if (err instanceof S3Error && err.status === 403) return false;
      throw err;
    }
    return head !== null && head.size === size && head.metadata['sha256'] === o.sha256;
  };

  let state = o.state ? structuredClone(o.state) : null;
  let restarted = false;
  if (
    state &&
    (state.key !== key ||
      state.size !== size ||
      state.mtimeMs !== info.mtimeMs ||
      state.partSize < MIN_PART_SIZE)
  ) {
    // The file (or the destination) changed since: its parts are worthless.
    await client
      .abortMultipart({ bucket, key: state.key, uploadId: state.uploadId, signal })
      .catch(() => undefined);
    state = null;
    restarted = true;
    await save(null);
  }
  if (!state && (o.skipIfSame ?? true) && (await sameObject())) {
    progress(size, size);
    return { size, etag: null, multipart: false, partsSent: 0, skipped: true, restarted };
  }

  let partSize = Math.max(MIN_PART_SIZE, o.partSize ?? DEFAULT_PART_SIZE);
  partSize = Math.max(partSize, Math.ceil(size / MAX_PARTS / MiB) * MiB);
  if (!state && size <= partSize) {
    const body = await readFile(o.file);
    if (body.length !== size) throw new Error(`${o.file} changed while it was being uploaded`);
    const { etag } = await attempt(() =>
      client.putObject({ bucket, key, body, ...meta, signal, onSent: (n) => progress(n, size) }),
    );
    progress(size, size);
    return { size, etag, multipart: false, partsSent: 0, skipped: false, restarted };
  }

  let partsSent = 0;
  for (let round = 0; ; round++) {
    try {
      if (!state) {
        const uploadId = await attempt(() =>
          client.createMultipart({ bucket, key, ...meta, signal }),
        );
        state = { uploadId, key, partSize, size, mtimeMs: info.mtimeMs, parts: [] };
        await save(state);
      } else {
        state = await verifyParts(client, state, bucket, signal, attempt);
      }
      const current = state;
      partsSent += await sendMissingParts(client, current, {
        bucket,
        file: o.file,
        signal,
        concurrency: Math.max(1, o.concurrency ?? 2),
        attempt,
        progress,
        onPart: async (part) => {
          current.parts = [...current.parts.filter((p) => p.n !== part.n), part].sort(
            (a, b) => a.n - b.n,
          );
          await save({ ...current, parts: [...current.parts] });
        },
      });
      let etag: string | null;
      try {
        ({ etag } = await attempt(() =>
          client.completeMultipart({
            bucket,
            key,
            uploadId: current.uploadId,
            parts: current.parts,
            signal,
          }),
        ));
      } catch (err) {
        // A completion whose reply was lost: the upload is gone because the object exists.
        if (!isNoSuchUpload(err) || !(await sameObject())) throw err;
        etag = null;
      }
      await save(null);
      progress(size, size);
      return { size, etag, multipart: true, partsSent, skipped: false, restarted };
    } catch (err) {
      if (!isNoSuchUpload(err) || round > 0) throw err;
      state = null;
      restarted = true;
      await save(null);
    }
  }
}

/** Checks the saved parts against the server (where ListParts is supported). */
async function verifyParts(
  client: S3Client,
  state: MultipartState,
  bucket: string,
  signal: AbortSignal | undefined,
  attempt: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<MultipartState> {
  let listed: PartRecord[];
  try {
    listed = await attempt(() =>
      client.listParts({ bucket, key: state.key, uploadId: state.uploadId, signal }),
    );
  } catch (err) {
    // Some S3-compatible servers do not implement ListParts: trust the saved state then (a part
    // the server lost makes CompleteMultipartUpload fail, and the job's retry starts over).
    if (err instanceof S3Error && (err.status === 405 || err.status === 501)) return state;
    throw err;
  }
  const norm = (e: string) => e.replace(/"/g, '');
  const onServer = new Map(listed.map((p) => [p.n, p]));
  const parts = state.parts.filter((p) => {
    const s = onServer.get(p.n);
    return s !== undefined && norm(s.etag) === norm(p.etag) && s.size === p.size;
  });
  return { ...state, parts };
}

async function sendMissingParts(
  client: S3Client,
  state: MultipartState,
  o: {
    bucket: string;
    file: string;
    signal: AbortSignal | undefined;
    concurrency: number;
    attempt: <T>(fn: () => Promise<T>) => Promise<T>;
    progress: (sent: number, total: number) => void;
    onPart: (part: PartRecord) => Promise<void>;
  },
): Promise<number> {
  const count = Math.max(1, Math.ceil(state.size / state.partSize));
  const have = new Set(state.parts.map((p) => p.n));
  const missing: number[] = [];
  for (let n = 1; n <= count; n++) if (!have.has(n)) missing.push(n);
  let done = state.parts.reduce((s, p) => s + p.size, 0);
  const inFlight = new Map<number, number>();
  const report = () =>
    o.progress(done + [...inFlight.values()].reduce((a, b) => a + b, 0), state.size);
  report();
  if (missing.length === 0) return 0;

  // One failed part stops the others: their bytes would be wasted on an upload that errors anyway.
  const stop = new AbortController();
  const signal = o.signal ? AbortSignal.any([o.signal, stop.signal]) : stop.signal;
  const fh = await open(o.file, 'r');
  let sent = 0;
  let firstError: unknown = null;
  try {
    const worker = async () => {
      while (missing.length > 0 && firstError === null) {
        const n = missing.shift()!;
        const offset = (n - 1) * state.partSize;
        const length = Math.min(state.partSize, state.size - offset);
        const body = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const { bytesRead } = await fh.read(body, got, length - got, offset + got);
          if (bytesRead === 0)
            throw new Error(`${o.file} became shorter while it was being uploaded`);
          got += bytesRead;
        }
        signal.throwIfAborted();
        const etag = await o.attempt(() => {
          inFlight.set(n, 0);
          return client.uploadPart({
            bucket: o.bucket,
            key: state.key,
            uploadId: state.uploadId,
            partNumber: n,
            body,
            signal,
            onSent: (b) => {
              inFlight.set(n, b);
              report();
            },
          });
        });
        inFlight.delete(n);
        done += length;
        sent++;
        await o.onPart({ n, etag, size: length });
        report();
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(o.concurrency, missing.length) }, () =>
        worker().catch((err: unknown) => {
          if (firstError === null) firstError = err;
          stop.abort(err);
        }),
      ),
    );
  } finally {
    await fh.close();
  }
  if (firstError !== null) throw o.signal?.aborted ? o.signal.reason : firstError;
  return sent;
}

/** Runs `fn`, trying again after a retryable failure; an abort ends it at once. */
async function withRetries<T>(
  fn: () => Promise<T>,
  retries: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const retryable =
        !(err as { permanent?: boolean }).permanent && !(err as Error).name?.includes('Abort');
      if (!retryable || i >= retries || signal?.aborted || isNoSuchUpload(err)) throw err;
      await sleep(500 * 2 ** i, undefined, { signal });
    }
  }
}

/** saveState calls in order, never two at once (parts finish concurrently). */
function serialize(
  save: ((s: MultipartState | null) => void | Promise<void>) | undefined,
): (s: MultipartState | null) => Promise<void> {
  let chain: Promise<void> = Promise.resolve();
  return (s) => {
    const next = chain.then(() => save?.(s));
    chain = next.catch(() => undefined);
    return next;
  };
}
