import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock';
import {
  backoffDelay,
  DEFAULT_BACKOFF,
  PermanentJobError,
  SqliteJobQueue,
  type SqliteJobQueueOptions,
} from './sqlite-queue';
import { deferred, type Deferred, type TempDb, tempDb, waitFor } from './testing/helpers';
import type { JobContext, JobRecord, JobState } from './types';

let t: TempDb;
const queues: SqliteJobQueue[] = [];

beforeEach(() => {
  t = tempDb();
});
afterEach(async () => {
  for (const q of queues.splice(0)) await q.stop();
  t.dispose();
});

function makeQueue(opts: SqliteJobQueueOptions = {}): SqliteJobQueue {
  const q = new SqliteJobQueue(t.db, opts);
  queues.push(q);
  return q;
}

interface P {
  name: string;
}

/** Resolves when `d` does; rejects when the signal aborts (a handler that honours cancel). */
function held<T>(d: Deferred<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
    d.promise.then(resolve, reject);
  });
}

const states = (q: SqliteJobQueue) =>
  Object.fromEntries(q.list().map((j) => [(j.payload as P).name, j.state]));

describe('backoffDelay', () => {
  it.each([
    { failed: 1, random: 0, ms: 1000 },
    { failed: 2, random: 0, ms: 2000 },
    { failed: 3, random: 0, ms: 4000 },
    { failed: 6, random: 0, ms: 32_000 },
    { failed: 7, random: 0, ms: 60_000 }, // 64 s, capped
    { failed: 30, random: 0, ms: 60_000 },
    { failed: 1, random: 0.5, ms: 900 }, // jitter takes up to 20 % off
    { failed: 2, random: 1, ms: 1600 },
    { failed: 7, random: 1, ms: 48_000 },
    { failed: 0, random: 0, ms: 1000 }, // nonsense input: treated as the first failure
  ])('after $failed failed attempts, random $random → $ms ms', ({ failed, random, ms }) => {
    expect(backoffDelay(failed, DEFAULT_BACKOFF, () => random)).toBe(ms);
  });
});

describe('order', () => {
  it.each([
    {
      name: 'lower priority first, FIFO within a priority',
      jobs: [
        ['g1', 50],
        ['d1', 10],
        ['m1', 0],
        ['d2', 10],
        ['m2', 0],
        ['g2', 50],
      ] as const,
      order: ['m1', 'm2', 'd1', 'd2', 'g1', 'g2'],
    },
    {
      name: 'equal priorities: FIFO',
      jobs: [
        ['a', 10],
        ['b', 10],
        ['c', 10],
        ['d', 10],
      ] as const,
      order: ['a', 'b', 'c', 'd'],
    },
    {
      name: 'negative and large priorities',
      jobs: [
        ['late', 1000],
        ['urgent', -5],
        ['normal', 0],
      ] as const,
      order: ['urgent', 'normal', 'late'],
    },
  ])('$name', async ({ jobs, order }) => {
    const q = makeQueue();
    const ran: string[] = [];
    q.register<P, null>(
      'k',
      {
        run: (job) => {
          ran.push(job.payload.name);
          return Promise.resolve(null);
        },
      },
      { concurrency: 1 },
    );
    for (const [name, priority] of jobs) q.enqueue<P>('k', { name }, { priority });
    const all = waitFor(q, () => q.stats().queued + q.stats().running === 0);
    q.start();
    await all;
    expect(ran).toEqual(order);
  });

  it('a manual job enqueued while others wait runs before them', async () => {
    const q = makeQueue();
    const ran: string[] = [];
    const first = deferred();
    q.register<P, null>(
      'k',
      {
        run: async (job) => {
          ran.push(job.payload.name);
          if (job.payload.name === 'busy') await first.promise;
          return null;
        },
      },
      { concurrency: 1 },
    );
    const busy = q.enqueue<P>('k', { name: 'busy' }, { priority: 50 });
    q.start();
    await waitFor(q, (j) => j.state === 'running', { id: busy.id });
    q.enqueue<P>('k', { name: 'detected-1' }, { priority: 10 });
    q.enqueue<P>('k', { name: 'detected-2' }, { priority: 10 });
    q.enqueue<P>('k', { name: 'manual' }, { priority: 0 });
    const all = waitFor(q, () => q.stats().queued + q.stats().running === 0);
    first.resolve();
    await all;
    expect(ran).toEqual(['busy', 'manual', 'detected-1', 'detected-2']);
  });
});

