/**
 * Runs a speech recognizer in a child process and keeps it running. A crash (even a native
 * abort) restarts it with backoff, and the audio after the last commit point — everything not
 * yet part of a delivered final — is replayed into the new worker, so no final utterance is lost
 * or delivered twice. Two deaths while loading give up with a clear error; an audio chunk that
 * kills the worker three times in a row (no commit progress) is skipped and counted instead of
 * replayed forever.
 */
import type { ChildProcess } from 'node:child_process';
import { forkWorker } from './fork-worker';
import type {
  FinalResult,
  FromRecognizer,
  RecognizerSpec,
  ToRecognizer,
} from './recognizer-protocol';

export interface RecognizerHostOptions {
  workerPath: string;
  spec: RecognizerSpec;
  onFinal(result: FinalResult): void;
  onPartial?(partial: { start: number; text: string }): void;
  onProblem?(message: string): void;
  /** Runs before every worker start, the first and each restart (verify the model files). */
  beforeStart?: () => Promise<void>;
  /** Partial results at most this often (default 250 ms). */
  partialIntervalMs?: number;
  /** At most this much uncommitted audio is kept for a replay (default 120 s). */
  maxReplaySeconds?: number;
  /** Tests: replace how the worker process is started. */
  spawn?: (path: string) => ChildProcess;
}

interface Chunk {
  samples: Int16Array;
  mediaTime: number;
}

const RATE = 16000;
const EPS = 1e-3;
/** Deaths in a row with the commit point stuck before the replayed audio is given up. */
const POISON_DEATHS = 3;

const endOf = (c: Chunk): number => c.mediaTime + c.samples.length / RATE;

export class RecognizerHost {
  private child: ChildProcess | null = null;
  private ready = false;
  private closed = false;
  private backoffMs = 200;
  /** Sent to the current worker and not yet behind its commit point: the replay source. */
  private history: Chunk[] = [];
  /** Waiting for a worker (starting, restarting). */
  private pending: Chunk[] = [];
  private committedUpTo = -Infinity;
  /** The current worker has processed the audio up to here. */
  private processedUpTo = -Infinity;
  private origin: number | null = null;
  private deathsBeforeReady = 0;
  private deathsWithoutProgress = 0;
  private commitAtLastDeath = -Infinity;
  private finishRequested = false;
  private finishWaiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private pings = new Map<number, { resolve(): void; reject(e: Error): void }>();
  private nextPing = 1;
  private stderrTail: string[] = [];
  private readonly firstReady: Promise<void>;
  private resolveFirst!: () => void;
  private rejectFirst!: (err: Error) => void;
  private readonly maxReplay: number;
  restarts = 0;
  /** Seconds of audio that never reached a recognizer (kept for diagnostics and tests). */
  droppedSeconds = 0;
  /** Finals a replay produced again for audio already delivered (not passed on). */
  duplicatesDropped = 0;
  /** Worker load time of the last start, ms. */
  loadMs: number | null = null;

  constructor(private readonly opts: RecognizerHostOptions) {
    this.maxReplay = opts.maxReplaySeconds ?? 120;
    this.firstReady = new Promise((res, rej) => {
      this.resolveFirst = res;
      this.rejectFirst = rej;
    });
    this.firstReady.catch(() => undefined);
    void this.start();
  }

  /** Resolves once the model is loaded (rejects when the first load fails). */
  whenReady(): Promise<void> {
    return this.firstReady;
  }

  /** The worker's pid, for tests and diagnostics. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Media time before which every final has been delivered. */
  get committed(): number {
    return this.committedUpTo;
  }

  push(samples: Int16Array, mediaTime: number): void {
    if (this.closed || this.finishRequested || samples.length === 0) return;
    this.origin ??= mediaTime;
    const chunk = { samples, mediaTime };
    if (this.ready && this.child?.connected) return this.sendAudio(chunk);
    this.pending.push(chunk);
    let seconds = this.pending.reduce((n, c) => n + c.samples.length / RATE, 0);
    while (seconds > this.maxReplay && this.pending.length > 1) {
      const dropped = this.pending.shift()!;
      seconds -= dropped.samples.length / RATE;
      this.droppedSeconds += dropped.samples.length / RATE;
    }
  }

