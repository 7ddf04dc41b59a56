import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG } from '../../testing/media';
import { missing } from '../../testing/skip';
import { composeClip, ConcatMismatchError, concatMismatches, type PieceStream } from './concat';
import { makeBody } from './fixtures';

const V: PieceStream = {
  codec_type: 'video',
  codec_name: 'h264',
  profile: 'High',
  width: 720,
  height: 1280,
  pix_fmt: 'yuv420p',
  r_frame_rate: '30/1',
  time_base: '1/15360',
};
const A: PieceStream = {
  codec_type: 'audio',
  codec_name: 'aac',
  profile: 'LC',
  sample_rate: '48000',
  channels: 2,
};

describe('concatMismatches', () => {
  const cases: Array<[string, PieceStream[], string[]]> = [
    ['identical', [V, A], []],
    ['another size', [{ ...V, width: 1080, height: 1920 }, A], ['video width', 'video height']],
    ['another frame rate', [{ ...V, r_frame_rate: '25/1' }, A], ['video r_frame_rate']],
    ['another timescale', [{ ...V, time_base: '1/90000' }, A], ['video time_base']],
    ['another profile', [{ ...V, profile: 'High 4:4:4 Predictive' }, A], ['video profile']],
    ['mono audio', [V, { ...A, channels: 1 }], ['audio channels']],
    ['no audio', [V], ['audio stream']],
  ];
  it.each(cases)('%s', (_name, streams, expected) => {
    const found = concatMismatches([
      { name: 'body', streams: [V, A] },
      { name: 'intro', streams },
    ]);
    expect(found).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(found[i]).toContain(e);
      expect(found[i]).toContain('intro');
    });
  });
});

const FFPROBE = FFMPEG === null ? null : path.join(path.dirname(FFMPEG), 'ffprobe');
const SKIP = missing(
  FFMPEG === null
    ? 'ffmpeg is not installed (apt-get install ffmpeg): the composeClip tests need it'
    : FFPROBE === null || !fs.existsSync(FFPROBE)
      ? `ffprobe is not installed beside ${FFMPEG}`
      : null,
);

describe.skipIf(SKIP)('composeClip with ffmpeg', () => {
  let tmp = '';
  let body = '';
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-concat-'));
    body = path.join(tmp, 'body.mp4');
    await makeBody(FFMPEG!, body, { seconds: 1, threads: 1 });
  }, 60_000);
  afterAll(() => {
    if (tmp !== '') fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses pieces that cannot be joined by stream copy, naming the piece and field', async () => {
    const big = path.join(tmp, 'big.mp4');
    await makeBody(FFMPEG!, big, { seconds: 1, threads: 1, output: '1080x1920' });
    const out = path.join(tmp, 'out.mp4');
    const err = await composeClip({ ffmpeg: FFMPEG!, body, intro: big, outro: null, out }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConcatMismatchError);
    expect((err as Error).message).toMatch(/video width: intro \(big\.mp4\) has 1080, body/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.existsSync(`${out}.part`)).toBe(false);
  }, 60_000);

  it('names a missing piece', async () => {
    const gone = path.join(tmp, 'gone.mp4');
    await expect(
      composeClip({
        ffmpeg: FFMPEG!,
        body,
        intro: null,
        outro: gone,
        out: path.join(tmp, 'o.mp4'),
      }),
    ).rejects.toThrow(`The clip outro ${gone} does not exist`);
  });

  it('a body alone is copied with faststart', async () => {
    const out = path.join(tmp, 'alone.mp4');
    const r = await composeClip({ ffmpeg: FFMPEG!, body, intro: null, outro: null, out });
    expect(r.pieces).toEqual([body]);
    const frames = execFileSync(
      FFPROBE!,
      [
        '-v',
        'error',
        '-count_frames',
        '-select_streams',
        'v',
        '-show_entries',
        'stream=nb_read_frames',
        '-of',
        'csv=p=0',
        out,
      ],
      { encoding: 'utf8' },
    ).trim();
    expect(frames).toBe('30');
  });
});
