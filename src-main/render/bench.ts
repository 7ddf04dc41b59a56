/**
 * Benchmarks of the clip engine (the lead wires them into `npm run bench`):
 * - `benchRender`: render speed (× real time) of a captioned 720×1280 clip from a 1080p30 DVR.
 * - `benchNeighbour`: a stand-in for OBS (ffmpeg encoding a 720p30 test source with x264 veryfast,
 *   paced in real time with -re, to null) runs alone, then while a burst of renders runs; its speed
 *   is read from its own `-progress` output.
 * - `benchPunchIn`: what a punch-in zoom costs: the same render with and without one that covers
 *   the whole window (the worst case: every frame zoomed), interleaved, as speed and CPU ratios.
 * Both return plain objects.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProgressParser } from '../ffmpeg/progress';
import { type FfmpegProcess, startProcess } from '../ffmpeg/run';
import type { PunchIn } from './args';
import type { CaptionStyle } from './ass';
import type { ClipSpec, RenderResult, TranscriptCue } from './clip-render';
import { type OutputPreset, RENDER_THREADS, softwareEncoder, type VideoEncoder } from './encode';
import { type FakeDvr, makeFakeDvr } from './fake-dvr';
import { renderClip } from './render-once';

export interface BenchSourceOptions {
  /** Default '1920x1080'. */
  size?: string;
  /** Default 30. */
  rate?: number;
  /** Like OBS: x264 with B-frames at a streaming bitrate. Defaults 'superfast', '6M'. */
  preset?: string;
  bitrate?: string;
}

export interface RenderBenchOptions {
  ffmpeg: string;
  /** Default: a temp dir, removed afterwards. */
  workDir?: string;
  /** Default 30. */
  windowS?: number;
  source?: BenchSourceOptions;
  encoder?: VideoEncoder;
  threads?: number;
  output?: OutputPreset;
  captionStyle?: CaptionStyle;
  /** Renders to time (the best and median are reported); default 2. */
  repeats?: number;
}

export interface RenderBench {
  windowS: number;
  source: { size: string; fps: number; preset: string; bitrate: string };
  output: OutputPreset;
  encoder: string;
  threads: number;
  captions: CaptionStyle;
  /** Wall ms of each render. */
  wallMs: number[];
  /** × real time: window seconds / wall seconds, best and median of the repeats. */
  speed: number;
  medianSpeed: number;
  pieces: number;
  outputBytes: number;
  cpus: number;
  cpuModel: string;
  /** Making the source DVR (not part of the speed). */
  prepMs: number;
  /** CPU seconds the render's ffmpeg children used per render (Linux; null elsewhere): a figure
   * that other load on the machine does not change. */
  cpuS: number | null;
  /** windowS / (cpuS / threads): the speed with `threads` cores to itself. */
  uncontendedSpeed: number | null;
}

/** CPU seconds of this process's reaped children (Linux /proc/self/stat cutime + cstime). */
export function childCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields from "state" (3rd): cutime is the 16th field, cstime the 17th, in clock ticks (100/s).
    const cutime = Number(fields[16 - 3]);
    const cstime = Number(fields[17 - 3]);
    return Number.isFinite(cutime) && Number.isFinite(cstime) ? (cutime + cstime) / 100 : null;
  } catch {
    return null;
  }
}

const CUE_TEXTS = [
  '最后三分钟！全场五折，库存不多了',
  'Last three minutes: everything 50% off!',
  '这款面霜今天直播间专属价 99 元 😀',
  'Link in the cart — number 7, limited stock',
];

/** A caption every 2 s with mixed Chinese/English text, on the media clock. */
export function benchCues(fromS: number, toS: number): TranscriptCue[] {
  const cues: TranscriptCue[] = [];
  for (let t = Math.floor(fromS), i = 0; t < toS; t += 2, i++) {
    cues.push({ start: t, end: t + 1.9, text: CUE_TEXTS[i % CUE_TEXTS.length]! });
  }
  return cues;
}

async function benchDvr(
  ffmpeg: string,
  dir: string,
  seconds: number,
  src: BenchSourceOptions,
): Promise<FakeDvr> {
  return makeFakeDvr(ffmpeg, path.join(dir, 'sessions', 'bench'), [
    {
      seconds,
      size: src.size ?? '1920x1080',
      rate: src.rate ?? 30,
      preset: src.preset ?? 'superfast',
      bitrate: src.bitrate ?? '6M',
      bframes: 2,
    },
  ]);
}

