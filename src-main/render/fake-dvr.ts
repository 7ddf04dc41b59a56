/**
 * A session DVR made with ffmpeg, laid out like the live ingest's (for tests and benchmarks): each
 * run is one ffmpeg writing 1 s keyframe-aligned MPEG-TS segments `dvr/rNNN-NNNNNN.ts` with the
 * segment muxer (`-reset_timestamps 0`, so a run keeps its own timestamps and a new run restarts
 * them), and rows like the store's index: media_start on one clock across runs.
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseSegmentCsvLine } from '../ingest/args';
import { runToCompletion } from '../ffmpeg/run';
import type { DvrSegment } from './clip-render';

export interface FakeRun {
  seconds: number;
  /** Default 640x360. */
  size?: string;
  /** Default 30. */
  rate?: number;
  /** Default true: a 440 Hz tone (880 Hz in even runs). */
  audio?: boolean;
  /** x264 preset of the source; default ultrafast. */
  preset?: string;
  /** Run-relative seconds where one white frame flashes and a 1 kHz beep starts (0.1 s) in
   * silence — for A/V sync checks; replaces the tone. */
  marks?: readonly number[];
  /** Source bitrate, e.g. '6M'; default crf 23. */
  bitrate?: string;
  /** B-frames in the source; default 0. */
  bframes?: number;
  /** The lavfi test picture; default testsrc2. testsrc has large static shapes away from the
   * centre (colour bars, a horizontal band) that a zoom visibly moves outwards. */
  pattern?: 'testsrc2' | 'testsrc';
}

export interface FakeDvr {
  sessionDir: string;
  rows: DvrSegment[];
  /** Media-clock end of the last segment. */
  end: number;
}

export async function makeFakeDvr(
  ffmpeg: string,
  sessionDir: string,
  runs: readonly FakeRun[],
): Promise<FakeDvr> {
  const dvr = path.join(sessionDir, 'dvr');
  mkdirSync(dvr, { recursive: true });
  const rows: DvrSegment[] = [];
  let offset = 0;
  let seq = 1;
  for (const [i, run] of runs.entries()) {
    const tag = `r${String(i + 1).padStart(3, '0')}`;
    const rate = run.rate ?? 30;
    const audio = run.audio !== false;
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      `${run.pattern ?? 'testsrc2'}=size=${run.size ?? '640x360'}:rate=${rate}` +
        flashes(run.marks ?? [], rate),
    ];
    if (audio) {
      args.push(
        '-f',
        'lavfi',
        '-i',
        run.marks
          ? beeps(run.marks)
          : `sine=frequency=${i % 2 === 0 ? 440 : 880}:sample_rate=48000`,
      );
    }
    args.push(
      '-t',
      String(run.seconds),
      '-c:v',
      'libx264',
      '-preset',
      run.preset ?? 'ultrafast',
      ...(run.bitrate !== undefined ? ['-b:v', run.bitrate] : ['-crf', '23']),
      '-bf',
      String(run.bframes ?? 0),
      '-g',
      String(rate),
      '-keyint_min',
      String(rate),
      '-sc_threshold',
      '0',
      '-pix_fmt',
      'yuv420p',
    );
    if (audio) args.push('-c:a', 'aac', '-b:a', '128k');
    args.push(
      '-f',
      'segment',
      '-segment_time',
      '1',
      '-segment_format',
      'mpegts',
      '-segment_list',
      'pipe:1',
      '-segment_list_type',
      'csv',
      '-reset_timestamps',
      '0',
      path.join(dvr, `${tag}-%06d.ts`),
    );
    const { exit, stdout } = await runToCompletion({ bin: ffmpeg, args, timeoutMs: 300_000 });
    if (exit.code !== 0) throw new Error(`making the fake DVR failed: ${exit.stderrTail}`);
    let firstStart: number | null = null;
    let runEnd = offset;
    for (const line of stdout.toString('utf8').split('\n')) {
      const e = parseSegmentCsvLine(line);
      if (e === null) continue;
      firstStart ??= e.start;
      const file = `dvr/${e.file.split(/[\\/]/).pop()}`;
      const mediaStart = round3(offset + (e.start - firstStart));
      const duration = round3(e.end - e.start);
      statSync(path.join(sessionDir, file));
      rows.push({ seq: seq++, run: i + 1, file, media_start: mediaStart, duration });
      runEnd = round3(mediaStart + duration);
    }
    offset = runEnd;
  }
  return { sessionDir, rows, end: offset };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function flashes(marks: readonly number[], rate: number): string {
  return marks
    .map(
      (t) =>
        `,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable=between(t\\,${t}\\,${t + 0.5 / rate})`,
    )
    .join('');
}

function beeps(marks: readonly number[]): string {
  const on = marks.map((t) => `between(t\\,${t}\\,${t + 0.1})`).join('+');
  return `aevalsrc=if(${on}\\,0.5*sin(2*PI*1000*t)\\,0):s=48000`;
}
