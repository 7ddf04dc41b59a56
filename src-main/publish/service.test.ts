/**
 * PublishService end to end on a real SqliteJobQueue and database: a clip published to a folder,
 * to s3rver (behind the signature-checking proxy) and to a webhook receiver that verifies the
 * HMAC; no second upload when published twice; a restart mid-upload that continues with the
 * missing parts only; a webhook held back by a failed target until it is retried; cancel.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobQueue } from '../jobs/sqlite-queue';
import { deferred } from '../jobs/testing/helpers';
import { createLogger } from '../log/logger';
import type { Db } from '../store/db';
import { MiB } from './s3';
import {
  type Publication,
  PublishService,
  type PublishServiceDeps,
  type PublishableClip,
} from './service';
import { openPublishDb } from './testing/db';
import { startTestS3, TEST_ACCESS_KEY, TEST_SECRET, type TestS3 } from './testing/s3-server';
import { startWebhookReceiver, type WebhookReceiver } from './testing/webhook-server';
import { CredentialVault, KEY_ENV } from './vault';

let root: string;
let s3: TestS3;
let clipFile: string;
let clipBytes: Buffer;
let coverFile: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'liveslice-publish-'));
  s3 = await startTestS3(join(root, 's3'));
  // Three 5 MiB parts (the last one smaller).
  clipBytes = randomBytes(12 * MiB + 12345);
  clipFile = join(root, 'c1.mp4');
  writeFileSync(clipFile, clipBytes);
  coverFile = join(root, 'c1.jpg');
  writeFileSync(coverFile, randomBytes(30_000));
});
afterAll(async () => {
  await s3?.stop();
  rmSync(root, { recursive: true, force: true });
});

let dir: string;
let db: Db;
let rx: WebhookReceiver;
let queues: SqliteJobQueue[];
let services: PublishService[];
let changes: Publication[];
const env = { [KEY_ENV]: randomBytes(32).toString('base64') };

const clip: () => PublishableClip = () => ({
  clipId: 'c1',
  sessionId: 's1',
  file: clipFile,
  cover: coverFile,
  metadata: {
    title: '全场五折',
    prompt: 'sale',
    tags: ['sale'],
    aiGenerated: true,
    window: [12, 40],
  },
});

function makeService(over: Partial<PublishServiceDeps> = {}): {
  queue: SqliteJobQueue;
  service: PublishService;
} {
  const queue = new SqliteJobQueue(db, { backoff: { baseMs: 20, capMs: 100, jitter: 0 } });
  const logger = createLogger({ console: false });
  const service = new PublishService({
    db,
    queue,
    vault: new CredentialVault({ db, dataDir: join(dir, 'data'), env, logger }),
    logger,
    dataDir: join(dir, 'data'),
    resolveClip: (id) => (id === 'c1' ? clip() : null),
    onChange: (p) => changes.push(p),
    env: {},
    s3: { partSize: 5 * MiB, concurrency: 1 },
    ...over,
  });
  queues.push(queue);
  services.push(service);
  return { queue, service };
}

function saveTargets(service: PublishService, s3Secret: string | null = TEST_SECRET): void {
  service.saveTarget({
    id: 'out',
    name: 'Export folder',
    kind: 'folder',
    dir: join(dir, 'export'),
  });
  service.saveTarget(
    {
      id: 's3main',
      name: 'Clips bucket',
      kind: 's3',
      endpoint: s3.endpoint,
      region: 'us-east-1',
      bucket: s3.bucket,
      prefix: `${dir.split('/').pop()}/clips`,
      pathStyle: true,
      accessKeyId: TEST_ACCESS_KEY,
    },
    s3Secret,
  );
  service.saveTarget(
    { id: 'hook', name: 'CMS webhook', kind: 'webhook', url: rx.url },
    'hook-secret',
  );
}

const prefix = () => `${dir.split('/').pop()}/clips/`;
const byTarget = (ps: Publication[]) => Object.fromEntries(ps.map((p) => [p.targetId, p]));

beforeEach(async () => {
  dir = mkdtempSync(join(root, 'case-'));
  db = openPublishDb(dir);
  rx = await startWebhookReceiver('hook-secret');
  queues = [];
  services = [];
  changes = [];
  s3.requests.length = 0;
  s3.intercept = null;
});
afterEach(async () => {
  s3.intercept = null;
  for (const q of queues) await q.stop();
  for (const s of services) s.close();
  await rx.stop();
  db.close();
});

describe('PublishService', () => {
  it('publishes to a folder, S3 and a webhook; publishing again uploads nothing', async () => {
    const { queue, service } = makeService();
    saveTargets(service);
    const first = byTarget(service.publish('c1', ['hook', 's3main', 'out']));
    expect(first['s3main']!.state).toBe('queued');
    // The webhook waits for the others (it announces their URLs).
    expect(first['hook']).toMatchObject({
      state: 'queued',
      error: expect.stringMatching(/^waiting for /),
    });

    queue.start();
    await service.waitIdle();
    const done = byTarget(service.list('c1'));
    const objectUrl = `${s3.endpoint}/${s3.bucket}/${prefix()}c1.mp4`;
    const fileUrl = pathToFileURL(join(dir, 'export', 'c1.mp4')).href;
    expect(done['s3main']).toMatchObject({
      state: 'done',
      url: objectUrl,
      bytes: clipBytes.length,
      progress: 1,
      error: null,
    });
    expect(done['out']).toMatchObject({
      state: 'done',
      url: fileUrl,
      kind: 'folder',
      targetName: 'Export folder',
    });
    expect(done['hook']).toMatchObject({ state: 'done', error: null });

    // The bytes arrived, in parts, with the cover and the sidecar.
    expect((await s3.getObject(`${prefix()}c1.mp4`))!.equals(clipBytes)).toBe(true);
    expect((await s3.getObject(`${prefix()}c1.jpg`))!.equals(readFileSync(coverFile))).toBe(true);
    expect(JSON.parse((await s3.getObject(`${prefix()}c1.json`))!.toString())).toMatchObject({
      title: '全场五折',
      clipId: 'c1',
      sessionId: 's1',
      media: { file: 'c1.mp4', bytes: clipBytes.length, cover: 'c1.jpg' },
    });
    expect(s3.ops('UploadPart')).toHaveLength(3);
    expect(readFileSync(join(dir, 'export', 'c1.mp4')).equals(clipBytes)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'export', 'c1.json'), 'utf8'))).toMatchObject({
      title: '全场五折',
    });

    // One signed delivery, with the other targets' URLs.
    expect(rx.deliveries).toHaveLength(1);
    const d = rx.deliveries[0]!;
    expect(d.signatureOk).toBe(true);
    expect(d.headers['idempotency-key']).toBe('c1:hook');
    expect(d.json).toEqual({
      event: 'clip.published',
      clip: { ...clip().metadata, clipId: 'c1', sessionId: 's1' },
      urls: { s3main: objectUrl, out: fileUrl },
    });

    // Every change was emitted, progress included, ending in done.
    const s3Changes = changes.filter((c) => c.targetId === 's3main');
    expect(s3Changes.some((c) => c.state === 'uploading')).toBe(true);
    expect(s3Changes.at(-1)!.state).toBe('done');

    // Published again: returned as done, no request to S3, no second delivery, no new job.
    const requests = s3.requests.length;
    const jobs = queue.list({ kind: 'publish' }).length;
    const again = service.publish('c1', ['out', 's3main', 'hook']);
    expect(again.map((p) => p.state)).toEqual(['done', 'done', 'done']);
    await service.waitIdle();
    expect(s3.requests.length).toBe(requests);
    expect(rx.deliveries).toHaveLength(1);
    expect(queue.list({ kind: 'publish' }).length).toBe(jobs);

    // force re-publishes explicitly.
    service.publish('c1', ['s3main'], { force: true });
    await service.waitIdle();
    expect(s3.ops('UploadPart')).toHaveLength(6);
    expect(byTarget(service.list('c1'))['s3main']!.state).toBe('done');
  });

  it('resumes after a restart mid-upload with the missing parts only', async () => {
    const first = makeService();
    saveTargets(first.service);
    const arrived = deferred();
    const release = deferred();
    s3.intercept = async (r) => {
      if (r.op !== 'UploadPart' || r.partNumber !== 3) return;
      arrived.resolve();
      await release.promise;
      return { kill: true };
    };
    first.service.publish('c1', ['s3main']);
    first.queue.start();
    await arrived.promise;
    // The app quits while part 3 is on its way.
    await first.queue.stop();
    release.resolve();
    first.service.close();
    const row = db
      .prepare<[], { state: string; upload_state: string }>(
        "SELECT state, upload_state FROM publications WHERE target_id = 's3main'",
      )
      .get()!;
    expect(row.state).toBe('queued');
    const saved = JSON.parse(row.upload_state) as { uploadId: string; parts: Array<{ n: number }> };
    expect(saved.parts.map((p) => p.n)).toEqual([1, 2]);

    // A new process: new queue and service on the same database.
    s3.intercept = null;
    s3.requests.length = 0;
    const second = makeService();
    second.queue.start();
    await second.service.waitIdle();
    expect(s3.ops('CreateMultipartUpload')).toHaveLength(0);
    expect(s3.ops('UploadPart').map((p) => [p.partNumber, p.uploadId])).toEqual([
      [3, saved.uploadId],
    ]);
    expect(byTarget(second.service.list('c1'))['s3main']).toMatchObject({
      state: 'done',
      bytes: clipBytes.length,
    });
    expect((await s3.getObject(`${prefix()}c1.mp4`))!.equals(clipBytes)).toBe(true);
  });

  it('holds the webhook while a target failed, and sends it after that target is retried', async () => {
    const { queue, service } = makeService();
    saveTargets(service, 'a-wrong-secret');
    service.publish('c1', ['s3main', 'hook']);
    queue.start();
    await service.waitIdle();
    const failed = byTarget(service.list('c1'));
    expect(failed['s3main']).toMatchObject({ state: 'failed' });
    expect(failed['s3main']!.error).toMatch(/PutObject|CreateMultipartUpload/);
    expect(failed['s3main']!.error).toMatch(
      /HTTP 403 SignatureDoesNotMatch .*check the secret access key/,
    );
    expect(failed['s3main']!.error).not.toContain('a-wrong-secret');
    expect(failed['hook']).toMatchObject({
      state: 'queued',
      error: 'waiting for "Clips bucket" (failed)',
    });
    expect(rx.deliveries).toHaveLength(0);

    // The operator fixes the secret and retries.
    service.saveTarget(
      service.targets().find((t) => t.id === 's3main'),
      TEST_SECRET,
    );
    service.retry('c1', 's3main');
    await service.waitIdle();
    expect(byTarget(service.list('c1'))['s3main']!.state).toBe('done');
    expect(byTarget(service.list('c1'))['hook']!.state).toBe('done');
    expect(rx.deliveries).toHaveLength(1);
    expect((rx.deliveries[0]!.json as { urls: Record<string, string> }).urls['s3main']).toMatch(
      /c1\.mp4$/,
    );
  });

  it('cancel (undo of approve) drops queued publications and aborts a running upload on the server', async () => {
    const { queue, service } = makeService();
    saveTargets(service);
    const cancelled = service.cancel('c1');
    expect(cancelled).toEqual([]);
    service.publish('c1', ['out', 'hook']);
    expect(service.cancel('c1').map((p) => p.state)).toEqual(['cancelled', 'cancelled']);

    const arrived = deferred();
    const release = deferred();
    s3.intercept = async (r) => {
      if (r.op !== 'UploadPart' || r.partNumber !== 2) return;
      arrived.resolve();
      await release.promise;
      return { kill: true };
    };
    service.publish('c1', ['s3main']);
    queue.start();
    await arrived.promise;
    const row = db
      .prepare<[], { upload_state: string }>(
        "SELECT upload_state FROM publications WHERE target_id = 's3main'",
      )
      .get()!;
    const uploadId = (JSON.parse(row.upload_state) as { uploadId: string }).uploadId;
    expect(service.cancel('c1', 's3main')[0]!.state).toBe('cancelled');
    release.resolve();
    await queue.idle();
    expect(s3.ops('AbortMultipartUpload').map((r) => r.uploadId)).toEqual([uploadId]);
    expect(byTarget(service.list('c1'))['s3main']!.state).toBe('cancelled');
    expect(rx.deliveries).toHaveLength(0);
    expect(s3.ops('PutObject')).toHaveLength(0);
    // Retried after a cancel, it runs again.
    s3.intercept = null;
    service.retry('c1', 's3main');
    await service.waitIdle();
    expect(byTarget(service.list('c1'))['s3main']!.state).toBe('done');
  });

  it('tests targets, reads LIVESLICE_SECRET_<ID>, and names what is missing', async () => {
    const { queue, service } = makeService({ env: { LIVESLICE_SECRET_S3MAIN: TEST_SECRET } });
    saveTargets(service, null);
    expect(await service.testTarget('out')).toMatchObject({
      ok: true,
      message: expect.stringContaining('is writable'),
    });
    expect(await service.testTarget('s3main')).toMatchObject({ ok: true });
    expect(await service.testTarget('hook')).toMatchObject({
      ok: true,
      message: expect.stringContaining('answered HTTP 204'),
    });
    expect((rx.deliveries[0]!.json as { event: string }).event).toBe('liveslice.test');
    rx.respond = () => 500;
    expect(await service.testTarget('hook')).toMatchObject({
      ok: false,
      message: expect.stringContaining('HTTP 500'),
    });
    await expect(service.testTarget('nope')).rejects.toThrow(/No publish target with id nope/);

    const other = makeService({ env: {} });
    expect(await other.service.testTarget('s3main')).toMatchObject({
      ok: false,
      message: expect.stringContaining(
        "has no secret access key: enter it in the target's settings or set LIVESLICE_SECRET_S3MAIN",
      ),
    });
    expect(() => service.publish('c2', ['out'])).toThrow(/Clip c2 has no rendered file/);
    expect(() => service.publish('c1', ['nope'])).toThrow(/No publish target with id nope/);
    expect(() =>
      service.saveTarget({ id: 'x', name: 'X', kind: 's3', endpoint: 'http://a:b@s3.example.com' }),
    ).toThrow(/must not contain a user name or password/);
    void queue;
  });

  it('deleting a target removes its secret and publications', async () => {
    const { queue, service } = makeService();
    saveTargets(service);
    service.publish('c1', ['out']);
    queue.start();
    await service.waitIdle();
    service.deleteTarget('out');
    expect(
      service
        .targets()
        .map((t) => t.id)
        .sort(),
    ).toEqual(['hook', 's3main']);
    expect(service.list('c1')).toEqual([]);
    service.deleteTarget('hook');
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM credentials WHERE name = 'target:hook'").get(),
    ).toEqual({ n: 0 });
  });
});
