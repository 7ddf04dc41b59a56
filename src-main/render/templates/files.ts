/** Small file helpers for the template cache: hashing, atomic writes, stale-temp cleanup. */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** A unique sibling name for writing `file` before it is renamed into place. */
export function partName(file: string): string {
  return `${file}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
}

async function fsyncPath(file: string): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Flushes `part` to disk and renames it to `file` (atomic on one filesystem). */
export async function commitPart(part: string, file: string): Promise<void> {
  await fsyncPath(part);
  await fsp.rename(part, file);
}

/** Writes `data` to `file` atomically: a temp sibling, fsync, rename. */
export async function writeFileAtomic(file: string, data: string | Buffer): Promise<void> {
  const part = partName(file);
  try {
    await fsp.writeFile(part, data);
    await commitPart(part, file);
  } catch (err) {
    await fsp.rm(part, { force: true });
    throw err;
  }
}

/** Removes `*.part-*` files and `.work-*` folders in `dir` left by a crash (older than `ageMs`). */
export async function removeStaleTemps(dir: string, ageMs: number): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch {
    return;
  }
  const now = Date.now();
  await Promise.all(
    names
      .filter((n) => n.includes('.part-') || n.startsWith('.work-'))
      .map(async (n) => {
        const p = path.join(dir, n);
        try {
          const st = await fsp.stat(p);
          if (now - st.mtimeMs > ageMs) await fsp.rm(p, { recursive: true, force: true });
        } catch {
          // Gone already.
        }
      }),
  );
}
