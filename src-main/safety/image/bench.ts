/**
 * Image-check figures: model load (read + backend start + warm-up), ms per frame of inference
 * (p50/p95 over real decoded frames), and one whole check of a 60 s 720p clip with 6 samples —
 * on the worker thread when the built worker exists, else in this thread (`inThread` says).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, round } from '../../bench/stats';
import { resolveFfmpeg } from '../../ffmpeg/resolve';
import type { Logger } from '../../log';
import { FRAME_EDGE, grabFrame } from './frames';
import { ImageChecker } from './image-check';
import type { Backend } from './protocol';
import { findImageWorker } from './worker-client';

export interface ImageBenchOptions {
  /** Default 'wasm'. */
  backend?: Backend;
  /** Timed inferences for ms/frame; default 20 (wasm) or 6 (cpu, ~1 s each). */
  frames?: number;
  /** Length of the generated clip; default 60 s (720p30, 2 s GOP like rendered clips). */
  clipSeconds?: number;
  /** Samples in the whole-clip check; default 6. */
  samples?: number;
  /** Default: the built worker if found; null: in this thread. */
  workerPath?: string | null;
  /** Default: resolveFfmpeg(). */
  ffmpegPath?: string;
  logger?: Logger;
}

export interface ImageBenchResult {
  /** The backend that ran (after any fallback). */
  backend: string;
  fallbackReason: string | null;
  inThread: boolean;
  modelLoadMs: number;
  msPerFrame: { p50: number; p95: number };
  clipCheckMs: number;
  clip: string;
  samples: number;
}

const round1 = (x: number | null): number => round(x, 1) ?? Number.NaN;

export async function benchImageCheck(opts: ImageBenchOptions = {}): Promise<ImageBenchResult> {
  const backend = opts.backend ?? 'wasm';
  let ffmpeg = opts.ffmpegPath;
  if (ffmpeg === undefined) {
    const found = resolveFfmpeg({});
    if (!found.found) throw new Error(found.message);
    ffmpeg = found.path;
  }
  const seconds = opts.clipSeconds ?? 60;
  const samples = opts.samples ?? 6;
  const timed = opts.frames ?? (backend === 'cpu' ? 6 : 20);
  const workerPath = opts.workerPath === undefined ? findImageWorker() : opts.workerPath;
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-bench-image-'));
  const checker = new ImageChecker({
    ffmpegPath: () => ffmpeg,
    backend,
    workerPath,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  try {
    const clip = join(dir, 'clip.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', 'testsrc2=size=1280x720:rate=30', '-t', String(seconds)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p'],
      ...['-y', clip],
    ]);

    const info = await checker.load();
    // Real decoded frames, so the inference sees natural input; cycled through the timed runs.
    const frames = await Promise.all(
      [0.2, 0.5, 0.8].map((f) => grabFrame({ ffmpeg, file: clip, at: seconds * f })),
    );
    const ms: number[] = [];
    for (let i = 0; i < timed; i++) {
      const t0 = performance.now();
      await checker.classifyRgb(frames[i % frames.length]!, FRAME_EDGE, FRAME_EDGE);
      ms.push(performance.now() - t0);
    }

    const t0 = performance.now();
    await checker.check(clip, { samples });
    const clipCheckMs = performance.now() - t0;

    return {
      backend: info.backend,
      fallbackReason: info.fallbackReason,
      inThread: workerPath === null,
      modelLoadMs: round1(info.loadMs),
      msPerFrame: { p50: round1(percentile(ms, 50)), p95: round1(percentile(ms, 95)) },
      clipCheckMs: round1(clipCheckMs),
      clip: `1280x720 30 fps, ${seconds} s, 2 s GOP (testsrc2)`,
      samples,
    };
  } finally {
    await checker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
