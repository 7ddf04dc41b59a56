/**
 * Publishing: one click after approval sends a clip to several targets. Each (clip, target) is a
 * publication row and a 'publish' job on the persistent queue, keyed `<clipId>:<targetId>`, so a
 * clip is never uploaded twice to one target (a done publication is returned as is; `force`
 * re-publishes explicitly). Retries with backoff are the queue's; an S3 upload keeps its multipart
 * state in the row after every part, so a retry — or a new process after a crash — sends only the
 * missing parts.
 *
 * Webhooks announce the clip with the URLs of its other targets, so a webhook publication waits
 * (state 'queued', no job yet) until none of the clip's other publications is queued, uploading
 * or failed; then its job is enqueued. A failed sibling holds the webhook until it is retried
 * (or cancelled): the webhook reports the complete set or nothing.
 *
 * Publication rows follow their jobs through the queue's 'changed' events; `onChange` receives
 * every change (progress at most 4 a second, the queue's throttle).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, statfs, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApiError } from '../api/contract';
import { type JobContext, type JobQueue, type JobRecord, PermanentJobError } from '../jobs/types';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import { cleanupFolderExport, exportPaths, exportToFolder, sha256File, withMedia } from './folder';
import { encodeKey, type MultipartState, S3Client, uploadFile } from './s3';
import {
  parseTarget,
  type PublishTarget,
  type S3Target,
  secretEnvName,
  secretFromEnv,
  targetSecretName,
  TargetError,
  type TargetKind,
} from './targets';
import { CredentialVault, VaultError } from './vault';
import { sendWebhook, type WebhookPayload } from './webhook';

export const PUBLISH_KIND = 'publish';
export const PUBLISH_MAX_ATTEMPTS = 6;
export const PUBLISH_CONCURRENCY = 2;

export interface PublishableClip {
  clipId: string;
  sessionId: string;
  /** The rendered clip, absolute. */
  file: string;
  /** A cover JPEG, absolute, or null. */
  cover: string | null;
  /** The sidecar content: title, prompt, window, tags, copyright, aiGenerated, safety… */
  metadata: Record<string, unknown>;
}

export type PublicationState = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled';

export interface Publication {
  clipId: string;
  targetId: string;
  targetName: string;
  kind: TargetKind;
  state: PublicationState;
  /** 0..1 while uploading (when the size is known), 1 when done, else null. */
  progress: number | null;
  url: string | null;
  /** The last error (also while a retry waits), or what a webhook is waiting for. */
  error: string | null;
  bytes: number | null;
  updatedAt: number;
}

export interface PublishPayload {
  clipId: string;
  targetId: string;
  /** Upload even when the same object is already there. */
  force?: boolean;
}

export interface PublishOutcome {
  url: string | null;
  /** Bytes of the clip delivered (null for a webhook). */
  bytes: number | null;
  /** The destination already had this exact file. */
  skipped: boolean;
}

export interface PublishServiceDeps {
  db: Db;
  queue: JobQueue;
  vault: CredentialVault;
  logger: Logger;
  dataDir: string;
  resolveClip: (clipId: string) => PublishableClip | null;
  onChange?: ((p: Publication) => void) | undefined;
  /** Where LIVESLICE_SECRET_<ID> is read; default process.env. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  s3?:
    | {
        partSize?: number | undefined;
        concurrency?: number | undefined;
        agent?: http.Agent | undefined;
        timeoutMs?: number | undefined;
      }
    | undefined;
  webhookTimeoutMs?: number | undefined;
}

interface Row {
  clip_id: string;
  target_id: string;
  state: PublicationState;
  job_id: string | null;
  url: string | null;
  error: string | null;
  bytes: number | null;
  sent: number;
  attempts: number;
  upload_state: string | null;
  created_at: number;
  updated_at: number;
}

const LIVE: readonly PublicationState[] = ['queued', 'uploading'];
/** Sibling states that hold a webhook back. */
const BLOCKING: readonly PublicationState[] = ['queued', 'uploading', 'failed'];

export class PublishService {
  private readonly q;
  private readonly off: Array<() => void> = [];
  private readonly waiters = new Set<() => void>();
  private readonly log: Logger;

