/**
 * Folder export: `<dir>/<clipId>.mp4` (and `<clipId>.jpg` for a cover) plus a `<clipId>.json`
 * sidecar with the clip's metadata. Each file is written as `.part` and renamed, so a reader of
 * the folder (a watch-folder uploader, an editor) never sees half a file; an export already there
 * with the same size and SHA-256 is left as is (no second copy).
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PermanentJobError } from '../jobs/types';

/** Clip ids become file names: a conservative set, never a path. */
export const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export interface FolderExportInput {
  dir: string;
  clipId: string;
  /** The rendered clip (absolute path). */
  file: string;
  cover: string | null;
  /** Written as <clipId>.json, with a `media` block added (see withMedia). */
  sidecar: Record<string, unknown>;
  signal?: AbortSignal | undefined;
  onProgress?: ((copied: number, total: number) => void) | undefined;
  /** Tests: how the `.part` files are opened (default fs.createWriteStream, exclusive). */
  openPart?: ((path: string) => WriteStream) | undefined;
}

export interface FolderExportResult {
  file: string;
  cover: string | null;
  sidecar: string;
  bytes: number;
  sha256: string;
  /** false when the same file was already there. */
  copied: boolean;
}

export function exportPaths(dir: string, clipId: string) {
  if (!SAFE_NAME.test(clipId))
    throw new PermanentJobError(`clip id "${clipId}" cannot be used as a file name`);
  return {
    file: join(dir, `${clipId}.mp4`),
    cover: join(dir, `${clipId}.jpg`),
    sidecar: join(dir, `${clipId}.json`),
  };
}

/** The sidecar document: the clip's metadata plus where its media is (names relative to the sidecar). */
export function withMedia(
  metadata: Record<string, unknown>,
  media: { file: string; bytes: number; sha256: string; cover: string | null },
): Record<string, unknown> {
  return { ...metadata, media: { ...media, contentType: 'video/mp4' } };
}

export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash, { signal });
  return hash.digest('hex');
}

export async function exportToFolder(input: FolderExportInput): Promise<FolderExportResult> {
  const { dir, clipId, signal } = input;
  const paths = exportPaths(dir, clipId);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw fsError(err, `cannot create the export folder ${dir}`);
  }
  const video = await copyIfChanged(input.file, paths.file, input, input.onProgress);
  let cover: string | null = null;
  if (input.cover) {
    await copyIfChanged(input.cover, paths.cover, input, undefined);
    cover = paths.cover;
  }
  const part = `${paths.sidecar}.part`;
  try {
    const doc = withMedia(input.sidecar, {
      file: basename(paths.file),
      bytes: video.bytes,
      sha256: video.sha256,
      cover: cover ? basename(cover) : null,
    });
    await writeFile(part, `${JSON.stringify(doc, null, 2)}\n`, { signal });
    await rename(part, paths.sidecar);
  } catch (err) {
    await rm(part, { force: true });
    throw fsError(err, `cannot write ${paths.sidecar}`);
  }
  return {
    file: paths.file,
    cover,
    sidecar: paths.sidecar,
    bytes: video.bytes,
    sha256: video.sha256,
    copied: video.copied,
  };
}

/** Removes what an interrupted export left (`.part` files); safe to call any time. */
export async function cleanupFolderExport(dir: string, clipId: string): Promise<void> {
  const p = exportPaths(dir, clipId);
  await Promise.all([p.file, p.cover, p.sidecar].map((f) => rm(`${f}.part`, { force: true })));
}

async function copyIfChanged(
  src: string,
  dest: string,
  input: FolderExportInput,
  onProgress: FolderExportInput['onProgress'],
): Promise<{ bytes: number; sha256: string; copied: boolean }> {
  const { signal } = input;
  let total: number;
  try {
    total = (await stat(src)).size;
  } catch (err) {
    throw fsError(err, `cannot read ${src}`);
  }
  const existing = await stat(dest).catch(() => null);
  if (existing?.isFile() && existing.size === total) {
    const [a, b] = await Promise.all([sha256File(src, signal), sha256File(dest, signal)]);
    if (a === b) {
      onProgress?.(total, total);
      return { bytes: total, sha256: a, copied: false };
    }
  }
  const part = `${dest}.part`;
  // A stale .part (a crash) goes first; then 'wx' never follows a link planted in its place.
  await rm(part, { force: true });
  const hash = createHash('sha256');
  let copied = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      copied += chunk.length;
      onProgress?.(copied, total);
      cb(null, chunk);
    },
  });
  try {
    const out = input.openPart ? input.openPart(part) : createWriteStream(part, { flags: 'wx' });
    await pipeline(createReadStream(src), meter, out, { signal });
    if (copied !== total) throw new Error(`${src} changed size while it was being copied`);
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    if (signal?.aborted) throw signal.reason;
    throw fsError(err, `cannot copy ${src} to ${dest}`);
  }
  return { bytes: total, sha256: hash.digest('hex'), copied: true };
}

/** A filesystem error as a clear message; the ones a retry cannot fix are permanent. */
function fsError(err: unknown, what: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new PermanentJobError(
        `${what}: the disk is full (${code}); the partial file was removed — free some space and retry`,
        { cause: err },
      );
    case 'EACCES':
    case 'EPERM':
      return new PermanentJobError(
        `${what}: permission denied (${code}); choose a folder you can write to`,
        {
          cause: err,
        },
      );
    case 'EROFS':
      return new PermanentJobError(`${what}: the folder is on a read-only filesystem`, {
        cause: err,
      });
    case 'ENOENT':
      return new PermanentJobError(
        `${what}: a file or folder does not exist (${(err as Error).message})`,
        {
          cause: err,
        },
      );
    default:
      return new Error(`${what}: ${(err as Error).message}`, { cause: err });
  }
}