  /**
   * The audio is over: resolves once the recognizer has turned everything pushed into finals
   * (replayed and asked again if the worker dies meanwhile).
   */
  async finish(timeoutMs = 60_000): Promise<void> {
    this.finishRequested = true;
    await this.firstReady;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the recognizer did not finish')), timeoutMs);
      this.finishWaiters.push({
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      if (this.ready) this.send({ type: 'finish' });
    });
  }

  /** Resolves once the worker has processed everything pushed so far. */
  async drain(timeoutMs = 30_000): Promise<void> {
    await this.firstReady;
    const id = this.nextPing++;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        this.pings.delete(id);
        reject(new Error('the recognizer worker did not answer'));
      }, timeoutMs);
      this.pings.set(id, {
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
      if (this.ready) this.send({ type: 'ping', id });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failWaiters(new Error('the recognizer was closed'));
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.send({ type: 'shutdown' } satisfies ToRecognizer);
    const t = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(t);
  }

  private async start(): Promise<void> {
    try {
      await this.opts.beforeStart?.();
    } catch (err) {
      this.giveUp(`the recognizer model cannot be used: ${errorText(err)}`);
      return;
    }
    if (this.closed) return;
    const child = this.opts.spawn
      ? this.opts.spawn(this.opts.workerPath)
      : forkWorker(this.opts.workerPath);
    this.child = child;
    this.ready = false;
    this.processedUpTo = -Infinity;
    this.stderrTail = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      for (const line of s.split('\n')) if (line.trim()) this.stderrTail.push(line.trim());
      this.stderrTail.splice(0, Math.max(0, this.stderrTail.length - 3));
    });
    child.on('message', (m: FromRecognizer) => {
      if (this.child === child) this.onMessage(m);
    });
    child.on('error', (err) => this.opts.onProblem?.(`recognizer worker error: ${err.message}`));
    child.once('exit', (code, signal) => this.onExit(child, signal ?? `exit ${code}`));
    this.send({
      type: 'init',
      spec: this.opts.spec,
      partialIntervalMs: this.opts.partialIntervalMs ?? 250,
    });
  }

  private onExit(child: ChildProcess, how: string): void {
    if (this.child !== child) return;
    this.child = null;
    const wasReady = this.ready;
    this.ready = false;
    if (this.closed) return;
    if (!wasReady && ++this.deathsBeforeReady >= 2) {
      const said = this.stderrTail.at(-1);
      this.giveUp(
        `the recognizer model could not be loaded: the worker died while loading it (${how})` +
          (said ? `; it said: ${said.slice(0, 300)}` : ''),
      );
      return;
    }
    if (wasReady) {
      this.deathsWithoutProgress =
        this.committedUpTo > this.commitAtLastDeath ? 1 : this.deathsWithoutProgress + 1;
      this.commitAtLastDeath = this.committedUpTo;
    }
    this.prepareReplay();
    this.restarts++;
    this.opts.onProblem?.(`recognizer worker stopped (${how}); restarting`);
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, 5000);
    setTimeout(() => {
      if (!this.closed) void this.start();
    }, delay).unref();
  }

  private onMessage(m: FromRecognizer): void {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.loadMs = m.loadMs;
        this.deathsBeforeReady = 0;
        for (const c of this.pending.splice(0)) this.sendAudio(c);
        if (this.finishRequested) this.send({ type: 'finish' });
        // Pings lost with a dead worker are asked again, after the replayed audio.
        for (const id of this.pings.keys()) this.send({ type: 'ping', id });
        this.resolveFirst();
        return;
      case 'final':
        if (m.result.end <= this.committedUpTo + EPS) this.duplicatesDropped++;
        else this.opts.onFinal(m.result);
        this.commit(m.committedUpTo);
        return;
      case 'committed':
        this.commit(m.upTo);
        return;
      case 'processed':
        this.processedUpTo = Math.max(this.processedUpTo, m.upTo);
        return;
      case 'partial':
        this.opts.onPartial?.({ start: m.start, text: m.text });
        return;
      case 'finished':
        for (const w of this.finishWaiters.splice(0)) w.resolve();
        return;
      case 'error':
        this.opts.onProblem?.(m.message);
        if (m.fatal) {
          this.giveUp(`the recognizer model could not be loaded: ${m.message}`);
          this.child?.kill('SIGKILL');
        }
        return;
      case 'pong':
        this.pings.get(m.id)?.resolve();
        this.pings.delete(m.id);
        return;
      case 'log':
        return;
    }
  }

  private commit(upTo: number): void {
    if (!(upTo > this.committedUpTo)) return;
    this.committedUpTo = upTo;
    // Progress past the point of the last crash: the worker is healthy again.
    if (upTo > this.commitAtLastDeath) this.backoffMs = 200;
    while (this.history.length > 0 && endOf(this.history[0]!) <= upTo + EPS) this.history.shift();
  }

  private sendAudio(chunk: Chunk): void {
    this.history.push(chunk);
    let seconds = this.history.reduce((n, c) => n + c.samples.length / RATE, 0);
    while (seconds > this.maxReplay && this.history.length > 1)
      seconds -= this.history.shift()!.samples.length / RATE;
    this.send({ type: 'audio', samples: chunk.samples, mediaTime: chunk.mediaTime });
  }

  /** After a crash: what the new worker gets first — the uncommitted audio, then the rest. */
  private prepareReplay(): void {
    let history = this.history;
    this.history = [];
    if (this.deathsWithoutProgress >= POISON_DEATHS && history.length > 0) {
      // The chunk the worker was processing when it died, each time: skip it.
      const i = Math.max(
        0,
        history.findIndex((c) => endOf(c) > this.processedUpTo + EPS),
      );
      const bad = history[i]!;
      const seconds = bad.samples.length / RATE;
      this.droppedSeconds += seconds;
      this.opts.onProblem?.(
        `skipped ${seconds.toFixed(2)} s of audio at ${bad.mediaTime.toFixed(2)} s that stopped the recognizer ${POISON_DEATHS} times`,
      );
      this.deathsWithoutProgress = 0;
      history = history.filter((_, j) => j !== i);
    }
    const from = this.committedUpTo;
    const first = history[0];
    if (first) {
      // Audio dropped from a full replay buffer before it was committed cannot come back.
      const expected = Math.max(from, this.origin ?? first.mediaTime);
      if (first.mediaTime > expected + EPS) this.droppedSeconds += first.mediaTime - expected;
    }
    const replay: Chunk[] = [];
    for (const c of history) {
      if (endOf(c) <= from + EPS) continue;
      const skip = Math.max(0, Math.round((from - c.mediaTime) * RATE));
      replay.push(
        skip > 0 ? { samples: c.samples.subarray(skip), mediaTime: c.mediaTime + skip / RATE } : c,
      );
    }
    this.pending = [...replay, ...this.pending];
  }

  private giveUp(message: string): void {
    this.closed = true;
    const err = new Error(message);
    this.rejectFirst(err);
    this.failWaiters(err);
    this.opts.onProblem?.(`${message}; speech recognition is off`);
  }

  private failWaiters(err: Error): void {
    for (const w of this.finishWaiters.splice(0)) w.reject(err);
    for (const p of this.pings.values()) p.reject(err);
    this.pings.clear();
  }

  private send(m: ToRecognizer): void {
    try {
      if (this.child?.connected) this.child.send(m);
    } catch (err) {
      this.opts.onProblem?.(`cannot reach the recognizer worker: ${errorText(err)}`);
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
