/**
 * Queue overhead: `n` no-op jobs enqueued at once into a fresh database (WAL, the app's pragmas)
 * and run one at a time; `perJobMs` = wall time from the first enqueue to the last job done, per
 * job — enqueue, claim and completion transactions, events and scheduling, without any work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../store/db';
import { SqliteJobQueue } from './sqlite-queue';

export async function benchQueue(n: number): Promise<{ jobs: number; perJobMs: number }> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError('benchQueue needs a positive job count');
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-queue-bench-'));
  const db = openDatabase(dir);
  const queue = new SqliteJobQueue(db);
  try {
    let done = 0;
    const finished = new Promise<void>((resolve) => {
      queue.on('changed', (job) => {
        if (job.state === 'done' && ++done === n) resolve();
      });
    });
    queue.register<{ i: number }, null>(
      'noop',
      { run: () => Promise.resolve(null) },
      {
        concurrency: 1,
      },
    );
    queue.start();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) queue.enqueue('noop', { i });
    await finished;
    const ms = performance.now() - t0;
    return { jobs: n, perJobMs: Math.round((ms / n) * 1000) / 1000 };
  } finally {
    await queue.stop();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
