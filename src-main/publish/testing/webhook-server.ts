/**
 * Tests: a webhook receiver on 127.0.0.1 that records each delivery and checks its HMAC the way a
 * receiver would, with its own computation (not the sender's code).
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  /** The X-LiveSlice-Signature header matched the body's HMAC with the receiver's secret. */
  signatureOk: boolean;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** The status to answer for delivery n (0-based); default 204. 0 = never answer. */
  respond: (n: number) => number;
  stop(): Promise<void>;
}

export async function startWebhookReceiver(secret: string | null): Promise<WebhookReceiver> {
  const open = new Set<http.ServerResponse>();
  const api: WebhookReceiver = {
    url: '',
    deliveries: [],
    respond: () => 204,
    stop: async () => {
      for (const r of open) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const expected =
        secret === null
          ? null
          : `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        // recorded as null: the test asserts on it
      }
      const n = api.deliveries.length;
      api.deliveries.push({
        headers: req.headers,
        body,
        json,
        signatureOk: expected !== null && req.headers['x-liveslice-signature'] === expected,
      });
      const status = api.respond(n);
      if (status === 0) {
        open.add(res);
        return;
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status >= 400 ? `status ${status} from the test receiver` : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/clips?team=a`;
  return api;
}
