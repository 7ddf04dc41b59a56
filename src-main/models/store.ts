/**
 * Installing models into `<dataDir>/models/<id>/`: `importModel` from a directory the user already
 * has, `pullModel` from the manifest's mirrors. Every file is verified before it is put in place,
 * and put in place atomically (copy/download to `.part`, then rename).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { downloadFile, DownloadError } from './download';
import {
  findModel,
  getManifest,
  modelDir,
  modelsRoot,
  type Manifest,
  type Mirror,
  type ModelEntry,
  type ModelFile,
} from './manifest';
import { ModelError, unknownModel, verifyFile, type FileIssue } from './verify';

function requireModel(id: string, manifest: Manifest): ModelEntry {
  const model = findModel(id, manifest);
  if (!model) throw unknownModel(id, manifest);
  return model;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** srcDir itself, or the one of its direct subdirectories that holds the most of the files. */
async function locateSource(srcDir: string, model: ModelEntry): Promise<string> {
  const count = async (dir: string): Promise<number> => {
    let n = 0;
    for (const f of model.files) if (await isFile(join(dir, f.name))) n++;
    return n;
  };
  let best = srcDir;
  let bestN = await count(srcDir);
  if (bestN === model.files.length) return srcDir;
  let entries: string[] = [];
  try {
    entries = (await readdir(srcDir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch {
    return srcDir;
  }
  for (const name of entries) {
    const n = await count(join(srcDir, name));
    if (n > bestN) {
      best = join(srcDir, name);
      bestN = n;
    }
  }
  return best;
}

/**
 * Which manifest model a directory holds, for `import <dir>` without an id: the models whose every
 * file is there (in dir or a direct subdirectory) with the expected size. Hashes are checked by
 * the import itself.
 */
export async function detectModelsInDir(
  srcDir: string,
  manifest: Manifest = getManifest(),
): Promise<string[]> {
  const found: string[] = [];
  for (const model of manifest.models) {
    const dir = await locateSource(srcDir, model);
    let all = true;
    for (const f of model.files) {
      try {
        const st = await stat(join(dir, f.name));
        if (!st.isFile() || st.size !== f.bytes) all = false;
      } catch {
        all = false;
      }
      if (!all) break;
    }
    if (all) found.push(model.id);
  }
  return found;
}

export interface ImportResult {
  dir: string;
  /** The directory the files were taken from (srcDir or one of its subdirectories). */
  source: string;
  copied: string[];
  /** Files already installed and verified. */
  unchanged: string[];
}

/**
 * Copies a model's files from `srcDir` (found by name, in srcDir or a direct subdirectory) into
 * `<dataDir>/models/<id>/`. Every file is verified before anything is copied — a Git-LFS pointer,
 * a wrong size or a wrong sha256 refuses the whole import and installs nothing. srcDir is only read.
 */
export async function importModel(
  dataDir: string,
  id: string,
  srcDir: string,
  opts: { manifest?: Manifest } = {},
): Promise<ImportResult> {
  const manifest = opts.manifest ?? getManifest();
  const model = requireModel(id, manifest);
  try {
    if (!(await stat(srcDir)).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new ModelError('missing', `Cannot import '${id}': ${srcDir} is not a directory`, id);
  }
  const source = await locateSource(srcDir, model);
  const issues: FileIssue[] = [];
  for (const f of model.files) {
    const r = await verifyFile(join(source, f.name), f, { useCache: false });
    if (!r.ok) issues.push({ file: f.name, problem: r.problem, message: r.message });
  }
  if (issues.length > 0) {
    const kind = issues.every((i) => i.problem === 'missing') ? 'missing' : 'corrupt';
    throw new ModelError(
      kind,
      `Cannot import '${id}' from ${source}: ${issues.length} of ${model.files.length} files are ` +
        `not right (${issues.map((i) => `${i.file}: ${i.problem}`).join(', ')}); nothing was installed`,
      id,
      issues,
    );
  }

  const dir = modelDir(dataDir, id);
  await mkdir(dir, { recursive: true });
  const copied: string[] = [];
  const unchanged: string[] = [];
  for (const f of model.files) {
    const dest = join(dir, f.name);
    if ((await verifyFile(dest, f)).ok) {
      unchanged.push(f.name);
      continue;
    }
    const part = `${dest}.part`;
    await copyFile(join(source, f.name), part);
    const r = await verifyFile(part, f, { useCache: false });
    if (!r.ok) {
      await unlink(part).catch(() => undefined);
      throw new ModelError(
        'corrupt',
        `Cannot import '${id}': the copy of ${f.name} is not right (${r.message}); was it changed during the copy?`,
        id,
        [{ file: f.name, problem: r.problem, message: r.message }],
      );
    }
    await rename(part, dest);
    copied.push(f.name);
  }
  return { dir, source, copied, unchanged };
}

export type MirrorRegion = Mirror['region'];

export interface PullProgress {
  /** The model file, or the archive, being downloaded. */
  file: string;
  received: number;
  total: number | null;
  mirror: string;
}

export interface PullOptions {
  /** Preferred region; default from env LIVESLICE_MIRROR (cn | global), else manifest order. */
  mirror?: MirrorRegion | undefined;
  onProgress?: ((p: PullProgress) => void) | undefined;
  /** One line per event worth telling the user (a mirror failed, trying the next…). */
  onNote?: ((line: string) => void) | undefined;
  signal?: AbortSignal | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  manifest?: Manifest | undefined;
  stallTimeoutMs?: number | undefined;
}

export interface PullResult {
  dir: string;
  downloaded: string[];
  /** Files that were already installed and verified. */
  skipped: string[];
  /** Mirrors that supplied files. */
  mirrors: string[];
}

export function preferredRegion(
  opt: MirrorRegion | undefined,
  env: NodeJS.ProcessEnv = process.env,
): MirrorRegion | undefined {
  if (opt) return opt;
  const v = env['LIVESLICE_MIRROR']?.trim().toLowerCase();
  return v === 'cn' || v === 'global' ? v : undefined;
}

/** The manifest's mirrors, those of the preferred region first (otherwise in manifest order). */
export function orderMirrors(
  mirrors: readonly Mirror[],
  prefer: MirrorRegion | undefined,
): Mirror[] {
  if (!prefer) return [...mirrors];
  return [
    ...mirrors.filter((m) => m.region === prefer),
    ...mirrors.filter((m) => m.region !== prefer),
  ];
}

function joinUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
}

/**
 * Downloads a model's missing or bad files from its mirrors, in order (preferred region first),
 * skipping files already verified. Resumable: an interrupted download continues next time.
 * Throws ModelError('download_failed') saying which mirror failed how.
 */
export async function pullModel(
  dataDir: string,
  id: string,
  opts: PullOptions = {},
): Promise<PullResult> {
  const manifest = opts.manifest ?? getManifest();
  const model = requireModel(id, manifest);
  const dir = modelDir(dataDir, id);
  await mkdir(dir, { recursive: true });

  const skipped: string[] = [];
  let todo: ModelFile[] = [];
  for (const f of model.files) {
    if ((await verifyFile(join(dir, f.name), f)).ok) skipped.push(f.name);
    else todo.push(f);
  }
  const downloaded: string[] = [];
  const used: string[] = [];
  const failures: string[] = [];
  const mirrors = orderMirrors(model.mirrors, preferredRegion(opts.mirror, opts.env));
  if (mirrors.length === 0 && todo.length > 0) {
    throw new ModelError(
      'download_failed',
      `Model '${id}' has no download mirror: use \`liveslice models import ${id} <dir>\``,
      id,
    );
  }

  for (const mirror of mirrors) {
    if (todo.length === 0) break;
    if (opts.signal?.aborted) break;
    if (mirror.archive) {
      try {
        const got = await pullArchive(dataDir, model, mirror, opts);
        downloaded.push(...todo.map((f) => f.name).filter((n) => got.includes(n)));
        used.push(mirror.name);
        todo = [];
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        failures.push(`${mirror.name}: ${why}`);
        opts.onNote?.(`${mirror.name} failed: ${why}`);
        if (err instanceof DownloadError && err.kind === 'aborted') break;
      }
      continue;
    }
    const left: ModelFile[] = [];
    for (const f of todo) {
      const url = joinUrl(mirror.baseUrl, f.name);
      try {
        await downloadFile(url, join(dir, f.name), {
          bytes: f.bytes,
          sha256: f.sha256,
          signal: opts.signal,
          stallTimeoutMs: opts.stallTimeoutMs,
          onProgress: (received, total) =>
            opts.onProgress?.({ file: f.name, received, total, mirror: mirror.name }),
        });
        downloaded.push(f.name);
        if (!used.includes(mirror.name)) used.push(mirror.name);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        failures.push(`${mirror.name}: ${f.name}: ${why}`);
        opts.onNote?.(`${mirror.name}: ${f.name} failed: ${why}`);
        left.push(f);
        if (err instanceof DownloadError && err.kind === 'aborted') break;
      }
    }
    todo = todo.filter((f) => left.includes(f));
  }

  if (todo.length > 0) {
    const cancelled = opts.signal?.aborted === true;
    throw new ModelError(
      'download_failed',
      cancelled
        ? `Download of '${id}' cancelled; run \`liveslice models pull ${id}\` again to resume`
        : `Could not download '${id}' (${todo.map((f) => f.name).join(', ')}): ${failures.join('; ')}. ` +
            `Check the network or try --mirror ${preferredRegion(opts.mirror, opts.env) === 'cn' ? 'global' : 'cn'}; ` +
            `or get the files another way and run \`liveslice models import ${id} <dir>\``,
      id,
      todo.map((f) => ({ file: f.name, problem: 'missing' as const, message: 'not downloaded' })),
    );
  }
  return { dir, downloaded, skipped, mirrors: used };
}

/** Downloads a mirror's .tar.bz2, extracts the model's files with the system `tar`, imports them. */
async function pullArchive(
  dataDir: string,
  model: ModelEntry,
  mirror: Mirror,
  opts: PullOptions,
): Promise<string[]> {
  const archive = mirror.archive;
  if (!archive) return [];
  const downloads = join(modelsRoot(dataDir), '.downloads');
  await mkdir(downloads, { recursive: true });
  const archivePath = join(downloads, archive.file);
  await downloadFile(joinUrl(mirror.baseUrl, archive.file), archivePath, {
    bytes: archive.bytes,
    sha256: archive.sha256,
    signal: opts.signal,
    stallTimeoutMs: opts.stallTimeoutMs,
    onProgress: (received, total) =>
      opts.onProgress?.({ file: archive.file, received, total, mirror: mirror.name }),
  });
  const staging = await mkdtemp(join(downloads, `${model.id}-`));
  try {
    const root = archive.root.replace(/\/+$/, '');
    const tarResult = await runTar(
      ['-xjf', archivePath, '-C', staging, ...model.files.map((f) => `${root}/${f.name}`)],
      opts.signal,
    );
    try {
      const r = await importModel(dataDir, model.id, join(staging, root), {
        manifest: { version: 1, models: [model] },
      });
      await rm(archivePath, { force: true });
      return [...r.copied, ...r.unchanged];
    } catch (err) {
      // A bad archive is not worth resuming: fetch it whole next time.
      await rm(archivePath, { force: true });
      const why = err instanceof Error ? err.message : String(err);
      throw new Error(tarResult.code === 0 ? why : `tar failed (${tarResult.stderr}); ${why}`, {
        cause: err,
      });
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function runTar(
  args: string[],
  signal: AbortSignal | undefined,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 2000) stderr += d.toString('utf8');
    });
    child.on('error', (err) =>
      reject(
        new Error(
          `cannot run tar to unpack the archive (${err.message}); unpack it yourself and use \`liveslice models import\``,
        ),
      ),
    );
    child.on('close', (code) =>
      resolve({ code: code ?? 1, stderr: stderr.trim().split('\n')[0] ?? '' }),
    );
  });
}
