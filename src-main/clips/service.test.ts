/**
 * The clip stage in the engine: a highlight becomes a clip on its own, with the configured
 * template's intro and outro (product on the cards), and a cancelled render leaves nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createEngine, type Engine } from '../engine';
import { createLogger } from '../log/logger';
import { FFMPEG, makeClip, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';

let dir: string;
let clip: string;
let vtt: string;
let engine: Engine | null = null;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-clips-svc-'));
  if (FFMPEG) clip = makeClip(dir, 'av', { seconds: 12, size: '640x360' });
  vtt = join(dir, 's.vtt');
  writeFileSync(
    vtt,
    'WEBVTT\n\n00:00.500 --> 00:02.000\n欢迎来到直播间\n\n00:02.500 --> 00:04.000\n全场五折！\n\n' +
      '00:04.500 --> 00:06.000\n这款面霜很好用\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  await engine?.close();
  engine = null;
});

it.skipIf(missing(FFMPEG ? null : NO_FFMPEG))(
  'renders each highlight with the template’s intro and outro, product on the cards',
  async () => {
    const eng = createEngine({
      dataDir: join(dir, 'd1'),
      logger: createLogger({ console: false }),
      transport: 'websocket',
    });
    engine = eng;
    await eng.ready;
    eng.store.settings.set({ key: 'clips.template', value: 'default' });
    eng.store.settings.set({
      key: 'clips.product',
      value: { name: '{\\b1}保湿面霜 "限量"', price: '¥99', image: null },
    });
    const session = await eng.ingest.start({
      source: { kind: 'file', path: clip, realtime: false },
      transcript: vtt,
    });
    await eng.ingest.activeIngest(session.id)?.whenEnded();
    await eng.keywords.endSession(session.id);
    eng.detect.endSession(session.id);
    await eng.clips.settle(session.id, 90_000);
    const [c] = eng.clips.list(session.id);
    expect(c?.state, c?.error ?? '').toBe('ready');
    const file = join(eng.dataDir, c!.file!);
    const duration = Number(
      execFileSync(FFMPEG!.replace(/ffmpeg$/, 'ffprobe'), [
        ...['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file],
      ])
        .toString()
        .trim(),
    );
    // Intro 2.5 s + the window + outro 2 s (the built-in template).
    expect(duration).toBeCloseTo(2.5 + (c!.end - c!.start) + 2, 0);
    expect(c!.durationS).toBeCloseTo(duration, 0);
    // The template's base cards are cached for the next clip.
    expect(readdirSync(join(eng.dataDir, 'cache', 'templates')).length).toBeGreaterThan(0);
  },
  120_000,
);