  constructor(private readonly deps: PublishServiceDeps) {
    this.log = deps.logger.child({ stage: 'publish' });
    const db = deps.db;
    this.q = {
      targets: db.prepare<[], { id: string; json: string }>(
        'SELECT id, json FROM publish_targets ORDER BY id',
      ),
      target: db.prepare<[string], { json: string }>(
        'SELECT json FROM publish_targets WHERE id = ?',
      ),
      putTarget: db.prepare<[{ id: string; json: string; now: number }]>(
        `INSERT INTO publish_targets (id, json, updated_at) VALUES (@id, @json, @now)
         ON CONFLICT (id) DO UPDATE SET json = @json, updated_at = @now`,
      ),
      delTarget: db.prepare<[string]>('DELETE FROM publish_targets WHERE id = ?'),
      get: db.prepare<[string, string], Row>(
        'SELECT * FROM publications WHERE clip_id = ? AND target_id = ?',
      ),
      byJob: db.prepare<[string], Row>('SELECT * FROM publications WHERE job_id = ?'),
      byClip: db.prepare<[string], Row>(
        'SELECT * FROM publications WHERE clip_id = ? ORDER BY created_at, target_id',
      ),
      byTarget: db.prepare<[string], Row>('SELECT * FROM publications WHERE target_id = ?'),
      all: db.prepare<[], Row>(
        'SELECT * FROM publications ORDER BY created_at DESC, clip_id, target_id',
      ),
      live: db.prepare<[], Row>(
        `SELECT * FROM publications WHERE state IN ('queued', 'uploading')`,
      ),
      delByTarget: db.prepare<[string]>('DELETE FROM publications WHERE target_id = ?'),
      upsertQueued: db.prepare<[{ clip: string; target: string; now: number }]>(
        `INSERT INTO publications (clip_id, target_id, state, created_at, updated_at)
         VALUES (@clip, @target, 'queued', @now, @now)
         ON CONFLICT (clip_id, target_id) DO UPDATE SET state = 'queued', job_id = NULL, url = NULL,
           error = NULL, bytes = NULL, sent = 0, attempts = 0, upload_state = NULL, updated_at = @now`,
      ),
      setJob: db.prepare<[{ clip: string; target: string; job: string; now: number }]>(
        `UPDATE publications SET job_id = @job, updated_at = @now WHERE clip_id = @clip AND target_id = @target`,
      ),
      setState: db.prepare<
        [
          {
            clip: string;
            target: string;
            state: PublicationState;
            error: string | null;
            now: number;
          },
        ]
      >(
        `UPDATE publications SET state = @state, error = @error, updated_at = @now
         WHERE clip_id = @clip AND target_id = @target`,
      ),
      fromJob: db.prepare<
        [
          {
            job: string;
            state: PublicationState;
            error: string | null;
            attempts: number;
            url: string | null;
            bytes: number | null;
            sent: number;
            uploadState: string | null;
            now: number;
          },
        ]
      >(
        `UPDATE publications SET state = @state, error = @error, attempts = @attempts, url = @url,
           bytes = @bytes, sent = @sent, upload_state = @uploadState, updated_at = @now
         WHERE job_id = @job`,
      ),
      progress: db.prepare<[{ job: string; sent: number; bytes: number }]>(
        'UPDATE publications SET sent = @sent, bytes = @bytes WHERE job_id = @job',
      ),
      uploadState: db.prepare<[{ job: string; state: string | null }]>(
        'UPDATE publications SET upload_state = @state WHERE job_id = @job',
      ),
    };

    deps.queue.register<PublishPayload, PublishOutcome>(
      PUBLISH_KIND,
      { run: (job, ctx) => this.run(job, ctx), cleanup: (job) => this.cleanup(job) },
      { concurrency: PUBLISH_CONCURRENCY },
    );
    this.off.push(deps.queue.on('changed', (job) => this.onJob(job)));
    this.reconcile();
  }

