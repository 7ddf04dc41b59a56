/**
 * ffmpeg argument lists for templates. Pure: every number in a filter graph comes from validated
 * template fields, colours are checked hex, and no user text or path ever enters a graph (files are
 * `-i` arguments; the .ass file is a fixed relative name inside the work folder ffmpeg runs in).
 */
import { ffconcatList } from '../args';
import { AUDIO, FPS, VIDEO_TIMESCALE, x264Args } from '../encode';
import type { BuiltinAsset, ImageSlot } from './schema';

/** A local file as an input: the `file:` protocol only, so no path can name another protocol. */
function fileInput(file: string): string[] {
  return ['-protocol_whitelist', 'file', '-i', `file:${file}`];
}

/** A still image as an input: no `%d` sequence patterns, whatever the file is called. */
function imageInput(file: string, opts: string[] = []): string[] {
  return ['-f', 'image2', '-pattern_type', 'none', ...opts, ...fileInput(file)];
}

/** An output file by the `file:` protocol (a name with a colon is still a file). */
const fileOutput = (file: string): string => `file:${file}`;

/** Extra source length so a piece never comes up a frame short (the output is cut with -t). */
const PAD_S = 0.5;

const GLOBAL = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];

/** The name (relative to ffmpeg's cwd) of the subtitle file a card run reads. */
export const CARD_ASS = 'card.ass';
const SAFE_REL_NAME = /^[A-Za-z0-9_.-]+$/;

function assFilter(name: string): string {
  if (!SAFE_REL_NAME.test(name)) throw new RangeError(`unsafe subtitle file name: ${name}`);
  return `ass=filename=${name}`;
}

