/** Test helpers that make real media with ffmpeg and publish it like OBS would. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const FFMPEG =
  ['/usr/bin/ffmpeg', '/usr/local/bin/ffmpeg'].find((p) => existsSync(p)) ?? null;
export const NO_FFMPEG =
  'ffmpeg is not installed (apt-get install ffmpeg): the ingest integration tests need it';

export function hasProtocol(name: string): boolean {
  if (!FFMPEG) return false;
  const out = execFileSync(FFMPEG, ['-hide_banner', '-protocols'], { encoding: 'utf8' });
  return out.split('\n').some((l) => l.trim() === name);
}

/** An H.264/AAC MP4 with a keyframe every second and a 440 Hz tone (unless audio: false). */
export function makeClip(
  dir: string,
  name: string,
  opts: {
    seconds: number;
    size?: string;
    audio?: boolean;
    rate?: number;
    codec?: string;
    ext?: string;
  } = { seconds: 4 },
): string {
  if (!FFMPEG) throw new Error(NO_FFMPEG);
  const rate = opts.rate ?? 25;
  const file = join(dir, `${name}.${opts.ext ?? 'mp4'}`);
  const video = opts.codec ?? 'libx264';
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${opts.size ?? '320x240'}:rate=${rate}`,
  ];
  if (opts.audio !== false) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000');
  args.push('-t', String(opts.seconds), '-c:v', video, '-g', String(rate), '-pix_fmt', 'yuv420p');
  if (video === 'libx264') args.push('-preset', 'ultrafast');
  if (opts.audio !== false) args.push('-c:a', opts.ext === 'webm' ? 'libopus' : 'aac');
  args.push('-y', file);
  execFileSync(FFMPEG, args);
  return file;
}

/** Publishes a file (stream copy, paced as live) to an RTMP or SRT URL, like OBS. */
export function publish(file: string, url: string, opts: { loop?: boolean } = {}): ChildProcess {
  if (!FFMPEG) throw new Error(NO_FFMPEG);
  const srt = url.startsWith('srt:');
  return spawn(
    FFMPEG,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      ...(opts.loop ? ['-stream_loop', '-1'] : []),
      '-i',
      file,
      '-c',
      'copy',
      '-f',
      srt ? 'mpegts' : 'flv',
      url,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGKILL');
  await done;
}
