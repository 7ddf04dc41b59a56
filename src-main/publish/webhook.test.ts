/** The webhook sender against a local receiver: HMAC, idempotency key, retryable vs permanent. */
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-server';
import { sendWebhook, verifySignature, type WebhookPayload, WebhookError } from './webhook';

let rx: WebhookReceiver | null = null;
afterEach(async () => {
  await rx?.stop();
  rx = null;
});

const payload: WebhookPayload = {
  event: 'clip.published',
  clip: { clipId: 'c1', title: '全场五折 "限量"' },
  urls: { s3main: 'https://cdn.example.com/c1.mp4' },
};

describe('sendWebhook', () => {
  it('POSTs the JSON with an HMAC signature the receiver verifies, and the idempotency key', async () => {
    rx = await startWebhookReceiver('hook-secret');
    const r = await sendWebhook(
      { url: rx.url, headers: { Authorization: 'Bearer abc' } },
      payload,
      { secret: 'hook-secret', idempotencyKey: 'c1:hook' },
    );
    expect(r.status).toBe(204);
    expect(rx.deliveries).toHaveLength(1);
    const d = rx.deliveries[0]!;
    expect(d.signatureOk).toBe(true);
    expect(d.json).toEqual(payload);
    expect(d.headers['idempotency-key']).toBe('c1:hook');
    expect(d.headers['authorization']).toBe('Bearer abc');
    expect(d.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(
      verifySignature(d.body, 'hook-secret', d.headers['x-liveslice-signature'] as string),
    ).toBe(true);
    expect(verifySignature(d.body, 'other', d.headers['x-liveslice-signature'] as string)).toBe(
      false,
    );
    expect(
      verifySignature(`${d.body} `, 'hook-secret', d.headers['x-liveslice-signature'] as string),
    ).toBe(false);
  });

  it('sends no signature without a secret', async () => {
    rx = await startWebhookReceiver(null);
    await sendWebhook({ url: rx.url }, payload, { secret: null, idempotencyKey: 'k' });
    expect(rx.deliveries[0]!.headers['x-liveslice-signature']).toBeUndefined();
  });

  it.each([
    [500, false],
    [503, false],
    [429, false],
    [408, false],
    [400, true],
    [401, true],
    [404, true],
    [410, true],
    [302, true],
  ])('HTTP %i → permanent: %s', async (status, permanent) => {
    rx = await startWebhookReceiver(null);
    rx.respond = () => status;
    const err = await sendWebhook({ url: rx.url }, payload, {
      secret: null,
      idempotencyKey: 'k',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebhookError);
    expect(err).toMatchObject({ status, permanent });
    expect((err as Error).message).toContain(`answered HTTP ${status}`);
    // The URL's query (which may hold a token) is not in the message.
    expect((err as Error).message).not.toContain('team=a');
  });

  it('a receiver that never answers times out as a retryable error', async () => {
    rx = await startWebhookReceiver(null);
    rx.respond = () => 0;
    const err = await sendWebhook({ url: rx.url }, payload, {
      secret: null,
      idempotencyKey: 'k',
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: false, status: null });
    expect((err as Error).message).toMatch(/did not answer within 0\.3 s|stalled/);
  });

  it('a refused connection is retryable', async () => {
    rx = await startWebhookReceiver(null);
    const url = rx.url;
    await rx.stop();
    rx = null;
    const err = await sendWebhook({ url }, payload, { secret: null, idempotencyKey: 'k' }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ permanent: false });
    expect((err as Error).message).toMatch(/refused the connection/);
  });
});
