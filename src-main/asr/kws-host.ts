/**
 * Runs the keyword spotter in a child process and keeps it running: a crash (even a native
 * abort) restarts it with backoff, and the audio it had not confirmed is replayed — from the
 * model's 0.32 s chunk grid, with a short warm-up, already-reported hits suppressed — so a crash
 * changes no keyword. Keywords come back on the session's media clock.
 */
import type { ChildProcess } from 'node:child_process';
import { forkWorker } from './fork-worker';
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
/** The KWS model decodes 0.32 s chunks: a replay must start on that grid, or the hits change. */
const CHUNK_SECONDS = 0.32;
/** Re-decode at least this much already-processed audio, to rebuild the model's left context. */
const WARMUP_SECONDS = 1.0;

export class KwsHost {
  private child: ChildProcess | null = null;
  private ready = false;
  private closed = false;
  private backoffMs = 200;
  private pending: Array<{ samples: Int16Array; mediaTime: number }> = [];
  /** Audio sent and not yet safely behind the worker: the replay source if it dies. */
  private history: Array<{ samples: Int16Array; mediaTime: number }> = [];
  /** Media time of the stream's first sample: the model's 0.32 s chunk grid starts here. */
  private origin: number | null = null;
  private confirmedUpTo = -Infinity;
  /** Hits up to here were reported by a worker that has since died: not again. */
  private suppressUntil = -Infinity;
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
    this.origin ??= mediaTime;
    if (this.ready && this.child?.connected) {
      this.sendAudio({ samples, mediaTime });
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
      : forkWorker(this.opts.workerPath);
    this.child = child;
    this.ready = false;
    child.stderr?.resume();
    child.on('message', (m: FromWorker) => this.onMessage(m));
    child.on('error', (err) => this.opts.onProblem?.(`keyword worker error: ${err.message}`));
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      const wasReady = this.ready;
      this.ready = false;
      this.prepareReplay();
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
        for (const p of this.pending.splice(0)) this.sendAudio(p);
        this.pendingSamples = 0;
        // Pings lost with a dead worker are asked again, after the replayed audio.
        for (const id of this.pings.keys()) this.send({ type: 'ping', id });
        this.resolveFirst();
        return;
      case 'processed':
        this.confirmedUpTo = Math.max(this.confirmedUpTo, m.upTo);
        return;
      case 'keyword':
        if (m.at <= this.suppressUntil) return;
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

  private sendAudio(chunk: { samples: Int16Array; mediaTime: number }): void {
    this.history.push(chunk);
    // Keep everything the worker has not confirmed, plus enough confirmed audio for a warm-up.
    const keepFrom = this.confirmedUpTo - WARMUP_SECONDS - 2 * CHUNK_SECONDS;
    while (this.history.length > 1) {
      const first = this.history[0]!;
      if (first.mediaTime + first.samples.length / 16000 >= keepFrom) break;
      this.history.shift();
    }
    this.send({ type: 'audio', ...chunk });
  }

  /**
   * After a crash: replay from a point on the stream's 0.32 s grid, at least WARMUP_SECONDS
   * before the last audio the dead worker confirmed, through everything not yet confirmed.
   */
  private prepareReplay(): void {
    const all = [...this.history, ...this.pending];
    this.history = [];
    if (all.length === 0 || this.origin === null) {
      this.pending = [];
      this.pendingSamples = 0;
      return;
    }
    const oldest = all[0]!.mediaTime;
    const origin = this.origin;
    const target = Math.max(oldest, this.confirmedUpTo - WARMUP_SECONDS);
    let k = Math.floor((target - origin) / CHUNK_SECONDS + 1e-9);
    if (origin + k * CHUNK_SECONDS < oldest - 1e-9)
      k = Math.ceil((oldest - origin) / CHUNK_SECONDS - 1e-9);
    const from = origin + k * CHUNK_SECONDS;
    const replay: Array<{ samples: Int16Array; mediaTime: number }> = [];
    for (const c of all) {
      const end = c.mediaTime + c.samples.length / 16000;
      if (end <= from + 1e-9) continue;
      const skip = Math.max(0, Math.round((from - c.mediaTime) * 16000));
      replay.push(
        skip > 0 ? { samples: c.samples.subarray(skip), mediaTime: c.mediaTime + skip / 16000 } : c,
      );
    }
    if (from > oldest + 1e-9 && this.confirmedUpTo === -Infinity) {
      this.droppedSeconds += from - oldest;
    }
    this.suppressUntil = Math.max(this.suppressUntil, this.confirmedUpTo);
    this.pending = replay;
    this.pendingSamples = replay.reduce((n, p) => n + p.samples.length, 0);
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
