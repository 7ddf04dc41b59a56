/**
 * The explicit and implicit labels of AI-generated content (GB 45438-2025) on a finished video from
 * the generation engine, of any size: one re-encode burns the visible label in (the clip engine's
 * ASS machinery at the video's own display size, so user text is escaped by ass.ts and never
 * reaches the filter graph) and writes the `AIGC` metadata key. Audio is copied when it is AAC,
 * else encoded to AAC. Written as `<output>.part` and renamed; a failure or a cancel leaves neither
 * the `.part` nor the temp dir behind.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffprobeFor } from '../ffmpeg/probe';
import { createProgressParser } from '../ffmpeg/progress';
import { runToCompletion, startProcess } from '../ffmpeg/run';
import {
  type AigcMetadata,
  type ClipMetadata,
  metadataArgs,
  movflags,
  RenderArgsError,
  SAFE_NAME,
  validateAigc,
} from './args';
import { aiLabelText, buildAss } from './ass';
import { lastLine, RenderError, TMP_MARK } from './clip-render';
import { AUDIO, lowerPriority, RENDER_THREADS, softwareEncoder, type VideoEncoder } from './encode';

export interface LabelAiGeneratedSpec {
  ffmpeg: string;
  /** Default: next to ffmpeg, else on PATH. */
  ffprobe?: string;
  input: string;
  /** The labelled MP4; must differ from `input`. */
  output: string;
  /** The visible label; default (and for blank text) "AI生成 / AI-generated". */
  label?: string;
  /** The implicit label (the `AIGC` metadata key). */
  aigc: AigcMetadata;
  /** Other tags to write (the input's own tags are not kept: a generator may leave its prompt or
   * internal ids there). */
  metadata?: Omit<ClipMetadata, 'aigc'>;
  /** Default: libx264 with the clip engine's parameters. */
  encoder?: VideoEncoder;
  /** Threads for ffmpeg; default RENDER_THREADS. */
  threads?: number;
  /** Default 'low' (nice 10, like every render child). */
  priority?: 'low' | 'normal';
  fontName?: string;
  signal?: AbortSignal;
  /** 0..1 while encoding, when the input's duration is known. */
  onProgress?: (fraction: number) => void;
}

