/**
 * What is in an input — fast, and with one clear error when there is nothing usable. Runs ffprobe
 * (JSON output, validated with zod) with short network and analysis timeouts so a dead URL or a
 * live stream answers within a couple of seconds.
 */
import path from 'node:path';
import { z } from 'zod';
import { findInDirs, isExecutableFile, pathDirs, resolveFfmpeg } from './resolve';
import { FfmpegError, runToCompletion } from './run';

export interface MediaProbe {
  /** ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "flv", "hls". */
  formatName: string;
  /** Seconds; null for live inputs or when unknown. */
  durationS: number | null;
  /** Bits per second; null when unknown. */
  bitRate: number | null;
  video: {
    codec: string;
    width: number;
    height: number;
    fps: number | null;
    pixFmt: string | null;
  } | null;
  audio: { codec: string; sampleRate: number; channels: number } | null;
}

export type ProbeErrorKind =
  'unreachable' | 'not_found' | 'not_media' | 'no_streams' | 'timeout' | 'ffprobe_missing';

export class ProbeError extends Error {
  readonly kind: ProbeErrorKind;
  /** ffprobe's stderr, when it ran. */
  readonly stderr?: string;

  constructor(kind: ProbeErrorKind, message: string, stderr?: string) {
    super(message);
    this.name = 'ProbeError';
    this.kind = kind;
    if (stderr !== undefined) this.stderr = stderr;
  }
}

export interface ProbeOptions {
  /** Default: the ffprobe next to the resolved ffmpeg, else ffprobe on PATH. */
  ffprobePath?: string;
  /** ffmpeg protocols the input may use (e.g. "file" or "http,https,tcp,tls,crypto,hls"). */
  protocolWhitelist?: string;
  /** Hard limit for the whole probe; default 10000 ms. */
  timeoutMs?: number;
  /** Default 2_000_000 µs. */
  analyzeDurationUs?: number;
  /** A live input: a smaller probe size, and durationS is always null. */
  live?: boolean;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
export const DEFAULT_ANALYZE_DURATION_US = 2_000_000;
const LIVE_PROBE_SIZE = 1_000_000;
const SOCKET_TIMEOUT_SCHEMES = new Set(['http', 'https', 'tcp', 'tls']);

// ---------------------------------------------------------------------------------------------
// Locating ffprobe.

export interface FfprobeLookupOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  fileExists?: (p: string) => boolean;
}

function ffprobeOnPath(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean,
): string | null {
  const exe = platform === 'win32' ? 'ffprobe.exe' : 'ffprobe';
  return findInDirs(pathDirs(env, platform), exe, platform, exists);
}

const ffprobeMissing = (detail: string): ProbeError =>
  new ProbeError(
    'ffprobe_missing',
    `ffprobe was not found (${detail}); install ffmpeg, which ships ffprobe, and make sure ffprobe is on PATH`,
  );

/**
 * The ffprobe beside a resolved ffmpeg binary if there is one, else ffprobe on PATH. (The bundled
 * ffmpeg-static has no ffprobe beside it, so that case relies on PATH.)
 */
export function ffprobeFor(ffmpegPath: string, opts: FfprobeLookupOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const exists = opts.fileExists ?? ((f: string) => isExecutableFile(f, platform));
  const p = platform === 'win32' ? path.win32 : path.posix;
  const sibling = p.join(p.dirname(ffmpegPath), platform === 'win32' ? 'ffprobe.exe' : 'ffprobe');
  if (exists(sibling)) return sibling;
  const onPath = ffprobeOnPath(env, platform, exists);
  if (onPath !== null) return onPath;
  throw ffprobeMissing(`not beside ${ffmpegPath} and not on PATH`);
}

function defaultFfprobe(): string {
  const ffmpeg = resolveFfmpeg();
  if (ffmpeg.found) return ffprobeFor(ffmpeg.path);
  const onPath = ffprobeOnPath(process.env, process.platform, (f) => isExecutableFile(f));
  if (onPath !== null) return onPath;
  throw ffprobeMissing('no ffmpeg was found, and ffprobe is not on PATH');
}

// ---------------------------------------------------------------------------------------------
// ffprobe's JSON.

const numLike = z.union([z.number(), z.string()]).optional();

const streamSchema = z.object({
  index: z.number().optional(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  sample_rate: numLike,
  channels: z.number().optional(),
  disposition: z.record(z.string(), z.number()).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).optional(),
  format: z
    .object({
      format_name: z.string().optional(),
      duration: numLike,
      bit_rate: numLike,
    })
    .optional(),
});

