/**
 * kill -9 of the engine in the middle of a render: the next start resumes the job, cleans up the
 * partial files, and produces exactly one good clip.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEngine } from '../engine';
import { createLogger } from '../log/logger';
import { FFMPEG, makeClip } from '../testing/media';
import { missing } from '../testing/skip';

const BIN = join(__dirname, '..', 'cli', 'bin.cjs');
const BUILT = join(__dirname, '..', '..', 'out', 'main', 'cli.js');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-clip-crash-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const why = !FFMPEG
  ? 'ffmpeg is not installed'
  : existsSync(BUILT)
    ? null
    : `${BUILT} is missing (npm run build)`;

it.skipIf(missing(why))(
  'a render killed with the engine (kill -9) resumes on restart: exactly one good clip',
  async () => {
    const clip = makeClip(dir, 'av', { seconds: 20, size: '640x360' });
    const vtt = join(dir, 's.vtt');
    writeFileSync(
      vtt,
      'WEBVTT\n\n00:00.500 --> 00:02.000\n欢迎来到直播间\n\n00:02.500 --> 00:04.000\n最后三分钟！\n\n' +
        '00:04.500 --> 00:07.000\n这个颜色很好看\n\n00:07.500 --> 00:12.000\n我们慢慢看细节\n',
    );
    const out = join(dir, 'out');
    const data = join(dir, 'data');
    const clipsDir = join(out, 'clips');
    const child = spawn(
      process.execPath,
      [BIN, 'process', clip, '--out', out, '--transcript', vtt, '--realtime', '--data-dir', data],
      { stdio: 'ignore' },
    );
    // Kill it as soon as the render has written its first piece.
    const deadline = Date.now() + 30_000;
    const partial = () =>
      existsSync(clipsDir) &&
      readdirSync(clipsDir).some((n) => n.includes('.tmp-') || n.endsWith('.part'));
    while (!partial() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(partial(), 'the render never started').toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readdirSync(clipsDir).some((n) => n.endsWith('.mp4'))).toBe(false);

    const engine = createEngine({
      dataDir: data,
      logger: createLogger({ console: false }),
      transport: 'websocket',
      clipsDir: () => clipsDir,
    });
    try {
      await engine.ready;
      const [session] = engine.store.sessions.list(10);
      expect(session).toBeDefined();
      await engine.clips.settle(session!.id, 60_000);
      const clips = engine.clips.list(session!.id);
      expect(clips.map((c) => c.state)).toEqual(['ready']);
      const files = readdirSync(clipsDir);
      expect(files.filter((n) => n.endsWith('.mp4'))).toEqual([`${clips[0]!.id}.mp4`]);
      expect(files.filter((n) => n.includes('.tmp-') || n.endsWith('.part'))).toEqual([]);
      const probe = JSON.parse(
        execFileSync(FFMPEG!.replace(/ffmpeg$/, 'ffprobe'), [
          ...['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,width,height'],
          ...['-of', 'json', join(clipsDir, `${clips[0]!.id}.mp4`)],
        ]).toString(),
      ) as { format: { duration: string }; streams: Array<{ codec_type: string; width?: number }> };
      expect(Number(probe.format.duration)).toBeCloseTo(clips[0]!.end - clips[0]!.start, 0);
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      expect(probe.streams.find((s) => s.codec_type === 'video')?.width).toBe(720);
    } finally {
      await engine.close();
    }
  },
  120_000,
);
