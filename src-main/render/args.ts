/**
 * ffmpeg argument builders for the clip engine (pure, table-tested): one video piece, the audio of
 * a window, the final mux. Everything is an args array (never a shell). Only numbers and paths we
 * create reach a filter graph; any string that does is escaped for both filter-graph levels (the
 * option value and the graph) by `escapeFilterValue`. User text reaches ffmpeg only as `-metadata`
 * argv values (cleaned and capped; the AIGC label as JSON) and inside ASS files (see ass.ts).
 */
import { AUDIO, FPS, VIDEO_TIMESCALE, type VideoEncoder } from './encode';

export type Reframe =
  | { mode: 'center' }
  | { mode: 'blur' }
  /** A crop box, normalized 0..1 of the source frame. */
  | { mode: 'box'; x: number; y: number; w: number; h: number };

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
export const CORNERS: readonly Corner[] = ['top-left', 'top-right', 'bottom-left', 'bottom-right'];

export interface WatermarkSpec {
  /** An image file (PNG with alpha is best). */
  file: string;
  corner: Corner;
  /** 0..1. */
  opacity: number;
  /** Width as a fraction of the output width; default 0.2. */
  scale?: number;
}

export interface Loudness {
  I: number;
  TP: number;
  LRA: number;
}
export const DEFAULT_LOUDNESS: Loudness = { I: -14, TP: -1.5, LRA: 11 };

export class RenderArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RenderArgsError';
  }
}

// ---------------------------------------------------------------------------------------------
// Escaping and numbers.

/**
 * A value for a filter option inside a filter graph: level 1 (the option value: `\ ' :`) then
 * level 2 (the graph: `\ ' [ ] , ;`), per ffmpeg's "Notes on filtergraph escaping".
 */
