/**
 * Issue #6 figures: render speed (× real time, 720×1280 with captions), moment-to-clip latency on a
 * `--realtime` replay through the whole engine (ingest → timed text → detection → progressive
 * render), template compose time, queue overhead per job, and the neighbour check (a stand-in for
 * OBS encoding 720p30 in real time, alone and during a burst of 5 renders).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine } from '../engine';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { benchQueue } from '../jobs';
import { createLogger } from '../log/logger';
import { benchNeighbour, benchRender } from '../render/bench';
import { benchCompose } from '../render/templates/bench';
import { percentile, round, runSteps } from './stats';

/** Trigger sentences every 20 s, each followed by ordinary talk. */
export function replayVtt(seconds: number): string {
  const stamp = (s: number) =>
    `${String(Math.floor(s / 60)).padStart(2, '0')}:${(s % 60).toFixed(3).padStart(6, '0')}`;
  const triggers = ['最后三分钟！', '全场五折！', 'Last call, everyone!', '只剩三件了', '买一送一'];
  const cues: string[] = [];
  for (let t = 2, i = 0; t + 12 < seconds; t += 20, i++) {
    cues.push(`${stamp(t)} --> ${stamp(t + 2)}\n大家看一下这个款式`);
    cues.push(`${stamp(t + 2.5)} --> ${stamp(t + 4.5)}\n${triggers[i % triggers.length]}`);
    cues.push(`${stamp(t + 5)} --> ${stamp(t + 7)}\n颜色也很好看`);
    cues.push(`${stamp(t + 7.5)} --> ${stamp(t + 10)}\n我们继续往下看`);
  }
  return `WEBVTT\n\n${cues.join('\n\n')}\n`;
}

async function benchLatency(ffmpeg: string, seconds: number): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-bench-clips-'));
  try {
    const clip = join(dir, 'replay.mp4');
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi'],
      ...['-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-pix_fmt', 'yuv420p'],
      ...['-c:a', 'aac', '-y', clip],
    ]);
    const vtt = join(dir, 'replay.vtt');
    writeFileSync(vtt, replayVtt(seconds));
    const engine = createEngine({
      dataDir: join(dir, 'data'),
      logger: createLogger({ console: false }),
      transport: 'websocket',
    });
    try {
      await engine.ready;
      const session = await engine.ingest.start({
        source: { kind: 'file', path: clip, realtime: true },
        transcript: vtt,
      });
      await engine.ingest.activeIngest(session.id)?.whenEnded();
      await engine.keywords.endSession(session.id);
      engine.detect.endSession(session.id);
      await engine.clips.settle(session.id);
      const clips = engine.clips.list(session.id);
      const ready = clips.filter((c) => c.state === 'ready');
      const latency = ready.map((c) => c.latencyMs).filter((x): x is number => x !== null);
      // Clips whose window closed before the media ended: the live case.
      return {
        replay_s: seconds,
        clips: ready.length,
        failed: clips.filter((c) => c.state === 'failed').map((c) => c.error),
        moment_to_clip_ms: {
          p50: round(percentile(latency, 50)),
          p95: round(percentile(latency, 95)),
          max: latency.length ? round(Math.max(...latency)) : null,
          target: 'p50 ≤ 1500, p95 ≤ 3000 after the window’s last frame was ingested',
        },
        window_s: ready.map((c) => round(c.end - c.start, 2)),
      };
    } finally {
      await engine.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchClips(opts: { replaySeconds: number }): Promise<unknown> {
  const ff = resolveFfmpeg({});
  if (!ff.found) return { skipped: ff.message };
  return runSteps([
    ['render', async () => ({ ...(await benchRender({ ffmpeg: ff.path })), target_speed: 5 })],
    ['latency', () => benchLatency(ff.path, opts.replaySeconds)],
    [
      'template_compose',
      async () => ({
        ...(await benchCompose({ ffmpeg: ff.path })),
        target_ms: 3000,
      }),
    ],
    [
      'queue',
      async () => ({
        ...(await benchQueue(500)),
        note: 'enqueue → done, no-op job',
      }),
    ],
    [
      'neighbour',
      async () => ({
        ...(await benchNeighbour({ ffmpeg: ff.path })),
        target: 'the stand-in stays ≥ 1.0× real time during the burst',
      }),
    ],
  ]);
}