/** What the label needs to know about the input (parsed from ffprobe's JSON; exported for tests). */
export interface LabelProbe {
  /** The picture as it is shown (the decoder's rotation applied). */
  width: number;
  height: number;
  durationS: number | null;
  audioCodec: string | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** ffprobe `-show_streams -show_format` JSON → LabelProbe; null when there is no video stream. */
export function parseLabelProbe(json: unknown): LabelProbe | null {
  if (!isRecord(json)) return null;
  const streams = Array.isArray(json['streams']) ? json['streams'].filter(isRecord) : [];
  const isVideo = (s: Record<string, unknown>): boolean => {
    const disposition = isRecord(s['disposition']) ? s['disposition'] : {};
    return s['codec_type'] === 'video' && disposition['attached_pic'] !== 1;
  };
  const v = streams.find(isVideo);
  if (v === undefined) return null;
  const w = Number(v['width']);
  const h = Number(v['height']);
  if (!(Number.isInteger(w) && w > 0 && Number.isInteger(h) && h > 0)) return null;
  // ffmpeg auto-rotates while decoding: a quarter turn swaps the picture the filters see.
  let rotation = 0;
  const sideData = Array.isArray(v['side_data_list']) ? v['side_data_list'].filter(isRecord) : [];
  for (const sd of sideData) if (typeof sd['rotation'] === 'number') rotation = sd['rotation'];
  const tags = isRecord(v['tags']) ? v['tags'] : {};
  if (rotation === 0 && typeof tags['rotate'] === 'string') rotation = Number(tags['rotate']) || 0;
  const quarter = Math.abs(Math.round(rotation / 90)) % 2 === 1;
  const a = streams.find((s) => s['codec_type'] === 'audio');
  const format = isRecord(json['format']) ? json['format'] : {};
  const duration = Number(format['duration']);
  return {
    width: quarter ? h : w,
    height: quarter ? w : h,
    durationS: Number.isFinite(duration) && duration > 0 ? duration : null,
    audioCodec: a === undefined ? null : String(a['codec_name'] ?? 'unknown'),
  };
}

/** (A function, so a check after an await is not narrowed away by the one before it.) */
const isAborted = (signal: AbortSignal | undefined): boolean => signal?.aborted === true;
/** Longer than any generated video: the label stays on to the end. */
const LABEL_UNTIL_S = 100 * 3600;

/**
 * The ffmpeg arguments of the labelling run (pure; exported for tests). `assFile` is a safe name in
 * the working directory; an odd width or height is cropped by one pixel (yuv420p needs even).
 */
export function labelArgs(o: {
  input: string;
  probe: LabelProbe;
  assFile: string;
  aigc: AigcMetadata;
  metadata: Omit<ClipMetadata, 'aigc'>;
  encoder: VideoEncoder;
  threads: number;
  outFile: string;
  progressFd: boolean;
}): string[] {
  const w = o.probe.width - (o.probe.width % 2);
  const h = o.probe.height - (o.probe.height % 2);
  if (w < 2 || h < 2) throw new RenderArgsError(`the video is too small (${w}×${h})`);
  if (!SAFE_NAME.test(o.assFile))
    throw new RenderArgsError(`unsafe subtitle file name ${JSON.stringify(o.assFile)}`);
  const chain = [
    ...(w !== o.probe.width || h !== o.probe.height ? [`crop=${w}:${h}:0:0`] : []),
    `ass=filename=${o.assFile}`,
    'format=yuv420p',
    ...(o.encoder.filterTail !== undefined ? [o.encoder.filterTail] : []),
  ];
  const threads = String(Math.max(1, Math.floor(o.threads)));
  const encoderArgs = [...o.encoder.args];
  const ti = encoderArgs.indexOf('-threads');
  if (ti !== -1 && ti + 1 < encoderArgs.length) encoderArgs[ti + 1] = threads;
  const meta: ClipMetadata = { ...o.metadata, aigc: o.aigc };
  const audio =
    o.probe.audioCodec === null
      ? ['-an']
      : o.probe.audioCodec === 'aac'
        ? ['-map', '0:a:0', '-c:a', 'copy']
        : ['-map', '0:a:0', '-c:a', AUDIO.codec, '-b:a', AUDIO.bitrate];
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-nostats',
    ...(o.progressFd ? ['-progress', 'pipe:3'] : []),
    ...(o.encoder.preInputArgs ?? []),
    '-threads',
    threads,
    '-protocol_whitelist',
    'file',
    '-i',
    `file:${o.input}`,
    '-filter_complex_threads',
    threads,
    '-filter_complex',
    `[0:v:0]${chain.join(',')}[vout]`,
    '-map',
    '[vout]',
    ...audio,
    '-sn',
    '-dn',
    ...encoderArgs,
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    ...metadataArgs(meta),
    '-movflags',
    movflags(meta),
    '-f',
    'mp4',
    '-y',
    o.outFile,
  ];
}

