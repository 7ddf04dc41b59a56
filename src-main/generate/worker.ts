/**
 * The generation worker: a child process that keeps one text-to-video model resident and runs one
 * job at a time (bundled to out/main/generate-worker.js). It is a process, not a thread, so the
 * host can end a job that will not stop by killing it — which also frees every byte of GPU memory
 * the execution provider held — and a native abort in onnxruntime never takes the app down.
 *
 * Started with child_process.fork (structured-clone IPC). Inside Electron's main process an
 * Electron utilityProcess speaks the same messages through process.parentPort; this file only
 * needs `process.send`/`process.on('message')`, which the host's fork provides.
 */
import os from 'node:os';
import { GenerationError, MEMORY_MARGIN_BYTES, type PipelineJob, T2vPipeline } from './pipeline';
import type { RequestedProvider } from './providers';
import {
  type FromGenerationWorker,
  isToGenerationWorker,
  type SerializedError,
  type ToGenerationWorker,
} from './worker-protocol';

let pipeline: T2vPipeline | null = null;
let loadedKey: string | null = null;
let running: { id: number; abort: AbortController } | null = null;
/** Loads and unloads run one after another. */
let chain: Promise<void> = Promise.resolve();

function send(m: FromGenerationWorker): void {
  if (process.connected) process.send?.(m);
}

function serialize(err: unknown): SerializedError {
  if (err instanceof GenerationError) return { code: err.code, message: err.message };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

async function load(m: Extract<ToGenerationWorker, { type: 'load' }>): Promise<void> {
  const key = JSON.stringify([m.dir, m.provider, m.lowMemory, m.threads]);
  if (pipeline !== null && loadedKey === key) {
    return reportLoaded(m.id, pipeline);
  }
  if (running !== null) {
    send({
      type: 'error',
      id: m.id,
      error: { code: 'worker', message: 'a job is running: cannot load another model now' },
    });
    return;
  }
  await pipeline?.release();
  pipeline = null;
  loadedKey = null;
  try {
    pipeline = await T2vPipeline.load(m.dir, {
      provider: m.provider as RequestedProvider,
      lowMemory: m.lowMemory,
      threads: m.threads,
    });
    loadedKey = key;
    reportLoaded(m.id, pipeline);
  } catch (err) {
    send({ type: 'error', id: m.id, error: serialize(err) });
  }
}

function reportLoaded(id: number, p: T2vPipeline): void {
  const rss = process.memoryUsage().rss;
  const free = os.freemem();
  if (free < MEMORY_MARGIN_BYTES) {
    send({
      type: 'log',
      level: 'warn',
      msg: 'little free memory left after loading the generation model',
      fields: { model: p.manifest.id, rssBytes: rss, freeBytes: free },
    });
  }
  send({
    type: 'loaded',
    id,
    model: p.manifest.id,
    provider: p.choice.provider,
    providerReason: p.choice.reason,
    loadMs: p.loadMs,
    rssBytes: rss,
  });
}

async function run(id: number, job: PipelineJob): Promise<void> {
  if (running !== null) {
    send({
      type: 'error',
      id,
      error: { code: 'worker', message: 'the generation worker runs one job at a time' },
    });
    return;
  }
  if (pipeline === null) {
    send({ type: 'error', id, error: { code: 'worker', message: 'no model is loaded' } });
    return;
  }
  const abort = new AbortController();
  running = { id, abort };
  try {
    const result = await pipeline.run(job, {
      signal: abort.signal,
      onProgress: (progress) => send({ type: 'progress', id, progress }),
    });
    // The latent is only for in-process callers: do not ship megabytes over IPC.
    delete result.latent;
    send({ type: 'done', id, result });
  } catch (err) {
    send({ type: 'error', id, error: serialize(err) });
  } finally {
    running = null;
  }
}

function handle(m: ToGenerationWorker): void {
  switch (m.type) {
    case 'load':
      chain = chain.then(() => load(m));
      return;
    case 'run':
      void chain.then(() => run(m.id, m.job));
      return;
    case 'cancel':
      running?.abort.abort();
      return;
    case 'health':
      send({
        type: 'health',
        id: m.id,
        state: running !== null ? 'busy' : pipeline !== null ? 'ready' : 'empty',
        model: pipeline?.manifest.id ?? null,
        rssBytes: process.memoryUsage().rss,
      });
      return;
    case 'unload':
      running?.abort.abort();
      chain = chain.then(async () => {
        await pipeline?.release();
        pipeline = null;
        loadedKey = null;
        send({ type: 'unloaded', id: m.id });
        process.disconnect?.();
        process.exit(0);
      });
      return;
  }
}

process.on('message', (m: unknown) => {
  if (!isToGenerationWorker(m)) {
    send({ type: 'log', level: 'warn', msg: 'generation worker: unknown message dropped' });
    return;
  }
  handle(m);
});
// The host went away: nothing left to work for.
process.on('disconnect', () => process.exit(0));
