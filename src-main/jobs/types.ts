/**
 * The job queue's contract: what the engine's services (clip rendering, generation…) code
 * against. `SqliteJobQueue` implements it on the app's own database; a distributed queue (BullMQ
 * on Redis, render workers on other machines) can implement the same interface later.
 *
 * Delivery is at least once: a job whose process died mid-attempt runs again (after `cleanup`), so
 * handlers write their outputs idempotently (a deterministic path, written as `.part` and renamed).
 * The queue guarantees that one job is completed at most once and never both done and re-queued.
 */

export type JobState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export const JOB_STATES: readonly JobState[] = ['queued', 'running', 'done', 'failed', 'cancelled'];

/** Conventional priorities: lower runs first. */
export const JOB_PRIORITY = { manual: 0, detected: 10, generation: 50 } as const;

export interface JobRecord<P = unknown, R = unknown> {
  id: string;
  kind: string;
  /** Idempotency key (per kind): a queued/running/done job with the same key is never duplicated. */
  key: string | null;
  /** Lower runs first: 0 manual, 10 detected, 50 generation. Equal priorities run in FIFO order. */
  priority: number;
  state: JobState;
  /** Attempts started so far (the running one included). */
  attempts: number;
  maxAttempts: number;
  /** Wall ms before which the job is not started (backoff after a failed attempt). */
  runAfter: number;
  payload: P;
  result: R | null;
  /** The last attempt's error (also kept while a retry waits), or null. */
  error: string | null;
  /** 0..1 while running (as last reported by the handler), 1 when done, else null. */
  progress: number | null;
  /** The note given with the last progress report, or null. */
  progressNote: string | null;
  createdAt: number;
  updatedAt: number;
  /** When the latest attempt started. */
  startedAt: number | null;
  finishedAt: number | null;
}

export interface JobContext {
  /** Aborted when the job is cancelled, the queue stops, or the attempt lost its lease. */
  signal: AbortSignal;
  /** 1-based number of this attempt. */
  attempt: number;
  /** Reports progress (0..1); throttled to at most 4 events a second per job. */
  progress(fraction: number, note?: string): void;
}

export interface JobHandler<P, R> {
  run(job: JobRecord<P, R>, ctx: JobContext): Promise<R>;
  /**
   * Removes partial outputs of an attempt that did not complete (after a crash, a cancel, a
   * stop or a failed attempt). Runs after that attempt's `run` has settled, before any next
   * attempt; must be idempotent (it may run again after a crash during cleanup).
   */
  cleanup?(job: JobRecord<P, R>): Promise<void> | void;
}

export interface EnqueueOptions {
  priority?: number;
  key?: string;
  maxAttempts?: number;
}

export interface ListFilter {
  kind?: string;
  /** Only the jobs with this idempotency key (newest first, as always). */
  key?: string;
  state?: JobState[];
  limit?: number;
}

export interface QueueStats {
  queued: number;
  running: number;
  byKind: Record<string, { queued: number; running: number }>;
}

export interface JobQueue {
  register<P, R>(kind: string, handler: JobHandler<P, R>, opts: { concurrency: number }): void;
  /**
   * Adds a job. With a key, an existing queued/running/done job of the same kind and key is
   * returned instead (idempotent; a queued one moves up if the new priority is more urgent).
   */
  enqueue<P>(kind: string, payload: P, opts?: EnqueueOptions): JobRecord<P>;
  /** Cancels a queued or running job (a running one's signal is aborted); null when unknown. */
  cancel(id: string): JobRecord | null;
  /** Puts a failed or cancelled job back in the queue with a fresh attempt budget. */
  retry(id: string): JobRecord | null;
  get(id: string): JobRecord | null;
  /** Newest first. */
  list(filter?: ListFilter): JobRecord[];
  /** Every state or progress change (progress throttled to ≤ 4/s per job). */
  on(event: 'changed', cb: (job: JobRecord) => void): () => void;
  /** Starts taking jobs; first resumes jobs left 'running' by a dead process (cleanup, then queued). */
  start(): void;
  /** Stops taking jobs; running ones are aborted and go back to 'queued' (attempt not counted). */
  stop(): Promise<void>;
  stats(): QueueStats;
}

/** Thrown (or any error with `permanent: true`) by a handler: the job fails without retries. */
export class PermanentJobError extends Error {
  readonly permanent = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

export function isPermanentError(err: unknown): boolean {
  return (
    err instanceof PermanentJobError ||
    (typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true)
  );
}
