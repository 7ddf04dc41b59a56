/**
 * `npm run bench`: the ingest figures, measured with real ffmpeg on 127.0.0.1, printed as JSON.
 *   --push-seconds N   how long the steady push runs (default 30)
 *   --soak N           a long push for the RSS figure, e.g. --soak 1800 for 30 minutes
 *   --size WxH / --bitrate 6M / --fps 30   the pushed stream (default 1920x1080, 6 Mbps, 30 fps)
 *   --only ingest|asr|detect  run one part (asr: VAD, keyword-spotter and recognizer figures;
 *                      detect: the labeled highlight set, precision/recall/delay;
 *                      clips: render speed, moment-to-clip latency, compose, queue, neighbour;
 *                      review: moment-to-published (folder + local S3), upload throughput, image
 *                      check, punch-in cost; review-ui: the review queue with 500 clips in Chromium;
 *                      generate: the text-to-video loop's overhead over bare session.run, model
 *                      load / worker cold start, peak memory, scheduler step cost)
 *   --replay-seconds N the --realtime replay for the moment-to-clip latency (default 90)
 * Targets (issue #3): preview latency p50 ≤ 2.5 s with 1 s segments; ingest CPU ≤ 10 % of one core
 * for 1080p30 6 Mbps with stream copy; main-process RSS flat; reconnect ≤ 2 s.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createEventBus } from '../api/events';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { IngestManager } from '../ingest/manager';
import { createLogger } from '../log/logger';
import { openStore } from '../store';
import { exited, kill, publish } from '../testing/media';
import { freePort } from '../testing/ports';
import { benchAsr } from './asr-bench';
import { benchClips } from './clips-bench';
import { benchDetect } from './detect-bench';
import { benchGenerate } from '../generate/bench';
import { benchScheduler } from '../generate/scheduler-bench';
import { benchReview } from './review-bench';
import { benchReviewUi } from './review-ui-bench';
import { percentile, round, slope } from './stats';

const TICK = 100; // Linux clock ticks per second for /proc/<pid>/stat

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'push-seconds': { type: 'string', default: '30' },
      soak: { type: 'string' },
      size: { type: 'string', default: '1920x1080' },
      bitrate: { type: 'string', default: '6M' },
      fps: { type: 'string', default: '30' },
      only: { type: 'string' },
      'replay-seconds': { type: 'string', default: '90' },
    },
  });
  const only = values.only;
  const parts = ['ingest', 'asr', 'detect', 'clips', 'review', 'review-ui', 'generate'];
  if (only !== undefined && !parts.includes(only))
    throw new Error(`--only takes ${parts.join(', ')}`);
  if (only === 'generate') {
    const generate = {
      pipeline: await benchGenerate({ size: '832x480', frames: 81, steps: 10 }),
      scheduler: benchScheduler(),
    };
    process.stdout.write(
      `${JSON.stringify({ bench: 'generate', machine: machine(), generate }, null, 2)}\n`,
    );
    return;
  }
  if (only === 'review-ui') {
    const ui = await benchReviewUi({ clips: 500 });
    process.stdout.write(
      `${JSON.stringify({ bench: 'review-ui', machine: machine(), ui }, null, 2)}\n`,
    );
    return;
  }
  const review =
    only === undefined || only === 'review'
      ? await benchReview({ replaySeconds: Number(values['replay-seconds']) })
      : null;
  if (only === 'review') {
    process.stdout.write(
      `${JSON.stringify({ bench: 'review', machine: machine(), review }, null, 2)}\n`,
    );
    return;
  }
  const clips =
    only === undefined || only === 'clips'
      ? await benchClips({ replaySeconds: Number(values['replay-seconds']) })
      : null;
  if (only === 'clips') {
    process.stdout.write(
      `${JSON.stringify({ bench: 'clips', machine: machine(), clips }, null, 2)}\n`,
    );
    return;
  }
  const detect = only === undefined || only === 'detect' ? await benchDetect() : null;
  if (only === 'detect') {
    process.stdout.write(
      `${JSON.stringify({ bench: 'detect', machine: machine(), detect }, null, 2)}\n`,
    );
    return;
  }
  const asr = only === 'ingest' ? null : await benchAsr();
  if (only === 'asr') {
    process.stdout.write(`${JSON.stringify({ bench: 'asr', machine: machine(), asr }, null, 2)}\n`);
    return;
  }
  const ff = resolveFfmpeg({});
  if (!ff.found) throw new Error(ff.message);
  const pushSeconds = Number(values.soak ?? values['push-seconds']);
  const fixture = benchClip(ff.path, values.size!, values.bitrate!, Number(values.fps));

  const dataDir = mkdtempSync(join(tmpdir(), 'liveslice-bench-'));
  const store = openStore(dataDir);
  store.settings.set({ key: 'ingest.rtmpPort', value: await freePort() });
  store.settings.set({ key: 'ingest.srtPort', value: await freePort() });
  const segments: Array<{ srcEnd: number; srcStart: number; closedAt: number }> = [];
  const publishes: number[] = [];
  const ingest = new IngestManager({
    store,
    bus: createEventBus(),
    logger: createLogger({
      dir: null,
      console: process.env['LIVESLICE_BENCH_DEBUG'] === '1',
      level: 'debug',
    }),
    dataDir,
    ffmpeg: () => ff,
    settings: () => store.settings.getAll(),
    bench: { onSegment: (s) => segments.push(s), onPublish: (at) => publishes.push(at) },
  });
  await ingest.listen();
  const ep = ingest.endpoints().rtmp;
  const url = `${ep.serverUrl}/${ep.streamKey}`;
  const session = await ingest.start({ source: { kind: 'rtmp' } });

  // 1. Steady push: latency, CPU, RSS.
  let pub = publish(fixture, url, { loop: true });
  await until(
    () => segments.length >= 3,
    30_000,
    'no segments from the push',
    () => JSON.stringify(ingest.status(session.id)),
  );
  const warm = segments.length;
  const ffPid = ingestPid(session.id);
  const cpu0 = { ff: procTicks(ffPid), main: process.cpuUsage(), at: Date.now() };
  const rss: Array<[number, number]> = [];
  const t0 = Date.now();
  while (Date.now() - t0 < pushSeconds * 1000) {
    rss.push([(Date.now() - t0) / 60_000, process.memoryUsage().rss / 1e6]);
    await sleep(1000);
  }
  const wallS = (Date.now() - cpu0.at) / 1000;
  const ffCpu =
    ffPid !== null && cpu0.ff !== null
      ? ((procTicks(ffPid)! - cpu0.ff) / TICK / wallS) * 100
      : null;
  const mainUse = process.cpuUsage(cpu0.main);
  const mainCpu = ((mainUse.user + mainUse.system) / 1e6 / wallS) * 100;
  // The publisher sends source time p at about publishAt + p (-re); the segment holding p is
  // playable at closedAt. Latency of a segment's last frame: closedAt − (publishAt + srcEnd);
  // an average frame waits half a segment more.
  const publishAt = publishes[0]!;
  const steady = segments.slice(warm);
  const lastFrame = steady.map((s) => s.closedAt - (publishAt + s.srcEnd * 1000));
  const anyFrame = steady.map(
    (s) => s.closedAt - (publishAt + ((s.srcStart + s.srcEnd) / 2) * 1000),
  );

  // 2. Reconnect: the publisher drops and comes back (OBS retry): back → segments flowing.
  await kill(pub);
  await sleep(2000);
  const before = segments.length;
  const back = Date.now();
  pub = publish(fixture, url, { loop: true });
  await until(() => segments.length > before, 30_000, 'no segments after the reconnect');
  const reconnectMs = segments[before]!.closedAt - back;
  await kill(pub);
  await exited(pub);

  await ingest.stop(session.id);
  await ingest.close();
  store.close();
  rmSync(dataDir, { recursive: true, force: true });

  const report = {
    bench: 'ingest',
    machine: machine(),
    stream: {
      size: values.size,
      bitrate: values.bitrate,
      fps: Number(values.fps),
      segmentSeconds: 1,
      copy: true,
    },
    preview_latency_ms: {
      definition:
        'frame pushed → its segment listed in the HLS playlist (publisher paced with -re)',
      segment_last_frame: {
        p50: round(percentile(lastFrame, 50), 0),
        p95: round(percentile(lastFrame, 95), 0),
      },
      average_frame: {
        p50: round(percentile(anyFrame, 50), 0),
        p95: round(percentile(anyFrame, 95), 0),
      },
      segments: steady.length,
      target_p50: 2500,
    },
    ingest_cpu_percent_of_one_core: {
      ffmpeg: round(ffCpu),
      main_process: round(mainCpu),
      total: ffCpu === null ? null : round(ffCpu + mainCpu),
      window_s: round(wallS),
      target: 10,
    },
    main_rss_mb: {
      start: round(rss[0]?.[1] ?? null),
      end: round(rss.at(-1)?.[1] ?? null),
      max: round(Math.max(...rss.map(([, m]) => m))),
      slope_mb_per_min: round(slope(rss), 2),
      window_s: pushSeconds,
      target: 'flat (slope ≈ 0); use --soak 1800 for the 30-minute figure',
    },
    reconnect_ms: { publisher_back_to_segment: reconnectMs, target: 2000 },
    ...(asr ? { asr } : {}),
    ...(detect ? { detect } : {}),
    ...(clips ? { clips } : {}),
    ...(review ? { review } : {}),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

function machine() {
  return { cpus: cpus().length, model: cpus()[0]?.model ?? null, node: process.version };
}

function benchClip(ffmpeg: string, size: string, bitrate: string, fps: number): string {
  const dir = join(tmpdir(), 'liveslice-bench-fixtures');
  mkdirSync(dir, { recursive: true });
  // No B-frames: -re paces by DTS, and with B-frames DTS runs ahead of the PTS we compare with.
  const file = join(dir, `push-${size}-${bitrate}-${fps}-nobf.mp4`);
  if (existsSync(file)) return file;
  process.stderr.write(
    `bench: encoding a 10 s ${size} ${bitrate} ${fps} fps test stream (once)…\n`,
  );
  execFileSync(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${size}:rate=${fps}`,
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:sample_rate=48000',
    '-t',
    '10',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-b:v',
    bitrate,
    '-maxrate',
    bitrate,
    '-bufsize',
    bitrate,
    '-g',
    String(fps),
    '-bf',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-b:a',
    '128k',
    '-y',
    file,
  ]);
  return file;
}

function ingestPid(sessionId: string): number | null {
  try {
    const out = execFileSync('pgrep', ['-f', `sessions/${sessionId}/dvr`], {
      encoding: 'utf8',
    }).trim();
    return Number(out.split('\n')[0]) || null;
  } catch {
    return null;
  }
}

function procTicks(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return null;
  }
}

async function until(
  pred: () => boolean,
  timeoutMs: number,
  what: string,
  detail: () => string = () => '',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`bench: ${what} within ${timeoutMs} ms ${detail()}`);
    await sleep(50);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
