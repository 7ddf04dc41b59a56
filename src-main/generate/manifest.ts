/**
 * The manifest of a text-to-video model directory (models/tiny-t2v/manifest.json, or one that
 * comes with an imported Wan2.x ONNX export): its files with sizes and checksums, the tensor names,
 * dtypes and shapes of each model, the latent geometry (which differs between Wan2.1 and Wan2.2)
 * and the sampling defaults. Every file is verified before any of them reaches onnxruntime, which
 * aborts the process on a corrupt .onnx instead of throwing.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ModelError, verifyFile, type FileIssue } from '../models/verify';

export const FILE_ROLES = [
  'tokenizer',
  'text_encoder',
  'transformer',
  'transformer_high',
  'transformer_low',
  'vae_decoder',
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

/** A plain file name in the model directory: no separators, so no path can leave the directory. */
const FileNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'a plain file name (letters, digits, . _ -)')
  .refine((n) => !n.includes('..'), 'must not contain ..');

export const T2vFileSchema = z.strictObject({
  name: FileNameSchema,
  role: z.enum(FILE_ROLES),
  bytes: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A dim is a fixed size or a symbolic name (batch, text_len, latent_frames, ...). */
const DimSchema = z.union([z.number().int().positive(), z.string().regex(/^[A-Za-z_][\w]*$/)]);

export const TensorSpecSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.enum(['float32', 'float16', 'int64', 'int32']),
  shape: z.array(DimSchema).min(1),
});

const SizeSchema = z.string().regex(/^[1-9]\d*x[1-9]\d*$/, 'WIDTHxHEIGHT, e.g. 832x480');

