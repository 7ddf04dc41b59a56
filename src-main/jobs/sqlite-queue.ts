/**
 * The embedded job queue: jobs persist in the app's SQLite database (table `jobs`, migration 7),
 * so they survive a crash or a kill -9. Every state change is one immediate transaction, guarded
 * by the row's current state, and a running attempt holds a random lease token: completing,
 * failing or reporting progress only counts while the row still carries that token, so a job
 * cancelled, stopped or taken over by another process is never completed by its old attempt.
 *
 * Scheduling: per kind, the due queued job with the lowest priority, then the oldest (FIFO), runs
 * whenever that kind has a free slot (`concurrency` is per kind and per process). A failed attempt
 * waits an exponential backoff (1 s, ×2, capped at 60 s, minus up to 20 % jitter) before the next,
 * up to `maxAttempts`; a `PermanentJobError` fails at once. An attempt that did not complete
 * (failed, cancelled, stopped, crashed) sets `needs_cleanup`; the handler's `cleanup()` then runs
 * once that attempt has settled, and the job is not started again before it has.
 *
 * Crash resume: a 'running' row whose owner is gone (its process is dead, or its lease expired —
 * live owners renew leases every leaseMs/3) goes back to 'queued' with its attempt counted, or to
 * 'failed' if that was its last attempt (a job that crashes the app every time must not loop).
 */
import { randomUUID } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../store/db';
import { type Clock, realClock } from './clock';
import {
  type EnqueueOptions,
  isPermanentError,
  JOB_STATES,
  type JobContext,
  type JobHandler,
  type JobQueue,
  type JobRecord,
  type JobState,
  type ListFilter,
  type QueueStats,
} from './types';

export { PermanentJobError } from './types';

