import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { type FakeDvr, makeFakeDvr } from './fake-dvr';
import { inspectTs, TS_PACKET, TsError } from './ts-inspect';

describe('inspectTs on bad input', () => {
  it.each<[string, Uint8Array, string]>([
    ['empty', new Uint8Array(0), 'empty'],
    ['not whole packets', new Uint8Array(TS_PACKET + 5).fill(0x47), 'truncated'],
    ['no sync byte', new Uint8Array(TS_PACKET * 3), 'lost sync at packet 0'],
    [
      'sync but no tables',
      new Uint8Array(TS_PACKET * 2).map((_, i) => (i % TS_PACKET === 0 ? 0x47 : 0x1f)),
      'no program table',
    ],
  ])('%s', (_n, buf, msg) => {
    expect(() => inspectTs(buf)).toThrow(TsError);
    expect(() => inspectTs(buf)).toThrow(msg);
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('inspectTs on DVR segments', () => {
  let root: string;
  let dvr: FakeDvr;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'liveslice-ts-'));
    dvr = await makeFakeDvr(FFMPEG!, path.join(root, 's'), [
      { seconds: 3 },
      { seconds: 2, audio: false },
    ]);
  }, 60_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds streams, first PTS and keyframes; a run restarts its timestamps', () => {
    const infos = dvr.rows.map((r) => inspectTs(readFileSync(path.join(dvr.sessionDir, r.file))));
    for (const i of infos) {
      expect(i.video).toMatchObject({ codec: 'h264', startsWithKeyframe: true, frames: 30 });
      expect(i.video!.lastPts - i.video!.firstPts).toBeCloseTo(29 / 30, 2);
    }
    const run1 = infos.slice(0, 3);
    const run2 = infos.slice(3);
    expect(run1.every((i) => i.audio?.codec === 'aac')).toBe(true);
    expect(run2.every((i) => i.audio === null)).toBe(true);
    // One run: consecutive segments one second apart; the next run starts over.
    expect(run1[1]!.video!.firstPts - run1[0]!.video!.firstPts).toBeCloseTo(1, 2);
    expect(run2[0]!.video!.firstPts).toBeLessThan(run1[2]!.video!.firstPts);
  });

  it('a flipped byte in a packet header is found', () => {
    const buf = readFileSync(path.join(dvr.sessionDir, dvr.rows[0]!.file));
    buf[TS_PACKET * 40] = 0x00;
    expect(() => inspectTs(buf)).toThrow('lost sync at packet 40');
  });
});