describe('concurrency', () => {
  it('runs at most `concurrency` jobs of a kind at once, kinds independently', async () => {
    const q = makeQueue();
    const gates = new Map<string, Deferred<void>>();
    const now = { render: 0, gen: 0 };
    const max = { render: 0, gen: 0 };
    let overlap = false; // both kinds running at the same moment
    let releaseAll = false;
    for (const [kind, concurrency] of [
      ['render', 2],
      ['gen', 1],
    ] as const) {
      q.register<P, null>(
        kind,
        {
          run: async (job) => {
            now[kind]++;
            max[kind] = Math.max(max[kind], now[kind]);
            if (now.render > 0 && now.gen > 0) overlap = true;
            const d = deferred();
            gates.set(job.payload.name, d);
            if (releaseAll) d.resolve();
            await d.promise;
            now[kind]--;
            return null;
          },
        },
        { concurrency },
      );
    }
    for (let i = 0; i < 5; i++) q.enqueue<P>('render', { name: `r${i}` });
    for (let i = 0; i < 3; i++) q.enqueue<P>('gen', { name: `g${i}` });
    const filled = waitFor(q, () => q.stats().running === 3);
    q.start();
    await filled;
    expect(q.stats()).toEqual({
      queued: 5,
      running: 3,
      byKind: { render: { queued: 3, running: 2 }, gen: { queued: 2, running: 1 } },
    });
    const all = waitFor(q, () => q.stats().queued + q.stats().running === 0);
    releaseAll = true;
    for (const d of gates.values()) d.resolve();
    await all;
    expect(max).toEqual({ render: 2, gen: 1 });
    expect(overlap).toBe(true);
    expect(q.list({ state: ['done'] })).toHaveLength(8);
  });

  it('rejects a bad registration', () => {
    const q = makeQueue();
    const h = { run: () => Promise.resolve(null) };
    expect(() => q.register('k', h, { concurrency: 0 })).toThrow(/positive integer/);
    expect(() => q.register('', h, { concurrency: 1 })).toThrow(/non-empty/);
    q.register('k', h, { concurrency: 1 });
    expect(() => q.register('k', h, { concurrency: 1 })).toThrow(/already registered/);
  });
});

