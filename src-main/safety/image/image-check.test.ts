/**
 * The image check on real clips made by ffmpeg: sampled frames scored and a clean clip passed,
 * limits that flag, clear errors for files that cannot be checked, and cancellation that leaves
 * no ffmpeg behind. In-thread (workerPath: null) from source; the built worker thread too when
 * out/main/image-worker.js exists.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { liveProcesses } from '../../ffmpeg/run';
import { FFMPEG, makeClip, NO_FFMPEG } from '../../testing/media';
import { missing } from '../../testing/skip';
import { LABELS, type Scores } from './decide';
import { ImageChecker, type ImageCheckerOptions } from './image-check';
import { findImageWorker } from './worker-client';

const located = ImageChecker.locateModel();
const ABSENT = !FFMPEG ? NO_FFMPEG : located.ok ? null : located.reason;
const sum = (s: Scores): number => LABELS.reduce((a, l) => a + s[l], 0);

let dir: string;
let clip: string;
let long: string;
const checkers: ImageChecker[] = [];
const make = (over: Partial<ImageCheckerOptions> = {}): ImageChecker => {
  const c = new ImageChecker({ ffmpegPath: () => FFMPEG, workerPath: null, ...over });
  checkers.push(c);
  return c;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-image-check-'));
  if (!FFMPEG) return;
  clip = makeClip(dir, 'bars', { seconds: 6, size: '640x360' });
  long = makeClip(dir, 'long', { seconds: 40, size: '320x240', audio: false });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const c of checkers.splice(0)) await c.close();
});

describe.skipIf(missing(ABSENT))('ImageChecker', () => {
  it('scores evenly spaced frames of a test-card clip and passes it', async () => {
    const progress: number[] = [];
    const r = await make().check(clip, { onProgress: (done) => progress.push(done) });
    expect(r.backend).toBe('wasm');
    expect(r.model).toMatch(/^nsfwjs@[\d.]+ MobileNetV2 224$/);
    expect(r.frames.map((f) => f.at)).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
    for (const f of r.frames) expect(sum(f.scores)).toBeCloseTo(1, 4);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.flagged).toBe(false);
    expect(r.reason).toBeNull();
    expect(r.worst).not.toBeNull();
    expect(r.frames.some((f) => f.at === r.worst!.at)).toBe(true);
    expect(r.ms).toBeGreaterThan(0);
  });

  it('flags exactly when a configured limit is reached by a frame', async () => {
    const base = await make({ thresholds: { Drawing: null } }).check(clip, { samples: 3 });
    const top = base.frames.reduce((a, f) => (f.scores.Drawing > a.scores.Drawing ? f : a));
    const limit = Math.floor(top.scores.Drawing * 1000) / 1000;

    const flagging = await make({ thresholds: { Drawing: limit } }).check(clip, { samples: 3 });
    expect(flagging.flagged).toBe(true);
    expect(flagging.worst).toMatchObject({ label: 'Drawing', at: top.at });
    expect(flagging.reason).toMatch(
      new RegExp(
        `^frame at ${top.at.toFixed(1)} s scored Drawing [0-9.]+ \\(limit ${limit.toFixed(2)}\\)`,
      ),
    );

    const above = Math.min(1, limit + 0.002);
    const passing = await make({ thresholds: { Drawing: above } }).check(clip, { samples: 3 });
    expect(passing.flagged).toBe(false);
  });

  it('takes the duration from the caller when given (no ffprobe)', async () => {
    const r = await make().check(clip, { samples: 2, durationS: 4 });
    expect(r.frames.map((f) => f.at)).toEqual([1, 3]);
  });

  it('classifyRgb scores any size and checks the buffer length', async () => {
    const c = make();
    const s = await c.classifyRgb(new Uint8Array(64 * 32 * 3).fill(200), 64, 32);
    expect(sum(s)).toBeCloseTo(1, 4);
    await expect(c.classifyRgb(new Uint8Array(5), 64, 32)).rejects.toThrow(/needs 6144 bytes/);
  });

  describe('says clearly why a file cannot be checked', () => {
    it('a missing file', async () => {
      const f = join(dir, 'nope.mp4');
      await expect(make().check(f)).rejects.toMatchObject({
        name: 'ImageCheckError',
        kind: 'not_found',
        message: `${f} does not exist`,
      });
    });
    it('a file that is not media', async () => {
      const f = join(dir, 'junk.mp4');
      writeFileSync(f, Buffer.alloc(4096, 7));
      const err = await make()
        .check(f)
        .catch((e: unknown) => e as Error);
      expect(err).toMatchObject({ kind: 'not_media' });
      expect((err as Error).message).toContain(f);
    });
    it('a file with sound but no picture', async () => {
      const f = join(dir, 'tone.m4a');
      execFileSync(FFMPEG!, [
        ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2'],
        ...['-c:a', 'aac', '-y', f],
      ]);
      await expect(make().check(f)).rejects.toMatchObject({
        kind: 'no_video',
        message: `${f} has no video stream to check`,
      });
    });
    it('a stated duration longer than the clip', async () => {
      await expect(make().check(clip, { samples: 1, durationS: 60 })).rejects.toMatchObject({
        kind: 'no_frame',
        message: expect.stringMatching(/no frame at 30\.0 s/),
      });
    });
    it('no ffmpeg', async () => {
      await expect(make({ ffmpegPath: () => null }).check(clip)).rejects.toMatchObject({
        kind: 'ffmpeg_missing',
      });
    });
    it('a missing model, naming the file', async () => {
      const empty = mkdtempSync(join(dir, 'model-'));
      await expect(make({ modelDir: empty }).check(clip)).rejects.toMatchObject({
        kind: 'model_missing',
        message: expect.stringContaining(join(empty, 'model.min.js')),
      });
    });
    it('a closed checker', async () => {
      const c = make();
      await c.close();
      await expect(c.check(clip)).rejects.toMatchObject({ kind: 'closed' });
    });
  });

  describe('cancellation', () => {
    it('an aborted signal stops the check before anything starts', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(make().check(clip, { signal: ac.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
      expect(liveProcesses()).toBe(0);
    });

    it('aborting mid-check rejects, leaves no ffmpeg running, and the checker still works', async () => {
      const c = make();
      const ac = new AbortController();
      let seen = 0;
      const run = c.check(long, {
        samples: 40,
        signal: ac.signal,
        onProgress: (done) => {
          seen = done;
          if (done === 2) ac.abort();
        },
      });
      await expect(run).rejects.toMatchObject({ name: 'AbortError' });
      expect(seen).toBeLessThan(40);
      expect(liveProcesses()).toBe(0);
      const again = await c.check(clip, { samples: 2 });
      expect(again.frames).toHaveLength(2);
    });
  });
});

/** $LIVESLICE_TEST_IMAGE_WORKER: a worker built elsewhere (e.g. before the entry is configured). */
const WORKER = process.env['LIVESLICE_TEST_IMAGE_WORKER'] ?? findImageWorker();
const WORKER_ABSENT =
  ABSENT ??
  (WORKER === null
    ? 'out/main/image-worker.js is missing: add the image-worker entry to electron.vite.config.ts and run `npm run build`'
    : null);

describe.skipIf(missing(WORKER_ABSENT))('ImageChecker in its worker thread', () => {
  it('checks a clip off the main thread', async () => {
    const r = await make({ workerPath: WORKER }).check(clip);
    expect(r.backend).toBe('wasm');
    expect(r.frames).toHaveLength(6);
    expect(r.flagged).toBe(false);
    for (const f of r.frames) expect(sum(f.scores)).toBeCloseTo(1, 4);
  });

  it('an abort terminates the worker mid-check; the next check starts a new one', async () => {
    const c = make({ workerPath: WORKER });
    const ac = new AbortController();
    const run = c.check(long, {
      samples: 40,
      signal: ac.signal,
      onProgress: (done) => {
        if (done === 1) ac.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(liveProcesses()).toBe(0);
    expect((await c.check(clip, { samples: 2 })).frames).toHaveLength(2);
  });

  it('runs on the cpu backend when asked to', async () => {
    const info = await make({ workerPath: WORKER, backend: 'cpu' }).load();
    expect(info).toMatchObject({ backend: 'cpu', fallbackReason: null });
  });
});
