/**
 * The generation worker in its own process with the tiny model: the cold start is measured once
 * and the model stays resident, health pings answer, a cancel mid-run frees the worker for the next
 * job, a worker that ignores the cancel is killed after the grace time, idle unload ends it, and a
 * corrupt model is refused before load. The worker is bundled from the sources for the test (the
 * app's build does the same into out/main/generate-worker.js).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineJob } from './pipeline';
import { GenerationWorkerHost, type WorkerStatus } from './worker-host';

const ROOT = join(__dirname, '..', '..');
const TINY = join(ROOT, 'models', 'tiny-t2v');
// Inside the repo so the bundle's require('onnxruntime-node') resolves.
const OUT = join(ROOT, 'node_modules', '.cache', `liveslice-gen-worker-${process.pid}`);
const WORKER = join(OUT, 'generate-worker.js');

/** Bundles src-main/generate/worker.ts as the app build does (dependencies stay external). */
async function bundleWorker(outDir: string): Promise<string> {
  await build({
    configFile: false,
    logLevel: 'warn',
    build: {
      ssr: join(ROOT, 'src-main', 'generate', 'worker.ts'),
      outDir,
      emptyOutDir: false,
      minify: false,
      rollupOptions: { output: { format: 'cjs', entryFileNames: 'generate-worker.js' } },
    },
  });
  return join(outDir, 'generate-worker.js');
}

let dir: string;
let host: GenerationWorkerHost | null = null;

const job = (over: Partial<PipelineJob> = {}): PipelineJob => ({
  prompt: 'a red kite over the sea',
  negativePrompt: '',
  frames: 9,
  width: 64,
  height: 48,
  steps: 4,
  seed: 7,
  guidance: 5,
  shift: 5,
  scheduler: 'unipc',
  fps: 16,
  output: null,
  ...over,
});

/** Resolves once the host reports `state` (an event, polled per loop turn: no sleeps). */
function waitForState(h: GenerationWorkerHost, state: WorkerStatus['state']): Promise<void> {
  return new Promise<void>((resolve) => {
    const check = (): void => {
      if (h.status().state === state) resolve();
      else setImmediate(check);
    };
    check();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-gen-host-'));
  mkdirSync(OUT, { recursive: true });
  await bundleWorker(OUT);
}, 60_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(OUT, { recursive: true, force: true });
});
afterEach(async () => {
  await host?.close();
  host = null;
});

describe('the real worker', () => {
  it('measures the cold start once, keeps the model resident, answers health pings', async () => {
    const statuses: WorkerStatus[] = [];
    host = new GenerationWorkerHost({
      workerPath: WORKER,
      provider: 'auto',
      idleUnloadS: 0,
      onStatus: (s) => statuses.push(s),
    });
    expect((await host.health()).ok).toBe(false);
    const a = await host.run(TINY, job());
    const first = host.status();
    expect(first).toMatchObject({ state: 'ready', provider: 'cpu', model: 'tiny-t2v' });
    expect(first.coldStartMs).toBeGreaterThan(0);
    expect(first.providerReason).toMatch(/cuda: .*not installed/);
    expect(first.rssAfterLoadBytes).toBeGreaterThan(10 << 20);
    const b = await host.run(TINY, job());
    expect(host.starts).toBe(1);
    expect(host.status().pid).toBe(first.pid);
    expect(b.framesSha256).toBe(a.framesSha256);
    expect(a.provider).toBe('cpu');
    expect(statuses.map((s) => s.state)).toContain('busy');
    const h = await host.health();
    expect(h).toMatchObject({ ok: true, state: 'ready' });
    expect(h.rssBytes).toBeGreaterThan(0);
  }, 60_000);

  it('a cancel mid-run stops the job and the worker takes the next one', async () => {
    host = new GenerationWorkerHost({ workerPath: WORKER, provider: 'cpu', idleUnloadS: 0 });
    const ac = new AbortController();
    const steps: number[] = [];
    const run = host.run(TINY, job({ steps: 400, width: 256, height: 192, frames: 33 }), {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.step === null) return;
        steps.push(p.step);
        if (p.step === 2) ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(steps.length).toBeLessThan(400);
    // Freed: either still up and idle, or ended; a new job runs either way.
    expect(['ready', 'stopped']).toContain(host.status().state);
    const next = await host.run(TINY, job());
    expect(next.frames).toBe(9);
  }, 60_000);

  it('ends the worker after the idle time and starts a new one for the next job', async () => {
    host = new GenerationWorkerHost({ workerPath: WORKER, provider: 'cpu', idleUnloadS: 0.2 });
    await host.run(TINY, job());
    await waitForState(host, 'stopped');
    expect(host.status().pid).toBeNull();
    await host.run(TINY, job());
    expect(host.starts).toBe(2);
  }, 60_000);

  it('refuses a corrupt model before loading it, naming the file', async () => {
    const bad = join(dir, 'corrupt');
    cpSync(TINY, bad, { recursive: true });
    const f = join(bad, 'transformer_low.onnx');
    const bytes = readFileSync(f);
    bytes[50] = bytes[50]! ^ 1;
    writeFileSync(f, bytes);
    host = new GenerationWorkerHost({ workerPath: WORKER, provider: 'cpu', idleUnloadS: 0 });
    await expect(host.run(bad, job())).rejects.toMatchObject({
      code: 'model',
      message: expect.stringContaining('transformer_low.onnx'),
    });
    expect(host.status().state).toBe('stopped');
  }, 60_000);
});

describe('a worker that ignores cancel', () => {
  const FAKE = `
process.on('message', (m) => {
  if (m.type === 'load') process.send({ type: 'loaded', id: m.id, model: 'fake', provider: 'cpu',
    providerReason: 'cpu', loadMs: 1, rssBytes: 1 });
  if (m.type === 'run') process.send({ type: 'progress', id: m.id,
    progress: { stage: 'denoise', step: 1, steps: 9, progress: 0.1, etaS: 99 } });
  // A step that never ends: cancel is never answered.
});`;
  it('is killed after the grace time, and the next job gets a fresh one', async () => {
    const fake = join(dir, 'fake-worker.cjs');
    writeFileSync(fake, FAKE);
    const pids: number[] = [];
    host = new GenerationWorkerHost({
      workerPath: fake,
      provider: 'cpu',
      idleUnloadS: 0,
      cancelGraceMs: 100,
      spawn: (p): ChildProcess => {
        const c = fork(p, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
        pids.push(c.pid!);
        return c;
      },
    });
    const ac = new AbortController();
    const run = host.run('/nowhere', job(), {
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(host.status().state).toBe('stopped');
    expect(() => process.kill(pids[0]!, 0)).toThrow(); // the process is gone
    const second = host.run('/nowhere', job());
    await waitForState(host, 'busy');
    expect(host.starts).toBe(2);
    await host.close();
    await expect(second).rejects.toMatchObject({ code: 'worker' });
  });
});
