/**
 * A pure parser for ffmpeg's `-progress pipe:N` output: blocks of `key=value` lines, each block
 * closed by `progress=continue` or `progress=end`. Chunks may split anywhere (mid-line, mid-key),
 * lines may end in `\n` or `\r\n`, and unknown keys (`stream_0_0_q`, …) are ignored.
 */

export interface FfmpegProgress {
  /** Frames written so far; null for audio-only output (ffmpeg omits the key). */
  frame: number | null;
  fps: number | null;
  /** From `bitrate= 308.6kbits/s`; `N/A` → null. */
  bitrateKbps: number | null;
  /** Bytes written; `N/A` → null. */
  totalSize: number | null;
  /** Output position in microseconds (`out_time_us`, else `out_time_ms` — also µs — else `out_time`). */
  outTimeUs: number | null;
  dupFrames: number;
  dropFrames: number;
  /** From `speed=1.01x`; `N/A` → null. */
  speed: number | null;
  /** True for the final block (`progress=end`). */
  ended: boolean;
}

export interface ProgressParser {
  push(chunk: string | Buffer): void;
}

function num(v: string | undefined): number | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t === '' || t === 'N/A') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

function withSuffix(v: string | undefined, suffix: RegExp): number | null {
  if (v === undefined) return null;
  return num(v.trim().replace(suffix, ''));
}

/** `HH:MM:SS.micro` (hours may exceed 24; may be negative) → µs. */
export function parseOutTime(v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = /^\s*(-?)(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d+))?\s*$/.exec(v);
  if (m === null) return null;
  const [, sign, h, mi, s, frac] = m;
  const micros = Number(((frac ?? '') + '000000').slice(0, 6));
  const us = ((Number(h) * 60 + Number(mi)) * 60 + Number(s)) * 1_000_000 + micros;
  return sign === '-' ? -us : us;
}

function toProgress(fields: ReadonlyMap<string, string>, ended: boolean): FfmpegProgress {
  const outTimeUs =
    num(fields.get('out_time_us')) ??
    // ffmpeg's out_time_ms is (historically, still in 5.x/6.x) in microseconds too.
    num(fields.get('out_time_ms')) ??
    parseOutTime(fields.get('out_time'));
  return {
    frame: num(fields.get('frame')),
    fps: num(fields.get('fps')),
    bitrateKbps: withSuffix(fields.get('bitrate'), /kbits\/s$/i),
    totalSize: num(fields.get('total_size')),
    outTimeUs,
    dupFrames: num(fields.get('dup_frames')) ?? 0,
    dropFrames: num(fields.get('drop_frames')) ?? 0,
    speed: withSuffix(fields.get('speed'), /x$/i),
    ended,
  };
}

export function createProgressParser(onBlock: (p: FfmpegProgress) => void): ProgressParser {
  let pending = '';
  let fields = new Map<string, string>();
  const decoder = new TextDecoder('utf-8');

  const line = (raw: string): void => {
    const l = raw.trim();
    if (l === '') return;
    const eq = l.indexOf('=');
    if (eq <= 0) return;
    const key = l.slice(0, eq).trim();
    const value = l.slice(eq + 1);
    if (key === 'progress') {
      const block = toProgress(fields, value.trim() === 'end');
      fields = new Map();
      onBlock(block);
      return;
    }
    fields.set(key, value);
  };

  return {
    push(chunk) {
      pending += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      let nl = pending.search(/[\r\n]/);
      while (nl !== -1) {
        line(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        nl = pending.search(/[\r\n]/);
      }
    },
  };
}
