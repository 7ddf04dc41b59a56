/**
 * Runs the keyword spotter in a child process and keeps it running: a crash (even a native
 * abort) restarts it with backoff, and the audio that arrived meanwhile (up to 10 s) is replayed,
 * so a crash loses no keyword. Keywords come back on the session's media clock.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { FromWorker, KwsModelFiles, ToWorker } from './worker-protocol';

export interface KeywordHit {
  keyword: string;
  at: number;
}

export interface KwsHostOptions {
  workerPath: string;
  model: KwsModelFiles;
  keywords: string[];
  numThreads?: number;
  onKeyword(hit: KeywordHit): void;
  onProblem?(message: string): void;
  /** Tests: replace how the worker process is started. */
  spawn?: (path: string) => ChildProcess;
}

const REPLAY_SECONDS = 10;

export class KwsHost {
  private child: ChildProcess | null = null;
  private ready = false;
  private closed = false;
  private backoffMs = 200;
  private pending: Array<{ samples: Int16Array; mediaTime: number }> = [];
  /** Sent but not yet confirmed processed: replayed if the worker dies. */
  private inflight: Array<{ samples: Int16Array; mediaTime: number }> = [];
  private deathsBeforeReady = 0;
  private pendingSamples = 0;
  restarts = 0;
  droppedSeconds = 0;
  private pings = new Map<number, () => void>();
  private nextPing = 1;
  private firstReady: Promise<void>;
  private resolveFirst!: () => void;
  private rejectFirst!: (err: Error) => void;

  constructor(private readonly opts: KwsHostOptions) {
    this.firstReady = new Promise((res, rej) => {
      this.resolveFirst = res;
      this.rejectFirst = rej;
    });
    this.spawnWorker();
  }

  /** Resolves once the model is loaded (rejects when the first load fails). */
  whenReady(): Promise<void> {
    return this.firstReady;
  }

  push(samples: Int16Array, mediaTime: number): void {
    if (this.closed) return;
    if (this.ready && this.child?.connected) {
      this.inflight.push({ samples, mediaTime });
      this.send({ type: 'audio', samples, mediaTime });
      return;
    }
    this.pending.push({ samples, mediaTime });
    this.pendingSamples += samples.length;
    while (this.pendingSamples > REPLAY_SECONDS * 16000 && this.pending.length > 1) {
      const dropped = this.pending.shift()!;
      this.pendingSamples -= dropped.samples.length;
      this.droppedSeconds += dropped.samples.length / 16000;
    }
  }

  /** Resolves once the worker has processed everything pushed so far. */
  async drain(timeoutMs = 30_000): Promise<void> {
    await this.firstReady;
    const deadline = Date.now() + timeoutMs;
    const id = this.nextPing++;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error('the keyword worker did not answer')),
        Math.max(1, deadline - Date.now()),
      );
      this.pings.set(id, () => {
        clearTimeout(t);
        resolve();
      });
      if (this.ready) this.send({ type: 'ping', id });
    });
  }

  /** The worker's pid, for tests and diagnostics. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.send({ type: 'shutdown' } satisfies ToWorker);
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }

  private spawnWorker(): void {
    const child = this.opts.spawn
      ? this.opts.spawn(this.opts.workerPath)
      : fork(this.opts.workerPath, [], {
          serialization: 'advanced',
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
          execArgv: [],
        });
    this.child = child;
    this.ready = false;
    child.stderr?.resume();
    child.on('message', (m: FromWorker) => this.onMessage(m));
    child.on('error', (err) => this.opts.onProblem?.(`keyword worker error: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const wasReady = this.ready;
      this.ready = false;
      // Audio it had not confirmed goes first in line for the next worker.
      this.pending = [...this.inflight, ...this.pending];
      this.pendingSamples = this.pending.reduce((n, p) => n + p.samples.length, 0);
      this.inflight = [];
      if (this.closed) return;
      if (!wasReady && ++this.deathsBeforeReady >= 2) {
        this.closed = true;
        this.rejectFirst(
          new Error(
            `the keyword model could not be loaded: the worker died while loading it (${signal ?? `exit ${code}`})`,
          ),
        );
        this.opts.onProblem?.(
          'the keyword worker keeps dying while loading the model; keyword spotting is off',
        );
        return;
      }
      this.restarts++;
      this.opts.onProblem?.(`keyword worker stopped (${signal ?? `exit ${code}`}); restarting`);
      const delay = this.backoffMs;
      this.backoffMs = Math.min(this.backoffMs * 2, 5000);
      setTimeout(() => {
        if (!this.closed) this.spawnWorker();
      }, delay).unref();
    });
    this.send({
      type: 'init',
      model: this.opts.model,
      keywords: this.opts.keywords,
      numThreads: this.opts.numThreads ?? 1,
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.deathsBeforeReady = 0;
        this.backoffMs = 200;
        for (const p of this.pending.splice(0)) {
          this.inflight.push(p);
          this.send({ type: 'audio', ...p });
        }
        this.pendingSamples = 0;
        // Pings lost with a dead worker are asked again, after the replayed audio.
        for (const id of this.pings.keys()) this.send({ type: 'ping', id });
        this.resolveFirst();
        return;
      case 'processed':
        while (this.inflight.length) {
          const first = this.inflight[0]!;
          if (first.mediaTime + first.samples.length / 16000 > m.upTo + 1e-6) break;
          this.inflight.shift();
        }
        return;
      case 'keyword':
        this.opts.onKeyword({ keyword: m.keyword, at: m.at });
        return;
      case 'error':
        this.opts.onProblem?.(m.message);
        if (m.fatal) {
          this.rejectFirst(new Error(`the keyword model could not be loaded: ${m.message}`));
          this.closed = true;
          this.child?.kill('SIGKILL');
        }
        return;
      case 'pong':
        this.pings.get(m.id)?.();
        this.pings.delete(m.id);
        return;
      case 'log':
        return;
    }
  }

  private send(m: ToWorker): void {
    try {
      if (this.child?.connected) this.child.send(m);
    } catch (err) {
      this.opts.onProblem?.(
        `cannot reach the keyword worker: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
