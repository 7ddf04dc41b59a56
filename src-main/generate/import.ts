/**
 * `liveslice models import DIR` for a text-to-video export the user provides: a directory with a
 * T2V manifest.json (files, roles, sizes, sha256, I/O names, latent geometry, defaults). Every
 * file is verified (size, then sha256, Git-LFS pointers refused) before anything is copied, the
 * copy is written beside the destination and renamed, and verified again where it landed.
 */
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadManifest, manifestPath, verifyModelDir } from './manifest';

export interface T2vImport {
  id: string;
  dir: string;
  files: number;
  bytes: number;
}

/** True when the directory holds a text-to-video manifest (not an ASR model's files). */
export async function isT2vExport(dir: string): Promise<boolean> {
  try {
    await loadManifest(dir);
    return true;
  } catch {
    return false;
  }
}

export async function importT2vModel(
  dataDir: string,
  src: string,
  id?: string,
): Promise<T2vImport> {
  const checked = await verifyModelDir(src);
  const target = id ?? checked.manifest.id;
  if (!/^[a-z0-9][a-z0-9._-]{0,100}$/.test(target))
    throw new Error(`"${target}" is not a model id (lowercase letters, digits, . _ -)`);
  const dest = join(dataDir, 'models', target);
  const tmp = `${dest}.importing`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  let bytes = 0;
  try {
    for (const f of checked.manifest.files) {
      await copyFile(join(checked.dir, f.name), join(tmp, f.name));
      bytes += (await stat(join(tmp, f.name))).size;
    }
    await copyFile(manifestPath(src), join(tmp, 'manifest.json'));
    // The copy is checked again before it replaces anything.
    await verifyModelDir(tmp, { useCache: false });
    await rm(dest, { recursive: true, force: true });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return { id: target, dir: dest, files: checked.manifest.files.length, bytes };
}
