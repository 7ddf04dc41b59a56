/**
 * Checks a finished clip the way a player would see it: ffprobe's streams, duration and tags, and
 * the MP4's top-level box order (faststart = `moov` before `mdat`). Used by tests and benchmarks.
 */
import { open } from 'node:fs/promises';
import { runToCompletion } from '../ffmpeg/run';

export interface ClipFacts {
  durationS: number;
  video: {
    codec: string;
    width: number;
    height: number;
    fps: number;
    frames: number | null;
  } | null;
  audio: { codec: string; sampleRate: number; channels: number; durationS: number | null } | null;
  tags: Record<string, string>;
  /** Top-level MP4 boxes in file order. */
  boxes: string[];
  faststart: boolean;
}

/** Top-level box types of an ISO-BMFF file, in order. */
export async function mp4Boxes(file: string): Promise<string[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const out: string[] = [];
    const head = Buffer.alloc(16);
    let pos = 0;
    while (pos + 8 <= size && out.length < 64) {
      await fh.read(head, 0, 16, pos);
      let len = head.readUInt32BE(0);
      const type = head.toString('latin1', 4, 8);
      if (len === 1) len = Number(head.readBigUInt64BE(8));
      else if (len === 0) len = size - pos;
      if (len < 8) break;
      out.push(type);
      pos += len;
    }
    return out;
  } finally {
    await fh.close();
  }
}

function rate(r: unknown): number {
  if (typeof r !== 'string') return 0;
  const [n, d] = r.split('/').map(Number);
  return n !== undefined && d !== undefined && d > 0 ? n / d : 0;
}

export async function inspectClip(ffprobe: string, file: string): Promise<ClipFacts> {
  const { exit, stdout } = await runToCompletion({
    bin: ffprobe,
    args: ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file],
    timeoutMs: 20_000,
  });
  if (exit.code !== 0) throw new Error(`ffprobe failed on ${file}: ${exit.stderrTail}`);
  const json = JSON.parse(stdout.toString('utf8')) as {
    format?: { duration?: string; tags?: Record<string, string> };
    streams?: Array<Record<string, unknown>>;
  };
  const streams = json.streams ?? [];
  const v = streams.find((s) => s['codec_type'] === 'video');
  const a = streams.find((s) => s['codec_type'] === 'audio');
  const boxes = await mp4Boxes(file);
  const moov = boxes.indexOf('moov');
  const mdat = boxes.indexOf('mdat');
  return {
    durationS: Number(json.format?.duration ?? NaN),
    video:
      v === undefined
        ? null
        : {
            codec: String(v['codec_name']),
            width: Number(v['width']),
            height: Number(v['height']),
            fps: rate(v['avg_frame_rate']),
            frames: v['nb_frames'] === undefined ? null : Number(v['nb_frames']),
          },
    audio:
      a === undefined
        ? null
        : {
            codec: String(a['codec_name']),
            sampleRate: Number(a['sample_rate']),
            channels: Number(a['channels']),
            durationS: a['duration'] === undefined ? null : Number(a['duration']),
          },
    tags: Object.fromEntries(
      Object.entries(json.format?.tags ?? {}).map(([k, val]) => [k.toLowerCase(), val]),
    ),
    boxes,
    faststart: moov !== -1 && mdat !== -1 && moov < mdat,
  };
}
