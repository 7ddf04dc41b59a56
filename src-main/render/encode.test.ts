import { spawn } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import {
  encoderWorks,
  GOP,
  hwCandidates,
  hwEncoder,
  lowerPriority,
  probeEncoders,
  RENDER_NICE,
  RENDER_THREADS,
  softwareEncoder,
  x264Args,
} from './encode';

function after(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i === -1 ? undefined : args[i + 1];
}

describe('encode parameters', () => {
  it.each([
    [1, '1'],
    [2, '2'],
    [2.7, '2'],
    [0, '1'],
  ])('x264Args(%s) uses %s threads', (n, want) => {
    const a = x264Args(n);
    expect(after(a, '-threads')).toBe(want);
    expect(after(a, '-c:v')).toBe('libx264');
    expect(after(a, '-pix_fmt')).toBe('yuv420p');
    expect(after(a, '-g')).toBe(String(GOP));
    // Pieces join with -c copy: parameter sets in-band, closed GOPs, fixed keyframe interval.
    expect(after(a, '-x264-params')).toContain('repeat-headers=1');
    expect(after(a, '-x264-params')).toContain('open-gop=0');
  });

  it.each(['h264_nvenc', 'h264_qsv', 'h264_vaapi', 'h264_videotoolbox'] as const)(
    '%s carries its parameter sets in-band',
    (name) => {
      const e = hwEncoder(name);
      expect(e.hw).toBe(true);
      expect(after(e.args, '-c:v')).toBe(name);
      expect(after(e.args, '-bsf:v')).toBe('dump_extra=freq=keyframe');
      expect(after(e.args, '-g')).toBe(String(GOP));
    },
  );

  it('hardware candidates per platform', () => {
    expect(hwCandidates('darwin')).toEqual(['h264_videotoolbox']);
    expect(hwCandidates('win32')).toEqual(['h264_nvenc', 'h264_qsv']);
    expect(hwCandidates('linux').slice(0, 2)).toEqual(['h264_nvenc', 'h264_qsv']);
  });

  it('threads are bounded', () => {
    expect(RENDER_THREADS).toBeGreaterThanOrEqual(1);
    expect(RENDER_THREADS).toBeLessThanOrEqual(2);
    expect(softwareEncoder().args).toContain(String(RENDER_THREADS));
  });
});

describe('lowerPriority', () => {
  it.skipIf(
    missing(
      process.platform === 'win32' && 'os.getPriority on Windows reports classes, not nice values',
    ),
  )('puts a child below normal priority', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)'], {
      stdio: 'ignore',
    });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      expect(os.getPriority(child.pid!)).toBe(0);
      lowerPriority(child.pid!);
      expect(os.getPriority(child.pid!)).toBe(RENDER_NICE);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('ignores a process that is gone', () => {
    expect(() => lowerPriority(2 ** 30)).not.toThrow();
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('probeEncoders (real ffmpeg)', () => {
  it('lists working encoders, libx264 last and always', async () => {
    const list = await probeEncoders(FFMPEG!);
    expect(list.at(-1)!.name).toBe('libx264');
    expect(list.filter((e) => e.name === 'libx264')).toHaveLength(1);
    for (const e of list) expect(await encoderWorks(FFMPEG!, e)).toBe(true);
  }, 60_000);

  it('a missing ffmpeg still yields libx264 (the render then reports the real error)', async () => {
    const list = await probeEncoders('/nonexistent/ffmpeg');
    expect(list.map((e) => e.name)).toEqual(['libx264']);
  });

  it('an encoder that cannot run fails the test encode', async () => {
    expect(
      await encoderWorks(FFMPEG!, {
        name: 'libx264',
        hw: false,
        args: ['-c:v', 'no_such_encoder'],
      }),
    ).toBe(false);
  });
});