type FfprobeStream = z.infer<typeof streamSchema>;

function toNumber(v: number | string | undefined): number | null {
  if (v === undefined) return null;
  const n = typeof v === 'number' ? v : Number(v.trim());
  return v !== '' && Number.isFinite(n) ? n : null;
}

/** "30000/1001" → 29.97…; "0/0", "N/A" → null. */
export function parseRate(rate: string | undefined): number | null {
  if (rate === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*$/.exec(rate);
  if (m === null) return null;
  const num = Number(m[1]);
  const den = m[2] === undefined ? 1 : Number(m[2]);
  if (!(num > 0) || !(den > 0)) return null;
  return num / den;
}

function isCoverArt(s: FfprobeStream): boolean {
  return (s.disposition?.['attached_pic'] ?? 0) !== 0;
}

/** Maps ffprobe's JSON to a MediaProbe (exported for tests); throws ProbeError('no_streams'). */
export function parseProbeJson(
  json: unknown,
  input: string,
  opts: { live?: boolean } = {},
): MediaProbe {
  const parsed = probeSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProbeError(
      'not_media',
      `${displayInput(input)}: ffprobe returned output that could not be understood (${parsed.error.issues[0]?.message ?? 'invalid JSON shape'})`,
    );
  }
  const streams = parsed.data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !isCoverArt(s));
  const a = streams.find((s) => s.codec_type === 'audio');
  if (v === undefined && a === undefined) {
    throw new ProbeError('no_streams', `${displayInput(input)} has no audio or video stream`);
  }
  const format = parsed.data.format;
  const duration = toNumber(format?.duration);
  return {
    formatName: format?.format_name ?? 'unknown',
    durationS: opts.live === true || duration === null || duration < 0 ? null : duration,
    bitRate: toNumber(format?.bit_rate),
    video:
      v === undefined
        ? null
        : {
            codec: v.codec_name ?? 'unknown',
            width: v.width ?? 0,
            height: v.height ?? 0,
            fps: parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate),
            pixFmt: v.pix_fmt ?? null,
          },
    audio:
      a === undefined
        ? null
        : {
            codec: a.codec_name ?? 'unknown',
            sampleRate: toNumber(a.sample_rate) ?? 0,
            channels: a.channels ?? 0,
          },
  };
}

// ---------------------------------------------------------------------------------------------
// Inputs and errors.

const URL_RE = /^([a-z][a-z0-9+.-]*):\/\//i;

function scheme(input: string): string | null {
  return URL_RE.exec(input)?.[1]?.toLowerCase() ?? null;
}

export function isNetworkInput(input: string): boolean {
  const s = scheme(input);
  return s !== null && s !== 'file';
}

/** Hides a URL's password (stream keys in query strings are left to the caller). */
function displayInput(input: string): string {
  return input.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, '$1:***@');
}

/** The most specific line of ffprobe's stderr, without "[tcp @ 0x…] " or "<input>: " prefixes. */
function reasonLines(stderr: string, input: string): string[] {
  return stderr
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^\[[^\]]*@ [^\]]*\]\s*/, ''))
    .map((l) => (l.startsWith(`${input}: `) ? l.slice(input.length + 2) : l));
}

const UNREACHABLE = [
  /connection refused/i,
  /timed out/i,
  /server returned \d{3}/i,
  /server returned [a-z]/i,
  /name or service not known/i,
  /failed to resolve hostname/i,
  /temporary failure in name resolution/i,
  /no route to host/i,
  /network is unreachable/i,
  /connection reset/i,
  /host is unreachable/i,
];