export const T2vManifestSchema = z
  .strictObject({
    version: z.literal(1),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    name: z.string().min(1),
    family: z.enum(['wan2.1', 'wan2.2']),
    description: z.string().optional(),
    files: z.array(T2vFileSchema).min(1),
    /** Tokens the prompt is padded (or cut) to before the text encoder; Wan: 512. */
    textLength: z.number().int().positive(),
    /** Width of the text encoder's output (umT5-XXL: 4096). */
    hiddenSize: z.number().int().positive(),
    latent: z.strictObject({
      /** Wan2.1 VAE: 16; Wan2.2 TI2V-5B VAE: 48. */
      channels: z.number().int().positive(),
      /** Video frames per latent frame after the first (Wan: 4, hence 4k+1 frame counts). */
      temporalStride: z.number().int().positive(),
      /** Pixels per latent pixel (Wan2.1 VAE: 8; Wan2.2 TI2V-5B VAE: 16). */
      spatialStride: z.number().int().positive(),
      /** The transformer's patch [t, h, w] (Wan: [1, 2, 2]): latent dims must divide by it. */
      patchSize: z.tuple([
        z.number().int().positive(),
        z.number().int().positive(),
        z.number().int().positive(),
      ]),
      /**
       * How many previous latent frames the VAE decoder needs to decode a frame exactly: a chunk
       * [k, m) with k > 0 is decoded from [k - c, m) and its leading output frames dropped
       * (see vaeDecodeChunks).
       */
      decoderContextFrames: z.number().int().nonnegative(),
    }),
    io: z.strictObject({
      textEncoder: z.strictObject({ inputIds: TensorSpecSchema, output: TensorSpecSchema }),
      /** Shared by transformer, transformer_high and transformer_low. */
      transformer: z.strictObject({
        latent: TensorSpecSchema,
        timestep: TensorSpecSchema,
        context: TensorSpecSchema,
        output: TensorSpecSchema,
      }),
      vaeDecoder: z.strictObject({ latent: TensorSpecSchema, output: TensorSpecSchema }),
    }),
    defaults: z.strictObject({
      steps: z.number().int().positive(),
      shift: z.number().positive(),
      guidance: z.number().nonnegative(),
      scheduler: z.enum(['unipc', 'euler']),
      fps: z.number().positive(),
      frames: z.number().int().positive(),
      size: SizeSchema,
      /**
       * Wan2.2 A14B: timesteps t >= boundary * 1000 run the high-noise expert, the rest the
       * low-noise one. Required when the expert pair is present.
       */
      boundary: z.number().gt(0).lt(1).optional(),
    }),
  })
  .superRefine((m, ctx) => {
    const issue = (message: string, path: (string | number)[]): void => {
      ctx.addIssue({ code: 'custom', message, path });
    };
    const names = new Set<string>();
    const roles = new Map<FileRole, number>();
    m.files.forEach((f, i) => {
      if (names.has(f.name)) issue(`file ${f.name} is listed twice`, ['files', i, 'name']);
      names.add(f.name);
      if (roles.has(f.role)) issue(`role ${f.role} is given to two files`, ['files', i, 'role']);
      roles.set(f.role, i);
    });
    for (const r of ['tokenizer', 'text_encoder', 'vae_decoder'] as const) {
      if (!roles.has(r)) issue(`no file has role ${r}`, ['files']);
    }
    const high = roles.has('transformer_high');
    const low = roles.has('transformer_low');
    if (high !== low) issue('transformer_high and transformer_low come as a pair', ['files']);
    if (!roles.has('transformer') && !(high && low)) {
      issue('needs a transformer, or the transformer_high + transformer_low pair', ['files']);
    }
    if (high && low && m.defaults.boundary === undefined) {
      issue('the expert pair needs defaults.boundary', ['defaults', 'boundary']);
    }
    const parsed = parseSize(m.defaults.size);
    try {
      latentShape(m, m.defaults.frames, parsed.width, parsed.height);
    } catch (e) {
      issue(`defaults do not fit the latent geometry: ${(e as Error).message}`, ['defaults']);
    }
    // Fixed dims must agree with the geometry (symbolic ones are resolved at run time).
    const expectDim = (
      spec: z.infer<typeof TensorSpecSchema>,
      axis: number,
      want: number,
      path: (string | number)[],
    ): void => {
      const d = spec.shape[axis];
      if (typeof d === 'number' && d !== want) {
        issue(`${spec.name} dim ${axis} is ${d}, expected ${want}`, path);
      }
    };
    const { textEncoder, transformer, vaeDecoder } = m.io;
    expectDim(textEncoder.output, 2, m.hiddenSize, ['io', 'textEncoder', 'output']);
    expectDim(transformer.context, 2, m.hiddenSize, ['io', 'transformer', 'context']);
    expectDim(transformer.latent, 1, m.latent.channels, ['io', 'transformer', 'latent']);
    expectDim(transformer.output, 1, m.latent.channels, ['io', 'transformer', 'output']);
    expectDim(vaeDecoder.latent, 1, m.latent.channels, ['io', 'vaeDecoder', 'latent']);
    expectDim(vaeDecoder.output, 1, 3, ['io', 'vaeDecoder', 'output']);
    const rank5 = [transformer.latent, transformer.output, vaeDecoder.latent, vaeDecoder.output];
    for (const s of rank5) {
      if (s.shape.length !== 5) issue(`${s.name} must have rank 5 [B, C, F, H, W]`, ['io']);
    }
  });

export type T2vManifest = z.infer<typeof T2vManifestSchema>;
export type T2vFile = z.infer<typeof T2vFileSchema>;
export type TensorSpec = z.infer<typeof TensorSpecSchema>;

export const TokenizerSchema = z.strictObject({
  type: z.literal('byte-level'),
  version: z.literal(1),
  vocabSize: z.number().int().positive(),
  padId: z.number().int().nonnegative(),
  eosId: z.number().int().nonnegative(),
  unkId: z.number().int().nonnegative(),
  /** UTF-8 byte b has id byteOffset + b. */
  byteOffset: z.number().int().nonnegative(),
  normalization: z.enum(['NFC', 'none']),
});
export type ByteTokenizer = z.infer<typeof TokenizerSchema>;

