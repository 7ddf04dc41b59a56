/**
 * `composeClip`: intro + clip body + outro joined with the concat demuxer and `-c copy`, faststart,
 * written to `<out>.part` and renamed into place. Stream copy is only valid when every piece was
 * encoded with the same parameters (src-main/render/encode.ts); when ffprobe is available the
 * pieces are checked first and a mismatch is an error that names the piece and the field.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ffprobeFor } from '../../ffmpeg/probe';
import { runToCompletion } from '../../ffmpeg/run';
import { concatArgs, concatList } from './args';
import { abortError, runFfmpeg, stderrSummary } from './exec';

export interface ComposeClipOptions {
  ffmpeg: string;
  /** The clip body (MP4 made with the shared encode params). */
  body: string;
  intro: string | null;
  outro: string | null;
  /** The finished MP4. Written as `<out>.part`, then renamed. */
  out: string;
  signal?: AbortSignal;
  /** Check with ffprobe that the pieces can be joined by stream copy; default true (skipped when
   * no ffprobe is found). */
  check?: boolean;
  /** ffprobe to use for the check; default: beside ffmpeg, else on PATH. */
  ffprobe?: string;
}

export interface ComposeClipResult {
  file: string;
  bytes: number;
  /** Pieces in order. */
  pieces: string[];
  /** Whether the pieces were checked with ffprobe. */
  checked: boolean;
  ms: number;
}

export class ConcatMismatchError extends Error {
  readonly mismatches: string[];
  constructor(mismatches: string[]) {
    super(`The clip pieces cannot be joined by stream copy: ${mismatches.join('; ')}`);
    this.name = 'ConcatMismatchError';
    this.mismatches = mismatches;
  }
}

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  pix_fmt: z.string().optional(),
  r_frame_rate: z.string().optional(),
  time_base: z.string().optional(),
  sample_rate: z.union([z.string(), z.number()]).optional(),
  channels: z.number().optional(),
});
const probeSchema = z.object({ streams: z.array(streamSchema).default([]) });
export type PieceStream = z.infer<typeof streamSchema>;

/** What must be equal across pieces for concat copy (per stream type). */
const VIDEO_KEYS = [
  'codec_name',
  'profile',
  'width',
  'height',
  'pix_fmt',
  'r_frame_rate',
  'time_base',
] as const;
const AUDIO_KEYS = ['codec_name', 'profile', 'sample_rate', 'channels'] as const;

/**
 * Pure: the differences that make stream copy invalid, comparing every piece with the first (the
 * reference). Empty when they can be joined.
 */
export function concatMismatches(
  pieces: Array<{ name: string; streams: PieceStream[] }>,
): string[] {
  const ref = pieces[0];
  if (ref === undefined) return [];
  const out: string[] = [];
  const pick = (streams: PieceStream[], type: string): PieceStream[] =>
    streams.filter((s) => s.codec_type === type);
  for (const p of pieces.slice(1)) {
    for (const [type, keys] of [
      ['video', VIDEO_KEYS],
      ['audio', AUDIO_KEYS],
    ] as const) {
      const a = pick(ref.streams, type);
      const b = pick(p.streams, type);
      if (a.length !== b.length) {
        out.push(`${p.name} has ${b.length} ${type} stream(s), ${ref.name} has ${a.length}`);
        continue;
      }
      a.forEach((sa, i) => {
        const sb = b[i]!;
        for (const k of keys) {
          if (String(sa[k]) !== String(sb[k])) {
            out.push(
              `${type} ${k}: ${p.name} has ${String(sb[k])}, ${ref.name} has ${String(sa[k])}`,
            );
          }
        }
      });
    }
  }
  return out;
}

async function probeStreams(
  ffprobe: string,
  file: string,
  signal?: AbortSignal,
): Promise<PieceStream[]> {
  const r = await runToCompletion({
    bin: ffprobe,
    args: ['-v', 'error', '-show_streams', '-of', 'json', file],
    timeoutMs: 15_000,
    ...(signal === undefined ? {} : { signal }),
  });
  if (r.exit.code !== 0) {
    throw new Error(
      `ffprobe cannot read ${file}: ${stderrSummary(r.exit.stderrTail) || `exit ${String(r.exit.code)}`}`,
    );
  }
  return probeSchema.parse(JSON.parse(r.stdout.toString('utf8'))).streams;
}

function findFfprobe(opts: ComposeClipOptions): string | null {
  if (opts.ffprobe !== undefined) return opts.ffprobe;
  try {
    return ffprobeFor(opts.ffmpeg);
  } catch {
    return null;
  }
}

/** Joins intro + body + outro by stream copy into a faststart MP4 (metadata from the body). */
export async function composeClip(opts: ComposeClipOptions): Promise<ComposeClipResult> {
  const started = performance.now();
  const roles: Array<[string, string | null]> = [
    ['intro', opts.intro],
    ['body', opts.body],
    ['outro', opts.outro],
  ];
  const pieces: Array<{ role: string; file: string }> = [];
  for (const [role, file] of roles) {
    if (file === null) continue;
    const full = path.resolve(file);
    let st: fs.Stats;
    try {
      st = await fsp.stat(full);
    } catch {
      throw new Error(`The clip ${role} ${full} does not exist`);
    }
    if (!st.isFile() || st.size === 0)
      throw new Error(`The clip ${role} ${full} is not a non-empty file`);
    pieces.push({ role, file: full });
  }
  const out = path.resolve(opts.out);
  let checked = false;
  const ffprobe = opts.check === false ? null : findFfprobe(opts);
  if (ffprobe !== null && pieces.length > 1) {
    const probed = await Promise.all(
      pieces.map(async (p) => ({
        name: `${p.role} (${path.basename(p.file)})`,
        streams: await probeStreams(ffprobe, p.file, opts.signal),
      })),
    );
    // The body is the reference: it is what the clip is made of.
    const body = probed[pieces.findIndex((p) => p.role === 'body')]!;
    const mismatches = concatMismatches([body, ...probed.filter((p) => p !== body)]);
    if (mismatches.length > 0) throw new ConcatMismatchError(mismatches);
    checked = true;
  }
  if (opts.signal?.aborted) throw abortError(opts.signal);
  await fsp.mkdir(path.dirname(out), { recursive: true });
  const work = await fsp.mkdtemp(path.join(path.dirname(out), '.concat-'));
  const part = `${out}.part`;
  try {
    const list = path.join(work, 'list.ffconcat');
    await fsp.writeFile(list, concatList(pieces.map((p) => p.file)));
    await runFfmpeg(
      opts.ffmpeg,
      concatArgs({ list, metadataFrom: path.resolve(opts.body), out: part }),
      {
        what: `join ${pieces.map((p) => p.role).join(' + ')} into ${out}`,
        signal: opts.signal,
      },
    );
    const fh = await fsp.open(part, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fsp.rename(part, out);
  } catch (err) {
    await fsp.rm(part, { force: true });
    throw err;
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
  }
  return {
    file: out,
    bytes: (await fsp.stat(out)).size,
    pieces: pieces.map((p) => p.file),
    checked,
    ms: performance.now() - started,
  };
}