function baseSpec(
  ffmpeg: string,
  dvr: FakeDvr,
  outFile: string,
  o: { encoder: VideoEncoder; threads: number; output: OutputPreset; style: CaptionStyle },
): Omit<ClipSpec, 'start'> {
  return {
    id: path.basename(outFile, '.mp4'),
    outFile,
    sessionDir: dvr.sessionDir,
    output: o.output,
    reframe: { mode: 'center' },
    captions: { style: o.style },
    title: '最后三分钟 — Last 3 minutes: 50% off',
    watermark: null,
    intro: null,
    outro: null,
    metadata: { title: 'bench', tags: ['bench'] },
    loudness: { I: -14, TP: -1.5, LRA: 11 },
    encoder: o.encoder,
    threads: o.threads,
    ffmpeg,
  };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
};

export async function benchRender(opts: RenderBenchOptions): Promise<RenderBench> {
  const windowS = opts.windowS ?? 30;
  const threads = opts.threads ?? RENDER_THREADS;
  const encoder = opts.encoder ?? softwareEncoder(threads);
  const output = opts.output ?? '720x1280';
  const style = opts.captionStyle ?? 'bold';
  const src = opts.source ?? {};
  const dir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'liveslice-bench-render-'));
  try {
    const t0 = Date.now();
    const dvr = await benchDvr(opts.ffmpeg, dir, windowS + 3, src);
    const prepMs = Date.now() - t0;
    const wallMs: number[] = [];
    const cpu: number[] = [];
    let last: RenderResult | null = null;
    for (let i = 0; i < Math.max(1, opts.repeats ?? 2); i++) {
      const out = path.join(dir, 'clips', `bench-${i}.mp4`);
      const start = Date.now();
      const cpu0 = childCpuSeconds();
      last = await renderClip({
        ...baseSpec(opts.ffmpeg, dvr, out, { encoder, threads, output, style }),
        start: 1,
        end: 1 + windowS,
        segments: dvr.rows,
        cues: benchCues(0, windowS + 2),
      });
      wallMs.push(Date.now() - start);
      const cpu1 = childCpuSeconds();
      if (cpu0 !== null && cpu1 !== null) cpu.push(cpu1 - cpu0);
    }
    const cpuS = cpu.length > 0 ? round2(median(cpu)) : null;
    const speeds = wallMs.map((ms) => windowS / (ms / 1000));
    return {
      windowS,
      source: {
        size: src.size ?? '1920x1080',
        fps: src.rate ?? 30,
        preset: src.preset ?? 'superfast',
        bitrate: src.bitrate ?? '6M',
      },
      output,
      encoder: encoder.name,
      threads,
      captions: style,
      wallMs,
      speed: round2(Math.max(...speeds)),
      medianSpeed: round2(median(speeds)),
      pieces: last?.pieces ?? 0,
      outputBytes: last?.bytes ?? 0,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      prepMs,
      cpuS,
      uncontendedSpeed:
        cpuS === null || cpuS <= 0
          ? null
          : round2(windowS / (cpuS / Math.min(threads, os.cpus().length))),
    };
  } finally {
    if (opts.workDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Neighbour impact.

export interface NeighbourBenchOptions {
  ffmpeg: string;
  workDir?: string;
  /** Renders in the burst; default 5. */
  renders?: number;
  /** How many of them run at once; default all of them. */
  concurrency?: number;
  /** Window of each render; default 10 s. */
  windowS?: number;
  /** How long the stand-in runs alone for the baseline; default 10 s. */
  baselineS?: number;
  threads?: number;
  encoder?: VideoEncoder;
  source?: BenchSourceOptions;
  /** Default true: renders below normal priority (set false to see what priority buys). */
  lowPriority?: boolean;
}

export interface StandInFigures {
  /** Media seconds encoded per wall second over the measured interval. */
  speed: number;
  /** The slowest 1 s stretch. */
  minSpeed: number;
  /** How far the stand-in fell behind real time at worst (ms). */
  maxLagMs: number;
  /** ffmpeg's own cumulative `speed=` at the end of the interval. */
  reportedSpeed: number | null;
  intervalS: number;
}

export interface NeighbourBench {
  standIn: string;
  baseline: StandInFigures;
  burst: StandInFigures & {
    renders: number;
    concurrency: number;
    windowS: number;
    rendersWallMs: number;
    renderSpeed: number;
  };
  threads: number;
  lowPriority: boolean;
  cpus: number;
  /** The burst did not push the stand-in below real time (speed ≥ 0.99, lag < 0.5 s). */
  ok: boolean;
}

interface Sample {
  wall: number;
  out: number;
  speed: number | null;
}

const STAND_IN_ARGS = [
  '-hide_banner',
  '-nostdin',
  '-loglevel',
  'error',
  '-nostats',
  '-stats_period',
  '0.25',
  '-progress',
  'pipe:1',
  '-re',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=1280x720:rate=30',
  '-c:v',
  'libx264',
  '-preset',
  'veryfast',
  '-b:v',
  '4500k',
  '-maxrate',
  '4500k',
  '-bufsize',
  '9000k',
  '-g',
  '60',
  '-pix_fmt',
  'yuv420p',
  '-f',
  'null',
  '-',
];

class StandIn {
  readonly samples: Sample[] = [];
  private readonly proc: FfmpegProcess;
  private waiters: Array<{ outS: number; resolve: () => void }> = [];

  constructor(ffmpeg: string) {
    this.proc = startProcess({ bin: ffmpeg, args: STAND_IN_ARGS, stdin: 'pipe', stdout: 'pipe' });
    const parser = createProgressParser((p) => {
      if (p.outTimeUs === null) return;
      const s = { wall: Date.now(), out: p.outTimeUs / 1e6, speed: p.speed };
      this.samples.push(s);
      this.waiters = this.waiters.filter((w) => {
        if (s.out < w.outS) return true;
        w.resolve();
        return false;
      });
    });
    this.proc.stdout?.on('data', (c: Buffer) => parser.push(c));
  }

  /** Resolves once the stand-in has encoded this many seconds. */
  reached(outS: number): Promise<void> {
    const last = this.samples.at(-1);
    if (last !== undefined && last.out >= outS) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ outS, resolve }));
  }

  async stop(): Promise<void> {
    await this.proc.stop({ graceful: true });
  }

  figures(fromWall: number, toWall: number): StandInFigures {
    const xs = this.samples.filter((s) => s.wall >= fromWall && s.wall <= toWall);
    const first = xs[0];
    const last = xs.at(-1);
    if (first === undefined || last === undefined || last.wall <= first.wall) {
      return { speed: NaN, minSpeed: NaN, maxLagMs: NaN, reportedSpeed: null, intervalS: 0 };
    }
    let minSpeed = Infinity;
    let maxLag = 0;
    for (const a of xs) {
      maxLag = Math.max(maxLag, a.wall - first.wall - (a.out - first.out) * 1000);
      const b = xs.find((s) => s.wall >= a.wall + 1000);
      if (b !== undefined)
        minSpeed = Math.min(minSpeed, (b.out - a.out) / ((b.wall - a.wall) / 1000));
    }
    return {
      speed: round3((last.out - first.out) / ((last.wall - first.wall) / 1000)),
      minSpeed: round3(Number.isFinite(minSpeed) ? minSpeed : NaN),
      maxLagMs: Math.round(maxLag),
      reportedSpeed: last.speed,
      intervalS: round2((last.wall - first.wall) / 1000),
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function benchNeighbour(opts: NeighbourBenchOptions): Promise<NeighbourBench> {
  const renders = opts.renders ?? 5;
  const concurrency = Math.max(1, Math.min(renders, opts.concurrency ?? renders));
  const windowS = opts.windowS ?? 10;
  const baselineS = opts.baselineS ?? 10;
  const threads = opts.threads ?? RENDER_THREADS;
  const encoder = opts.encoder ?? softwareEncoder(threads);
  const lowPriority = opts.lowPriority !== false;
  const dir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'liveslice-bench-neighbour-'));
  try {
    const dvr = await benchDvr(opts.ffmpeg, dir, windowS + 4, opts.source ?? {});

    // Baseline: the stand-in alone (after a 2 s warm-up).
    const alone = new StandIn(opts.ffmpeg);
    await alone.reached(2);
    const b0 = Date.now();
    await delay(baselineS * 1000);
    const baseline = alone.figures(b0, Date.now());
    await alone.stop();

    // The burst, with the stand-in running next to it.
    const standIn = new StandIn(opts.ffmpeg);
    await standIn.reached(2);
    const r0 = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < renders) {
        const i = next++;
        const spec = {
          ...baseSpec(opts.ffmpeg, dvr, path.join(dir, 'clips', `burst-${i}.mp4`), {
            encoder,
            threads,
            output: '720x1280',
            style: 'bold',
          }),
          start: 1,
          end: 1 + windowS,
        };
        await renderClip({
          ...spec,
          ...(lowPriority ? {} : { priority: 'normal' as const }),
          segments: dvr.rows,
          cues: benchCues(0, windowS + 2),
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const r1 = Date.now();
    // Let a couple of progress blocks land after the burst.
    await delay(500);
    const burst = standIn.figures(r0, r1 + 500);
    await standIn.stop();
    const rendersWallMs = r1 - r0;
    return {
      standIn: `ffmpeg ${STAND_IN_ARGS.join(' ')}`,
      baseline,
      burst: {
        ...burst,
        renders,
        concurrency,
        windowS,
        rendersWallMs,
        renderSpeed: round2((renders * windowS) / (rendersWallMs / 1000)),
      },
      threads,
      lowPriority,
      cpus: os.cpus().length,
      ok: burst.speed >= 0.99 && burst.maxLagMs < 500,
    };
  } finally {
    if (opts.workDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Punch-in cost.

export interface PunchInBenchOptions {
  ffmpeg: string;
  workDir?: string;
  /** Default 20. */
  windowS?: number;
  /** Default 1.3. */
  zoom?: number;
  /** Renders of each kind (interleaved; best and median reported); default 2. */
  repeats?: number;
  source?: BenchSourceOptions;
  encoder?: VideoEncoder;
  threads?: number;
}

export interface PunchInRun {
  wallMs: number[];
  /** × real time, best and median. */
  speed: number;
  medianSpeed: number;
  /** CPU seconds of the ffmpeg children per render, median (Linux; null elsewhere). */
  cpuS: number | null;
}

export interface PunchInBench {
  windowS: number;
  zoom: number;
  /** The filter the zoom uses. */
  filter: 'zoompan';
  output: OutputPreset;
  encoder: string;
  threads: number;
  without: PunchInRun;
  with: PunchInRun;
  /** Best speed with the punch-in / best speed without (1 = free, 0.5 = twice as slow). */
  speedRatio: number;
  /** CPU with / CPU without (1 = free); steadier than wall time on a busy machine. */
  cpuRatio: number | null;
  cpus: number;
  cpuModel: string;
}

export async function benchPunchIn(opts: PunchInBenchOptions): Promise<PunchInBench> {
  const windowS = opts.windowS ?? 20;
  const zoom = opts.zoom ?? 1.3;
  const threads = opts.threads ?? RENDER_THREADS;
  const encoder = opts.encoder ?? softwareEncoder(threads);
  const output: OutputPreset = '720x1280';
  const dir = opts.workDir ?? mkdtempSync(path.join(os.tmpdir(), 'liveslice-bench-punchin-'));
  try {
    const dvr = await benchDvr(opts.ffmpeg, dir, windowS + 3, opts.source ?? {});
    const start = 1;
    const end = start + windowS;
    const punchIn: PunchIn = { from: start, to: end, zoom };
    const runs = { without: [] as number[], with: [] as number[] };
    const cpu = { without: [] as number[], with: [] as number[] };
    let n = 0;
    for (let i = 0; i < Math.max(1, opts.repeats ?? 2); i++) {
      // Interleaved, so a change in the machine's load hits both kinds alike.
      for (const kind of ['without', 'with'] as const) {
        const out = path.join(dir, 'clips', `punch-${n++}.mp4`);
        const cpu0 = childCpuSeconds();
        const t0 = Date.now();
        await renderClip({
          ...baseSpec(opts.ffmpeg, dvr, out, { encoder, threads, output, style: 'bold' }),
          ...(kind === 'with' ? { punchIn } : {}),
          start,
          end,
          segments: dvr.rows,
          cues: benchCues(0, windowS + 2),
        });
        runs[kind].push(Date.now() - t0);
        const cpu1 = childCpuSeconds();
        if (cpu0 !== null && cpu1 !== null) cpu[kind].push(cpu1 - cpu0);
        rmSync(out, { force: true });
      }
    }
    const figures = (kind: 'without' | 'with'): PunchInRun => {
      const speeds = runs[kind].map((ms) => windowS / (ms / 1000));
      return {
        wallMs: runs[kind],
        speed: round2(Math.max(...speeds)),
        medianSpeed: round2(median(speeds)),
        cpuS: cpu[kind].length > 0 ? round2(median(cpu[kind])) : null,
      };
    };
    const without = figures('without');
    const withZoom = figures('with');
    return {
      windowS,
      zoom,
      filter: 'zoompan',
      output,
      encoder: encoder.name,
      threads,
      without,
      with: withZoom,
      speedRatio: round3(withZoom.speed / without.speed),
      cpuRatio:
        without.cpuS === null || withZoom.cpuS === null || without.cpuS <= 0
          ? null
          : round3(withZoom.cpuS / without.cpuS),
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
    };
  } finally {
    if (opts.workDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