export function escapeFilterValue(value: string): string {
  if (value.includes('\0')) throw new RenderArgsError('a filter value cannot contain NUL');
  const level1 = value.replace(/[\\':]/g, (c) => `\\${c}`);
  return level1.replace(/[\\'[\],;]/g, (c) => `\\${c}`);
}

/** A path in an ffconcat list (`file '…'`); a line break would end the directive. */
export function ffconcatQuote(p: string): string {
  if (/[\n\r\0]/.test(p))
    throw new RenderArgsError(`a path with a line break cannot be listed: ${JSON.stringify(p)}`);
  return `'${p.replace(/'/g, "'\\''")}'`;
}

/** The ffconcat list that joins pieces with the concat demuxer. */
export function ffconcatList(files: readonly string[]): string {
  return ['ffconcat version 1.0', ...files.map((f) => `file ${ffconcatQuote(f)}`), ''].join('\n');
}

/** A `concatf:` list: one `file:` URL per line (no quoting; a line break is refused). */
export function concatfList(files: readonly string[]): string {
  for (const f of files) {
    if (/[\n\r\0]/.test(f))
      throw new RenderArgsError(`a path with a line break cannot be listed: ${JSON.stringify(f)}`);
  }
  return files.map((f) => `file:${f}`).join('\n') + '\n';
}

/** A finite number in a filter graph: fixed notation, no exponent, at most 6 decimals. */
export function num(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e15)
    throw new RenderArgsError(`not a usable number: ${n}`);
  const s = n.toFixed(6).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

// ---------------------------------------------------------------------------------------------
// Validation.

/** Checks a reframe from outside (the UI, a job payload); throws a RenderArgsError naming the field. */
export function validateReframe(r: unknown): Reframe {
  if (typeof r !== 'object' || r === null) throw new RenderArgsError('reframe: expected an object');
  const mode = (r as { mode?: unknown }).mode;
  if (mode === 'center' || mode === 'blur') return { mode };
  if (mode !== 'box')
    throw new RenderArgsError(
      `reframe.mode: expected center, blur or box, got ${JSON.stringify(mode)}`,
    );
  const box = r as Record<string, unknown>;
  const field = (k: 'x' | 'y' | 'w' | 'h'): number => {
    const v = box[k];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RenderArgsError(`reframe.${k}: expected a number 0..1`);
    if (v < 0 || v > 1) throw new RenderArgsError(`reframe.${k}: ${v} is outside 0..1`);
    return v;
  };
  const x = field('x');
  const y = field('y');
  const w = field('w');
  const h = field('h');
  if (w < 0.02 || h < 0.02)
    throw new RenderArgsError('reframe: the crop box is too small (under 2% of the frame)');
  if (x + w > 1 + 1e-6 || y + h > 1 + 1e-6)
    throw new RenderArgsError('reframe: the crop box reaches outside the frame');
  return { mode: 'box', x, y, w: Math.min(w, 1 - x), h: Math.min(h, 1 - y) };
}

export function validateWatermark(w: WatermarkSpec): WatermarkSpec {
  if (!CORNERS.includes(w.corner))
    throw new RenderArgsError(`watermark.corner: expected one of ${CORNERS.join(', ')}`);
  if (!Number.isFinite(w.opacity) || w.opacity < 0 || w.opacity > 1)
    throw new RenderArgsError('watermark.opacity: expected 0..1');
  if (w.scale !== undefined && (!Number.isFinite(w.scale) || w.scale <= 0 || w.scale > 1)) {
    throw new RenderArgsError('watermark.scale: expected a fraction 0..1 of the output width');
  }
  if (typeof w.file !== 'string' || w.file === '' || w.file.includes('\0'))
    throw new RenderArgsError('watermark.file: expected a path');
  return w;
}

/** A punch-in zoom on the centre of the reframed picture over a media-time range. */
export interface PunchIn {
  /** Media-clock seconds. */
  from: number;
  to: number;
  /** 1 < zoom ≤ 2. */
  zoom: number;
}

export const PUNCH_IN_MAX_ZOOM = 2;
/** Seconds the zoom takes to ease in (after `from`) and out (before `to`). */
export const PUNCH_IN_EASE_S = 0.3;

/** Checks a punch-in from outside (a prompt, the UI); throws a RenderArgsError naming the field. */
export function validatePunchIn(p: unknown): PunchIn {
  if (typeof p !== 'object' || p === null) throw new RenderArgsError('punchIn: expected an object');
  const o = p as Record<string, unknown>;
  const field = (k: 'from' | 'to' | 'zoom'): number => {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RenderArgsError(`punchIn.${k}: expected a finite number`);
    return v;
  };
  const from = field('from');
  const to = field('to');
  const zoom = field('zoom');
  if (from < 0) throw new RenderArgsError(`punchIn.from: ${from} is before the media starts`);
  if (!(to > from))
    throw new RenderArgsError(`punchIn.to: ${to} is not after punchIn.from (${from})`);
  if (!(zoom > 1) || zoom > PUNCH_IN_MAX_ZOOM)
    throw new RenderArgsError(
      `punchIn.zoom: ${zoom} is outside 1 (exclusive) .. ${PUNCH_IN_MAX_ZOOM}`,
    );
  return { from, to, zoom };
}

/** The ease of a punch-in: the ramp length, at most half the range so a short one still peaks. */
function punchInEase(p: PunchIn): number {
  return Math.min(PUNCH_IN_EASE_S, (p.to - p.from) / 2);
}

/**
 * The zoom at media time `t` (the curve the filter graph computes): 1 outside [from, to],
 * `zoom` in the middle, smoothstep ramps of PUNCH_IN_EASE_S inside both ends.
 */
export function punchInZoomAt(p: PunchIn, t: number): number {
  const r = punchInEase(p);
  const clip = (x: number): number => Math.min(1, Math.max(0, x));
  const e = Math.min(clip((t - p.from) / r), clip((p.to - t) / r));
  return 1 + (p.zoom - 1) * e * e * (3 - 2 * e);
}

/** Whether a stretch of media [t0, t1) has any frame the punch-in zooms. */
export function punchInOverlaps(p: PunchIn, t0: number, t1: number): boolean {
  return t1 > p.from && t0 < p.to;
}

// ---------------------------------------------------------------------------------------------
// Filter chains.

/** Crops the input to the output's aspect ratio around its center (no upscaling before the crop). */
function coverCrop(width: number, height: number): string {
  const a = num(width / height);
  return `crop=w=${escapeFilterValue(`min(iw,ih*${a})`)}:h=${escapeFilterValue(`min(ih,iw/${a})`)}`;
}

/** The reframe as a chain from `[in]` to `[out]` (labels given), source frame → W×H. */
export function reframeGraph(
  r: Reframe,
  width: number,
  height: number,
  inLabel: string,
  outLabel: string,
): string {
  const cover = `${coverCrop(width, height)},scale=${width}:${height},setsar=1`;
  switch (r.mode) {
    case 'center':
      return `[${inLabel}]${cover}[${outLabel}]`;
    case 'box': {
      const box = validateReframe(r) as Extract<Reframe, { mode: 'box' }>;
      const crop = `crop=w=iw*${num(box.w)}:h=ih*${num(box.h)}:x=iw*${num(box.x)}:y=ih*${num(box.y)}`;
      return `[${inLabel}]${crop},${cover}[${outLabel}]`;
    }
    case 'blur': {
      const sw = even(width / 4);
      const sh = even(height / 4);
      return [
        `[${inLabel}]split=2[rbg][rfg]`,
        `[rbg]${coverCrop(width, height)},scale=${sw}:${sh},boxblur=8:2,lutyuv=y=val*0.55,scale=${width}:${height},setsar=1[rbgo]`,
        `[rfg]scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1[rfgo]`,
        `[rbgo][rfgo]overlay=x=(main_w-overlay_w)/2:y=(main_h-overlay_h)/2[${outLabel}]`,
      ].join(';');
    }
  }
}

/** Watermark overlay: input `[wmIn]` (an image) over `[inLabel]`, numbers only in the graph. */
export function watermarkGraph(
  w: WatermarkSpec,
  width: number,
  height: number,
  wmIn: string,
  inLabel: string,
  outLabel: string,
): string {
  validateWatermark(w);
  const ww = even(width * (w.scale ?? 0.2));
  const m = Math.round(Math.min(width, height) * 0.04);
  const x = w.corner.endsWith('left') ? String(m) : `main_w-overlay_w-${m}`;
  const y = w.corner.startsWith('top') ? String(m) : `main_h-overlay_h-${m}`;
  return [
    `[${wmIn}]format=rgba,scale=w=${ww}:h=-1,colorchannelmixer=aa=${num(w.opacity)}[wm]`,
    `[${inLabel}][wm]overlay=x=${x}:y=${y}:format=auto[${outLabel}]`,
  ].join(';');
}

/**
 * The punch-in as a chain from `[inLabel]` (W×H) to `[outLabel]` (W×H), for a piece whose first
 * frame is at media time `mediaStart`. zoompan with d=1 maps each input frame to one output frame
 * and evaluates the zoom per frame from the frame's own timestamp (`it`: piece-relative, on the
 * exact FPS grid), so `mediaStart + it` is the frame's media time and a piece boundary inside the
 * range changes nothing.
 *
 * Why zoompan: crop cannot change its size per frame, and perspective (sub-pixel exact) doubled the
 * CPU of a 720×1280 render on 2 cores, while zoompan's cost is lost in the encode's (bench.ts,
 * benchPunchIn). Its crop is whole pixels, so during the 0.3 s ease the centre may wobble by a
 * pixel or two; at the steady zoom it does not move. The crop origin is kept even so chroma stays
 * aligned, and at zoom 1 a frame passes through bit-exact.
 */
export function punchInGraph(
  p: PunchIn,
  mediaStart: number,
  width: number,
  height: number,
  inLabel: string,
  outLabel: string,
): string {
  const v = validatePunchIn(p);
  const r = num(punchInEase(v));
  // e = min(clip((T − from)/r), clip((to − T)/r)) with T = mediaStart + it; z = 1 + (zoom−1)·smoothstep(e).
  const e =
    `min(clip((it+${num(mediaStart - v.from)})/${r},0,1),` +
    `clip((${num(v.to - mediaStart)}-it)/${r},0,1))`;
  const z = `st(0,${e});1+${num(v.zoom - 1)}*ld(0)*ld(0)*(3-2*ld(0))`;
  return (
    `[${inLabel}]zoompan=z=${escapeFilterValue(z)}` +
    `:x=${escapeFilterValue('floor((iw-iw/zoom)/4)*2')}` +
    `:y=${escapeFilterValue('floor((ih-ih/zoom)/4)*2')}` +
    `:d=1:s=${width}x${height}:fps=${FPS},setsar=1[${outLabel}]`
  );
}

// ---------------------------------------------------------------------------------------------
// One video piece.

export interface PieceArgsSpec {
  /** A `concatf:` list of the DVR segments that cover the piece (one run only). */
  segmentList: string;
  /** Source timestamp (seconds, the run's own PTS) of the piece's first frame. */
  srcStart: number;
  /** Frames to write (at FPS). */
  frames: number;
  width: number;
  height: number;
  reframe: Reframe;
  /** An ASS file name relative to the working directory: [A-Za-z0-9_.-] only. */
  assFile: string | null;
  watermark: WatermarkSpec | null;
  /** A punch-in that zooms some frame of this piece (null: none does). */
  punchIn?: PunchIn | null;
  /** Media-clock time of the piece's first frame (the punch-in's clock); needed with `punchIn`. */
  mediaStart?: number;
  encoder: VideoEncoder;
  threads: number;
  outFile: string;
  /** Write `-progress` blocks to fd 3. */
  progressFd?: boolean;
}

export const SAFE_NAME = /^[A-Za-z0-9_.-]+$/;

/** The encoder's own `-threads` (x264) set to this piece's share. */
function withThreads(encoderArgs: readonly string[], threads: string): string[] {
  const out = [...encoderArgs];
  const i = out.indexOf('-threads');
  if (i !== -1 && i + 1 < out.length) out[i + 1] = threads;
  return out;
}

/** The filter graph of a piece, input `[0:v]` (and `[1:v]` for a watermark) to `[vout]`. */
export function pieceGraph(spec: PieceArgsSpec): string {
  const { width, height } = spec;
  const s = num(spec.srcStart);
  const parts: string[] = [
    // Frame-accurate: decode from the segment's keyframe, drop what precedes the piece, put the
    // piece on a 0-based constant-rate grid. A source frame up to half an output frame before the
    // start is kept: the fps filter rounds it onto slot 0, exactly as it would in one long piece
    // (so a piece boundary never shifts a frame). tpad covers a last frame the source ends on.
    `[0:v]trim=start=${num(spec.srcStart - 0.5 / FPS)},setpts=PTS-${s}/TB,fps=${FPS}:start_time=0,tpad=stop_mode=clone:stop=3[src]`,
    reframeGraph(spec.reframe, width, height, 'src', 'framed'),
  ];
  let last = 'framed';
  // The zoom acts on the picture only: the watermark, title, captions and labels stay put.
  if (spec.punchIn !== undefined && spec.punchIn !== null) {
    if (spec.mediaStart === undefined)
      throw new RenderArgsError('a punch-in needs the media time of the piece (mediaStart)');
    parts.push(punchInGraph(spec.punchIn, spec.mediaStart, width, height, last, 'zoomed'));
    last = 'zoomed';
  }
  if (spec.watermark !== null) {
    parts.push(watermarkGraph(spec.watermark, width, height, '1:v', last, 'marked'));
    last = 'marked';
  }
  const tail: string[] = [];
  if (spec.assFile !== null) {
    if (!SAFE_NAME.test(spec.assFile))
      throw new RenderArgsError(`unsafe subtitle file name ${JSON.stringify(spec.assFile)}`);
    tail.push(`ass=filename=${escapeFilterValue(spec.assFile)}`);
  }
  tail.push('format=yuv420p');
  if (spec.encoder.filterTail !== undefined) tail.push(spec.encoder.filterTail);
  parts.push(`[${last}]${tail.join(',')}[vout]`);
  return parts.join(';');
}

export function buildPieceArgs(spec: PieceArgsSpec): string[] {
  if (!Number.isInteger(spec.frames) || spec.frames < 1)
    throw new RenderArgsError(`a piece needs at least one frame (${spec.frames})`);
  const threads = String(Math.max(1, Math.floor(spec.threads)));
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats'];
  if (spec.progressFd === true) args.push('-progress', 'pipe:3');
  args.push(
    ...(spec.encoder.preInputArgs ?? []),
    '-copyts',
    '-threads',
    threads,
    '-protocol_whitelist',
    'concatf,file',
    '-f',
    'mpegts',
    '-i',
    `concatf:${spec.segmentList}`,
  );
  if (spec.watermark !== null) {
    args.push(
      '-f',
      'image2',
      '-pattern_type',
      'none',
      '-protocol_whitelist',
      'file',
      '-i',
      `file:${spec.watermark.file}`,
    );
  }
  args.push(
    '-filter_complex_threads',
    threads,
    '-filter_complex',
    pieceGraph(spec),
    '-map',
    '[vout]',
    '-an',
    '-sn',
    '-dn',
    '-frames:v',
    String(spec.frames),
    ...withThreads(spec.encoder.args, threads),
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-map_metadata',
    '-1',
    '-f',
    'mp4',
    '-y',
    spec.outFile,
  );
  return args;
}

// ---------------------------------------------------------------------------------------------
// Audio of the window (+ intro/outro), encoded once.

export type AudioPart =
  /** One run's stretch of the window: a `concatf:` list, its source start and length. */
  | { kind: 'media'; segmentList: string; srcStart: number; duration: number }
  /** No audio in the source for this stretch. */
  | { kind: 'silence'; duration: number };

export interface Bookend {
  file: string;
  duration: number;
  hasAudio: boolean;
}

export interface AudioArgsSpec {
  parts: readonly AudioPart[];
  intro: Bookend | null;
  outro: Bookend | null;
  loudness: Loudness | null;
  outFile: string;
  /** Write `-progress` blocks to fd 3. */
  progressFd?: boolean;
}

const AFMT = `aformat=sample_fmts=fltp:sample_rates=${AUDIO.rate}:channel_layouts=stereo`;

function silence(d: number, label: string): string {
  return `anullsrc=r=${AUDIO.rate}:cl=stereo,atrim=end=${num(d)}[${label}]`;
}

export function audioGraph(
  spec: AudioArgsSpec,
  inputIndex: { parts: number[]; intro: number | null; outro: number | null },
): string {
  const chains: string[] = [];
  spec.parts.forEach((p, i) => {
    const label = `p${i}`;
    const idx = inputIndex.parts[i];
    if (p.kind === 'silence' || idx === undefined || idx < 0) {
      chains.push(silence(p.duration, label));
      return;
    }
    const s = num(p.srcStart);
    const d = num(p.duration);
    chains.push(
      `[${idx}:a]atrim=start=${s}:end=${num(p.srcStart + p.duration)},asetpts=PTS-${s}/TB,` +
        `aresample=${AUDIO.rate}:async=1:first_pts=0,${AFMT},apad=whole_dur=${d},atrim=end=${d}[${label}]`,
    );
  });
  const n = spec.parts.length;
  if (n === 0) throw new RenderArgsError('no audio parts');
  const body = spec.parts.map((_, i) => `[p${i}]`).join('');
  chains.push(n === 1 ? `${body}anull[body]` : `${body}concat=n=${n}:v=0:a=1[body]`);
  const l = spec.loudness;
  chains.push(
    l === null
      ? `[body]${AFMT}[bodyn]`
      : `[body]loudnorm=I=${num(l.I)}:TP=${num(l.TP)}:LRA=${num(l.LRA)},aresample=${AUDIO.rate},${AFMT}[bodyn]`,
  );
  const seq: string[] = [];
  const bookend = (b: Bookend | null, idx: number | null, label: string): void => {
    if (b === null) return;
    const d = num(b.duration);
    chains.push(
      b.hasAudio && idx !== null
        ? `[${idx}:a]aresample=${AUDIO.rate}:async=1:first_pts=0,${AFMT},apad=whole_dur=${d},atrim=end=${d}[${label}]`
        : silence(b.duration, label),
    );
    seq.push(`[${label}]`);
  };
  bookend(spec.intro, inputIndex.intro, 'intro');
  seq.push('[bodyn]');
  bookend(spec.outro, inputIndex.outro, 'outro');
  chains.push(
    seq.length === 1 ? '[bodyn]anull[aout]' : `${seq.join('')}concat=n=${seq.length}:v=0:a=1[aout]`,
  );
  return chains.join(';');
}

export function buildAudioArgs(spec: AudioArgsSpec): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-nostats'];
  if (spec.progressFd === true) args.push('-progress', 'pipe:3');
  args.push('-copyts');
  let next = 0;
  const parts = spec.parts.map((p) => {
    if (p.kind !== 'media') return -1;
    args.push(
      '-protocol_whitelist',
      'concatf,file',
      '-f',
      'mpegts',
      '-i',
      `concatf:${p.segmentList}`,
    );
    return next++;
  });
  const bookendInput = (b: Bookend | null): number | null => {
    if (b === null || !b.hasAudio) return null;
    args.push('-protocol_whitelist', 'file', '-i', `file:${b.file}`);
    return next++;
  };
  const intro = bookendInput(spec.intro);
  const outro = bookendInput(spec.outro);
  args.push(
    '-filter_complex_threads',
    '1',
    '-filter_complex',
    audioGraph(spec, { parts, intro, outro }),
    '-map',
    '[aout]',
    '-vn',
    '-sn',
    '-dn',
    '-c:a',
    AUDIO.codec,
    '-b:a',
    AUDIO.bitrate,
    '-ar',
    String(AUDIO.rate),
    '-ac',
    String(AUDIO.channels),
    '-map_metadata',
    '-1',
    '-f',
    'mp4',
    '-y',
    spec.outFile,
  );
  return args;
}

// ---------------------------------------------------------------------------------------------
// The final mux.

/**
 * The implicit label of AI-generated content (GB 45438-2025): who made it and its id there, and
 * who spreads it and its id there. Written as the `AIGC` metadata key, a JSON object with the
 * standard's field names.
 */
export interface AigcMetadata {
  /** The generating service provider (its name or filing/registration code). */
  producer: string;
  /** The content's unique id at the producer. */
  produceId: string;
  /** The distributing party, when known (else left empty). */
  propagator?: string;
  propagateId?: string;
  /** The standard's reserved fields (e.g. a producer's/propagator's signature); empty by default. */
  reservedCode1?: string;
  reservedCode2?: string;
}

export interface ClipMetadata {
  title?: string | null;
  comment?: string | null;
  copyright?: string | null;
  /** Tags; written with `keywords` as one comma-separated `keywords` value. */
  tags?: readonly string[];
  /** Comma-separated keywords as one string. */
  keywords?: string | null;
  description?: string | null;
  /** Set for anything the generation engine made: the `AIGC` key plus a note in `comment`. */
  aigc?: AigcMetadata | null;
}

/** The metadata key of the implicit label, spelled as GB 45438-2025 spells it. */
export const AIGC_KEY = 'AIGC';
/** Prepended to `comment` when the content carries the AIGC label. */
export const AIGC_COMMENT = 'AI生成 / AI-generated content (GB 45438-2025 label in the AIGC tag)';
const AIGC_FIELD_MAX = 256;

/** Checks an AIGC label from outside; throws a RenderArgsError naming the field. */
export function validateAigc(a: unknown): AigcMetadata {
  if (typeof a !== 'object' || a === null) throw new RenderArgsError('aigc: expected an object');
  const o = a as Record<string, unknown>;
  const field = (k: keyof AigcMetadata, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) {
      if (required) throw new RenderArgsError(`aigc.${k}: required`);
      return undefined;
    }
    if (typeof v !== 'string') throw new RenderArgsError(`aigc.${k}: expected a string`);
    // Line breaks become spaces: tools that list tags line by line would split the JSON.
    const cleaned = cleanMetadataValue(v, Infinity).replace(/\n/g, ' ');
    if (required && cleaned === '') throw new RenderArgsError(`aigc.${k}: must not be empty`);
    if (Array.from(cleaned).length > AIGC_FIELD_MAX)
      throw new RenderArgsError(`aigc.${k}: longer than ${AIGC_FIELD_MAX} characters`);
    return cleaned;
  };
  const out: AigcMetadata = {
    producer: field('producer', true)!,
    produceId: field('produceId', true)!,
  };
  for (const k of ['propagator', 'propagateId', 'reservedCode1', 'reservedCode2'] as const) {
    const v = field(k, false);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/**
 * The `AIGC` value: JSON with the standard's fields in its order. Label "1" = the content is
 * AI-generated (the standard's 2 and 3, "possibly"/"suspected", are a platform's verdicts).
 */
export function aigcJson(a: AigcMetadata): string {
  const v = validateAigc(a);
  return JSON.stringify({
    Label: '1',
    ContentProducer: v.producer,
    ProduceID: v.produceId,
    ReservedCode1: v.reservedCode1 ?? '',
    ContentPropagator: v.propagator ?? '',
    PropagateID: v.propagateId ?? '',
    ReservedCode2: v.reservedCode2 ?? '',
  });
}

const META_MAX: Record<string, number> = {
  title: 200,
  comment: 1000,
  copyright: 200,
  keywords: 500,
  description: 2000,
};

/** Metadata text for argv: no NUL or other control characters (newlines kept), capped. */
export function cleanMetadataValue(v: string, max: number): string {
  const cleaned = v
    .replace(/\r\n?/g, '\n')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, '')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : cleaned;
}

export function metadataArgs(meta: ClipMetadata): string[] {
  const out: string[] = [];
  const put = (key: string, v: string | null | undefined): void => {
    if (v === null || v === undefined) return;
    const value = cleanMetadataValue(v, META_MAX[key] ?? 500);
    if (value !== '') out.push('-metadata', `${key}=${value}`);
  };
  const aigc = meta.aigc ?? null;
  put('title', meta.title);
  put(
    'comment',
    aigc === null ? meta.comment : meta.comment ? `${AIGC_COMMENT}\n${meta.comment}` : AIGC_COMMENT,
  );
  put('copyright', meta.copyright);
  put('description', meta.description);
  const tags = [
    ...(meta.keywords ?? '').split(','),
    ...(meta.tags ?? []).map((t) => t.replace(/,/g, ' ')),
  ]
    .map((t) => cleanMetadataValue(t, 100))
    .filter((t) => t !== '');
  if (tags.length > 0) put('keywords', [...new Set(tags)].join(','));
  // JSON.stringify already escapes control characters; a value is never cut (it must stay JSON).
  if (aigc !== null) out.push('-metadata', `${AIGC_KEY}=${aigcJson(aigc)}`);
  return out;
}

/**
 * `-movflags` for the final MP4. The mp4 muxer writes only its fixed list of iTunes tags (title,
 * comment, copyright, keywords, description …) and silently drops any other key, so a file with
 * the AIGC label is written with `use_metadata_tags`: every tag, AIGC included, as an `mdta` key
 * (ffprobe and exiftool read them; players that read only the iTunes atoms then miss the title).
 */
export function movflags(meta: ClipMetadata): string {
  return meta.aigc !== undefined && meta.aigc !== null
    ? '+faststart+use_metadata_tags'
    : '+faststart';
}

export interface MuxArgsSpec {
  /** An ffconcat list of the video pieces in order (intro, body pieces, outro). */
  videoList: string;
  audioFile: string;
  metadata: ClipMetadata;
  outFile: string;
  /** Write `-progress` blocks to fd 3. */
  progressFd?: boolean;
}

/** Joins the pieces (`-c copy`), adds the audio, metadata and `+faststart`. */
export function buildMuxArgs(spec: MuxArgsSpec): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-nostats',
    ...(spec.progressFd === true ? ['-progress', 'pipe:3'] : []),
    '-f',
    'concat',
    '-safe',
    '0',
    '-protocol_whitelist',
    'file',
    '-i',
    spec.videoList,
    '-protocol_whitelist',
    'file',
    '-i',
    `file:${spec.audioFile}`,
    '-map',
    '0:v:0',
    '-map',
    '1:a:0',
    '-c',
    'copy',
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    ...metadataArgs(spec.metadata),
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-movflags',
    movflags(spec.metadata),
    '-f',
    'mp4',
    '-y',
    spec.outFile,
  ];
}
