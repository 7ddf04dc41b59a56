/**
 * `liveslice generate` with the tiny model: the JSON line's facts match the file ffprobe reads,
 * bad arguments exit 2 (wrong frame counts name the nearest valid ones), a missing or corrupt
 * model exits 4.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { GENERATE_EXIT, nearestFrames, runGenerate } from './generate';

const TINY = join(__dirname, '..', '..', 'models', 'tiny-t2v');
let dir: string;

async function cli(argv: string[]): Promise<{ code: number; said: string[]; out: string[] }> {
  const said: string[] = [];
  const out: string[] = [];
  const env = { ...process.env, ...(FFMPEG ? { LIVESLICE_FFMPEG: FFMPEG } : {}) };
  const code = await runGenerate(argv, (l) => said.push(l), { out: (l) => out.push(l), env });
  return { code, said, out };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-cli-gen-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('arguments', () => {
  it.each([
    [['--prompt', 'x', '--out', 'a.mp4'], /--model is required/],
    [['--model', TINY, '--out', 'a.mp4'], /--prompt is required/],
    [['--model', TINY, '--prompt', 'x'], /--out is required/],
    [['--model', TINY, '--prompt', 'x', '--out', 'a.mov'], /\.mp4/],
    [
      ['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--frames', '10'],
      /--frames 10 is not 4k\+1: use 9 or 13/,
    ],
    [['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--frames', 'ten'], /whole number/],
    [['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--size', '64*48'], /WIDTHxHEIGHT/],
    [['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--size', '70x48'], /multiple of 16/],
    [
      ['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--provider', 'gpu'],
      /--provider must be one of/,
    ],
    [['--model', TINY, '--prompt', 'x', '--out', 'a.mp4', '--bogus'], /bogus/],
  ])('%j → exit 2', async (argv, why) => {
    const r = await cli(argv);
    expect(r.code).toBe(GENERATE_EXIT.badArgs);
    expect(r.said.join('\n')).toMatch(why);
    expect(r.out).toEqual([]);
  });

  it('nearest valid frame counts', () => {
    expect(nearestFrames(10, 4)).toEqual([9, 13]);
    expect(nearestFrames(80, 4)).toEqual([77, 81]);
    expect(nearestFrames(0, 4)).toEqual([1]);
  });

  it('a missing or corrupt model exits 4, naming the bad file', async () => {
    const none = await cli([
      '--model',
      join(dir, 'nothing'),
      '--prompt',
      'x',
      '--out',
      join(dir, 'a.mp4'),
    ]);
    expect(none.code).toBe(GENERATE_EXIT.model);
    const bad = join(dir, 'corrupt');
    cpSync(TINY, bad, { recursive: true });
    const f = join(bad, 'text_encoder.onnx');
    const bytes = readFileSync(f);
    bytes[200] = bytes[200]! ^ 0x10;
    writeFileSync(f, bytes);
    const r = await cli(['--model', bad, '--prompt', 'x', '--out', join(dir, 'b.mp4')]);
    expect(r.code).toBe(GENERATE_EXIT.model);
    expect(r.said.join('\n')).toMatch(/text_encoder\.onnx/);
    expect(existsSync(join(dir, 'b.mp4'))).toBe(false);
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('generating (real ffmpeg)', () => {
  it('writes the video and prints its facts as one JSON line', async () => {
    const out = join(dir, 'gen', 'clip.mp4');
    const r = await cli([
      ...['--model', join(TINY, 'manifest.json'), '--prompt', '海边日落 sunset'],
      ...['--out', out, '--frames', '21', '--size', '80x48', '--steps', '4', '--seed', '99'],
    ]);
    expect(r.code, r.said.join('\n')).toBe(0);
    expect(r.out).toHaveLength(1);
    const facts = JSON.parse(r.out[0]!) as Record<string, unknown>;
    expect(facts).toMatchObject({
      output: out,
      model: 'tiny-t2v',
      frames: 21,
      size: '80x48',
      fps: 16,
      steps: 4,
      seed: 99,
      provider: 'cpu',
    });
    expect(facts['providerReason']).toMatch(/^cpu/);
    const timings = facts['timingsMs'] as Record<string, number>;
    for (const k of ['load', 'encodeText', 'denoise', 'decode', 'encode', 'label'])
      expect(timings[k], k).toBeGreaterThan(0);
    const probe = execFileSync(join(FFMPEG!, '..', 'ffprobe'), [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries'],
      ...['stream=nb_read_frames,width,height,avg_frame_rate', '-of', 'csv=p=0', out],
    ])
      .toString()
      .trim();
    expect(probe).toBe('80,48,16/1,21');
  }, 60_000);
});
