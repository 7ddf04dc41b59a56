/**
 * Generation through the engine's API, on the built worker and the tiny model: generate.start
 * from a highlight's prompt → per-step progress events → a labelled MP4 → the review queue, next
 * to the highlight's stream clip, marked AI-generated, checked on its own frames, with its seed
 * and settings in the sidecar; generate.cancel frees the worker for the next job.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Generation } from '../api/contract';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';

const WORKER = join(__dirname, '..', '..', 'out', 'main', 'generate-worker.js');
let dir: string;
let engine: Engine | null = null;

beforeAll(() => {
  if (!existsSync(WORKER))
    throw new Error(`${WORKER} is missing: run \`npm run build\` before the tests`);
  dir = mkdtempSync(join(tmpdir(), 'liveslice-gen-engine-'));
});
afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = { transport: 'websocket' } as never;

it.skipIf(missing(FFMPEG ? null : NO_FFMPEG))(
  'a generation from a highlight lands in the review queue, AI-labelled; cancel frees the worker',
  async () => {
    const eng = createEngine({
      dataDir: join(dir, 'data'),
      logger: createLogger({ console: false }),
      transport: 'websocket',
    });
    engine = eng;
    await eng.ready;
    await eng.handlers['settings.set']({ key: 'review.host', value: '小美' }, ctx);
    await eng.handlers['settings.set']({ key: 'generate.provider', value: 'cpu' }, ctx);
    const session = eng.store.sessions.create('gen', { kind: 'none', uri: null });
    const h = eng.store.highlights.upsert({
      id: `${session.id}-h1`,
      sessionId: session.id,
      n: 1,
      start: 10,
      end: 20,
      score: 0.8,
      reasons: [{ kind: 'trigger', text: '全场五折', at: 12, weight: 1 }],
      text: '全场五折！这款面霜很好用',
      category: 'price',
      state: 'final',
      delayMs: 5,
    });
    const status = await eng.handlers['generate.status']({}, ctx);
    expect(status.models.find((m) => m.id === 'tiny-t2v')?.ok).toBe(true);

    const events: Generation[] = [];
    eng.bus.on('generation.upserted', (g) => events.push(g));
    const g = await eng.handlers['generate.start'](
      { highlightId: h.id, frames: 9, size: '96x64', steps: 4, seed: 7 },
      ctx,
    );
    expect(g.prompt).toContain('小美'); // the highlight's prompt, from the template
    const done = await waitFor(events, g.id, ['done', 'failed']);
    expect(done.state, done.error ?? '').toBe('done');
    expect(done.step).toBe(4);
    expect(done.provider).toBe('cpu');

    const file = join(eng.dataDir, done.file!);
    const probe = execFileSync(FFMPEG!.replace(/ffmpeg$/, 'ffprobe'), [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=nb_read_frames,width,height:format_tags', '-of', 'json', file],
    ]).toString();
    const info = JSON.parse(probe) as {
      streams: Array<{ nb_read_frames: string; width: number; height: number }>;
      format: { tags?: Record<string, string> };
    };
    expect(info.streams[0]).toMatchObject({ nb_read_frames: '9', width: 96, height: 64 });
    const aigc = Object.entries(info.format.tags ?? {}).find(([k]) => k.toUpperCase() === 'AIGC');
    expect(JSON.parse(aigc![1]) as { Label: string }).toMatchObject({ Label: '1' });

    // The review queue: its own item, AI-generated, checked, with the generation's facts.
    await eng.review.settle(30_000);
    const item = eng.review.items(session.id).find((i) => i.clip.id === g.id)!;
    expect(item.aiGenerated).toBe(true);
    expect(item.generation).toMatchObject({ seed: 7, frames: 9, size: '96x64' });
    expect(item.safety.state).not.toBe('pending');
    expect(eng.review.captions(g.id)).toEqual([]);
    expect(eng.review.sidecar(g.id)).toMatchObject({
      engine: 'generation',
      aiGenerated: true,
      aiLabel: 'AI生成 / AI-generated',
      generation: { seed: 7, steps: 4 },
    });
    expect(eng.monitor.records(session.id).find((r) => r.clipId === g.id)?.engine).toBe(
      'generation',
    );

    // Cancel a long one mid-run; the next job still runs.
    const long = await eng.handlers['generate.start'](
      { highlightId: h.id, frames: 81, size: '832x480', steps: 60, seed: 1 },
      ctx,
    );
    // Progress per step with an ETA (throttled to a few a second).
    const running = await waitFor(events, long.id, ['running']);
    expect(running.step).toBeGreaterThanOrEqual(1);
    expect(running.steps).toBe(60);
    await eng.handlers['generate.cancel']({ id: long.id }, ctx);
    expect((await waitFor(events, long.id, ['cancelled', 'failed', 'done'])).state).toBe(
      'cancelled',
    );
    const again = await eng.handlers['generate.start'](
      { highlightId: h.id, frames: 5, size: '96x64', steps: 2, seed: 2 },
      ctx,
    );
    expect((await waitFor(events, again.id, ['done', 'failed'])).state).toBe('done');
  },
  240_000,
);

async function waitFor(
  events: readonly Generation[],
  id: string,
  states: Array<Generation['state']>,
  timeoutMs = 180_000,
): Promise<Generation> {
  const t0 = Date.now();
  for (;;) {
    const hit = events.find((e) => e.id === id && states.includes(e.state));
    if (hit) return hit;
    if (Date.now() - t0 > timeoutMs) throw new Error(`generation ${id} never reached ${states}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