describe('retries', () => {
  it('retries a failing job with exponential backoff, cleaning up between attempts', async () => {
    const clock = new FakeClock();
    const q = makeQueue({ clock, random: () => 0 });
    const log: string[] = [];
    q.register<P, string>(
      'k',
      {
        run: (job, ctx) => {
          log.push(`run ${ctx.attempt} @${clock.now() - t0}`);
          if (ctx.attempt < 3) return Promise.reject(new Error(`boom ${ctx.attempt}`));
          return Promise.resolve(`ok after ${job.attempts}`);
        },
        cleanup: () => {
          log.push(`cleanup @${clock.now() - t0}`);
        },
      },
      { concurrency: 1 },
    );
    const t0 = clock.now();
    const job = q.enqueue<P>('k', { name: 'flaky' });
    const firstFail = waitFor(q, (j) => j.state === 'queued' && j.attempts === 1, { id: job.id });
    q.start();
    let j = await firstFail;
    expect(j).toMatchObject({ error: 'boom 1', runAfter: t0 + 1000 });

    await clock.advance(999);
    expect(log).toEqual(['run 1 @0', 'cleanup @0']); // not before its time
    const secondFail = waitFor(q, (x) => x.state === 'queued' && x.attempts === 2, { id: job.id });
    await clock.advance(1);
    j = await secondFail;
    expect(j).toMatchObject({ error: 'boom 2', runAfter: t0 + 1000 + 2000 });

    await clock.advance(1999);
    expect(log).toHaveLength(4);
    const done = waitFor(q, (x) => x.state === 'done', { id: job.id });
    await clock.advance(1);
    j = await done;
    expect(j).toMatchObject({ attempts: 3, result: 'ok after 3', error: null, progress: 1 });
    expect(log).toEqual(['run 1 @0', 'cleanup @0', 'run 2 @1000', 'cleanup @1000', 'run 3 @3000']);
  });

  it('fails after maxAttempts with the last error', async () => {
    const clock = new FakeClock();
    const q = makeQueue({ clock, random: () => 0 });
    let runs = 0;
    q.register<P, null>(
      'k',
      { run: () => Promise.reject(new Error(`attempt ${++runs} failed`)) },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'bad' }, { maxAttempts: 2 });
    const failed = waitFor(q, (j) => j.state === 'failed', { id: job.id });
    q.start();
    await clock.advance(1000);
    const j = await failed;
    expect(j).toMatchObject({ attempts: 2, error: 'attempt 2 failed', result: null });
    expect(j.finishedAt).toBe(clock.now());
    await clock.advance(120_000);
    expect(runs).toBe(2);
  });

  it.each([
    { name: 'PermanentJobError', error: new PermanentJobError('the input file is unreadable') },
    {
      name: 'an Error marked permanent',
      error: Object.assign(new Error('bad payload'), { permanent: true }),
    },
    { name: 'a plain object marked permanent', error: { permanent: true, message: 'nope' } },
  ])('$name fails the job at once', async ({ error }) => {
    const q = makeQueue({ random: () => 0 });
    let runs = 0;
    q.register<P, null>(
      'k',
      {
        run: () => {
          runs++;
          return Promise.reject(error);
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' }, { maxAttempts: 5 });
    const failed = waitFor(q, (j) => j.state === 'failed', { id: job.id });
    q.start();
    expect(await failed).toMatchObject({ attempts: 1 });
    expect(runs).toBe(1);
  });

  it('a result that cannot be stored fails the job instead of losing it', async () => {
    const q = makeQueue();
    q.register<P, unknown>('k', { run: () => Promise.resolve({ big: 1n }) }, { concurrency: 1 });
    const job = q.enqueue<P>('k', { name: 'x' });
    const failed = waitFor(q, (j) => j.state === 'failed', { id: job.id });
    q.start();
    expect((await failed).error).toMatch(/result cannot be stored/);
  });
});

describe('cancel and retry', () => {
  it('a cancelled queued job never runs', async () => {
    const q = makeQueue();
    const ran: string[] = [];
    const gate = deferred();
    q.register<P, null>(
      'k',
      {
        run: async (job) => {
          ran.push(job.payload.name);
          await gate.promise;
          return null;
        },
      },
      { concurrency: 1 },
    );
    const a = q.enqueue<P>('k', { name: 'a' });
    const b = q.enqueue<P>('k', { name: 'b' });
    const running = waitFor(q, (j) => j.state === 'running', { id: a.id });
    q.start();
    await running;
    expect(q.cancel(b.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
    const done = waitFor(q, (j) => j.state === 'done', { id: a.id });
    gate.resolve();
    await done;
    await q.idle();
    expect(ran).toEqual(['a']);
    expect(states(q)).toEqual({ a: 'done', b: 'cancelled' });
    expect(q.cancel('no-such-job')).toBeNull();
    expect(q.cancel(a.id)).toMatchObject({ state: 'done' }); // nothing to cancel
  });

  it('cancelling a running job aborts it; a late result never completes it', async () => {
    const q = makeQueue();
    const log: string[] = [];
    const gate = deferred<string>();
    let signal: AbortSignal | null = null;
    q.register<P, string>(
      'k',
      {
        run: async (job, ctx) => {
          log.push(`run ${job.payload.name} ${ctx.attempt}`);
          if (job.payload.name !== 'slow') return 'quick';
          if (ctx.attempt > 1 || signal) return 'second time';
          signal = ctx.signal;
          const r = await gate.promise; // ignores the signal on purpose
          log.push('late result');
          return r;
        },
        cleanup: (job) => {
          log.push(`cleanup ${job.payload.name}`);
        },
      },
      { concurrency: 1 },
    );
    const slow = q.enqueue<P>('k', { name: 'slow' });
    const next = q.enqueue<P>('k', { name: 'next' });
    const running = waitFor(q, (j) => j.state === 'running', { id: slow.id });
    q.start();
    await running;

    expect(q.cancel(slow.id)).toMatchObject({ state: 'cancelled', progress: null });
    expect(signal!.aborted).toBe(true);
    expect(q.get(next.id)!.state).toBe('queued'); // the slot frees when the handler settles
    expect(log).toEqual(['run slow 1']); // no cleanup while the handler may still write

    const nextDone = waitFor(q, (j) => j.state === 'done', { id: next.id });
    gate.resolve('finished anyway');
    await nextDone;
    await q.idle();
    expect(q.get(slow.id)).toMatchObject({ state: 'cancelled', result: null });
    expect(log).toEqual(['run slow 1', 'late result', 'cleanup slow', 'run next 1']);

    // retry: back to queued with a fresh budget, and this time it completes
    const retried = q.retry(slow.id);
    expect(retried).toMatchObject({ state: 'queued', attempts: 0, error: null });
    const done = waitFor(q, (j) => j.state === 'done', { id: slow.id });
    expect(await done).toMatchObject({ attempts: 1, result: 'second time' });
    expect(q.retry(slow.id)).toMatchObject({ state: 'done' }); // only failed/cancelled jobs
    expect(q.retry('no-such-job')).toBeNull();
  });

  it('retry of a failed job whose key is taken again returns the live job', async () => {
    const q = makeQueue();
    q.register<P, null>(
      'k',
      {
        run: (job) =>
          job.payload.name === 'bad'
            ? Promise.reject(new PermanentJobError('bad'))
            : Promise.resolve(null),
      },
      { concurrency: 1 },
    );
    const bad = q.enqueue<P>('k', { name: 'bad' }, { key: 'clip-1' });
    const failed = waitFor(q, (j) => j.state === 'failed', { id: bad.id });
    q.start();
    await failed;
    const good = q.enqueue<P>('k', { name: 'good' }, { key: 'clip-1' });
    expect(good.id).not.toBe(bad.id);
    expect(q.retry(bad.id)?.id).toBe(good.id);
    expect(q.get(bad.id)?.state).toBe('failed');
    // Listing by key: every job that had it, newest first; another key or kind lists none.
    expect(q.list({ kind: 'k', key: 'clip-1' }).map((j) => j.id)).toEqual([good.id, bad.id]);
    expect(q.list({ kind: 'k', key: 'clip-1', limit: 1 })[0]?.id).toBe(good.id);
    expect(q.list({ kind: 'k', key: 'clip-2' })).toEqual([]);
    expect(q.list({ kind: 'other', key: 'clip-1' })).toEqual([]);
  });
});

describe('idempotent enqueue', () => {
  type Setup = (q: SqliteJobQueue, id: string) => Promise<void>;
  const gate = { d: deferred() };
  const cases: Array<{ state: JobState; setup: Setup; same: boolean }> = [
    { state: 'queued', setup: () => Promise.resolve(), same: true },
    {
      state: 'running',
      setup: async (q, id) => {
        const p = waitFor(q, (j) => j.state === 'running', { id });
        q.start();
        await p;
      },
      same: true,
    },
    {
      state: 'done',
      setup: async (q, id) => {
        gate.d.resolve();
        const p = waitFor(q, (j) => j.state === 'done', { id });
        q.start();
        await p;
      },
      same: true,
    },
    {
      state: 'failed',
      setup: async (q, id) => {
        gate.d.reject(new PermanentJobError('no'));
        const p = waitFor(q, (j) => j.state === 'failed', { id });
        q.start();
        await p;
      },
      same: false,
    },
    {
      state: 'cancelled',
      setup: (q, id) => {
        q.cancel(id);
        return Promise.resolve();
      },
      same: false,
    },
  ];

  it.each(cases)('an existing $state job with the key → same job: $same', async (c) => {
    gate.d = deferred();
    gate.d.promise.catch(() => {});
    const q = makeQueue();
    let runs = 0;
    q.register<P, null>(
      'k',
      {
        run: async (_job, ctx) => {
          runs++;
          if (ctx.attempt === 1 && runs === 1) await held(gate.d, ctx.signal);
          return null;
        },
      },
      { concurrency: 1 },
    );
    const first = q.enqueue<P>('k', { name: 'first' }, { key: 'render:clip-1' });
    await c.setup(q, first.id);
    expect(q.get(first.id)!.state).toBe(c.state);
    const second = q.enqueue<P>('k', { name: 'second' }, { key: 'render:clip-1' });
    expect(second.id === first.id).toBe(c.same);
    expect(second.payload.name).toBe(c.same ? 'first' : 'second');
    expect(q.list({ kind: 'k' })).toHaveLength(c.same ? 1 : 2);
    if (c.state === 'done') {
      await q.idle();
      expect(runs).toBe(1); // a done job is not rerun
    }
    gate.d.resolve();
  });

  it('keys are per kind; no key never deduplicates', () => {
    const q = makeQueue();
    const a = q.enqueue<P>('render', { name: 'a' }, { key: 'k1' });
    expect(q.enqueue<P>('generate', { name: 'b' }, { key: 'k1' }).id).not.toBe(a.id);
    expect(q.enqueue<P>('render', { name: 'c' }).id).not.toBe(
      q.enqueue<P>('render', { name: 'c' }).id,
    );
    expect(q.list()).toHaveLength(4);
  });

  it('a more urgent enqueue of a queued job raises its priority, a less urgent one does not', () => {
    const q = makeQueue();
    const events: JobRecord[] = [];
    q.on('changed', (j) => events.push(j));
    const a = q.enqueue<P>('k', { name: 'a' }, { key: 'x', priority: 10 });
    expect(q.enqueue<P>('k', { name: 'a' }, { key: 'x', priority: 0 })).toMatchObject({
      id: a.id,
      priority: 0,
    });
    expect(q.enqueue<P>('k', { name: 'a' }, { key: 'x', priority: 50 }).priority).toBe(0);
    expect(events.map((e) => e.priority)).toEqual([10, 0]);
  });

  it('the database itself refuses a second live job with the same key', () => {
    const q = makeQueue();
    q.enqueue<P>('k', { name: 'a' }, { key: 'x' });
    expect(() =>
      t.db
        .prepare(
          `INSERT INTO jobs (id, kind, key, priority, state, max_attempts, run_after, payload,
             created_at, updated_at) VALUES ('dup', 'k', 'x', 0, 'queued', 3, 0, 'null', 0, 0)`,
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });

  it('rejects bad options', () => {
    const q = makeQueue();
    expect(() => q.enqueue('k', {}, { priority: 1.5 })).toThrow(/priority/);
    expect(() => q.enqueue('k', {}, { maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => q.enqueue('', {})).toThrow(/kind/);
  });
});

describe('progress', () => {
  it('throttles progress events to ≤ 4/s per job and never drops the last value', async () => {
    const clock = new FakeClock();
    const q = makeQueue({ clock });
    let ctx: JobContext | null = null;
    const gate = deferred();
    q.register<P, null>(
      'k',
      {
        run: async (_job, c) => {
          ctx = c;
          await held(gate, c.signal);
          return null;
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    const running = waitFor(q, (j) => j.state === 'running', { id: job.id });
    q.start();
    await running;
    await clock.advance(0);
    const seen: Array<{ at: number; progress: number; note: string | null }> = [];
    q.on('changed', (j) => {
      if (j.state === 'running')
        seen.push({ at: clock.now(), progress: j.progress!, note: j.progressNote });
    });
    const t0 = clock.now();
    for (let i = 1; i <= 100; i++) {
      ctx!.progress(i / 100, `step ${i}`);
      await clock.advance(10);
    }
    await clock.advance(1000);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(seen.length).toBeLessThanOrEqual(5); // 100 reports over 1 s
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(250);
    expect(seen[0]).toEqual({ at: t0, progress: 0.01, note: 'step 1' });
    expect(seen.at(-1)).toMatchObject({ progress: 1, note: 'step 100' });
    expect(q.get(job.id)).toMatchObject({ progress: 1, progressNote: 'step 100' });
    // out-of-range and NaN values are clamped or ignored
    ctx!.progress(7);
    ctx!.progress(Number.NaN);
    await clock.advance(1000);
    expect(q.get(job.id)!.progress).toBe(1);
    gate.resolve();
  });

  it('progress after the job was cancelled is ignored', async () => {
    const q = makeQueue();
    let ctx: JobContext | null = null;
    const gate = deferred();
    q.register<P, null>(
      'k',
      {
        run: async (_job, c) => {
          ctx = c;
          await gate.promise;
          return null;
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    const running = waitFor(q, (j) => j.state === 'running', { id: job.id });
    q.start();
    await running;
    q.cancel(job.id);
    const events: JobRecord[] = [];
    q.on('changed', (j) => events.push(j));
    ctx!.progress(0.5);
    gate.resolve();
    await q.idle();
    expect(events).toEqual([]);
    expect(q.get(job.id)).toMatchObject({ state: 'cancelled', progress: null });
  });
});

describe('leases', () => {
  it('an attempt that lost its lease is aborted and can never complete the job', async () => {
    const clock = new FakeClock();
    const q = makeQueue({ clock, leaseMs: 30_000 });
    const gate = deferred<string>();
    let signal: AbortSignal | null = null;
    q.register<P, string>(
      'k',
      {
        run: (_job, ctx) => {
          signal = ctx.signal;
          return gate.promise; // ignores the signal
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    const running = waitFor(q, (j) => j.state === 'running', { id: job.id });
    q.start();
    await running;
    // Another worker (a live process) took the job over, as after a lease expiry elsewhere.
    t.db
      .prepare(
        `UPDATE jobs SET lease = 'other', owner = 'other-worker', owner_pid = ?,
           lease_until = ? WHERE id = ?`,
      )
      .run(process.ppid, clock.now() + 60_000, job.id);
    await clock.advance(10_000); // a heartbeat: the lease renewal fails
    expect(signal!.aborted).toBe(true);
    gate.resolve('stale result');
    await q.idle();
    const row = t.db.prepare('SELECT state, lease, result FROM jobs WHERE id = ?').get(job.id);
    expect(row).toEqual({ state: 'running', lease: 'other', result: null });
  });

  it('the schema ties the lease to the running state', () => {
    const q = makeQueue();
    const job = q.enqueue<P>('k', { name: 'x' });
    expect(() =>
      t.db.prepare(`UPDATE jobs SET state = 'running' WHERE id = ?`).run(job.id),
    ).toThrow(/CHECK/);
    expect(() =>
      t.db.prepare(`UPDATE jobs SET state = 'done', lease = 'l' WHERE id = ?`).run(job.id),
    ).toThrow(/CHECK/);
  });
});

describe('stop and resume', () => {
  it('stop() aborts running jobs and puts them back, attempt not counted; start() runs them', async () => {
    const q = makeQueue();
    const log: string[] = [];
    let firstRun = true;
    const gate = deferred();
    q.register<P, string>(
      'k',
      {
        run: async (_job, ctx) => {
          log.push(`run ${ctx.attempt}`);
          if (firstRun) {
            firstRun = false;
            await held(gate, ctx.signal);
          }
          return 'ok';
        },
        cleanup: () => {
          log.push('cleanup');
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    const running = waitFor(q, (j) => j.state === 'running', { id: job.id });
    q.start();
    await running;
    await q.stop();
    expect(q.get(job.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(log).toEqual(['run 1', 'cleanup']);
    const done = waitFor(q, (j) => j.state === 'done', { id: job.id });
    q.start();
    expect(await done).toMatchObject({ attempts: 1, result: 'ok' });
    expect(log).toEqual(['run 1', 'cleanup', 'run 1']);
  });

  function deadPid(): number {
    const r = spawnSync(process.execPath, ['-e', '']);
    return r.pid!;
  }

  function fakeRunning(
    id: string,
    o: { pid: number; attempts: number; leaseUntil: number; owner?: string },
  ): void {
    t.db
      .prepare(
        `UPDATE jobs SET state = 'running', lease = 'old-lease', owner = @owner, owner_pid = @pid,
           attempts = @attempts, lease_until = @leaseUntil WHERE id = @id`,
      )
      .run({ id, owner: o.owner ?? 'crashed-process', ...o });
  }

  it.each([
    { name: 'a dead process', pid: deadPid, leaseLeft: 30_000 },
    { name: 'this process, an instance that is gone', pid: () => process.pid, leaseLeft: 30_000 },
    { name: 'a live process whose lease expired', pid: () => process.ppid, leaseLeft: -1 },
  ])('a job left running by $name is cleaned up and resumed', async ({ pid, leaseLeft }) => {
    const clock = new FakeClock();
    const q = makeQueue({ clock });
    const log: string[] = [];
    q.register<P, string>(
      'k',
      {
        run: (_job, ctx) => {
          log.push(`run ${ctx.attempt}`);
          return Promise.resolve('ok');
        },
        cleanup: () => {
          log.push('cleanup');
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    fakeRunning(job.id, { pid: pid(), attempts: 1, leaseUntil: clock.now() + leaseLeft });
    const done = waitFor(q, (j) => j.state === 'done', { id: job.id });
    q.start();
    expect(await done).toMatchObject({ attempts: 2, result: 'ok' });
    expect(log).toEqual(['cleanup', 'run 2']);
  });

  it('a job left running at its last attempt fails instead of looping', async () => {
    const q = makeQueue();
    const log: string[] = [];
    q.register<P, string>(
      'k',
      {
        run: () => {
          log.push('run');
          return Promise.resolve('ok');
        },
        cleanup: () => {
          log.push('cleanup');
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' }, { maxAttempts: 2 });
    fakeRunning(job.id, { pid: deadPid(), attempts: 2, leaseUntil: Date.now() + 30_000 });
    const failed = waitFor(q, (j) => j.state === 'failed', { id: job.id });
    q.start();
    expect((await failed).error).toMatch(/interrupted.*attempt 2 of 2/);
    await q.idle();
    expect(log).toEqual(['cleanup']);
  });

  it('a job running in another live process with a fresh lease is left alone until it expires', async () => {
    const clock = new FakeClock();
    const q = makeQueue({ clock, leaseMs: 30_000 });
    let runs = 0;
    q.register<P, null>(
      'k',
      {
        run: () => {
          runs++;
          return Promise.resolve(null);
        },
      },
      { concurrency: 1 },
    );
    const job = q.enqueue<P>('k', { name: 'x' });
    fakeRunning(job.id, {
      pid: process.ppid,
      attempts: 1,
      leaseUntil: clock.now() + 25_000,
      owner: 'other-worker',
    });
    q.start();
    await clock.advance(20_000);
    expect(q.get(job.id)!.state).toBe('running');
    expect(runs).toBe(0);
    const done = waitFor(q, (j) => j.state === 'done', { id: job.id });
    await clock.advance(10_000); // the next heartbeat sees the expired lease
    expect(await done).toMatchObject({ attempts: 2 });
    expect(runs).toBe(1);
  });
});

describe('queries and events', () => {
  it('list (newest first, filters), get and stats', () => {
    const q = makeQueue();
    const a = q.enqueue<P>('render', { name: 'a' });
    q.enqueue<P>('render', { name: 'b' });
    const c = q.enqueue<P>('gen', { name: 'c' });
    q.cancel(a.id);
    expect(q.list().map((j) => (j.payload as P).name)).toEqual(['c', 'b', 'a']);
    expect(q.list({ kind: 'render' }).map((j) => (j.payload as P).name)).toEqual(['b', 'a']);
    expect(q.list({ state: ['cancelled'] }).map((j) => j.id)).toEqual([a.id]);
    expect(q.list({ state: [] })).toEqual([]);
    expect(q.list({ limit: 1 }).map((j) => j.id)).toEqual([c.id]);
    expect(q.get(c.id)).toMatchObject({
      kind: 'gen',
      state: 'queued',
      payload: { name: 'c' },
      maxAttempts: 3,
      priority: 0,
      result: null,
      startedAt: null,
    });
    expect(q.get('nope')).toBeNull();
    expect(q.stats()).toEqual({
      queued: 2,
      running: 0,
      byKind: { render: { queued: 1, running: 0 }, gen: { queued: 1, running: 0 } },
    });
  });

  it('a throwing listener breaks neither the queue nor the other listeners', async () => {
    const warnings: string[] = [];
    const q = makeQueue({ logger: { warn: (m) => warnings.push(m) } });
    q.register<P, null>('k', { run: () => Promise.resolve(null) }, { concurrency: 1 });
    q.on('changed', () => {
      throw new Error('listener bug');
    });
    const seen: JobState[] = [];
    const off = q.on('changed', (j) => seen.push(j.state));
    const job = q.enqueue<P>('k', { name: 'x' });
    const done = waitFor(q, (j) => j.state === 'done', { id: job.id });
    q.start();
    await done;
    expect(seen).toEqual(['queued', 'running', 'done']);
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    off();
    q.enqueue<P>('k', { name: 'y' });
    expect(seen).toHaveLength(3);
  });
});
