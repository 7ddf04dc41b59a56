/** Folder export: files and sidecar, idempotence, a full disk, and the partial file's removal. */
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPermanentError } from '../jobs/types';
import { cleanupFolderExport, exportToFolder, sha256File } from './folder';

let dir: string;
let clip: string;
let cover: string;
let clipBytes: Buffer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-folder-'));
  clipBytes = randomBytes(3 * 1024 * 1024 + 17);
  clip = join(dir, 'render.mp4');
  writeFileSync(clip, clipBytes);
  cover = join(dir, 'cover.jpg');
  writeFileSync(cover, randomBytes(20_000));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('exportToFolder', () => {
  it('copies the clip and cover and writes the sidecar, then leaves an identical export alone', async () => {
    const out = join(dir, 'out1', 'nested');
    const progress: number[] = [];
    const meta = { title: '全场五折', tags: ['sale'], aiGenerated: true };
    const r = await exportToFolder({
      dir: out,
      clipId: 'sess1-h3',
      file: clip,
      cover,
      sidecar: meta,
      onProgress: (n) => progress.push(n),
    });
    expect(r).toMatchObject({
      copied: true,
      bytes: clipBytes.length,
      file: join(out, 'sess1-h3.mp4'),
    });
    expect(readFileSync(r.file).equals(clipBytes)).toBe(true);
    expect(readFileSync(join(out, 'sess1-h3.jpg')).equals(readFileSync(cover))).toBe(true);
    const sidecar = JSON.parse(readFileSync(join(out, 'sess1-h3.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(sidecar).toMatchObject({
      ...meta,
      media: {
        file: 'sess1-h3.mp4',
        bytes: clipBytes.length,
        sha256: await sha256File(clip),
        cover: 'sess1-h3.jpg',
      },
    });
    expect(progress.at(-1)).toBe(clipBytes.length);
    expect(readdirSync(out).some((f) => f.endsWith('.part'))).toBe(false);

    const mtime = statSync(r.file).mtimeMs;
    const again = await exportToFolder({
      dir: out,
      clipId: 'sess1-h3',
      file: clip,
      cover,
      sidecar: meta,
    });
    expect(again.copied).toBe(false);
    expect(statSync(r.file).mtimeMs).toBe(mtime);
  });

  it('replaces a different file of the same name', async () => {
    const out = join(dir, 'out2');
    await exportToFolder({ dir: out, clipId: 'c', file: cover, cover: null, sidecar: {} });
    const r = await exportToFolder({ dir: out, clipId: 'c', file: clip, cover: null, sidecar: {} });
    expect(r.copied).toBe(true);
    expect(readFileSync(join(out, 'c.mp4')).equals(clipBytes)).toBe(true);
  });

  it('a full disk is a clear permanent error and the partial file is removed', async () => {
    const out = join(dir, 'out3');
    let partPath = '';
    const err = await exportToFolder({
      dir: out,
      clipId: 'full',
      file: clip,
      cover: null,
      sidecar: {},
      // The real file, failing like a full disk after its first megabyte.
      openPart: (p) => {
        partPath = p;
        const ws = createWriteStream(p, { flags: 'wx' });
        let written = 0;
        const write = ws._write.bind(ws);
        ws._write = (chunk: Buffer, enc, cb) => {
          written += chunk.length;
          if (written > 1024 * 1024)
            return cb(
              Object.assign(new Error('ENOSPC: no space left on device, write'), {
                code: 'ENOSPC',
              }),
            );
          write(chunk, enc, cb);
        };
        return ws;
      },
    }).then(
      () => new Error('the export succeeded'),
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isPermanentError(err)).toBe(true);
    expect(err.message).toMatch(
      /cannot copy .*render\.mp4 to .*full\.mp4: the disk is full \(ENOSPC\); the partial file was removed — free some space and retry/,
    );
    expect(partPath).toMatch(/full\.mp4\.part$/);
    expect(existsSync(partPath)).toBe(false);
    expect(existsSync(join(out, 'full.mp4'))).toBe(false);
  });

  it('refuses a clip id that is not a plain file name', async () => {
    for (const clipId of ['../escape', 'a/b', '.hidden', ''])
      await expect(
        exportToFolder({ dir, clipId, file: clip, cover: null, sidecar: {} }),
      ).rejects.toThrow(/cannot be used as a file name/);
  });

  it('cleanup removes leftover .part files only', async () => {
    const out = join(dir, 'out4');
    await exportToFolder({ dir: out, clipId: 'x', file: clip, cover: null, sidecar: {} });
    writeFileSync(join(out, 'x.mp4.part'), 'partial');
    writeFileSync(join(out, 'x.json.part'), 'partial');
    await cleanupFolderExport(out, 'x');
    expect(readdirSync(out).sort()).toEqual(['x.json', 'x.mp4']);
  });
});
