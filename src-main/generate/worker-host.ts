/**
 * Owns the generation worker process: started on the first job (the cold start — spawn plus model
 * load — is measured), kept with its model resident between jobs, unloaded (the process ended)
 * after `idleUnloadS` without work, pinged for health, and killed when a cancelled job does not
 * stop within the grace time: one step of a large model can run for many seconds and cannot be
 * interrupted, and ending the process is what frees the GPU memory. The next job starts a new one.
 */
import type { ChildProcess } from 'node:child_process';
import { forkWorker } from '../asr/fork-worker';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import {
  GenerationError,
  type PipelineJob,
  type PipelineProgress,
  type PipelineResult,
} from './pipeline';
import type { RequestedProvider } from './providers';
import {
  type FromGenerationWorker,
  isFromGenerationWorker,
  type ToGenerationWorker,
} from './worker-protocol';

export type WorkerState = 'stopped' | 'loading' | 'ready' | 'busy';

export interface WorkerStatus {
  state: WorkerState;
  provider: string | null;
  providerReason: string | null;
  /** Spawn + load of the last start, ms. */
  coldStartMs: number | null;
  model: string | null;
  idleUnloadS: number;
  pid: number | null;
  /** The worker's resident set after its last load. */
  rssAfterLoadBytes: number | null;
}

export interface GenerationWorkerHostOptions {
  workerPath: string;
  provider: RequestedProvider;
  /** Seconds without a job before the worker is ended (0: never). */
  idleUnloadS: number;
  /** Keep one A14B expert resident at a time. */
  lowMemory?: boolean;
  /** onnxruntime intra-op threads (0: its default). */
  threads?: number;
  /** How long a cancelled job may take to stop before the worker is killed; default 2000 ms. */
  cancelGraceMs?: number;
  logger?: Logger;
  onStatus?: (s: WorkerStatus) => void;
  /** Tests: how the worker process is started. */
  spawn?: (workerPath: string) => ChildProcess;
}

