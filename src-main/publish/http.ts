/**
 * One HTTP(S) request with a buffered body, for the S3 client and the webhook: cancellable
 * (AbortSignal), with an idle timeout and an overall deadline, upload progress as the body is
 * handed to the socket, and network failures turned into errors that say whether a retry can help.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequestOptions {
  method: string;
  headers: OutgoingHttpHeaders;
  body?: Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** No byte sent or received for this long → the request fails (retryable). Default 60 s. */
  idleTimeoutMs?: number | undefined;
  /** The whole request must finish within this (retryable when it does not). */
  deadlineMs?: number | undefined;
  agent?: http.Agent | undefined;
  /** Response bodies beyond this are cut (error documents and XML replies are small). */
  maxResponseBytes?: number | undefined;
  /** Bytes of the body handed to the socket so far. */
  onSent?: ((bytes: number) => void) | undefined;
}

/** A failure below HTTP: connection refused or reset, DNS, timeout, TLS. */
export class NetworkError extends Error {
  readonly permanent: boolean;
  readonly code: string | null;
  constructor(
    message: string,
    code: string | null,
    permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetworkError';
    this.code = code;
    this.permanent = permanent;
  }
}

/** TLS failures a retry cannot fix: the server's certificate is not trusted for this host. */
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
]);

const CHUNK = 256 * 1024;

export function httpRequest(url: URL, opts: HttpRequestOptions): Promise<HttpResponse> {
  const { signal } = opts;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  const mod = url.protocol === 'https:' ? https : http;
  const idleMs = opts.idleTimeoutMs ?? 60_000;
  const max = opts.maxResponseBytes ?? 1024 * 1024;
  return new Promise<HttpResponse>((resolve, reject) => {
    let settled = false;
    let deadline: NodeJS.Timeout | null = null;
    const finish = (err: unknown, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      if (deadline) clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      // A reply before the whole body was sent (an early error) leaves the upload unfinished.
      if (err || !req.writableEnded) req.destroy();
      if (err) reject(err);
      else resolve(res!);
    };
    const onAbort = () => finish(abortReason(signal!));
    const req = mod.request(url, { method: opts.method, headers: opts.headers, agent: opts.agent });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.deadlineMs !== undefined)
      deadline = setTimeout(
        () =>
          finish(
            new NetworkError(
              `${url.host} did not answer within ${opts.deadlineMs! / 1000} s`,
              'ETIMEDOUT',
              false,
            ),
          ),
        opts.deadlineMs,
      );
    req.setTimeout(idleMs, () =>
      finish(new NetworkError(`${url.host} stalled for ${idleMs / 1000} s`, 'ETIMEDOUT', false)),
    );
    req.on('error', (err) => finish(networkError(url, err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < max) chunks.push(c.subarray(0, max - size));
        size += c.length;
      });
      res.on('error', (err) => finish(networkError(url, err)));
      res.on('close', () => {
        if (!res.complete)
          finish(
            new NetworkError(`${url.host} closed the connection mid-reply`, 'ECONNRESET', false),
          );
      });
      res.on('end', () =>
        finish(null, {
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    void (async () => {
      const body = opts.body;
      if (body && body.length > 0) {
        for (let off = 0; off < body.length && !settled; off += CHUNK) {
          const end = Math.min(body.length, off + CHUNK);
          const flushed = req.write(body.subarray(off, end));
          opts.onSent?.(end);
          if (!flushed && !settled)
            await new Promise<void>((r) => {
              const done = () => {
                req.off('drain', done);
                req.off('close', done);
                r();
              };
              req.on('drain', done);
              req.on('close', done);
            });
        }
      }
      if (!settled) req.end();
    })();
  });
}

function abortReason(signal: AbortSignal): unknown {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException('The operation was aborted', 'AbortError');
}

function networkError(url: URL, err: unknown): NetworkError {
  const e = err as NodeJS.ErrnoException;
  const code = typeof e.code === 'string' ? e.code : null;
  if (code && TLS_CODES.has(code))
    return new NetworkError(
      `the TLS certificate of ${url.host} is not trusted (${code}): fix the server's certificate or the endpoint's host name`,
      code,
      true,
      { cause: err },
    );
  const what =
    code === 'ECONNREFUSED'
      ? 'refused the connection'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'could not be resolved (DNS)'
        : code === 'ECONNRESET' || code === 'EPIPE'
          ? 'reset the connection'
          : `failed: ${e.message}`;
  return new NetworkError(`${url.host} ${what}`, code, false, { cause: err });
}