async function probe(ffprobe: string, input: string): Promise<LabelProbe> {
  let result;
  try {
    result = await runToCompletion({
      bin: ffprobe,
      args: [
        '-v',
        'error',
        '-print_format',
        'json',
        '-show_streams',
        '-show_format',
        '-protocol_whitelist',
        'file',
        `file:${input}`,
      ],
      timeoutMs: 20_000,
    });
  } catch (err) {
    throw new RenderError('ffmpeg', `ffprobe could not be started: ${String(err)}`, {
      cause: err,
    });
  }
  if (result.exit.code !== 0)
    throw new RenderError(
      'no_media',
      `The video to label (${input}) cannot be read: ${lastLine(result.exit.stderrTail)}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(result.stdout.toString('utf8'));
  } catch {
    throw new RenderError('no_media', `ffprobe gave no readable answer for ${input}`);
  }
  const p = parseLabelProbe(json);
  if (p === null) throw new RenderError('no_media', `The file to label (${input}) has no video`);
  return p;
}

/** Burns the visible AI label into `input` and writes the AIGC metadata, to `output`. */
export async function labelAiGenerated(spec: LabelAiGeneratedSpec): Promise<void> {
  const cancelled = (): RenderError => new RenderError('cancelled', 'The labelling was cancelled');
  if (isAborted(spec.signal)) throw cancelled();
  let aigc: AigcMetadata;
  try {
    aigc = validateAigc(spec.aigc);
  } catch (err) {
    throw new RenderError('bad_spec', err instanceof Error ? err.message : String(err));
  }
  const input = path.resolve(spec.input);
  const output = path.resolve(spec.output);
  if (input === output)
    throw new RenderError('bad_spec', `The labelled video cannot replace its input (${input})`);
  if (!existsSync(input))
    throw new RenderError('no_media', `The video to label does not exist: ${input}`);
  const info = await probe(spec.ffprobe ?? ffprobeFor(spec.ffmpeg), input);
  if (isAborted(spec.signal)) throw cancelled();

  const part = `${output}.part`;
  mkdirSync(path.dirname(output), { recursive: true });
  const tmp = mkdtempSync(output + TMP_MARK);
  const threads = Math.max(1, Math.floor(spec.threads ?? RENDER_THREADS));
  try {
    await writeFile(
      path.join(tmp, 'label.ass'),
      buildAss({
        width: info.width - (info.width % 2),
        height: info.height - (info.height % 2),
        cues: [],
        title: null,
        label: aiLabelText(spec.label),
        titleUntil: Math.max(LABEL_UNTIL_S, (info.durationS ?? 0) + 60),
        style: 'clean',
        ...(spec.fontName !== undefined ? { fontName: spec.fontName } : {}),
      }),
    );
    let args: string[];
    try {
      args = labelArgs({
        input,
        probe: info,
        assFile: 'label.ass',
        aigc,
        metadata: spec.metadata ?? {},
        encoder: spec.encoder ?? softwareEncoder(threads),
        threads,
        outFile: part,
        progressFd: true,
      });
    } catch (err) {
      if (err instanceof RenderArgsError) throw new RenderError('bad_spec', err.message);
      throw err;
    }
    const low = spec.priority !== 'normal';
    const proc = startProcess({
      bin: spec.ffmpeg,
      args,
      cwd: tmp,
      extraPipes: 1,
      stdout: 'ignore',
      lowPriority: low,
      ...(spec.signal !== undefined ? { signal: spec.signal } : {}),
      killGraceMs: 1000,
    });
    if (low && proc.pid !== undefined) lowerPriority(proc.pid);
    const parser = createProgressParser((p) => {
      if (info.durationS === null || p.outTimeUs === null) return;
      try {
        spec.onProgress?.(Math.min(1, Math.max(0, p.outTimeUs / 1e6 / info.durationS)));
      } catch {
        // A throwing listener must not break the labelling.
      }
    });
    proc.pipe(3).on('data', (c: Buffer) => parser.push(c));
    let exit;
    try {
      exit = await proc.done;
    } catch (err) {
      throw new RenderError('ffmpeg', `ffmpeg could not be started: ${String(err)}`, {
        cause: err,
      });
    }
    if (isAborted(spec.signal)) throw cancelled();
    if (exit.code !== 0)
      throw new RenderError(
        'ffmpeg',
        `Labelling ${input} as AI-generated failed: ${lastLine(exit.stderrTail)}`,
      );
    try {
      await rename(part, output);
    } catch (err) {
      throw new RenderError(
        'ffmpeg',
        `The labelled video cannot be moved into place at ${output}: ${String(err)}`,
        { cause: err },
      );
    }
  } finally {
    await Promise.allSettled([
      rm(tmp, { recursive: true, force: true }),
      rm(part, { force: true }),
    ]);
  }
}