/** Turns a failed ffprobe run into a ProbeError with a one-line, specific message. */
export function classifyProbeFailure(input: string, stderr: string): ProbeError {
  const shown = displayInput(input);
  const lines = reasonLines(stderr, input);
  const find = (res: readonly RegExp[]): string | undefined =>
    lines.find((l) => res.some((re) => re.test(l)));
  const last = lines.at(-1);
  const network = isNetworkInput(input);

  const unreachable = find(UNREACHABLE);
  if (unreachable !== undefined) {
    // "Connection to tcp://… failed: Connection refused" → prefer the input's own summary line.
    const summary = lines.find(
      (l) => UNREACHABLE.some((re) => re.test(l)) && !/^Connection to /.test(l),
    );
    return new ProbeError(
      'unreachable',
      `Cannot reach ${shown}: ${summary ?? unreachable}`,
      stderr,
    );
  }
  if (!network && lines.some((l) => /no such file or directory/i.test(l))) {
    return new ProbeError(
      'not_found',
      `${shown} does not exist (No such file or directory)`,
      stderr,
    );
  }
  if (lines.some((l) => /permission denied/i.test(l))) {
    return new ProbeError(
      network ? 'unreachable' : 'not_found',
      network
        ? `Cannot reach ${shown}: Permission denied`
        : `${shown} cannot be read (Permission denied)`,
      stderr,
    );
  }
  if (lines.some((l) => /no such file or directory/i.test(l))) {
    return new ProbeError('unreachable', `Cannot reach ${shown}: ${last ?? 'not found'}`, stderr);
  }
  const invalid = lines.find((l) => /invalid data found/i.test(l));
  if (invalid !== undefined) {
    return new ProbeError(
      'not_media',
      `${shown} is not a media file ffmpeg can read (Invalid data found when processing input)`,
      stderr,
    );
  }
  if (lines.some((l) => /protocol not found/i.test(l))) {
    return new ProbeError(
      'not_media',
      `${shown} uses a protocol this ffmpeg does not support (Protocol not found)`,
      stderr,
    );
  }
  const reason = last ?? 'ffprobe failed without a message';
  return network
    ? new ProbeError('unreachable', `Cannot reach ${shown}: ${reason}`, stderr)
    : new ProbeError(
        'not_media',
        `${shown} is not a media file ffmpeg can read (${reason})`,
        stderr,
      );
}

/** ffprobe arguments for one input (exported for tests). */
export function probeArgs(
  input: string,
  opts: { timeoutMs: number; analyzeDurationUs: number; live: boolean; protocolWhitelist?: string },
): string[] {
  const args = [
    '-v',
    'error',
    '-hide_banner',
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
  ];
  args.push('-analyzeduration', String(Math.max(0, Math.round(opts.analyzeDurationUs))));
  if (opts.live) args.push('-probesize', String(LIVE_PROBE_SIZE), '-fflags', 'nobuffer');
  const s = scheme(input);
  if (s !== null && s !== 'file') {
    // Socket I/O timeout, well inside the overall limit so ffprobe reports the real reason.
    const ioUs = String(Math.max(500, Math.floor(opts.timeoutMs * 0.6)) * 1000);
    args.push('-rw_timeout', ioUs);
    // http/tcp's own socket timeout (µs). Not for every protocol: for rtmp (and rtsp before
    // ffmpeg 5) "timeout" is a listen timeout that turns on listen mode.
    if (SOCKET_TIMEOUT_SCHEMES.has(s)) args.push('-timeout', ioUs);
  }
  // `-i` keeps an input starting with "-" from being read as an option; "file:" keeps a local
  // name such as "a:b.mp4" from being read as protocol "a".
  const local = s === null && /^[^/\\]*:/.test(input) && !/^[a-z]:[\\/]/i.test(input);
  if (opts.protocolWhitelist) args.push('-protocol_whitelist', opts.protocolWhitelist);
  args.push('-i', local ? `file:${input}` : input);
  return args;
}

export async function probeMedia(input: string, opts: ProbeOptions = {}): Promise<MediaProbe> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const live = opts.live === true;
  const bin = opts.ffprobePath ?? defaultFfprobe();
  const args = probeArgs(input, {
    timeoutMs,
    analyzeDurationUs: opts.analyzeDurationUs ?? DEFAULT_ANALYZE_DURATION_US,
    live,
    ...(opts.protocolWhitelist ? { protocolWhitelist: opts.protocolWhitelist } : {}),
  });

  let result;
  try {
    result = await runToCompletion({ bin, args, timeoutMs, killGraceMs: 500 });
  } catch (err) {
    if (err instanceof FfmpegError && err.kind === 'spawn') {
      throw ffprobeMissing(`${bin} could not be started: ${err.message}`);
    }
    throw err;
  }
  const { exit, stdout } = result;
  if (exit.killed) {
    throw new ProbeError(
      'timeout',
      `Probing ${displayInput(input)} timed out after ${timeoutMs} ms`,
      exit.stderrTail,
    );
  }
  if (exit.code !== 0) throw classifyProbeFailure(input, exit.stderrTail);

  let json: unknown;
  try {
    json = JSON.parse(stdout.toString('utf8'));
  } catch {
    throw new ProbeError(
      'not_media',
      `${displayInput(input)}: ffprobe printed no readable JSON`,
      exit.stderrTail,
    );
  }
  return parseProbeJson(json, input, { live });
}
