/**
 * Verification of model files before every native load: a corrupt .onnx must never reach
 * sherpa-onnx / onnxruntime, which abort the process instead of throwing.
 * Order per file: missing → Git-LFS pointer → size → sha256 (streamed).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findModel,
  getManifest,
  modelDir,
  type Manifest,
  type ModelEntry,
  type ModelFile,
} from './manifest';

export type FileProblem = 'missing' | 'size' | 'lfs-pointer' | 'hash';

export type FileCheck = { ok: true } | { ok: false; problem: FileProblem; message: string };

export interface Expected {
  bytes: number;
  sha256: string;
}

export const LFS_POINTER_FIRST_LINE = 'version https://git-lfs.github.com/spec/v1';

/** Successful verifications: path → what the file looked like when it hashed right. */
const verified = new Map<
  string,
  { size: number; mtimeMs: number; ino: number; bytes: number; sha256: string }
>();

/** Forget cached verifications (tests; or after the model directory was replaced). */
export function clearVerifyCache(): void {
  verified.clear();
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function readHead(path: string, n: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** True when the bytes start like a Git-LFS pointer file (a clone made without `git lfs`). */
export function looksLikeLfsPointer(head: Buffer): boolean {
  return head.toString('latin1').startsWith(LFS_POINTER_FIRST_LINE);
}

export async function verifyFile(
  path: string,
  expected: Expected,
  opts: { useCache?: boolean } = {},
): Promise<FileCheck> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return { ok: false, problem: 'missing', message: `${path} does not exist` };
  }
  if (!st.isFile()) return { ok: false, problem: 'missing', message: `${path} is not a file` };

  const cached = verified.get(path);
  if (
    opts.useCache !== false &&
    cached &&
    cached.size === st.size &&
    cached.mtimeMs === st.mtimeMs &&
    cached.ino === st.ino &&
    cached.bytes === expected.bytes &&
    cached.sha256 === expected.sha256
  ) {
    return { ok: true };
  }
  verified.delete(path);

  const head = await readHead(path, LFS_POINTER_FIRST_LINE.length + 1);
  if (looksLikeLfsPointer(head)) {
    return {
      ok: false,
      problem: 'lfs-pointer',
      message:
        `${path} is a Git-LFS pointer (${st.size} B), not the model file: the repository was ` +
        'cloned without Git LFS. Run `git lfs pull` there, or download the real file',
    };
  }
  if (st.size !== expected.bytes) {
    return {
      ok: false,
      problem: 'size',
      message: `${path} is ${st.size} B, expected ${expected.bytes} B (${
        st.size < expected.bytes ? 'truncated or incomplete' : 'not this model file'
      })`,
    };
  }
  const actual = await sha256File(path);
  if (actual !== expected.sha256) {
    return {
      ok: false,
      problem: 'hash',
      message: `${path} has sha256 ${actual}, expected ${expected.sha256} (corrupt or a different file)`,
    };
  }
  // Record the stat taken before hashing: a file changed while it was hashed will not match it.
  verified.set(path, {
    size: st.size,
    mtimeMs: st.mtimeMs,
    ino: st.ino,
    bytes: expected.bytes,
    sha256: expected.sha256,
  });
  return { ok: true };
}

export interface FileIssue {
  file: string;
  problem: FileProblem;
  message: string;
}

export type ModelState = 'installed' | 'missing' | 'corrupt';

export interface ModelStatus {
  model: ModelEntry;
  dir: string;
  state: ModelState;
  /** Empty when installed. */
  issues: FileIssue[];
}

async function checkModel(dataDir: string, model: ModelEntry): Promise<ModelStatus> {
  const dir = modelDir(dataDir, model.id);
  const issues: FileIssue[] = [];
  for (const f of model.files) {
    const r = await verifyFile(join(dir, f.name), f);
    if (!r.ok) issues.push({ file: f.name, problem: r.problem, message: r.message });
  }
  const state: ModelState =
    issues.length === 0
      ? 'installed'
      : issues.every((i) => i.problem === 'missing')
        ? 'missing'
        : 'corrupt';
  return { model, dir, state, issues };
}

export class ModelError extends Error {
  constructor(
    readonly kind: 'unknown_model' | 'missing' | 'corrupt' | 'download_failed',
    message: string,
    readonly modelId: string,
    readonly issues: readonly FileIssue[] = [],
  ) {
    super(message);
    this.name = 'ModelError';
  }
}

export function unknownModel(id: string, manifest: Manifest = getManifest()): ModelError {
  return new ModelError(
    'unknown_model',
    `Unknown model '${id}'. Known models: ${manifest.models.map((m) => m.id).join(', ')}`,
    id,
  );
}

export function fixHint(id: string): string {
  return `run \`liveslice models pull ${id}\`, or \`liveslice models import ${id} <dir>\` with a directory that holds its files`;
}

/** Checks every file of one model (cached by path, size and mtime). */
export async function verifyModel(
  dataDir: string,
  id: string,
  manifest: Manifest = getManifest(),
): Promise<ModelStatus> {
  const model = findModel(id, manifest);
  if (!model) throw unknownModel(id, manifest);
  return checkModel(dataDir, model);
}

/** Every manifest model with installed / missing / corrupt, and which file is wrong and why. */
export async function modelStatus(
  dataDir: string,
  manifest: Manifest = getManifest(),
): Promise<ModelStatus[]> {
  const out: ModelStatus[] = [];
  for (const model of manifest.models) out.push(await checkModel(dataDir, model));
  return out;
}

/**
 * Call before every native load. Resolves to the model directory and each file's absolute path
 * (by manifest file name), or throws a ModelError saying what is wrong and how to fix it.
 */
export async function requireVerifiedModel(
  dataDir: string,
  id: string,
  manifest: Manifest = getManifest(),
): Promise<{ dir: string; files: Record<string, string> }> {
  const status = await verifyModel(dataDir, id, manifest);
  if (status.state !== 'installed') {
    const what =
      status.state === 'missing'
        ? `Model '${id}' is not installed (missing: ${status.issues.map((i) => i.file).join(', ')})`
        : `Model '${id}' is corrupt: ${status.issues.map((i) => i.message).join('; ')}`;
    throw new ModelError(status.state, `${what}. To fix it, ${fixHint(id)}.`, id, status.issues);
  }
  const files: Record<string, string> = {};
  for (const f of status.model.files) files[f.name] = join(status.dir, f.name);
  return { dir: status.dir, files };
}

export type { ModelFile };