export function parseSize(size: string): { width: number; height: number } {
  const m = /^([1-9]\d*)x([1-9]\d*)$/.exec(size);
  if (!m) throw new Error(`size '${size}' is not WIDTHxHEIGHT (e.g. 832x480)`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** manifest.json inside a directory, or the path itself when it names a .json file. */
export function manifestPath(dirOrFile: string): string {
  return dirOrFile.endsWith('.json') ? dirOrFile : join(dirOrFile, 'manifest.json');
}

export function parseT2vManifest(data: unknown, source = 'manifest'): T2vManifest {
  const r = T2vManifestSchema.safeParse(data);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid text-to-video manifest: ${problems.join('; ')}`);
  }
  return r.data;
}

/** Reads and validates a manifest (a model directory, or the manifest.json path itself). */
export async function loadManifest(dirOrFile: string): Promise<T2vManifest> {
  const path = manifestPath(dirOrFile);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read model manifest ${path}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`model manifest ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseT2vManifest(data, path);
}

export interface VerifiedModelDir {
  dir: string;
  manifest: T2vManifest;
  /** Absolute path of each file by role; only verified files. */
  paths: {
    tokenizer: string;
    text_encoder: string;
    vae_decoder: string;
    transformer?: string;
    transformer_high?: string;
    transformer_low?: string;
  };
}

/**
 * Checks every file of the model (missing, Git-LFS pointer, size, then sha256) before any is
 * loaded. Throws a ModelError ('missing' or 'corrupt') whose message names each bad file and why.
 * A success is cached by path, size, mtime and inode (useCache: false forces a rehash).
 */
export async function verifyModelDir(
  dirOrFile: string,
  opts: { useCache?: boolean } = {},
): Promise<VerifiedModelDir> {
  const path = manifestPath(dirOrFile);
  const dir = dirname(path);
  const manifest = await loadManifest(path);
  const issues: FileIssue[] = [];
  const byRole = new Map<FileRole, string>();
  for (const f of manifest.files) {
    const filePath = join(dir, f.name);
    const r = await verifyFile(filePath, f, opts);
    if (r.ok) byRole.set(f.role, filePath);
    else issues.push({ file: f.name, problem: r.problem, message: r.message });
  }
  if (issues.length > 0) {
    const missing = issues.every((i) => i.problem === 'missing');
    throw new ModelError(
      missing ? 'missing' : 'corrupt',
      `Model '${manifest.id}' in ${dir} ${missing ? 'is incomplete' : 'is corrupt'}, nothing was loaded: ` +
        `${issues.map((i) => `${i.file}: ${i.message}`).join('; ')}. ` +
        'Re-import or regenerate the model files.',
      manifest.id,
      issues,
    );
  }
  const need = (role: FileRole): string => {
    const p = byRole.get(role);
    // The schema guarantees these roles; reaching this means the manifest bypassed it.
    if (p === undefined) throw new Error(`manifest ${path} has no ${role} file`);
    return p;
  };
  const paths: VerifiedModelDir['paths'] = {
    tokenizer: need('tokenizer'),
    text_encoder: need('text_encoder'),
    vae_decoder: need('vae_decoder'),
  };
  for (const r of ['transformer', 'transformer_high', 'transformer_low'] as const) {
    const p = byRole.get(r);
    if (p !== undefined) paths[r] = p;
  }
  return { dir, manifest, paths };
}

/** Latent frames for a video of `frames` frames (frames = stride·k + 1). */
export function latentFrames(manifest: T2vManifest, frames: number): number {
  const s = manifest.latent.temporalStride;
  if (!Number.isInteger(frames) || frames < 1 || (frames - 1) % s !== 0) {
    const below = Math.max(1, frames - ((((frames - 1) % s) + s) % s));
    throw new Error(
      `frames must be ${s}k+1 (1, ${s + 1}, ${2 * s + 1}, … e.g. 81), got ${frames}` +
        (Number.isInteger(frames) && frames > 1 ? `; nearest below is ${below}` : ''),
    );
  }
  return (frames - 1) / s + 1;
}

/** Video frames the VAE decoder gives for `latent` latent frames (1 + stride·(latent − 1)). */
export function decodedFrames(manifest: T2vManifest, latent: number): number {
  return latent < 1 ? 0 : 1 + manifest.latent.temporalStride * (latent - 1);
}

/**
 * The transformer's latent input shape [1, C, f, h, w] for a video of `frames` frames at
 * width × height. Throws when frames is not 4k+1 or the size does not divide by the VAE stride
 * times the patch size (Wan2.1: 16 px; Wan2.2 TI2V-5B: 32 px).
 */
export function latentShape(
  manifest: T2vManifest,
  frames: number,
  width: number,
  height: number,
): [1, number, number, number, number] {
  const { channels, spatialStride, patchSize } = manifest.latent;
  const f = latentFrames(manifest, frames);
  if (f % patchSize[0] !== 0) {
    throw new Error(`${f} latent frames do not divide by the temporal patch ${patchSize[0]}`);
  }
  const px = (v: number, what: string, patch: number): number => {
    const unit = spatialStride * patch;
    if (!Number.isInteger(v) || v < unit || v % unit !== 0) {
      throw new Error(
        `${what} must be a positive multiple of ${unit} px (VAE stride ${spatialStride} × patch ${patch}), got ${v}`,
      );
    }
    return v / spatialStride;
  };
  return [1, channels, f, px(height, 'height', patchSize[1]), px(width, 'width', patchSize[2])];
}

export interface VaeChunk {
  /** Latent frames [start, end) this chunk produces video frames for. */
  start: number;
  end: number;
  /** First latent frame fed to the decoder (start − context, or 0). */
  inputStart: number;
  /** Leading decoder output frames to drop: they belong to the context frames. */
  drop: number;
}

/**
 * Splits a decode of `latent` latent frames into chunks of at most `chunkSize` frames so that the
 * concatenated kept outputs equal one whole decode: each chunk after the first also feeds the
 * decoder's context frames and drops the frames they produce.
 */
export function vaeDecodeChunks(
  manifest: T2vManifest,
  latent: number,
  chunkSize: number,
): VaeChunk[] {
  if (!Number.isInteger(latent) || latent < 1)
    throw new Error(`latent frames must be ≥ 1, got ${latent}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new Error(`VAE chunk size must be a positive integer, got ${chunkSize}`);
  }
  const ctx = manifest.latent.decoderContextFrames;
  const chunks: VaeChunk[] = [];
  for (let start = 0; start < latent; start += chunkSize) {
    const end = Math.min(latent, start + chunkSize);
    const inputStart = Math.max(0, start - ctx);
    chunks.push({ start, end, inputStart, drop: decodedFrames(manifest, start - inputStart) });
  }
  return chunks;
}

export async function loadTokenizer(path: string): Promise<ByteTokenizer> {
  const r = TokenizerSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!r.success) {
    throw new Error(
      `${path} is not a byte-level tokenizer: ${r.error.issues.map((i) => i.message).join('; ')}`,
    );
  }
  return r.data;
}

/**
 * Token ids for the text encoder: UTF-8 bytes, cut to length − 1, then eos, then pad to `length`
 * (as Wan pads umT5 input to text_len).
 */
export function encodeText(tok: ByteTokenizer, text: string, length: number): BigInt64Array {
  if (!Number.isInteger(length) || length < 1)
    throw new Error(`text length must be ≥ 1, got ${length}`);
  const bytes = Buffer.from(tok.normalization === 'NFC' ? text.normalize('NFC') : text, 'utf8');
  const ids = new BigInt64Array(length).fill(BigInt(tok.padId));
  const n = Math.min(bytes.length, length - 1);
  for (let i = 0; i < n; i++) ids[i] = BigInt(tok.byteOffset + (bytes[i] as number));
  ids[n] = BigInt(tok.eosId);
  return ids;
}