/** Where the bundled worker is, from the engine's own location (built app or sources). */
export function defaultGenerationWorkerPath(): string | null {
  const candidates = [
    join(__dirname, 'generate-worker.js'), // out/main
    join(__dirname, '..', 'generate-worker.js'), // out/main/chunks
    join(__dirname, '..', '..', 'out', 'main', 'generate-worker.js'), // src-main/generate
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** The same child process as the speech workers: structured-clone IPC, stderr kept, plain Node. */
export const forkGenerationWorker: (workerPath: string) => ChildProcess = forkWorker;

interface Pending {
  resolve(m: FromGenerationWorker): void;
  reject(e: Error): void;
  onProgress?: (p: PipelineProgress) => void;
}

interface Worker {
  child: ChildProcess;
  dir: string | null;
  exited: Promise<void>;
  stderr: string[];
}

const STDERR_LINES = 20;

export class GenerationWorkerHost {
  private worker: Worker | null = null;
  private loading: Promise<void> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private busy = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private st: WorkerStatus;
  private provider: RequestedProvider;
  /** Workers started so far (tests, diagnostics). */
  starts = 0;

  constructor(private readonly opts: GenerationWorkerHostOptions) {
    this.provider = opts.provider;
    this.st = {
      state: 'stopped',
      provider: null,
      providerReason: null,
      coldStartMs: null,
      model: null,
      idleUnloadS: opts.idleUnloadS,
      pid: null,
      rssAfterLoadBytes: null,
    };
  }

  status(): WorkerStatus {
    return { ...this.st };
  }

  private setStatus(patch: Partial<WorkerStatus>): void {
    this.st = { ...this.st, ...patch };
    try {
      this.opts.onStatus?.(this.status());
    } catch {
      // A listener's failure is not the worker's.
    }
  }

  /** Applies at the next idle period. */
  setIdleUnloadS(s: number): void {
    this.setStatus({ idleUnloadS: s });
    if (!this.busy && this.worker !== null) this.armIdle();
  }

  /** A different provider takes effect when the next worker starts (the model reloads). */
  setProvider(p: RequestedProvider): void {
    if (p === this.provider) return;
    this.provider = p;
    if (!this.busy) void this.unload();
  }

  /** Starts the worker if needed and makes sure `dir`'s model is loaded in it. */
  async ensureLoaded(dir: string): Promise<WorkerStatus> {
    if (this.closed) throw new GenerationError('worker', 'the generation engine is shut down');
    while (this.loading) await this.loading.catch(() => undefined);
    if (this.worker !== null && this.worker.dir === dir) return this.status();
    const p = this.load(dir);
    this.loading = p;
    try {
      await p;
    } finally {
      this.loading = null;
    }
    return this.status();
  }

  private async load(dir: string): Promise<void> {
    this.clearIdle();
    const t0 = performance.now();
    const w = this.worker ?? this.spawn();
    this.setStatus({ state: 'loading', pid: w.child.pid ?? null });
    const m = await this.request(w, (id) => ({
      type: 'load',
      id,
      dir,
      provider: this.provider,
      lowMemory: this.opts.lowMemory ?? false,
      threads: this.opts.threads ?? 0,
    })).catch(async (err: unknown) => {
      // A worker that failed to load holds nothing useful.
      await this.kill('load failed');
      throw err;
    });
    if (m.type !== 'loaded') throw new GenerationError('worker', `unexpected answer ${m.type}`);
    w.dir = dir;
    this.setStatus({
      state: 'ready',
      provider: m.provider,
      providerReason: m.providerReason,
      coldStartMs: Math.round(performance.now() - t0),
      model: m.model,
      rssAfterLoadBytes: m.rssBytes,
    });
    this.opts.logger?.info('generation model loaded', {
      model: m.model,
      provider: m.provider,
      reason: m.providerReason,
      coldStartMs: this.st.coldStartMs,
      loadMs: Math.round(m.loadMs),
      rssMiB: Math.round(m.rssBytes / 2 ** 20),
    });
    this.armIdle();
  }

  /** Runs one job (the model of `dir` loaded first). Aborting the signal cancels it. */
  async run(
    dir: string,
    job: PipelineJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: PipelineProgress) => void } = {},
  ): Promise<PipelineResult> {
    if (this.busy) throw new GenerationError('worker', 'the generation worker is busy');
    this.busy = true;
    this.clearIdle();
    let graceTimer: NodeJS.Timeout | null = null;
    const onAbort = (): void => {
      const w = this.worker;
      if (w === null) return;
      w.child.send({ type: 'cancel' } satisfies ToGenerationWorker);
      graceTimer = setTimeout(() => {
        this.opts.logger?.warn('generation worker did not stop after cancel: killing it', {
          graceMs: this.opts.cancelGraceMs ?? 2000,
        });
        void this.kill('cancel timeout');
      }, this.opts.cancelGraceMs ?? 2000);
    };
    try {
      if (isAborted(hooks.signal)) throw cancelled();
      await this.ensureLoaded(dir);
      if (isAborted(hooks.signal)) throw cancelled();
      const w = this.worker!;
      this.setStatus({ state: 'busy' });
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      const m = await this.request(w, (id) => ({ type: 'run', id, job }), hooks.onProgress).catch(
        (err: unknown) => {
          if (isAborted(hooks.signal)) throw cancelled();
          throw err;
        },
      );
      if (m.type !== 'done') throw new GenerationError('worker', `unexpected answer ${m.type}`);
      return m.result;
    } finally {
      if (graceTimer !== null) clearTimeout(graceTimer);
      hooks.signal?.removeEventListener('abort', onAbort);
      this.busy = false;
      if (this.worker !== null) {
        this.setStatus({ state: 'ready' });
        this.armIdle();
      }
    }
  }

  /** Pings the worker; not ok when none runs or it does not answer in time (it may be mid-step). */
  async health(timeoutMs = 5000): Promise<{
    ok: boolean;
    ms: number | null;
    state: WorkerState;
    rssBytes: number | null;
    reason: string | null;
  }> {
    const w = this.worker;
    if (w === null)
      return { ok: false, ms: null, state: 'stopped', rssBytes: null, reason: 'no worker' };
    const t0 = performance.now();
    let timer: NodeJS.Timeout | null = null;
    try {
      const m = await Promise.race([
        this.request(w, (id) => ({ type: 'health', id })),
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return {
        ok: true,
        ms: performance.now() - t0,
        state: this.st.state,
        rssBytes: m.type === 'health' ? m.rssBytes : null,
        reason: null,
      };
    } catch (err) {
      return {
        ok: false,
        ms: null,
        state: this.st.state,
        rssBytes: null,
        reason: err instanceof Error ? err.message : String(err),
      };
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }

  /** Ends the worker (its model and all its memory go with it); a later job starts a new one. */
  async unload(): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.clearIdle();
    try {
      w.child.send({ type: 'unload', id: this.nextId++ } satisfies ToGenerationWorker);
    } catch {
      // Already gone.
    }
    const timer = setTimeout(() => void this.kill('unload timeout'), 2000);
    await w.exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.unload();
  }

  // ---------------------------------------------------------------------------------------------

  private spawn(): Worker {
    const child = (this.opts.spawn ?? forkGenerationWorker)(this.opts.workerPath);
    this.starts++;
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      for (const line of s.split('\n')) if (line.trim() !== '') stderr.push(line);
      stderr.splice(0, Math.max(0, stderr.length - STDERR_LINES));
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.worker === w) {
          this.worker = null;
          this.clearIdle();
          this.setStatus({ state: 'stopped', pid: null, model: null });
        }
        const tail = stderr.slice(-3).join(' | ');
        const why = new GenerationError(
          'worker',
          `the generation worker exited (${signal ?? `code ${code}`})` +
            (tail !== '' ? `: ${tail}` : ''),
        );
        for (const [id, p] of this.pending) {
          this.pending.delete(id);
          p.reject(why);
        }
        resolve();
      });
    });
    child.on('error', (err) => this.opts.logger?.warn('generation worker error', { err }));
    child.on('message', (m: unknown) => this.onMessage(m));
    const w: Worker = { child, dir: null, exited, stderr };
    this.worker = w;
    return w;
  }

  private onMessage(m: unknown): void {
    if (!isFromGenerationWorker(m)) return;
    switch (m.type) {
      case 'log':
        this.opts.logger?.[m.level](m.msg, m.fields);
        return;
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m.progress);
        return;
      case 'error': {
        const p = m.id === null ? undefined : this.pending.get(m.id);
        if (p === undefined) {
          this.opts.logger?.warn('generation worker error', { message: m.error.message });
          return;
        }
        this.pending.delete(m.id!);
        p.reject(new GenerationError(m.error.code, m.error.message));
        return;
      }
      default: {
        const p = this.pending.get(m.id);
        if (p === undefined) return;
        this.pending.delete(m.id);
        p.resolve(m);
      }
    }
  }

  private request(
    w: Worker,
    make: (id: number) => ToGenerationWorker,
    onProgress?: (p: PipelineProgress) => void,
  ): Promise<FromGenerationWorker> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      try {
        w.child.send(make(id));
      } catch (err) {
        this.pending.delete(id);
        reject(new GenerationError('worker', `cannot reach the generation worker: ${String(err)}`));
      }
    });
  }

  private async kill(why: string): Promise<void> {
    const w = this.worker;
    if (w === null) return;
    this.opts.logger?.info('ending the generation worker', { why, pid: w.child.pid });
    w.child.kill('SIGKILL');
    await w.exited;
  }

  private armIdle(): void {
    this.clearIdle();
    const s = this.st.idleUnloadS;
    if (s <= 0 || this.worker === null) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (!this.busy) void this.unload();
    }, s * 1000);
    this.idleTimer.unref();
  }

  private clearIdle(): void {
    if (this.idleTimer !== null) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }
}

/** (A function, so a check after an await is not narrowed away by the one before it.) */
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;

const cancelled = (): GenerationError =>
  new GenerationError('cancelled', 'The generation was cancelled');