  close(): void {
    for (const f of this.off.splice(0)) f();
  }

  // ---------- targets ----------

  targets(): PublishTarget[] {
    const out: PublishTarget[] = [];
    for (const r of this.q.targets.all()) {
      try {
        out.push(parseTarget(JSON.parse(r.json)));
      } catch (err) {
        this.log.warn('a stored publish target is not valid and is ignored', {
          id: r.id,
          error: (err as Error).message,
        });
      }
    }
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /**
   * Validates and stores a target. `secret`: a string sets the target's secret (stored encrypted),
   * null deletes it, undefined leaves it as it is.
   */
  saveTarget(input: unknown, secret?: string | null): PublishTarget {
    let t: PublishTarget;
    try {
      t = parseTarget(input);
    } catch (err) {
      throw new ApiError('bad_request', (err as TargetError).message);
    }
    this.q.putTarget.run({ id: t.id, json: JSON.stringify(t), now: Date.now() });
    if (secret === null) this.deps.vault.delete(targetSecretName(t.id));
    else if (secret !== undefined) this.deps.vault.set(targetSecretName(t.id), secret);
    return t;
  }

  /** Deletes a target, its secret and its publications (live ones are cancelled first). */
  deleteTarget(id: string): void {
    const t = this.target(id);
    if (!t) throw new ApiError('not_found', `No publish target with id ${id}`);
    for (const r of this.q.byTarget.all(id)) {
      if (r.job_id && LIVE.includes(r.state)) this.deps.queue.cancel(r.job_id);
      if (t.kind === 's3' && r.upload_state) void this.abortUpload(t, r.upload_state);
    }
    this.q.delByTarget.run(id);
    this.q.delTarget.run(id);
    this.deps.vault.delete(targetSecretName(id));
  }

  /** Checks a target without publishing: folder writable, bucket writable, webhook answering. */
  async testTarget(id: string): Promise<{ ok: boolean; message: string }> {
    const t = this.target(id);
    if (!t) throw new ApiError('not_found', `No publish target with id ${id}`);
    const signal = AbortSignal.timeout(20_000);
    try {
      switch (t.kind) {
        case 'folder': {
          await mkdir(t.dir, { recursive: true });
          const probe = join(t.dir, `.liveslice-write-test-${randomBytes(4).toString('hex')}`);
          await writeFile(probe, 'ok', { signal });
          await rm(probe, { force: true });
          const fs = await statfs(t.dir).catch(() => null);
          const free = fs ? ` (${((fs.bavail * fs.bsize) / 1024 ** 3).toFixed(1)} GiB free)` : '';
          return { ok: true, message: `${t.dir} is writable${free}` };
        }
        case 's3': {
          const client = this.s3Client(t, this.secretOrThrow(t));
          await client.headBucket({ bucket: t.bucket, signal });
          const key = `${t.prefix}.liveslice-write-test-${randomBytes(4).toString('hex')}`;
          await client.putObject({
            bucket: t.bucket,
            key,
            body: Buffer.from('ok'),
            contentType: 'text/plain',
            signal,
          });
          await client.deleteObject({ bucket: t.bucket, key, signal }).catch(() => undefined);
          return {
            ok: true,
            message: `bucket ${t.bucket} at ${new URL(t.endpoint).host}: writing works`,
          };
        }
        case 'webhook': {
          const r = await sendWebhook(
            t,
            { event: 'liveslice.test', clip: {}, urls: {} },
            {
              secret: this.secret(t),
              idempotencyKey: `test:${t.id}:${Date.now()}`,
              signal,
              timeoutMs: this.deps.webhookTimeoutMs,
            },
          );
          return { ok: true, message: `${new URL(t.url).origin} answered HTTP ${r.status}` };
        }
      }
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    }
  }

  // ---------- publications ----------

  /**
   * Publishes a clip to targets; already done (or running) ones are returned as they are.
   * `explicit`: the caller named these targets for this run (the CLI's --publish), so a target
   * saved disabled — kept out of the app's publish-on-approve — is used too.
   */
  publish(
    clipId: string,
    targetIds: readonly string[],
    opts: { force?: boolean; explicit?: boolean } = {},
  ): Publication[] {
    if (!this.deps.resolveClip(clipId))
      throw new ApiError('not_found', `Clip ${clipId} has no rendered file to publish yet`);
    const targets = [...new Set(targetIds)].map((id) => {
      const t = this.target(id);
      if (!t) throw new ApiError('not_found', `No publish target with id ${id}`);
      if (!t.enabled && !opts.explicit)
        throw new ApiError('bad_request', `Publish target "${t.name}" is disabled`);
      return t;
    });
    // Webhooks last: they announce the others.
    targets.sort((a, b) => Number(a.kind === 'webhook') - Number(b.kind === 'webhook'));
    for (const t of targets) {
      const row = this.q.get.get(clipId, t.id);
      if (row && LIVE.includes(row.state)) continue;
      if (row?.state === 'done' && !opts.force) continue;
      if (row && (row.state === 'failed' || row.state === 'cancelled') && !opts.force) {
        this.retryRow(row, t);
        continue;
      }
      this.q.upsertQueued.run({ clip: clipId, target: t.id, now: Date.now() });
      if (t.kind !== 'webhook') this.enqueue(clipId, t.id, opts.force === true);
      this.emitRow(clipId, t.id);
    }
    this.releaseWebhooks(clipId);
    return targets.map((t) => this.publication(clipId, t.id)!).filter(Boolean);
  }

  list(clipId?: string): Publication[] {
    const rows = clipId === undefined ? this.q.all.all() : this.q.byClip.all(clipId);
    const targets = new Map(this.targets().map((t) => [t.id, t]));
    return rows.flatMap((r) => {
      const t = targets.get(r.target_id);
      return t ? [toPublication(r, t)] : [];
    });
  }

  /** Tries a failed or cancelled publication again (with a fresh attempt budget). */
  retry(clipId: string, targetId: string): Publication {
    const row = this.q.get.get(clipId, targetId);
    const t = this.target(targetId);
    if (!row || !t)
      throw new ApiError('not_found', `Clip ${clipId} was not published to ${targetId}`);
    if (row.state === 'failed' || row.state === 'cancelled') this.retryRow(row, t);
    this.releaseWebhooks(clipId);
    return this.publication(clipId, targetId)!;
  }

  /** Cancels the clip's queued and uploading publications (all, or one target's). */
  cancel(clipId: string, targetId?: string): Publication[] {
    const rows = this.q.byClip
      .all(clipId)
      .filter((r) => targetId === undefined || r.target_id === targetId);
    // Webhooks first: cancelling a sibling releases waiting webhooks, which must not go out when
    // they are being cancelled too.
    const kind = (r: Row) => this.target(r.target_id)?.kind;
    rows.sort((a, b) => Number(kind(b) === 'webhook') - Number(kind(a) === 'webhook'));
    for (const r of rows) {
      const now = this.q.get.get(clipId, r.target_id);
      if (!now || !LIVE.includes(now.state)) continue;
      this.q.setState.run({
        clip: clipId,
        target: r.target_id,
        state: 'cancelled',
        error: null,
        now: Date.now(),
      });
      if (now.job_id) this.deps.queue.cancel(now.job_id);
      this.emitRow(clipId, r.target_id);
    }
    this.releaseWebhooks(clipId);
    return rows
      .map((r) => this.publication(clipId, r.target_id))
      .filter((p): p is Publication => p !== null);
  }

  /**
   * Resolves once nothing is queued or uploading (a webhook held by a failed target does not
   * count). The queue must be started.
   */
  async waitIdle(): Promise<void> {
    while (this.busy()) await new Promise<void>((resolve) => this.waiters.add(resolve));
  }

  // ---------- internals ----------

  private target(id: string): PublishTarget | null {
    const r = this.q.target.get(id);
    if (!r) return null;
    try {
      return parseTarget(JSON.parse(r.json));
    } catch {
      return null;
    }
  }

  private publication(clipId: string, targetId: string): Publication | null {
    const r = this.q.get.get(clipId, targetId);
    const t = this.target(targetId);
    return r && t ? toPublication(r, t) : null;
  }

  private emitRow(clipId: string, targetId: string): void {
    const p = this.publication(clipId, targetId);
    if (p) {
      try {
        this.deps.onChange?.(p);
      } catch (err) {
        this.log.warn('a publication listener threw', { error: (err as Error).message });
      }
    }
    for (const w of [...this.waiters]) {
      this.waiters.delete(w);
      w();
    }
  }

  private enqueue(clipId: string, targetId: string, force: boolean): void {
    const payload: PublishPayload = force ? { clipId, targetId, force } : { clipId, targetId };
    const opts = { key: `${clipId}:${targetId}`, maxAttempts: PUBLISH_MAX_ATTEMPTS };
    let job = this.deps.queue.enqueue(PUBLISH_KIND, payload, opts);
    // The key's done job is an earlier publication (re-published with force, or a target deleted
    // and made again with the same id): this one is new work and needs its own job.
    if (job.state === 'done')
      job = this.deps.queue.enqueue(PUBLISH_KIND, payload, {
        ...opts,
        key: `${opts.key}#${Date.now().toString(36)}${randomBytes(3).toString('hex')}`,
      });
    this.q.setJob.run({ clip: clipId, target: targetId, job: job.id, now: Date.now() });
  }

  private retryRow(row: Row, t: PublishTarget): void {
    const now = Date.now();
    if (t.kind === 'webhook' && row.job_id === null) {
      this.q.setState.run({
        clip: row.clip_id,
        target: row.target_id,
        state: 'queued',
        error: null,
        now,
      });
    } else {
      const job = row.job_id ? this.deps.queue.retry(row.job_id) : null;
      this.q.setState.run({
        clip: row.clip_id,
        target: row.target_id,
        state: 'queued',
        error: null,
        now,
      });
      if (!job || job.state === 'done') this.enqueue(row.clip_id, row.target_id, false);
      else if (job.id !== row.job_id)
        this.q.setJob.run({ clip: row.clip_id, target: row.target_id, job: job.id, now });
    }
    this.emitRow(row.clip_id, row.target_id);
  }

  /** Enqueues the clip's waiting webhooks once no other publication of it is pending. */
  private releaseWebhooks(clipId: string): void {
    const rows = this.q.byClip.all(clipId);
    const kinds = new Map(rows.map((r) => [r.target_id, this.target(r.target_id)]));
    const waiting = rows.filter(
      (r) =>
        kinds.get(r.target_id)?.kind === 'webhook' && r.state === 'queued' && r.job_id === null,
    );
    if (waiting.length === 0) return;
    const blockers = rows.filter((r) => {
      const t = kinds.get(r.target_id);
      return t && t.kind !== 'webhook' && BLOCKING.includes(r.state);
    });
    if (blockers.length > 0) {
      const note = `waiting for ${blockers.map((b) => `"${kinds.get(b.target_id)!.name}" (${b.state})`).join(', ')}`;
      for (const w of waiting)
        if (w.error !== note) {
          this.q.setState.run({
            clip: clipId,
            target: w.target_id,
            state: 'queued',
            error: note,
            now: Date.now(),
          });
          this.emitRow(clipId, w.target_id);
        }
      return;
    }
    for (const w of waiting) {
      this.q.setState.run({
        clip: clipId,
        target: w.target_id,
        state: 'queued',
        error: null,
        now: Date.now(),
      });
      this.enqueue(clipId, w.target_id, false);
      this.emitRow(clipId, w.target_id);
    }
  }

  private busy(): boolean {
    const live = this.q.live.all();
    return live.some((r) => {
      if (r.job_id !== null) return true;
      // A waiting webhook is busy only while its siblings are still on their way.
      return this.q.byClip
        .all(r.clip_id)
        .some(
          (s) =>
            s.target_id !== r.target_id &&
            LIVE.includes(s.state) &&
            this.target(s.target_id)?.kind !== 'webhook',
        );
    });
  }

  /** Brings rows in line with their jobs (events missed while no service listened). */
  private reconcile(): void {
    const clips = new Set<string>();
    for (const r of this.q.live.all()) {
      clips.add(r.clip_id);
      if (r.job_id === null) continue;
      const job = this.deps.queue.get(r.job_id);
      if (job) this.onJob(job);
      else {
        this.q.setState.run({
          clip: r.clip_id,
          target: r.target_id,
          state: 'failed',
          error: 'its publish job is gone (was the database restored?): retry it',
          now: Date.now(),
        });
        this.emitRow(r.clip_id, r.target_id);
      }
    }
    for (const c of clips) this.releaseWebhooks(c);
  }

  private onJob(job: JobRecord): void {
    if (job.kind !== PUBLISH_KIND) return;
    const row = this.q.byJob.get(job.id);
    if (!row) return;
    // A cancelled publication follows its job again only once it is retried (queued).
    if (row.state === 'cancelled' && job.state !== 'queued' && job.state !== 'cancelled') return;
    const state: PublicationState = job.state === 'running' ? 'uploading' : job.state;
    const result = job.state === 'done' ? (job.result as PublishOutcome | null) : null;
    const done = state === 'done';
    this.q.fromJob.run({
      job: job.id,
      state,
      error: done ? null : job.error,
      attempts: job.attempts,
      url: done ? (result?.url ?? null) : row.url,
      bytes: done ? (result?.bytes ?? row.bytes) : row.bytes,
      sent: done ? (result?.bytes ?? row.sent) : row.sent,
      uploadState: done ? null : row.upload_state,
      now: Date.now(),
    });
    if (state !== row.state) {
      const t = this.target(row.target_id);
      const fields = {
        clipId: row.clip_id,
        targetId: row.target_id,
        kind: t?.kind,
        attempts: job.attempts,
      };
      if (state === 'failed') this.log.warn('publication failed', { ...fields, error: job.error });
      else if (done)
        this.log.info('published', {
          ...fields,
          url: result?.url ?? null,
          bytes: result?.bytes,
          skipped: result?.skipped,
        });
      else if (state === 'queued' && job.error)
        this.log.info('publication will retry', { ...fields, error: job.error });
    }
    this.emitRow(row.clip_id, row.target_id);
    if (state === 'done' || state === 'failed' || state === 'cancelled')
      this.releaseWebhooks(row.clip_id);
  }

  private async run(
    job: JobRecord<PublishPayload, PublishOutcome>,
    ctx: JobContext,
  ): Promise<PublishOutcome> {
    const { clipId, targetId } = job.payload;
    const row = this.q.get.get(clipId, targetId);
    // Superseded (re-published, or the target was deleted): nothing to do for this job.
    if (!row || row.job_id !== job.id || row.state === 'cancelled')
      return { url: null, bytes: null, skipped: true };
    const t = this.target(targetId);
    if (!t) throw new PermanentJobError(`publish target "${targetId}" no longer exists`);
    // No enabled check here: 'disabled' keeps a target out of publish-on-approve; a publication
    // already asked for (by the operator, or the CLI's --publish) goes ahead. cancel() stops it.
    const clip = this.deps.resolveClip(clipId);
    if (!clip) throw new PermanentJobError(`clip ${clipId} no longer has a rendered file`);
    for (const f of [clip.file, clip.cover])
      if (f !== null && !(await stat(f).catch(() => null))?.isFile())
        throw new PermanentJobError(
          `clip ${clipId}: the file ${f} is missing (render the clip again)`,
        );

    let last = 0;
    const onProgress = (sent: number, total: number) => {
      const now = Date.now();
      if (now - last < 250 && sent < total) return;
      last = now;
      this.q.progress.run({ job: job.id, sent, bytes: total });
      if (total > 0) ctx.progress(sent / total);
    };
    switch (t.kind) {
      case 'folder': {
        const r = await exportToFolder({
          dir: t.dir,
          clipId,
          file: clip.file,
          cover: clip.cover,
          sidecar: sidecarMetadata(clip),
          signal: ctx.signal,
          onProgress,
        });
        return { url: pathToFileURL(r.file).href, bytes: r.bytes, skipped: !r.copied };
      }
      case 's3':
        return this.uploadS3(job, ctx, t, clip, row, onProgress);
      case 'webhook': {
        const rows = this.q.byClip.all(clipId);
        const others = rows
          .map((r) => ({ r, t: this.target(r.target_id) }))
          .filter((x) => x.t && x.t.kind !== 'webhook');
        const pending = others.filter((x) => BLOCKING.includes(x.r.state));
        if (pending.length > 0)
          throw new Error(
            `waiting for ${pending.map((x) => `"${x.t!.name}" (${x.r.state})`).join(', ')}`,
          );
        const urls: Record<string, string> = {};
        for (const x of others) if (x.r.state === 'done' && x.r.url) urls[x.r.target_id] = x.r.url;
        const payload: WebhookPayload = {
          event: 'clip.published',
          clip: { ...clip.metadata, clipId, sessionId: clip.sessionId },
          urls,
        };
        await sendWebhook(t, payload, {
          secret: this.secret(t),
          idempotencyKey: `${clipId}:${targetId}`,
          signal: ctx.signal,
          timeoutMs: this.deps.webhookTimeoutMs,
        });
        return { url: null, bytes: null, skipped: false };
      }
    }
  }

  private async uploadS3(
    job: JobRecord<PublishPayload, PublishOutcome>,
    ctx: JobContext,
    t: S3Target,
    clip: PublishableClip,
    row: Row,
    onProgress: (sent: number, total: number) => void,
  ): Promise<PublishOutcome> {
    const client = this.s3Client(t, this.secretOrThrow(t));
    const { signal } = ctx;
    exportPaths('/', clip.clipId); // the id must be a safe name: it becomes the object key
    const base = `${t.prefix}${clip.clipId}`;
    const opts = this.deps.s3 ?? {};
    const sha256 = await sha256File(clip.file, signal);
    const force = job.payload.force === true;
    const video = await uploadFile(client, {
      bucket: t.bucket,
      key: `${base}.mp4`,
      file: clip.file,
      partSize: opts.partSize,
      concurrency: opts.concurrency,
      contentType: 'video/mp4',
      metadata: { 'clip-id': clip.clipId, 'session-id': clip.sessionId },
      sha256,
      skipIfSame: !force,
      signal,
      state: parseUploadState(row.upload_state),
      saveState: (s) => {
        this.q.uploadState.run({ job: job.id, state: s ? JSON.stringify(s) : null });
      },
      onProgress,
    });
    let cover: string | null = null;
    if (clip.cover) {
      cover = `${clip.clipId}.jpg`;
      await uploadFile(client, {
        bucket: t.bucket,
        key: `${base}.jpg`,
        file: clip.cover,
        contentType: 'image/jpeg',
        sha256: await sha256File(clip.cover, signal),
        skipIfSame: !force,
        signal,
      });
    }
    const sidecar = withMedia(sidecarMetadata(clip), {
      file: `${clip.clipId}.mp4`,
      bytes: video.size,
      sha256,
      cover,
    });
    await client.putObject({
      bucket: t.bucket,
      key: `${base}.json`,
      body: Buffer.from(`${JSON.stringify(sidecar, null, 2)}\n`, 'utf8'),
      contentType: 'application/json; charset=utf-8',
      signal,
    });
    const key = `${base}.mp4`;
    const url = t.publicBaseUrl
      ? `${t.publicBaseUrl.replace(/\/+$/, '')}/${encodeKey(key)}`
      : client.objectUrl(t.bucket, key);
    return { url, bytes: video.size, skipped: video.skipped };
  }

  /** Removes an interrupted attempt's leftovers; a cancelled S3 upload is aborted on the server. */
  private async cleanup(job: JobRecord<PublishPayload, PublishOutcome>): Promise<void> {
    const { clipId, targetId } = job.payload;
    const t = this.target(targetId);
    if (!t) return;
    if (t.kind === 'folder') {
      await cleanupFolderExport(t.dir, clipId).catch(() => undefined);
      return;
    }
    // A stopped or failed attempt keeps its parts for the next one; only a cancel drops them.
    if (t.kind !== 's3' || job.state !== 'cancelled') return;
    const row = this.q.get.get(clipId, targetId);
    if (!row || row.job_id !== job.id || !row.upload_state) return;
    await this.abortUpload(t, row.upload_state);
    this.q.uploadState.run({ job: job.id, state: null });
  }

  private async abortUpload(t: S3Target, uploadState: string): Promise<void> {
    const s = parseUploadState(uploadState);
    if (!s) return;
    try {
      const client = this.s3Client(t, this.secretOrThrow(t));
      await client.abortMultipart({
        bucket: t.bucket,
        key: s.key,
        uploadId: s.uploadId,
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      this.log.warn(
        'could not abort a cancelled multipart upload (its parts stay until the bucket expires them)',
        {
          targetId: t.id,
          error: (err as Error).message,
        },
      );
    }
  }

  private s3Client(t: S3Target, secretAccessKey: string): S3Client {
    return new S3Client({
      endpoint: t.endpoint,
      region: t.region,
      pathStyle: t.pathStyle,
      accessKeyId: t.accessKeyId,
      secretAccessKey,
      agent: this.deps.s3?.agent,
      timeoutMs: this.deps.s3?.timeoutMs,
    });
  }

  /** The target's secret: LIVESLICE_SECRET_<ID> first, then the vault. */
  private secret(t: PublishTarget): string | null {
    let secret = secretFromEnv(t.id, this.deps.env ?? process.env);
    try {
      secret ??= this.deps.vault.get(targetSecretName(t.id));
    } catch (err) {
      if (err instanceof VaultError) throw new PermanentJobError(err.message);
      throw err;
    }
    // Whatever an error message or a log field might carry later, this value is cut out of it.
    if (secret !== null) this.deps.logger.addSecret(secret);
    return secret;
  }

  private secretOrThrow(t: S3Target): string {
    const s = this.secret(t);
    if (s === null)
      throw new PermanentJobError(
        `S3 target "${t.name}" has no secret access key: enter it in the target's settings or set ${secretEnvName(t.id)}`,
      );
    return s;
  }
}

function toPublication(r: Row, t: PublishTarget): Publication {
  return {
    clipId: r.clip_id,
    targetId: r.target_id,
    targetName: t.name,
    kind: t.kind,
    state: r.state,
    progress:
      r.state === 'done'
        ? 1
        : r.state === 'uploading' && r.bytes
          ? Math.min(1, r.sent / r.bytes)
          : null,
    url: r.url,
    error: r.error,
    bytes: r.bytes,
    updatedAt: r.updated_at,
  };
}

function sidecarMetadata(clip: PublishableClip): Record<string, unknown> {
  return { ...clip.metadata, clipId: clip.clipId, sessionId: clip.sessionId };
}

function parseUploadState(json: string | null): MultipartState | null {
  if (!json) return null;
  try {
    const s = JSON.parse(json) as MultipartState;
    return typeof s.uploadId === 'string' && Array.isArray(s.parts) ? s : null;
  } catch {
    return null;
  }
}

export { TargetError };
