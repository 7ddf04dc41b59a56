/**
 * A real crash: a child Node process runs a queue on the app database and is killed with SIGKILL
 * while two jobs are half-way (partial files written), one is done and one still queued. A new
 * queue on the same database must clean the partial files up and finish every job exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../store/db';
import { SqliteJobQueue } from './sqlite-queue';
import { FILE_JOB, type FileJobPayload, fileJobHandler } from './testing/file-job';
import { waitFor } from './testing/helpers';

const ROOT = join(__dirname, '..', '..');
let buildDir: string;
let dir: string;
let child: ChildProcess | null = null;

beforeAll(async () => {
  buildDir = mkdtempSync(join(tmpdir(), 'liveslice-crash-child-'));
  // The child runs the real queue code: bundle the TypeScript fixture into one CommonJS file.
  await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    build: {
      ssr: join(__dirname, 'testing', 'crash-child.ts'),
      outDir: buildDir,
      emptyOutDir: false,
      minify: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'crash-child.cjs' } },
    },
  });
  dir = mkdtempSync(join(tmpdir(), 'liveslice-crash-'));
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => {
  rmSync(buildDir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

type Line = { partial: string } | { id: string; name: string; state: string };

const lines = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
/** A line of runs.log or cleanup.log (see testing/file-job.ts). */
interface LogLine {
  name: string;
  pid: number;
  attempt?: number;
  stalePart?: boolean;
  hadPart?: boolean;
}
const records = (file: string) => lines(file).map((l) => JSON.parse(l) as LogLine);

it('resumes after kill -9: partial files cleaned up, every job done exactly once', async () => {
  const data = join(dir, 'data');
  const work = join(dir, 'work');
  mkdirSync(work);

  // 1. The child: a (fast) finishes, b and c hang half-way, d waits (concurrency 2).
  child = spawn(process.execPath, [join(buildDir, 'crash-child.cjs'), data, work, 'b,c'], {
    env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child!.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const seen = new Set<string>();
  await new Promise<void>((resolve, reject) => {
    const rl = createInterface({ input: child!.stdout! });
    rl.on('line', (l) => {
      const m = JSON.parse(l) as Line;
      seen.add('partial' in m ? `partial ${m.partial}` : `${m.name} ${m.state}`);
      if (seen.has('a done') && seen.has('partial b') && seen.has('partial c')) resolve();
    });
    void exited.then(({ code }) =>
      reject(new Error(`the child exited early (code ${code}): ${stderr}`)),
    );
  });
  child.kill('SIGKILL');
  expect(await exited).toEqual({ code: null, signal: 'SIGKILL' }); // reaped: its pid is dead
  const childPid = child.pid!;

  expect(readdirSync(work).sort()).toEqual([
    'a.out',
    'b.part',
    'c.part',
    'effects.log',
    'runs.log',
  ]);
  expect(lines(join(work, 'effects.log'))).toEqual(['a']);

  // 2. A new process (this one) opens the same database and resumes.
  const db = openDatabase(data);
  try {
    const queue = new SqliteJobQueue(db);
    const byName = () =>
      Object.fromEntries(
        queue.list().map((j) => [(j.payload as FileJobPayload).name, [j.state, j.attempts]]),
      );
    expect(byName()).toEqual({
      a: ['done', 1],
      b: ['running', 1],
      c: ['running', 1],
      d: ['queued', 0],
    });
    queue.register(
      FILE_JOB,
      fileJobHandler(work, () => Promise.resolve()),
      { concurrency: 2 },
    );
    const all = waitFor(queue, () => queue.list({ state: ['done'] }).length === 4);
    queue.start();
    await all;
    await queue.idle();

    expect(byName()).toEqual({
      a: ['done', 1],
      b: ['done', 2], // the crashed attempt counts
      c: ['done', 2],
      d: ['done', 1],
    });
    // Each side effect happened exactly once; no partial file is left.
    expect(lines(join(work, 'effects.log')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(readdirSync(work).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(readFileSync(join(work, 'b.out'), 'utf8')).toContain(`pid ${process.pid}`);
    // cleanup() ran for the two interrupted jobs, in this process, while their partials existed…
    expect(records(join(work, 'cleanup.log')).sort((x, y) => x.name.localeCompare(y.name))).toEqual(
      [
        { name: 'b', pid: process.pid, hadPart: true },
        { name: 'c', pid: process.pid, hadPart: true },
      ],
    );
    // …and before their next attempt, which found no stale partial.
    const runs = records(join(work, 'runs.log'));
    expect(
      runs
        .filter((r) => r.pid === childPid)
        .map((r) => r.name)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    expect(
      runs
        .filter((r) => r.pid === process.pid)
        .map((r) => [r.name, r.attempt, r.stalePart])
        .sort(),
    ).toEqual([
      ['b', 2, false],
      ['c', 2, false],
      ['d', 1, false],
    ]);
    await queue.stop();

    // 3. Another restart finds nothing to do: done stays done.
    const again = new SqliteJobQueue(db);
    let ran = 0;
    again.register(
      FILE_JOB,
      fileJobHandler(work, () => {
        ran++;
        return Promise.resolve();
      }),
      { concurrency: 2 },
    );
    again.start();
    await again.idle();
    await again.stop();
    expect(ran).toBe(0);
    expect(lines(join(work, 'effects.log'))).toHaveLength(4);
  } finally {
    db.close();
  }
});
