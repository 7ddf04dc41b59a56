/**
 * How a source becomes ffmpeg arguments. Pure, so every case is a table test. User input never
 * reaches a shell (args arrays only) and cannot pick an ffmpeg protocol: a file is opened with
 * `file:` and an absolute path, a URL must be http(s)/rtmp(s)/srt, and each input kind gets a
 * protocol whitelist (an HLS playlist cannot point ffmpeg at file: or concat: URLs).
 */
import { isAbsolute, join, resolve } from 'node:path';

export type IngestInput =
  | { kind: 'file'; path: string; realtime: boolean }
  | { kind: 'url'; url: string }
  /** A push (RTMP or SRT) re-read from the loopback RTMP listener. */
  | { kind: 'push'; url: string };

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

const URL_SCHEMES = new Set(['http:', 'https:', 'rtmp:', 'rtmps:', 'srt:']);

/** Parses an operator-given URL; throws an InputError saying what is wrong with it. */
export function parsePullUrl(raw: string): URL {
  const text = raw.trim();
  if (/[\s\0]/.test(text))
    throw new InputError('A stream URL cannot contain spaces or control characters');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`Not a valid URL: ${JSON.stringify(text.slice(0, 200))}`);
  }
  if (!URL_SCHEMES.has(url.protocol)) {
    throw new InputError(
      `Unsupported URL scheme ${url.protocol} — use an HLS (http/https …m3u8), HTTP-FLV, RTMP or SRT URL`,
    );
  }
  if (!url.hostname) throw new InputError(`The URL has no host: ${text.slice(0, 200)}`);
  return url;
}

/** Decides what kind of input a CLI argument is: a URL (by scheme) or a local file. */
export function classifyInput(arg: string, realtime: boolean, cwd = process.cwd()): IngestInput {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(arg.trim()))
    return { kind: 'url', url: parsePullUrl(arg).href };
  if (arg.includes('\0')) throw new InputError('A file path cannot contain NUL bytes');
  return { kind: 'file', path: isAbsolute(arg) ? arg : resolve(cwd, arg), realtime };
}

export interface StreamsPlan {
  video: { codec: string } | null;
  audio: { codec: string } | null;
}

/** Codecs that go into MPEG-TS segments as they are; anything else is transcoded. */
export const COPY_VIDEO = new Set(['h264', 'hevc']);
export const COPY_AUDIO = new Set(['aac', 'mp3']);

export interface IngestArgs {
  args: string[];
  transcodeVideo: boolean;
  transcodeAudio: boolean;
  pcm: boolean;
}

/** The only ffmpeg protocols an input may use (an HLS playlist cannot reach file: or concat:). */
export function protocolWhitelist(input: IngestInput): string {
  if (input.kind === 'file') return 'file';
  const url = parsePullUrl(input.url);
  if (url.protocol === 'srt:') return 'srt,udp';
  if (url.protocol.startsWith('rtmp')) return 'rtmp,rtmps,tcp,tls';
  return 'http,https,tcp,tls,crypto,hls';
}

export function inputArgs(input: IngestInput): string[] {
  const whitelist = ['-protocol_whitelist', protocolWhitelist(input)];
  if (input.kind === 'file') {
    return [...(input.realtime ? ['-re'] : []), ...whitelist, '-i', `file:${input.path}`];
  }
  return [
    '-rw_timeout',
    '10000000',
    '-analyzeduration',
    input.kind === 'push' ? '1000000' : '2000000',
    '-probesize',
    '2000000',
    ...whitelist,
    '-i',
    parsePullUrl(input.url).href,
  ];
}

/** `%` is the segment muxer's pattern character: escape it in directory names. */
export function segmentPattern(dvrDir: string, runTag: string): string {
  if (!/^r\d{3,}$/.test(runTag)) throw new Error(`bad run tag ${runTag}`);
  return join(dvrDir.replace(/%/g, '%%'), `${runTag}-%06d.ts`);
}

export function buildIngestArgs(opts: {
  input: IngestInput;
  streams: StreamsPlan;
  dvrDir: string;
  runTag: string;
  segmentSeconds: number;
  fps?: number | null;
  /** Benchmarks only: keep the source's timestamps so latency can be measured against them. */
  copyTimestamps?: boolean;
}): IngestArgs {
  const { streams } = opts;
  if (!streams.video && !streams.audio)
    throw new InputError('The input has neither video nor audio');
  const transcodeVideo = streams.video !== null && !COPY_VIDEO.has(streams.video.codec);
  const transcodeAudio = streams.audio !== null && !COPY_AUDIO.has(streams.audio.codec);
  const gop = Math.max(1, Math.round((opts.fps ?? 30) * opts.segmentSeconds));
  const args = [
    '-hide_banner',
    '-loglevel',
    'warning',
    '-nostats',
    '-stats_period',
    '0.5',
    '-progress',
    'pipe:4',
    ...(opts.copyTimestamps ? ['-copyts'] : []),
    ...inputArgs(opts.input),
  ];
  // DVR: keyframe-aligned MPEG-TS segments, listed (csv) on fd 3 as each one closes.
  if (streams.video) args.push('-map', '0:v:0');
  if (streams.audio) args.push('-map', '0:a:0');
  if (streams.video) {
    args.push(
      ...(transcodeVideo
        ? ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p']
        : ['-c:v', 'copy']),
    );
    if (transcodeVideo)
      args.push('-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0');
  }
  if (streams.audio)
    args.push(...(transcodeAudio ? ['-c:a', 'aac', '-b:a', '128k'] : ['-c:a', 'copy']));
  args.push(
    '-f',
    'segment',
    '-segment_time',
    String(opts.segmentSeconds),
    '-segment_format',
    'mpegts',
    '-segment_list',
    'pipe:3',
    '-segment_list_type',
    'csv',
    '-segment_list_flags',
    '+live',
    '-reset_timestamps',
    '0',
    segmentPattern(opts.dvrDir, opts.runTag),
  );
  // The ASR tap: 16 kHz mono s16le on stdout.
  const pcm = streams.audio !== null;
  if (pcm)
    args.push(
      '-map',
      '0:a:0',
      '-vn',
      '-sn',
      '-dn',
      '-ac',
      '1',
      '-ar',
      '16000',
      '-c:a',
      'pcm_s16le',
      '-f',
      's16le',
      'pipe:1',
    );
  return { args, transcodeVideo, transcodeAudio, pcm };
}

/** One line of the segment muxer's csv list: `name,start,end` (names may be quoted). */
export function parseSegmentCsvLine(
  line: string,
): { file: string; start: number; end: number } | null {
  const m = /^("(?:[^"]|"")*"|[^,]*),([-0-9.e+]+),([-0-9.e+]+)$/.exec(line.trim());
  if (!m) return null;
  const raw = m[1]!;
  const file = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw;
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) return null;
  return { file, start, end };
}
