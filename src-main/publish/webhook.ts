/**
 * Webhook target: an HTTP POST of the clip's metadata and the URLs it was published to.
 *
 * Receivers authenticate it with `X-LiveSlice-Signature: sha256=<hex HMAC-SHA256 of the raw
 * body>` (present when the target has a signing secret) and de-duplicate with `Idempotency-Key:
 * <clipId>:<targetId>` — delivery is at least once, so a retry after a lost reply repeats it.
 * Redirects are not followed (a signed body must not be forwarded to wherever a 3xx points).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { httpRequest, NetworkError } from './http';

export const SIGNATURE_HEADER = 'x-liveslice-signature';
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface WebhookPayload {
  event: 'clip.published' | 'liveslice.test';
  clip: Record<string, unknown>;
  /** Per target id: where the clip was published (object URL, file:// URL). */
  urls: Record<string, string>;
}

export class WebhookError extends Error {
  readonly permanent: boolean;
  readonly status: number | null;
  constructor(message: string, status: number | null, permanent: boolean) {
    super(message);
    this.name = 'WebhookError';
    this.status = status;
    this.permanent = permanent;
  }
}

export function signatureHeader(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** For receivers (and tests): constant-time check of the signature header. */
export function verifySignature(
  body: string | Buffer,
  secret: string,
  header: string | undefined,
): boolean {
  if (typeof header !== 'string') return false;
  const expected = Buffer.from(signatureHeader(body, secret));
  const got = Buffer.from(header.trim());
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export interface SendWebhookOptions {
  secret: string | null;
  idempotencyKey: string;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  agent?: http.Agent | undefined;
}

/** POSTs the payload; 2xx → ok; 408/429/5xx/network → retryable WebhookError; else permanent. */
export async function sendWebhook(
  target: { url: string; headers?: Record<string, string> | undefined },
  payload: WebhookPayload,
  opts: SendWebhookOptions,
): Promise<{ status: number }> {
  const url = new URL(target.url);
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const headers: Record<string, string | number> = {
    ...target.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': body.length,
    'user-agent': 'LiveSlice-Webhook/1',
    'idempotency-key': opts.idempotencyKey,
    'x-liveslice-event': payload.event,
  };
  if (opts.secret) headers[SIGNATURE_HEADER] = signatureHeader(body, opts.secret);
  const where = `webhook ${url.origin}${url.pathname}`;
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let res;
  try {
    res = await httpRequest(url, {
      method: 'POST',
      headers,
      body,
      signal: opts.signal,
      idleTimeoutMs: timeoutMs,
      deadlineMs: timeoutMs,
      agent: opts.agent,
      maxResponseBytes: 4096,
    });
  } catch (err) {
    if (err instanceof NetworkError)
      throw new WebhookError(`${where}: ${err.message}`, null, err.permanent);
    throw err;
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status };
  const text = res.body.toString('utf8').replace(/\s+/g, ' ').trim().slice(0, 200);
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
  const note =
    res.status >= 300 && res.status < 400
      ? ` (redirect to ${String(res.headers.location ?? '?')} not followed: use the final URL)`
      : '';
  throw new WebhookError(
    `${where} answered HTTP ${res.status}${note}${text ? `: ${text}` : ''}`,
    res.status,
    !retryable,
  );
}
