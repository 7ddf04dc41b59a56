/**
 * Generation jobs on the real SQLite queue with the tiny model run in-process (the worker host is
 * tested on its own): a highlight's generation runs at generation priority with its seed and
 * settings recorded, reports its steps, lands under the session's generated/ folder, and a cancel
 * mid-run leaves no file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Generation } from '../api/contract';
import { SqliteJobQueue } from '../jobs/sqlite-queue';
import { type TempDb, tempDb, waitFor } from '../jobs/testing/helpers';
import { JOB_PRIORITY } from '../jobs/types';
import { createLogger } from '../log/logger';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { T2vPipeline } from './pipeline';
import { GENERATE_KIND, type GenerationRunner, GenerationService } from './service';
import type { WorkerStatus } from './worker-host';

const TINY = join(__dirname, '..', '..', 'models', 'tiny-t2v');

let pipe: T2vPipeline;
let t: TempDb;
let queue: SqliteJobQueue;
let service: GenerationService;
let changes: Generation[];
/** Called on each denoising step the in-process runner reports. */
let onStep: ((step: number) => void) | null = null;

/** The worker host's surface over an in-process pipeline. */
function inProcess(p: T2vPipeline): GenerationRunner {
  const status: WorkerStatus = {
    state: 'ready',
    provider: p.choice.provider,
    providerReason: p.choice.reason,
    coldStartMs: Math.round(p.loadMs),
    model: p.manifest.id,
    idleUnloadS: 300,
    pid: process.pid,
    rssAfterLoadBytes: null,
  };
  return {
    run: (_dir, job, hooks) =>
      p.run(job, {
        ...hooks,
        onProgress: (pr) => {
          hooks.onProgress?.(pr);
          if (pr.step !== null) onStep?.(pr.step);
        },
      }),
    status: () => status,
  };
}

beforeAll(async () => {
  pipe = await T2vPipeline.load(TINY, { provider: 'cpu' });
}, 60_000);
afterAll(async () => pipe?.release());

beforeEach(() => {
  t = tempDb('liveslice-gen-svc-');
  // Every progress report written at once, so a step's state is visible to the next line.
  queue = new SqliteJobQueue(t.db, { progressIntervalMs: 0 });
  changes = [];
  onStep = null;
  service = new GenerationService({
    queue,
    dataDir: t.dir,
    logger: createLogger({ console: false }),
    runner: inProcess(pipe),
    ffmpegPath: () => FFMPEG,
    models: () => [{ id: 'tiny-t2v', dir: TINY }],
    defaultModel: () => null,
    highlight: (id) => (id === 'h1' ? { sessionId: 's1', prompt: '主播展示面霜 cream' } : null),
    onChange: (g) => changes.push(g),
  });
  queue.start();
});
afterEach(async () => {
  service.close();
  await queue.stop();
  t.dispose();
});

describe('starting', () => {
  it('takes the manifest defaults, records the seed, and refuses bad settings', () => {
    const g = service.start({ highlightId: 'h1', frames: 9, size: '64x48', steps: 3, seed: 42 });
    expect(g).toMatchObject({
      id: 'h1-g1',
      sessionId: 's1',
      prompt: '主播展示面霜 cream',
      seed: 42,
      frames: 9,
      size: '64x48',
      steps: 3,
      model: 'tiny-t2v',
      scheduler: 'unipc',
      fps: 16,
      guidance: 5,
      shift: 5,
    });
    expect(['queued', 'loading']).toContain(g.state);
    const job = queue.list({ kind: GENERATE_KIND })[0]!;
    expect(job.priority).toBe(JOB_PRIORITY.generation);
    expect(job.payload).toMatchObject({ settings: { seed: 42, prompt: '主播展示面霜 cream' } });
    // The next one for the same highlight gets the next number and a seed of its own.
    const g2 = service.start({ highlightId: 'h1', frames: 9, size: '64x48', steps: 3 });
    expect(g2.id).toBe('h1-g2');
    expect(Number.isInteger(g2.seed)).toBe(true);
    expect(() => service.start({ highlightId: 'h1', frames: 10 })).toThrow(/nearest below is 9/);
    expect(() => service.start({ highlightId: 'nope' })).toThrow(/No highlight/);
    expect(() => service.start({ highlightId: 'h1', model: 'wan-a14b' })).toThrow(
      /No text-to-video model 'wan-a14b'.*tiny-t2v/,
    );
  });

  it('status lists the worker and the installed models', () => {
    const s = service.status();
    expect(s.worker).toMatchObject({ state: 'ready', provider: 'cpu', model: 'tiny-t2v' });
    expect(s.models).toEqual([{ id: 'tiny-t2v', dir: TINY, ok: true, reason: null }]);
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('running (real ffmpeg)', () => {
  it('runs to a labelled MP4 under the session, with per-step progress', async () => {
    const g = service.start({ highlightId: 'h1', frames: 9, size: '64x48', steps: 3, seed: 5 });
    const done = await waitFor(queue, (j) => j.state === 'done' || j.state === 'failed', {
      id: queue.list({ kind: GENERATE_KIND })[0]!.id,
      timeoutMs: 60_000,
    });
    expect(done.error).toBeNull();
    const final = service.get(g.id)!;
    expect(final).toMatchObject({
      state: 'done',
      file: join('sessions', 's1', 'generated', 'h1-g1.mp4'),
      provider: 'cpu',
      step: 3,
    });
    expect(existsSync(join(t.dir, final.file!))).toBe(true);
    expect(final.timings['denoise']).toBeGreaterThan(0);
    expect(final.timings['load']).toBeGreaterThanOrEqual(0);
    const states = changes.filter((c) => c.id === g.id).map((c) => c.state);
    expect(states[0]).toBe('queued');
    expect(states.at(-1)).toBe('done');
    const running = changes.filter((c) => c.id === g.id && c.state === 'running');
    expect(running.map((c) => c.step)).toEqual(expect.arrayContaining([1, 2, 3]));
    expect(running.find((c) => c.step === 3)?.etaS).toBe(0);
    expect(service.list('s1').map((x) => x.id)).toEqual(['h1-g1']);
    expect(service.list('s2')).toEqual([]);
  }, 60_000);

  it('a cancel mid-run ends as cancelled with no file left', async () => {
    const seen: string[] = [];
    const steps: number[] = [];
    onStep = (step) => {
      steps.push(step);
      if (step !== 3) return;
      seen.push(service.get(g.id)!.state);
      service.cancel(g.id);
    };
    const g = service.start({ highlightId: 'h1', frames: 9, size: '64x48', steps: 50, seed: 5 });
    await waitFor(queue, (j) => j.state === 'cancelled', {
      id: queue.list({ kind: GENERATE_KIND })[0]!.id,
      timeoutMs: 30_000,
    });
    await queue.idle();
    expect(seen).toEqual(['running']);
    expect(steps).toEqual([1, 2, 3]);
    const after = service.get(g.id)!;
    expect(after.state).toBe('cancelled');
    expect(after.file).toBeNull();
    expect(existsSync(join(t.dir, 'sessions', 's1', 'generated', 'h1-g1.mp4'))).toBe(false);
  }, 60_000);
});