export interface BackoffOptions {
  baseMs: number;
  factor: number;
  capMs: number;
  /** Fraction of the delay randomly taken off (0 → exact delays). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 1000,
  factor: 2,
  capMs: 60_000,
  jitter: 0.2,
};

/** Delay before attempt `failedAttempts + 1`; `random` in [0, 1). */
export function backoffDelay(
  failedAttempts: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(1, Math.trunc(failedAttempts));
  const raw = Math.min(opts.capMs, opts.baseMs * opts.factor ** (n - 1));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(raw * (1 - opts.jitter * r));
}

export interface SqliteJobQueueOptions {
  clock?: Clock | undefined;
  /** For the backoff jitter; default Math.random. */
  random?: (() => number) | undefined;
  backoff?: Partial<BackoffOptions> | undefined;
  /** Minimum spacing of progress events per job; default 250 ms (≤ 4/s). */
  progressIntervalMs?: number | undefined;
  /** How long a running attempt's lease lasts without renewal; default 30 s. */
  leaseMs?: number | undefined;
  /** How long stop() waits for aborted handlers to settle; default 10 s. */
  stopGraceMs?: number | undefined;
  defaultMaxAttempts?: number | undefined;
  logger?: { warn(msg: string, fields?: Record<string, unknown>): void } | undefined;
}

interface JobRow {
  seq: number;
  id: string;
  kind: string;
  key: string | null;
  priority: number;
  state: JobState;
  attempts: number;
  max_attempts: number;
  run_after: number;
  payload: string;
  result: string | null;
  error: string | null;
  progress: number | null;
  progress_note: string | null;
  lease: string | null;
  owner: string | null;
  owner_pid: number | null;
  lease_until: number | null;
  needs_cleanup: number;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
}

interface Registration {
  handler: JobHandler<unknown, unknown>;
  concurrency: number;
  running: number;
}

interface Attempt {
  id: string;
  kind: string;
  lease: string;
  controller: AbortController;
  settled: Promise<void>;
  lastProgressAt: number;
  lastProgress: { fraction: number; note: string | null } | null;
  pendingProgress: { fraction: number; note: string | null } | null;
  progressTimer: unknown;
}

const MAX_ERROR_CHARS = 2000;

/** Owners (queue instances) alive in this process: their 'running' rows are not orphans. */
const liveOwners = new Set<string>();

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a row's owner (a queue instance) is gone: its process died or its lease expired. */
function ownerGone(row: JobRow, now: number): boolean {
  if (row.owner === null) return true;
  if (liveOwners.has(row.owner)) return false;
  const pid = row.owner_pid;
  return (
    pid === null ||
    pid === process.pid || // an instance of this process that is not running any more
    !pidAlive(pid) ||
    (row.lease_until ?? 0) < now
  );
}

function errorText(err: unknown): string {
  const msg = err instanceof Error ? err.message || err.name : String(err);
  return msg.length > MAX_ERROR_CHARS ? `${msg.slice(0, MAX_ERROR_CHARS - 1)}…` : msg;
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    key: row.key,
    priority: row.priority,
    state: row.state,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    runAfter: row.run_after,
    payload: JSON.parse(row.payload) as unknown,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    error: row.error,
    progress: row.progress,
    progressNote: row.progress_note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export class SqliteJobQueue implements JobQueue {
  /** This instance's identity in the `owner` column. */
  readonly owner = randomUUID();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: BackoffOptions;
  private readonly progressIntervalMs: number;
  private readonly leaseMs: number;
  private readonly stopGraceMs: number;
  private readonly defaultMaxAttempts: number;
  private readonly logger: SqliteJobQueueOptions['logger'];

  private readonly kinds = new Map<string, Registration>();
  private readonly attempts = new Map<string, Attempt>();
  private readonly cleaning = new Set<string>();
  private readonly listeners = new Set<(job: JobRecord) => void>();
  private readonly listStatements = new Map<string, Statement<Array<string | number>, JobRow>>();
  private started = false;
  private pumpScheduled = false;
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private heartbeatTimer: unknown = null;
  private cleanupRun: Promise<void> | null = null;
  private cleanupAgain = false;

  private readonly q: ReturnType<SqliteJobQueue['prepare']>;

  constructor(
    private readonly db: Db,
    opts: SqliteJobQueueOptions = {},
  ) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.progressIntervalMs = opts.progressIntervalMs ?? 250;
    this.leaseMs = opts.leaseMs ?? 30_000;
    this.stopGraceMs = opts.stopGraceMs ?? 10_000;
    this.defaultMaxAttempts = opts.defaultMaxAttempts ?? 3;
    this.logger = opts.logger;
    this.q = this.prepare();
  }

  private prepare() {
    const db = this.db;
    type Lease = { id: string; lease: string };
    // The attempt is over and its handler settled: nobody owns the row any more.
    const set = `lease = NULL, owner = NULL, owner_pid = NULL, lease_until = NULL,
                 progress = NULL, progress_note = NULL`;
    // The attempt lost its lease but its handler may still be running: the owner columns stay,
    // so that only the owner (or whoever finds the owner dead) runs the cleanup.
    const dropLease = `lease = NULL, progress = NULL, progress_note = NULL`;
    return {
      byId: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
      liveByKey: db.prepare<[string, string], JobRow>(
        `SELECT * FROM jobs WHERE kind = ? AND key = ? AND state IN ('queued', 'running', 'done')
         ORDER BY seq DESC LIMIT 1`,
      ),
      insert: db.prepare<
        [
          {
            id: string;
            kind: string;
            key: string | null;
            priority: number;
            maxAttempts: number;
            payload: string;
            now: number;
          },
        ]
      >(
        `INSERT INTO jobs (id, kind, key, priority, state, max_attempts, run_after, payload,
                           created_at, updated_at)
         VALUES (@id, @kind, @key, @priority, 'queued', @maxAttempts, @now, @payload, @now, @now)`,
      ),
      bumpPriority: db.prepare<[{ id: string; priority: number; now: number }]>(
        `UPDATE jobs SET priority = @priority, updated_at = @now WHERE id = @id AND state = 'queued'`,
      ),
      next: db.prepare<[string, number], JobRow>(
        `SELECT * FROM jobs
         WHERE kind = ? AND state = 'queued' AND needs_cleanup = 0 AND run_after <= ?
         ORDER BY priority, seq LIMIT 1`,
      ),
      nextDue: db.prepare<[string], { at: number | null }>(
        `SELECT MIN(run_after) AS at FROM jobs
         WHERE kind = ? AND state = 'queued' AND needs_cleanup = 0`,
      ),
      claim: db.prepare<[Lease & { owner: string; pid: number; until: number; now: number }]>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, lease = @lease,
           owner = @owner, owner_pid = @pid, lease_until = @until, started_at = @now,
           updated_at = @now, progress = NULL, progress_note = NULL, error = NULL,
           finished_at = NULL
         WHERE id = @id AND state = 'queued' AND needs_cleanup = 0`,
      ),
      complete: db.prepare<[Lease & { result: string | null; now: number }]>(
        `UPDATE jobs SET state = 'done', result = @result, error = NULL, ${set}, progress = 1,
           needs_cleanup = 0, finished_at = @now, updated_at = @now
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      failAttempt: db.prepare<[Lease & { error: string; now: number }]>(
        `UPDATE jobs SET state = 'failed', error = @error, ${set}, needs_cleanup = 1,
           finished_at = @now, updated_at = @now
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      requeueAttempt: db.prepare<[Lease & { error: string; runAfter: number; now: number }]>(
        `UPDATE jobs SET state = 'queued', error = @error, run_after = @runAfter,
           updated_at = @now, ${set}, needs_cleanup = 1
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      /** stop(): back to queued, the interrupted attempt not counted. */
      release: db.prepare<[Lease & { now: number }]>(
        `UPDATE jobs SET state = 'queued', attempts = MAX(0, attempts - 1), run_after = @now,
           updated_at = @now, ${dropLease}, needs_cleanup = 1
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      /** A dead owner's attempt: counted; back to queued unless it was the last one. */
      reclaim: db.prepare<[Lease & { now: number }]>(
        `UPDATE jobs SET
           state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
           error = CASE WHEN attempts >= max_attempts
             THEN 'interrupted: the process running it stopped (attempt ' || attempts || ' of '
                  || max_attempts || ')'
             ELSE error END,
           finished_at = CASE WHEN attempts >= max_attempts THEN @now ELSE NULL END,
           run_after = @now, updated_at = @now, ${set}, needs_cleanup = 1
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      running: db.prepare<[], JobRow>(`SELECT * FROM jobs WHERE state = 'running'`),
      renew: db.prepare<[Lease & { until: number }]>(
        `UPDATE jobs SET lease_until = @until
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      cancel: db.prepare<[{ id: string; now: number }]>(
        `UPDATE jobs SET state = 'cancelled', finished_at = @now, updated_at = @now,
           needs_cleanup = CASE WHEN state = 'running' THEN 1 ELSE needs_cleanup END, ${dropLease}
         WHERE id = @id AND state IN ('queued', 'running')`,
      ),
      retry: db.prepare<[{ id: string; now: number }]>(
        `UPDATE jobs SET state = 'queued', attempts = 0, run_after = @now, updated_at = @now,
           error = NULL, result = NULL, progress = NULL, progress_note = NULL,
           started_at = NULL, finished_at = NULL
         WHERE id = @id AND state IN ('failed', 'cancelled')`,
      ),
      progress: db.prepare<[Lease & { progress: number; note: string | null; now: number }]>(
        `UPDATE jobs SET progress = @progress, progress_note = @note, updated_at = @now
         WHERE id = @id AND lease = @lease AND state = 'running'`,
      ),
      toClean: db.prepare<[], JobRow>(
        `SELECT * FROM jobs WHERE needs_cleanup = 1 AND state != 'running' ORDER BY seq`,
      ),
      cleaned: db.prepare<[string]>(
        `UPDATE jobs SET needs_cleanup = 0, owner = NULL, owner_pid = NULL, lease_until = NULL
         WHERE id = ? AND needs_cleanup = 1 AND state != 'running'`,
      ),
      stats: db.prepare<[], { kind: string; state: JobState; n: number }>(
        `SELECT kind, state, COUNT(*) AS n FROM jobs WHERE state IN ('queued', 'running')
         GROUP BY kind, state`,
      ),
    };
  }

  register<P, R>(kind: string, handler: JobHandler<P, R>, opts: { concurrency: number }): void {
    if (!kind) throw new TypeError('a job kind must be a non-empty string');
    if (this.kinds.has(kind))
      throw new Error(`a handler for job kind "${kind}" is already registered`);
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1)
      throw new RangeError(`concurrency for "${kind}" must be a positive integer`);
    this.kinds.set(kind, {
      handler: handler as unknown as JobHandler<unknown, unknown>,
      concurrency: opts.concurrency,
      running: 0,
    });
    if (this.started) {
      this.kickCleanups();
      this.schedulePump();
    }
  }

  enqueue<P>(kind: string, payload: P, opts: EnqueueOptions = {}): JobRecord<P> {
    if (!kind) throw new TypeError('a job kind must be a non-empty string');
    const priority = opts.priority ?? 0;
    const maxAttempts = opts.maxAttempts ?? this.defaultMaxAttempts;
    if (!Number.isSafeInteger(priority)) throw new RangeError('priority must be an integer');
    if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1)
      throw new RangeError('maxAttempts must be a positive integer');
    const key = opts.key ?? null;
    const json = JSON.stringify(payload) ?? 'null';
    const now = this.clock.now();
    const { row, changed } = this.db
      .transaction((): { row: JobRow; changed: boolean } => {
        if (key !== null) {
          const existing = this.q.liveByKey.get(kind, key);
          if (existing) {
            if (existing.state !== 'queued' || priority >= existing.priority)
              return { row: existing, changed: false };
            this.q.bumpPriority.run({ id: existing.id, priority, now });
            return { row: this.must(existing.id), changed: true };
          }
        }
        const id = randomUUID();
        this.q.insert.run({ id, kind, key, priority, maxAttempts, payload: json, now });
        return { row: this.must(id), changed: true };
      })
      .immediate();
    const job = toRecord(row) as JobRecord<P>;
    if (changed) {
      this.emit(job);
      this.schedulePump();
    }
    return job;
  }

  cancel(id: string): JobRecord | null {
    const now = this.clock.now();
    const { row, changed } = this.db
      .transaction(() => {
        const before = this.q.byId.get(id);
        if (!before) return { row: null, changed: false };
        const n = this.q.cancel.run({ id, now }).changes;
        return { row: n > 0 ? this.must(id) : before, changed: n > 0 };
      })
      .immediate();
    if (!row) return null;
    const job = toRecord(row);
    if (changed) {
      const attempt = this.attempts.get(id);
      this.emit(job);
      // The handler settles, sees its lease gone, and then its partial outputs are cleaned up.
      if (attempt) this.abortAttempt(attempt, 'cancelled');
      else this.kickCleanups();
    }
    return job;
  }

  retry(id: string): JobRecord | null {
    const now = this.clock.now();
    const { row, changed } = this.db
      .transaction(() => {
        const before = this.q.byId.get(id);
        if (!before) return { row: null, changed: false };
        if (before.state !== 'failed' && before.state !== 'cancelled')
          return { row: before, changed: false };
        if (before.key !== null) {
          // Another job already holds the key: that one is the result (idempotent).
          const live = this.q.liveByKey.get(before.kind, before.key);
          if (live) return { row: live, changed: false };
        }
        this.q.retry.run({ id, now });
        return { row: this.must(id), changed: true };
      })
      .immediate();
    if (!row) return null;
    const job = toRecord(row);
    if (changed) {
      this.emit(job);
      this.schedulePump();
    }
    return job;
  }

  get(id: string): JobRecord | null {
    const row = this.q.byId.get(id);
    return row ? toRecord(row) : null;
  }

  list(filter: ListFilter = {}): JobRecord[] {
    const where: string[] = [];
    const params: Array<string | number> = [];
    if (filter.kind !== undefined) {
      where.push('kind = ?');
      params.push(filter.kind);
    }
    if (filter.key !== undefined) {
      where.push('key = ?');
      params.push(filter.key);
    }
    if (filter.state !== undefined) {
      const states = filter.state.filter((s) => JOB_STATES.includes(s));
      if (states.length === 0) return [];
      where.push(`state IN (${states.map(() => '?').join(', ')})`);
      params.push(...states);
    }
    const limit = filter.limit === undefined ? -1 : Math.max(0, Math.trunc(filter.limit));
    params.push(limit);
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                 ORDER BY seq DESC LIMIT ?`;
    let stmt = this.listStatements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare<Array<string | number>, JobRow>(sql);
      this.listStatements.set(sql, stmt);
    }
    return stmt.all(...params).map(toRecord);
  }

  on(event: 'changed', cb: (job: JobRecord) => void): () => void {
    if (event !== 'changed') throw new TypeError(`unknown queue event ${String(event)}`);
    this.listeners.add(cb);
    return () => {
      this.listeners.delete(cb);
    };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    liveOwners.add(this.owner);
    this.heartbeat(); // reclaims the orphans, starts their cleanups
    this.schedulePump();
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    liveOwners.delete(this.owner);
    if (this.wakeTimer !== null) this.clock.clearTimer(this.wakeTimer);
    if (this.heartbeatTimer !== null) this.clock.clearTimer(this.heartbeatTimer);
    this.wakeTimer = this.heartbeatTimer = this.wakeAt = null;
    const now = this.clock.now();
    const settling: Array<Promise<void>> = [];
    for (const attempt of [...this.attempts.values()]) {
      const changed = this.db
        .transaction(
          () => this.q.release.run({ id: attempt.id, lease: attempt.lease, now }).changes,
        )
        .immediate();
      if (changed > 0) {
        const row = this.q.byId.get(attempt.id);
        if (row) this.emit(toRecord(row));
      }
      this.abortAttempt(attempt, 'stopping');
      settling.push(attempt.settled);
    }
    let timer: unknown = null;
    await Promise.race([
      Promise.all(settling),
      new Promise<void>((resolve) => {
        timer = this.clock.setTimer(resolve, this.stopGraceMs, { keepAlive: true });
      }),
    ]);
    if (timer !== null) this.clock.clearTimer(timer);
    if (this.attempts.size > 0)
      this.logger?.warn('job queue stopped with handlers still running', {
        jobs: [...this.attempts.keys()],
      });
    await this.cleanupRun;
  }

  stats(): QueueStats {
    const out: QueueStats = { queued: 0, running: 0, byKind: {} };
    for (const { kind, state, n } of this.q.stats.all()) {
      const k = (out.byKind[kind] ??= { queued: 0, running: 0 });
      if (state === 'queued') {
        k.queued += n;
        out.queued += n;
      } else {
        k.running += n;
        out.running += n;
      }
    }
    return out;
  }

  /** Resolves once nothing is running in this instance and no cleanup is pending (tests, bench). */
  async idle(): Promise<void> {
    while (this.pumpScheduled || this.attempts.size > 0 || this.cleanupRun) {
      // queueMicrotask is FIFO: this runs after an already scheduled pump.
      if (this.pumpScheduled) await new Promise<void>((r) => queueMicrotask(r));
      await Promise.all([...this.attempts.values()].map((a) => a.settled));
      await this.cleanupRun;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private must(id: string): JobRow {
    const row = this.q.byId.get(id);
    if (!row) throw new Error(`job ${id} vanished`);
    return row;
  }

  private emit(job: JobRecord): void {
    for (const cb of [...this.listeners]) {
      try {
        cb(job);
      } catch (err) {
        this.logger?.warn('a job queue listener threw', { error: errorText(err) });
      }
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.started) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Starts every due job that has a free slot; arms a timer for the next one that is not due. */
  private pump(): void {
    if (!this.started) return;
    const now = this.clock.now();
    let wake: number | null = null;
    for (const [kind, reg] of this.kinds) {
      while (reg.running < reg.concurrency) {
        const claimed = this.claim(kind, now);
        if (!claimed) break;
        this.launch(reg, claimed);
      }
      if (reg.running < reg.concurrency) {
        const at = this.q.nextDue.get(kind)?.at ?? null;
        if (at !== null && at > now && (wake === null || at < wake)) wake = at;
      }
    }
    if (wake !== this.wakeAt) {
      if (this.wakeTimer !== null) this.clock.clearTimer(this.wakeTimer);
      this.wakeTimer = null;
      this.wakeAt = wake;
      if (wake !== null)
        this.wakeTimer = this.clock.setTimer(
          () => {
            this.wakeTimer = this.wakeAt = null;
            this.pump();
          },
          wake - now,
          { keepAlive: true },
        );
    }
  }

  private claim(kind: string, now: number): { row: JobRow; lease: string } | null {
    return this.db
      .transaction(() => {
        const row = this.q.next.get(kind, now);
        if (!row) return null;
        const lease = randomUUID();
        const n = this.q.claim.run({
          id: row.id,
          lease,
          owner: this.owner,
          pid: process.pid,
          until: now + this.leaseMs,
          now,
        }).changes;
        return n > 0 ? { row: this.must(row.id), lease } : null;
      })
      .immediate();
  }

  private launch(reg: Registration, { row, lease }: { row: JobRow; lease: string }): void {
    const job = toRecord(row);
    reg.running++;
    let settle!: () => void;
    const attempt: Attempt = {
      id: job.id,
      kind: job.kind,
      lease,
      controller: new AbortController(),
      settled: new Promise<void>((r) => (settle = r)),
      lastProgressAt: -Infinity,
      lastProgress: null,
      pendingProgress: null,
      progressTimer: null,
    };
    this.attempts.set(job.id, attempt);
    this.emit(job);
    const ctx: JobContext = {
      signal: attempt.controller.signal,
      attempt: job.attempts,
      progress: (fraction, note) => this.reportProgress(attempt, fraction, note ?? null),
    };
    void (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: unknown };
      try {
        outcome = { ok: true, result: await reg.handler.run(job, ctx) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      if (attempt.progressTimer !== null) this.clock.clearTimer(attempt.progressTimer);
      this.finish(attempt, job, outcome);
      this.attempts.delete(job.id);
      reg.running--;
      settle();
      this.kickCleanups();
      this.schedulePump();
    })();
  }

  private finish(
    attempt: Attempt,
    job: JobRecord,
    outcome: { ok: true; result: unknown } | { ok: false; error: unknown },
  ): void {
    const now = this.clock.now();
    let error: unknown = outcome.ok ? null : outcome.error;
    let changes = 0;
    if (outcome.ok) {
      let json: string | null = null;
      try {
        json = outcome.result === undefined ? null : JSON.stringify(outcome.result);
      } catch (err) {
        error = new Error(`the job's result cannot be stored: ${errorText(err)}`);
        (error as { permanent?: boolean }).permanent = true;
      }
      if (error === null)
        changes = this.db
          .transaction(
            () =>
              this.q.complete.run({ id: attempt.id, lease: attempt.lease, result: json, now })
                .changes,
          )
          .immediate();
    }
    if (error !== null) {
      const text = errorText(error);
      const last = isPermanentError(error) || job.attempts >= job.maxAttempts;
      changes = this.db
        .transaction(() =>
          last
            ? this.q.failAttempt.run({ id: attempt.id, lease: attempt.lease, error: text, now })
                .changes
            : this.q.requeueAttempt.run({
                id: attempt.id,
                lease: attempt.lease,
                error: text,
                runAfter: now + backoffDelay(job.attempts, this.backoff, this.random),
                now,
              }).changes,
        )
        .immediate();
    }
    // changes === 0: the lease was lost (cancelled, stopped, reclaimed): the outcome is dropped.
    if (changes > 0) {
      const row = this.q.byId.get(attempt.id);
      if (row) this.emit(toRecord(row));
    }
  }

  private abortAttempt(attempt: Attempt, reason: string): void {
    if (attempt.progressTimer !== null) this.clock.clearTimer(attempt.progressTimer);
    attempt.progressTimer = null;
    attempt.pendingProgress = null;
    if (!attempt.controller.signal.aborted)
      attempt.controller.abort(new Error(`job ${attempt.id} ${reason}`));
  }

  private reportProgress(attempt: Attempt, fraction: number, note: string | null): void {
    if (attempt.controller.signal.aborted || this.attempts.get(attempt.id) !== attempt) return;
    if (!Number.isFinite(fraction)) return;
    const p = { fraction: Math.min(1, Math.max(0, fraction)), note };
    const now = this.clock.now();
    const wait = attempt.lastProgressAt + this.progressIntervalMs - now;
    if (wait <= 0 && attempt.progressTimer === null) {
      this.writeProgress(attempt, p, now);
      return;
    }
    attempt.pendingProgress = p;
    if (attempt.progressTimer === null)
      attempt.progressTimer = this.clock.setTimer(
        () => {
          attempt.progressTimer = null;
          const pending = attempt.pendingProgress;
          attempt.pendingProgress = null;
          if (
            pending &&
            !attempt.controller.signal.aborted &&
            this.attempts.get(attempt.id) === attempt
          )
            this.writeProgress(attempt, pending, this.clock.now());
        },
        Math.max(0, wait),
        { keepAlive: false },
      );
  }

  private writeProgress(
    attempt: Attempt,
    p: { fraction: number; note: string | null },
    now: number,
  ): void {
    const last = attempt.lastProgress;
    if (last && last.fraction === p.fraction && last.note === p.note) return;
    attempt.lastProgressAt = now;
    attempt.lastProgress = p;
    const n = this.q.progress.run({
      id: attempt.id,
      lease: attempt.lease,
      progress: p.fraction,
      note: p.note,
      now,
    }).changes;
    if (n === 0) return;
    const row = this.q.byId.get(attempt.id);
    if (row) this.emit(toRecord(row));
  }

  /** 'running' rows whose owner is gone go back to 'queued' (or 'failed' after their last attempt). */
  private reclaimOrphans(): void {
    const now = this.clock.now();
    const changed: string[] = [];
    this.db
      .transaction(() => {
        for (const row of this.q.running.all()) {
          if (row.lease === null || !ownerGone(row, now)) continue;
          if (this.q.reclaim.run({ id: row.id, lease: row.lease, now }).changes > 0)
            changed.push(row.id);
        }
      })
      .immediate();
    for (const id of changed) {
      const row = this.q.byId.get(id);
      if (row) this.emit(toRecord(row));
    }
    if (changed.length > 0) this.schedulePump();
  }

  /** Renews this instance's leases (an attempt whose lease is gone is aborted) and reclaims orphans. */
  private heartbeat(): void {
    if (!this.started) return;
    const now = this.clock.now();
    for (const attempt of [...this.attempts.values()]) {
      if (attempt.controller.signal.aborted) continue;
      const n = this.q.renew.run({
        id: attempt.id,
        lease: attempt.lease,
        until: now + this.leaseMs,
      }).changes;
      if (n === 0) this.abortAttempt(attempt, 'lost its lease');
    }
    this.reclaimOrphans();
    this.kickCleanups();
    this.heartbeatTimer = this.clock.setTimer(() => this.heartbeat(), this.leaseMs / 3, {
      keepAlive: false,
    });
  }

  /** Runs the handlers' cleanup for interrupted attempts (one pass at a time; re-run if asked). */
  private kickCleanups(): void {
    if (this.cleanupRun) {
      this.cleanupAgain = true;
      return;
    }
    this.cleanupRun = (async () => {
      do {
        this.cleanupAgain = false;
        await this.cleanupPass();
      } while (this.cleanupAgain);
    })().finally(() => {
      this.cleanupRun = null;
      this.schedulePump();
    });
  }

  private async cleanupPass(): Promise<void> {
    for (const row of this.q.toClean.all()) {
      const reg = this.kinds.get(row.kind);
      if (!reg || this.attempts.has(row.id) || this.cleaning.has(row.id)) continue;
      // An attempt of another live owner may still be writing: that owner cleans up after it.
      if (row.owner !== null && row.owner !== this.owner && !ownerGone(row, this.clock.now()))
        continue;
      this.cleaning.add(row.id);
      try {
        await reg.handler.cleanup?.(toRecord(row));
      } catch (err) {
        this.logger?.warn('a job cleanup failed', {
          id: row.id,
          kind: row.kind,
          error: errorText(err),
        });
      } finally {
        this.cleaning.delete(row.id);
      }
      this.q.cleaned.run(row.id);
    }
  }
}
