/**
 * The engine's side of the inference worker: request ids, the model loaded once per worker, a
 * cancelled request that terminates the thread (tfjs cannot be interrupted mid-inference), and a
 * worker that dies failing only the requests it had — the next request starts a new one.
 *
 * How messages travel is a port: a worker thread running the built image-worker.js, or the same
 * worker core in this thread (tests, and a fallback when no built worker exists).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Scores } from './decide';
import { abortError, ImageCheckError } from './errors';
import type { Backend, FromWorker, ReadyInfo, ToWorker } from './protocol';

export interface PortEvents {
  onMessage(message: FromWorker): void;
  /** The worker stopped without being asked to; `why` says how. */
  onExit(why: string): void;
}

export interface WorkerPort {
  /** 'thread': terminate() stops an inference in flight; 'inline': it runs to its end. */
  readonly kind: 'thread' | 'inline';
  post(message: ToWorker, transfer?: ArrayBuffer[]): void;
  /** Keeps the process alive while requests are pending (a thread is unref'd when idle). */
  setBusy(busy: boolean): void;
  terminate(): Promise<void>;
}

export type PortFactory = (events: PortEvents) => WorkerPort;

/** The built worker next to this bundle (out/main or out/main/chunks), or from source. */
export function findImageWorker(): string | null {
  const candidates = [
    join(__dirname, 'image-worker.js'), // out/main
    join(__dirname, '..', 'image-worker.js'), // out/main/chunks
    join(__dirname, '..', '..', '..', 'out', 'main', 'image-worker.js'), // src-main/safety/image
  ];
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** A node:worker_threads Worker running `workerPath` (out/main/image-worker.js). */
export function threadPort(workerPath: string): PortFactory {
  return (events) => {
    // A bounded heap: a runaway worker dies alone (ERR_WORKER_OUT_OF_MEMORY), not the engine.
    // The model needs ~10 MB of tensors; tfjs's wasm memory is outside this limit.
    const worker = new Worker(workerPath, {
      stdout: false,
      stderr: false,
      resourceLimits: { maxOldGenerationSizeMb: 512 },
    });
    let terminating = false;
    worker.unref();
    worker.on('message', (m: FromWorker) => events.onMessage(m));
    worker.on('error', (err) => {
      if (!terminating) events.onExit(`it threw: ${err.message}`);
    });
    worker.on('exit', (code) => {
      if (!terminating) events.onExit(`it exited with code ${code}`);
    });
    return {
      kind: 'thread',
      post: (m, transfer) => worker.postMessage(m, transfer),
      setBusy: (busy) => (busy ? worker.ref() : worker.unref()),
      async terminate() {
        terminating = true;
        await worker.terminate();
      },
    };
  };
}

/**
 * The worker core in this thread: each message is handled on a later turn, as across a thread,
 * but an inference blocks this thread while it runs (~60 ms on wasm, ~1.1 s on cpu).
 */
export function inlinePort(): PortFactory {
  return (events) => {
    let dead = false;
    const corePromise = import('./worker-core').then(({ createWorkerCore }) =>
      createWorkerCore((m) => {
        if (!dead) events.onMessage(m);
      }),
    );
    return {
      kind: 'inline',
      post(m) {
        setImmediate(() => {
          if (dead) return;
          void corePromise.then((core) => core.handle(m));
        });
      },
      setBusy: () => undefined,
      async terminate() {
        dead = true;
        const core = await corePromise;
        // After what is queued: an inference cannot be stopped part-way in this thread.
        await core.handle({ type: 'shutdown' });
      },
    };
  };
}

interface Pending {
  resolve(value: FromWorker): void;
  reject(err: Error): void;
}

/** One started worker and the requests it owes an answer. */
interface Channel {
  port: WorkerPort;
  pending: Map<number, Pending>;
}

export interface WorkerClientOptions {
  port: PortFactory;
  /** Resolves the model folder when the worker first starts (throws when it is missing). */
  modelDir: () => string;
  backend: Backend;
  onLog?: (level: 'info' | 'warn', msg: string) => void;
}

export class ImageWorkerClient {
  private live: { channel: Channel; ready: Promise<ReadyInfo> } | null = null;
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: WorkerClientOptions) {}

  /** Starts the worker and loads the model, once; a failed start is retried by the next call. */
  async ready(signal?: AbortSignal): Promise<ReadyInfo> {
    if (signal?.aborted) throw abortError(signal);
    return untilAborted(this.ensure().ready, signal);
  }

  /** One inference. The worker gets its own copy of `rgb`. Aborting terminates a thread worker. */
  async classify(
    rgb: Uint8Array,
    width: number,
    height: number,
    signal?: AbortSignal,
  ): Promise<{ scores: Scores; ms: number }> {
    await this.ready(signal);
    const live = this.live;
    if (live === null) throw new ImageCheckError('worker', 'the image-check worker stopped');
    const copy = new Uint8Array(rgb);
    const reply = await this.request(
      live.channel,
      (id) => ({ type: 'classify', id, rgb: copy, width, height }),
      [copy.buffer],
      signal,
    );
    if (reply.type !== 'scores') {
      throw new ImageCheckError('worker', `the image-check worker sent ${reply.type}, not scores`);
    }
    return { scores: reply.scores, ms: reply.ms };
  }

  /** Stops the worker; the next call starts a fresh one. */
  async reset(why: string): Promise<void> {
    const live = this.live;
    if (live === null) return;
    this.live = null;
    this.failAll(live.channel, new ImageCheckError('worker', why));
    await live.channel.port.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.reset('the image checker was closed');
  }

  private ensure(): { channel: Channel; ready: Promise<ReadyInfo> } {
    if (this.closed) throw new ImageCheckError('closed', 'the image checker was closed');
    if (this.live !== null) return this.live;
    const modelDir = this.opts.modelDir();
    const pending = new Map<number, Pending>();
    const channel: Channel = {
      pending,
      port: this.opts.port({
        onMessage: (m) => this.onMessage(channel, m),
        onExit: (why) => {
          if (this.live?.channel === channel) this.live = null;
          this.failAll(
            channel,
            new ImageCheckError('worker', `the image-check worker stopped: ${why}`),
          );
        },
      }),
    };
    const init = this.request(channel, (id) => ({
      type: 'init',
      id,
      modelDir,
      backend: this.opts.backend,
    }));
    const ready = init.then(
      (reply): ReadyInfo => {
        if (reply.type !== 'ready') {
          throw new ImageCheckError(
            'worker',
            `the image-check worker sent ${reply.type}, not ready`,
          );
        }
        const { model, backend, fallbackReason, loadMs } = reply;
        return { model, backend, fallbackReason, loadMs };
      },
      async (err: unknown) => {
        // A worker that could not load the model is of no use: the next call starts over.
        if (this.live?.channel === channel) await this.reset('the image model failed to load');
        throw err;
      },
    );
    // Callers await it; this keeps an unawaited failure from being reported as unhandled.
    ready.catch(() => undefined);
    this.live = { channel, ready };
    return this.live;
  }

  private request(
    channel: Channel,
    make: (id: number) => ToWorker,
    transfer?: ArrayBuffer[],
    signal?: AbortSignal,
  ): Promise<FromWorker> {
    const id = this.nextId++;
    return new Promise<FromWorker>((resolve, reject) => {
      const onAbort = (): void => {
        if (!channel.pending.delete(id)) return;
        signal?.removeEventListener('abort', onAbort);
        reject(abortError(signal!));
        // The thread may be mid-inference for this request: stop it rather than wait.
        if (channel.port.kind === 'thread' && this.live?.channel === channel) {
          void this.reset('a check was cancelled');
        } else {
          this.updateBusy(channel);
        }
      };
      const settle = (): void => {
        signal?.removeEventListener('abort', onAbort);
        this.updateBusy(channel);
      };
      channel.pending.set(id, {
        resolve: (v) => {
          settle();
          resolve(v);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.updateBusy(channel);
      channel.port.post(make(id), transfer);
    });
  }

  private onMessage(channel: Channel, m: FromWorker): void {
    if (m.type === 'log') {
      this.opts.onLog?.(m.level, m.msg);
      return;
    }
    const waiter = channel.pending.get(m.id);
    if (waiter === undefined) return; // cancelled meanwhile
    channel.pending.delete(m.id);
    if (m.type === 'error') waiter.reject(new ImageCheckError(m.kind, m.message));
    else waiter.resolve(m);
  }

  private failAll(channel: Channel, err: Error): void {
    const waiters = [...channel.pending.values()];
    channel.pending.clear();
    for (const w of waiters) w.reject(err);
  }

  private updateBusy(channel: Channel): void {
    channel.port.setBusy(channel.pending.size > 0);
  }
}

/** `promise`, or the abort error as soon as `signal` fires (the work itself is not stopped). */
function untilAborted<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
