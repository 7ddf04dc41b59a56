/**
 * Encode parameters shared by every piece that ends up in one clip. Pieces (the clip body, template
 * intros/outros) are joined with the concat demuxer and `-c copy`, so they must agree on size, frame
 * rate, timescale, pixel format and profile; this module is the one place that says what those are.
 *
 * Every piece also carries its SPS/PPS in-band before each keyframe (`repeat-headers` for x264, the
 * `dump_extra` bitstream filter for hardware encoders), so a piece from another encoder or preset
 * still decodes after the join.
 */
import fs from 'node:fs';
import os from 'node:os';
import { runToCompletion } from '../ffmpeg/run';

export const OUTPUT_PRESETS = {
  '720x1280': { width: 720, height: 1280 },
  '1080x1920': { width: 1080, height: 1920 },
} as const;
export type OutputPreset = keyof typeof OUTPUT_PRESETS;

/** Output frame rate (the `fps` filter in every piece). */
export const FPS = 30;
/** `-video_track_timescale` of every MP4 piece. */
export const VIDEO_TIMESCALE = 15360;
/** Keyframe interval in frames (2 s). */
export const GOP = 2 * FPS;
export const AUDIO = { codec: 'aac', rate: 48000, channels: 2, bitrate: '128k' } as const;

export type VideoEncoderName =
  'libx264' | 'h264_nvenc' | 'h264_qsv' | 'h264_vaapi' | 'h264_videotoolbox';

export interface VideoEncoder {
  name: VideoEncoderName;
  /** Codec arguments, `-c:v` included. */
  args: string[];
  hw: boolean;
  /** Global arguments that must come before the inputs (e.g. the VAAPI device). */
  preInputArgs?: string[];
  /** Appended to the end of the video filter chain (e.g. `format=nv12,hwupload` for VAAPI). */
  filterTail?: string;
}

/**
 * Threads for one render child: at most 2. On a 2-core machine that is both cores — one thread
 * cannot reach 5× real time at 720×1280 (measured ~2.5×) — and OBS is protected by priority
 * instead: every render child runs at nice 10, so under contention the scheduler gives the stream
 * encoder (nice 0) what it needs and the render slows down (see bench.ts, benchNeighbour).
 */
export const RENDER_THREADS: number = Math.max(1, Math.min(2, os.cpus().length));

/** Below-normal OS priority (nice 10). */
export const RENDER_NICE = 10;

/** Re-emits the parameter sets before every keyframe so a joined piece decodes after a switch. */
const INBAND_HEADERS = ['-bsf:v', 'dump_extra=freq=keyframe'];

/** The software encoder; also the reference every hardware encoder is matched against. */
export function x264Args(threads: number): string[] {
  const n = Math.max(1, Math.floor(threads));
  return [
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-crf',
    '21',
    '-profile:v',
    'high',
    '-pix_fmt',
    'yuv420p',
    '-g',
    String(GOP),
    // No B-frames: ~10% less encoder CPU for ~6% more bytes, and no reorder delay.
    '-bf',
    '0',
    '-threads',
    String(n),
    '-x264-params',
    // me=dia:subme=1: ~30% less encoder CPU than plain veryfast for ~7% more bytes (measured on
    // 720×1280 at crf 21) — what brings a captioned render past 5× real time on 2 cores.
    `keyint=${GOP}:min-keyint=${GOP}:scenecut=0:open-gop=0:repeat-headers=1:me=dia:subme=1`,
  ];
}

const COMMON_HW = ['-g', String(GOP), '-bf', '2', ...INBAND_HEADERS];

