/** Test helpers for the job queue: temp databases, deferreds, waiting on queue events. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, openDatabase } from '../../store/db';
import type { JobQueue, JobRecord } from '../types';

export interface TempDb {
  dir: string;
  db: Db;
  /** Closes the database and removes the directory. */
  dispose(): void;
}

export function tempDb(prefix = 'liveslice-jobs-'): TempDb {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = openDatabase(join(dir, 'data'));
  return {
    dir,
    db,
    dispose() {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Resolves with the first job change (or the job as it is now) matching `pred`; rejects after
 * `timeoutMs` of real time with the last state seen, so a hung test says what it waited for.
 */
export function waitFor(
  queue: JobQueue,
  pred: (job: JobRecord) => boolean,
  opts: { id?: string; timeoutMs?: number } = {},
): Promise<JobRecord> {
  const now = opts.id ? queue.get(opts.id) : null;
  if (now && pred(now)) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    let last: JobRecord | null = now;
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no matching job change; last seen: ${JSON.stringify(last)}`));
    }, opts.timeoutMs ?? 10_000);
    const off = queue.on('changed', (job) => {
      if (opts.id !== undefined && job.id !== opts.id) return;
      last = job;
      if (!pred(job)) return;
      clearTimeout(timer);
      off();
      resolve(job);
    });
  });
}
