/**
 * Issue #7 figures: moment → published with headless auto-publish on a `--realtime` replay
 * (folder and a local S3-compatible server; safety checks on: sensitive words and the image
 * model), upload throughput to the local S3 server, the image check's cost, and the punch-in's.
 * The review queue's UI responsiveness with 500 clips is measured in a browser by
 * `review-ui-bench.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { createLogger } from '../log/logger';
import { benchUpload } from '../publish/bench';
import { startTestS3, TEST_ACCESS_KEY, TEST_SECRET } from '../publish/testing/s3-server';
import { benchPunchIn } from '../render/bench';
import { benchImageCheck } from '../safety/image/bench';
import { replayVtt } from './clips-bench';
import { percentile, round, runSteps } from './stats';

const pcts = (xs: number[]) => ({
  p50: round(percentile(xs, 50)),
  p95: round(percentile(xs, 95)),
  n: xs.length,
});

async function benchPublishLatency(ffmpeg: string, seconds: number): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-bench-publish-'));
  const s3 = await startTestS3(join(dir, 's3'), { bucket: 'clips' });
  try {
    const media = join(dir, 'replay.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-y', media],
    ]);
    const vtt = join(dir, 'replay.vtt');
    writeFileSync(vtt, replayVtt(seconds));
    process.env['LIVESLICE_SECRET_KEY'] ??= Buffer.alloc(32, 1).toString('base64');
    const engine = createEngine({
      dataDir: join(dir, 'data'),
      logger: createLogger({ console: false }),
      transport: 'websocket',
      autoPublishTo: ['bench-folder', 'bench-s3'],
    });
    try {
      await engine.ready;
      engine.publish.saveTarget({
        id: 'bench-folder',
        name: 'Folder',
        enabled: false,
        kind: 'folder',
        dir: join(dir, 'published'),
      });
      engine.publish.saveTarget(
        {
          id: 'bench-s3',
          name: 'Local S3',
          enabled: false,
          kind: 's3',
          endpoint: s3.endpoint,
          region: 'us-east-1',
          bucket: 'clips',
          prefix: 'live/',
          pathStyle: true,
          accessKeyId: TEST_ACCESS_KEY,
        },
        TEST_SECRET,
      );
      const session = await engine.ingest.start({
        source: { kind: 'file', path: media, realtime: true },
        transcript: vtt,
      });
      await engine.ingest.activeIngest(session.id)?.whenEnded();
      await engine.keywords.endSession(session.id);
      engine.detect.endSession(session.id);
      await engine.clips.settle(session.id);
      await engine.review.settle();
      await engine.publish.waitIdle();
      const perTarget: Record<string, number[]> = { folder: [], s3: [], all: [] };
      const toClip: number[] = [];
      const safety: number[] = [];
      for (const item of engine.review.items(session.id)) {
        const job = engine.clips.job(item.clip.id);
        if (item.clip.latencyMs === null || !job?.finishedAt) continue;
        // The moment: when the ingest received the window's last media.
        const moment = job.finishedAt - item.clip.latencyMs;
        toClip.push(item.clip.latencyMs);
        if (item.safety.ms !== null) safety.push(item.safety.ms);
        const done = item.publications.filter((p) => p.state === 'done');
        for (const p of done) perTarget[p.kind]?.push(p.updatedAt - moment);
        if (done.length === 2)
          perTarget['all']!.push(Math.max(...done.map((p) => p.updatedAt)) - moment);
      }
      return {
        replay_s: seconds,
        clips: toClip.length,
        held_back: engine.review.heldBack(session.id).length,
        moment_to_clip_ms: pcts(toClip),
        safety_check_ms: pcts(safety),
        moment_to_published_ms: {
          folder: pcts(perTarget['folder']!),
          s3: pcts(perTarget['s3']!),
          both: pcts(perTarget['all']!),
          target: 'p50 ≤ 3000 after the window closes',
        },
      };
    } finally {
      await engine.close();
    }
  } finally {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchReview(opts: { replaySeconds: number }): Promise<unknown> {
  const ff = resolveFfmpeg({});
  if (!ff.found) return { skipped: ff.message };
  return runSteps([
    ['publish_latency', () => benchPublishLatency(ff.path, opts.replaySeconds)],
    [
      'upload',
      async () => ({
        ...(await benchUpload({ sizeMiB: 64, partSizeMiB: 8 })),
        unit: 'MB/s, median of 3, s3rver in the same process',
      }),
    ],
    ['image_check_wasm', () => benchImageCheck({ backend: 'wasm', ffmpegPath: ff.path })],
    [
      'image_check_cpu',
      () => benchImageCheck({ backend: 'cpu', ffmpegPath: ff.path, frames: 4, clipSeconds: 20 }),
    ],
    ['punch_in', () => benchPunchIn({ ffmpeg: ff.path })],
  ]);
}