function hexColour(c: string): string {
  if (!/^#[0-9a-fA-F]{6}$/.test(c)) throw new RangeError(`not a #rrggbb colour: ${c}`);
  return `0x${c.slice(1)}`;
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return String(Math.round(n * 1000) / 1000);
}

function int(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
  return String(Math.round(n));
}

/** Audio encode arguments shared by every piece. */
export function audioArgs(): string[] {
  return [
    '-c:a',
    AUDIO.codec,
    '-b:a',
    AUDIO.bitrate,
    '-ar',
    String(AUDIO.rate),
    '-ac',
    String(AUDIO.channels),
  ];
}

/** Draws a built-in asset (a small RGBA PNG) with lavfi: no image files in the repo. */
export function builtinAssetArgs(name: BuiltinAsset, out: string): string[] {
  switch (name) {
    case 'liveslice-mark': {
      // A play triangle in a filled circle, drawn at 2× and scaled down for smooth edges.
      const tri = 'gte(X,124)*lte(abs(Y-160),(236-X)*64/112)';
      const disc = 'lte(hypot(X-160,Y-160),152)';
      const ch = (inside: number): string => `if(${tri},255,if(${disc},${inside},0))`;
      const graph =
        `color=c=black@0:s=320x320:r=1:d=1,format=rgba,` +
        `geq=r='${ch(255)}':g='${ch(59)}':b='${ch(92)}':a='if(${disc},255,0)',` +
        `scale=160:160:flags=area`;
      return [
        ...GLOBAL,
        '-f',
        'lavfi',
        '-i',
        graph,
        '-frames:v',
        '1',
        '-c:v',
        'png',
        '-f',
        'image2pipe',
        fileOutput(out),
      ];
    }
  }
}

export interface BaseCardArgs {
  width: number;
  height: number;
  durationS: number;
  background: { color: string } | { imageFile: string };
  /** Brand logo, drawn centred with its top at `logoY` and `logoHeight` tall. */
  logo: { file: string; y: number; height: number } | null;
  /** The brand line's .ass (relative to the cwd), or null when there is no brand text. */
  ass: string | null;
  music: { file: string; volume: number } | null;
  threads: number;
  /** Output file (MP4, written as given; the caller renames it into place). */
  out: string;
}

/**
 * The static base of a card: background, brand logo and line, and audio (music or silence). Video
 * is lossless (an intermediate: composing re-encodes it with the shared params); audio is already
 * encoded with the shared AUDIO params so composing copies it.
 */
export function baseCardArgs(o: BaseCardArgs): string[] {
  const W = int(o.width);
  const H = int(o.height);
  const D = num(o.durationS);
  // Video sources run a little longer and the output is cut with -t: the fps filter may drop a
  // source's last frame at EOF, which would leave the piece a frame short.
  const Dsrc = num(o.durationS + PAD_S);
  const args = [...GLOBAL, '-threads', String(o.threads)];
  const chains: string[] = [];
  let idx = 0;
  if ('color' in o.background) {
    args.push(
      '-f',
      'lavfi',
      '-i',
      `color=c=${hexColour(o.background.color)}:s=${W}x${H}:r=${FPS}:d=${Dsrc}`,
    );
    chains.push(`[${idx}:v]format=yuv420p,setsar=1[bg]`);
  } else {
    args.push(
      ...imageInput(o.background.imageFile, ['-loop', '1', '-framerate', String(FPS), '-t', Dsrc]),
    );
    chains.push(
      `[${idx}:v]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H},setsar=1,format=yuv420p[bg]`,
    );
  }
  idx++;
  let last = 'bg';
  if (o.logo !== null) {
    args.push(...imageInput(o.logo.file));
    chains.push(`[${idx}:v]scale=-2:${int(o.logo.height)},format=rgba[logo]`);
    chains.push(
      `[${last}][logo]overlay=x=(main_w-overlay_w)/2:y=${int(o.logo.y)}:eof_action=repeat[withlogo]`,
    );
    last = 'withlogo';
    idx++;
  }
  const tail = [...(o.ass === null ? [] : [assFilter(o.ass)]), `fps=${FPS}`, 'format=yuv420p'];
  chains.push(`[${last}]${tail.join(',')}[v]`);
  let audioMap: string;
  if (o.music !== null) {
    args.push(...fileInput(o.music.file));
    const fadeStart = Math.max(0, o.durationS - 0.5);
    chains.push(
      `[${idx}:a]aresample=${AUDIO.rate},aformat=sample_fmts=fltp:channel_layouts=stereo,` +
        `volume=${num(o.music.volume)},apad,atrim=0:${D},afade=t=out:st=${num(fadeStart)}:d=0.5[a]`,
    );
    audioMap = '[a]';
  } else {
    args.push('-f', 'lavfi', '-t', D, '-i', `anullsrc=r=${AUDIO.rate}:cl=stereo`);
    audioMap = `${idx}:a`;
  }
  args.push(
    '-filter_complex',
    chains.join(';'),
    '-filter_threads',
    String(o.threads),
    '-map',
    '[v]',
    '-map',
    audioMap,
    '-t',
    D,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-qp',
    '0',
    '-pix_fmt',
    'yuv420p',
    '-threads',
    String(o.threads),
    ...audioArgs(),
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-f',
    'mp4',
    fileOutput(o.out),
  );
  return args;
}

export interface ComposeCardArgs {
  base: string;
  durationS: number;
  /** The product image fitted (aspect kept) and centred in the slot. */
  productImage: { file: string; slot: ImageSlot } | null;
  /** The product text .ass (relative to the cwd), or null when there is no text. */
  ass: string | null;
  threads: number;
  out: string;
}

/** Product image + text over a cached base, encoded with the SHARED params (concat-copy safe). */
export function composeCardArgs(o: ComposeCardArgs): string[] {
  const args = [...GLOBAL, '-threads', String(o.threads), ...fileInput(o.base)];
  const chains: string[] = [];
  let last = '0:v';
  if (o.productImage !== null) {
    const s = o.productImage.slot;
    args.push(...imageInput(o.productImage.file));
    chains.push(
      `[1:v]scale=${int(s.w)}:${int(s.h)}:force_original_aspect_ratio=decrease,setsar=1,format=rgba[p]`,
    );
    chains.push(
      `[0:v][p]overlay=x=${int(s.x)}+(${int(s.w)}-overlay_w)/2:y=${int(s.y)}+(${int(s.h)}-overlay_h)/2:eof_action=repeat[withp]`,
    );
    last = 'withp';
  }
  // The base's last frame is cloned a little past the end so the fps filter cannot come up a
  // frame short; -t cuts the output at the card's duration.
  const tail = [
    `tpad=stop_mode=clone:stop_duration=${num(PAD_S)}`,
    ...(o.ass === null ? [] : [assFilter(o.ass)]),
    `fps=${FPS}`,
    'format=yuv420p',
  ];
  chains.push(`[${last}]${tail.join(',')}[v]`);
  args.push(
    '-filter_complex',
    chains.join(';'),
    '-filter_threads',
    String(o.threads),
    '-map',
    '[v]',
    '-map',
    '0:a',
    '-t',
    num(o.durationS),
    ...x264Args(o.threads),
    '-c:a',
    'copy',
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-f',
    'mp4',
    fileOutput(o.out),
  );
  return args;
}

/** The ffconcat list of the pieces (quoted by the render's rules; `file:` so no path is a protocol). */
export function concatList(files: readonly string[]): string {
  return ffconcatList(files.map((f) => `file:${f}`));
}

/** Joins pieces with stream copy; metadata comes from `metadataFrom` (the body). */
export function concatArgs(o: { list: string; metadataFrom: string; out: string }): string[] {
  return [
    ...GLOBAL,
    '-f',
    'concat',
    '-safe',
    '0',
    ...fileInput(o.list),
    ...fileInput(o.metadataFrom),
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-map_metadata',
    '1',
    '-c',
    'copy',
    '-video_track_timescale',
    String(VIDEO_TIMESCALE),
    '-movflags',
    '+faststart',
    '-f',
    'mp4',
    fileOutput(o.out),
  ];
}