/** Codec arguments for each hardware encoder (constant quality roughly like crf 21). */
export function hwEncoder(name: Exclude<VideoEncoderName, 'libx264'>): VideoEncoder {
  switch (name) {
    case 'h264_nvenc':
      return {
        name,
        hw: true,
        args: [
          '-c:v',
          name,
          '-preset',
          'p4',
          '-rc',
          'vbr',
          '-cq',
          '23',
          '-b:v',
          '0',
          '-profile:v',
          'high',
          '-pix_fmt',
          'yuv420p',
          ...COMMON_HW,
        ],
      };
    case 'h264_qsv':
      return {
        name,
        hw: true,
        args: [
          '-c:v',
          name,
          '-preset',
          'faster',
          '-global_quality',
          '23',
          '-profile:v',
          'high',
          '-pix_fmt',
          'nv12',
          ...COMMON_HW,
        ],
      };
    case 'h264_vaapi':
      return {
        name,
        hw: true,
        preInputArgs: ['-vaapi_device', VAAPI_DEVICE],
        filterTail: 'format=nv12,hwupload',
        args: ['-c:v', name, '-qp', '23', '-profile:v', 'high', ...COMMON_HW],
      };
    case 'h264_videotoolbox':
      return {
        name,
        hw: true,
        args: [
          '-c:v',
          name,
          // Constant quality (-q:v) only exists on Apple Silicon: a bitrate works everywhere.
          '-b:v',
          '5M',
          '-profile:v',
          'high',
          '-pix_fmt',
          'yuv420p',
          ...COMMON_HW,
        ],
      };
  }
}

const VAAPI_DEVICE = '/dev/dri/renderD128';

export function softwareEncoder(threads: number = RENDER_THREADS): VideoEncoder {
  return { name: 'libx264', hw: false, args: x264Args(threads) };
}

/** The hardware encoders worth trying on a platform, best first. */
export function hwCandidates(
  platform: NodeJS.Platform = process.platform,
): Array<Exclude<VideoEncoderName, 'libx264'>> {
  if (platform === 'darwin') return ['h264_videotoolbox'];
  if (platform === 'win32') return ['h264_nvenc', 'h264_qsv'];
  const list: Array<Exclude<VideoEncoderName, 'libx264'>> = ['h264_nvenc', 'h264_qsv'];
  if (fs.existsSync(VAAPI_DEVICE)) list.push('h264_vaapi');
  return list;
}

async function runQuiet(
  bin: string,
  args: string[],
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string }> {
  try {
    const { exit, stdout } = await runToCompletion({ bin, args, timeoutMs, killGraceMs: 500 });
    return { code: exit.killed ? null : exit.code, stdout: stdout.toString('utf8') };
  } catch {
    return { code: null, stdout: '' }; // could not be started
  }
}

/** A 0.2 s test encode with this encoder's own arguments; true when it produced output. */
export async function encoderWorks(
  ffmpeg: string,
  enc: VideoEncoder,
  timeoutMs = 8000,
): Promise<boolean> {
  const filter = ['format=yuv420p', ...(enc.filterTail === undefined ? [] : [enc.filterTail])].join(
    ',',
  );
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    ...(enc.preInputArgs ?? []),
    '-f',
    'lavfi',
    '-i',
    `color=c=gray:size=256x256:rate=${FPS}`,
    '-t',
    '0.2',
    '-vf',
    filter,
    ...enc.args,
    '-f',
    'null',
    '-',
  ];
  const r = await runQuiet(ffmpeg, args, timeoutMs);
  return r.code === 0;
}

/**
 * The encoders that work on this machine, best first: each hardware encoder that this ffmpeg was
 * built with and that survives a 0.2 s test encode, then libx264 (always last, always present).
 */
export async function probeEncoders(ffmpeg: string): Promise<VideoEncoder[]> {
  const listed = await runQuiet(ffmpeg, ['-hide_banner', '-encoders'], 8000);
  const out: VideoEncoder[] = [];
  for (const name of hwCandidates()) {
    if (!new RegExp(`\\s${name}\\s`).test(listed.stdout)) continue;
    const enc = hwEncoder(name);
    if (await encoderWorks(ffmpeg, enc)) out.push(enc);
  }
  out.push(softwareEncoder());
  return out;
}

/** Below-normal OS priority for a render child; a process that is gone or a refusal is ignored. */
export function lowerPriority(pid: number): void {
  try {
    os.setPriority(pid, RENDER_NICE);
  } catch {
    // EPERM, ESRCH, ENOSYS: keep the default priority.
  }
}
