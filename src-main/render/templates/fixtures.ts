/** Media for the template tests and the compose bench, made with ffmpeg (nothing binary in git). */
import {
  AUDIO,
  FPS,
  OUTPUT_PRESETS,
  type OutputPreset,
  VIDEO_TIMESCALE,
  x264Args,
} from '../encode';
import { audioArgs } from './args';
import { runFfmpeg } from './exec';

/** A clip body like the render makes: test pattern + tone, shared encode params, MP4. */
export async function makeBody(
  ffmpeg: string,
  out: string,
  opts: { seconds: number; output?: OutputPreset; threads?: number; title?: string },
): Promise<void> {
  const { width, height } = OUTPUT_PRESETS[opts.output ?? '720x1280'];
  await runFfmpeg(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${width}x${height}:rate=${FPS}`,
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:sample_rate=${AUDIO.rate}`,
      '-t',
      String(opts.seconds),
      '-vf',
      `fps=${FPS},format=yuv420p`,
      ...x264Args(opts.threads ?? 2),
      ...audioArgs(),
      '-video_track_timescale',
      String(VIDEO_TIMESCALE),
      '-metadata',
      `title=${opts.title ?? 'body'}`,
      out,
    ],
    { what: 'make a test clip body' },
  );
}

/** A product photo stand-in: a square test pattern image (PNG or JPEG by extension). */
export async function makeProductImage(ffmpeg: string, out: string, size = 800): Promise<void> {
  await runFfmpeg(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${size}x${size}:rate=1`,
      '-frames:v',
      '1',
      out,
    ],
    { what: 'make a test product image' },
  );
}
