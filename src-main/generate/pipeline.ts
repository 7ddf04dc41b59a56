/**
 * The text-to-video pipeline as Wan2.x runs it, on onnxruntime-node: tokenize → text encoder (the
 * prompt and the negative prompt) → seeded Gaussian noise → the flow-matching loop (UniPC or Euler,
 * shifted timesteps, classifier-free guidance, the A14B high/low expert hand-over) → the VAE
 * decoded in chunks of latent frames → RGB24 piped to ffmpeg (libx264, yuv420p) → the
 * AI-generated labels. It runs inside the generation worker; tests and the bench also run it in
 * their own process.
 *
 * Cancellation is checked between steps and between decode chunks: one session.run cannot be
 * interrupted (onnxruntime-node runs it synchronously), which is why the host kills a worker that
 * does not stop in time.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { stat, rm } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { startProcess } from '../ffmpeg/run';
import type { AigcMetadata } from '../render/args';
import { labelAiGenerated } from '../render/ai-label';
import {
  decodedFrames,
  encodeText,
  latentShape,
  loadTokenizer,
  vaeDecodeChunks,
  verifyModelDir,
  type ByteTokenizer,
  type T2vManifest,
  type TensorSpec,
  type VerifiedModelDir,
} from './manifest';
import { type ProviderChoice, type RequestedProvider, selectProvider } from './providers';
import {
  cfg,
  EulerFlowScheduler,
  expertFor,
  type FlowScheduler,
  UniPCFlowScheduler,
} from './scheduler';

export type GenerationErrorCode =
  'cancelled' | 'memory' | 'model' | 'bad_input' | 'ffmpeg' | 'worker' | 'internal';

/** A failure with a code the service maps to a job outcome ('cancelled', permanent or not). */
export class GenerationError extends Error {
  constructor(
    readonly code: GenerationErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GenerationError';
  }
}

/** Everything that decides the output: recorded with the job so a result can be reproduced. */
export interface GenerationSettings {
  prompt: string;
  negativePrompt: string;
  frames: number;
  width: number;
  height: number;
  steps: number;
  /** 0 … 2³²−1. */
  seed: number;
  guidance: number;
  shift: number;
  scheduler: 'unipc' | 'euler';
  fps: number;
  /** Latent frames per VAE decode call (memory vs. calls); default 2. Does not change the output. */
  vaeChunkFrames?: number;
}

export interface PipelineJob extends GenerationSettings {
  /** The labelled MP4, or null to stop after decoding (bench, tests). */
  output: string | null;
  /** Needed when output is set. */
  ffmpeg?: string;
  /** The implicit label (producer, produceId); needed when output is set. */
  aigc?: AigcMetadata;
  /** Keep the final latent in the result (tests). */
  keepLatent?: boolean;
}

export type PipelineStage = 'encodeText' | 'denoise' | 'decode' | 'encode' | 'label';

export interface PipelineProgress {
  stage: PipelineStage;
  /** 1-based step just finished (denoise), else null. */
  step: number | null;
  steps: number;
  /** 0..1 over the whole job. */
  progress: number;
  etaS: number | null;
}

export type StepExpert = 'high' | 'low' | 'single';

export interface PipelineResult {
  output: string | null;
  frames: number;
  width: number;
  height: number;
  fps: number;
  seed: number;
  steps: number;
  provider: string;
  /** The transformer that ran each step. */
  experts: StepExpert[];
  /** The timestep each step ran at. */
  timesteps: number[];
  /** Milliseconds: encodeText, denoise, decode, encode, label, total. */
  timings: Record<string, number>;
  /** Milliseconds of each denoising step (transformer calls + guidance + scheduler). */
  stepMs: number[];
  /** Milliseconds spent inside session.run of the transformer, per step (for the bench). */
  stepRunMs: number[];
  /** sha256 of the RGB24 frames as piped to the encoder: equal seeds give equal hashes. */
  framesSha256: string;
  latent?: Float32Array;
  latentShape: number[];
  /** Peak resident set of this process so far. */
  peakRssBytes: number;
}

export interface LoadOptions {
  provider: RequestedProvider;
  /** Keep one A14B expert resident at a time (the high one is released at the hand-over). */
  lowMemory?: boolean;
  /** Intra-op threads per session (0: onnxruntime's default). */
  threads?: number;
  /** Tests: what os.freemem() would say. */
  freeMemory?: () => number;
}

type ExpertKey = 'single' | 'high' | 'low';

const MiB = 1024 * 1024;
/** Room kept free for everything the estimate does not see (allocator slack, ffmpeg). */
export const MEMORY_MARGIN_BYTES = 256 * MiB;

/**
 * Host memory a job needs beyond the loaded models: the latent and its working copies (noise,
 * the batched transformer input and output, guidance, the solver's history), one decoded chunk,
 * and, with lowMemory on an expert pair, the second expert loaded at the hand-over.
 */
export function estimateJobBytes(
  m: T2vManifest,
  s: Pick<GenerationSettings, 'frames' | 'width' | 'height' | 'vaeChunkFrames'>,
  opts: { swapBytes?: number } = {},
): number {
  const [, c, f, h, w] = latentShape(m, s.frames, s.width, s.height);
  const latent = c * f * h * w * 4;
  const chunk = Math.min(f, s.vaeChunkFrames ?? 2) + m.latent.decoderContextFrames;
  const frames = decodedFrames(m, chunk);
  const decoded = 3 * frames * s.width * s.height * 4 * 2 + s.width * s.height * 3 * frames;
  return 12 * latent + decoded + (opts.swapBytes ?? 0);
}

/** Throws GenerationError('memory') when `free` does not cover `need` plus the margin. */
export function checkMemory(need: number, free: number, what: string): void {
  if (free < need + MEMORY_MARGIN_BYTES) {
    throw new GenerationError(
      'memory',
      `Not enough free memory for ${what}: it needs about ${Math.ceil(need / MiB)} MiB ` +
        `(+${MEMORY_MARGIN_BYTES / MiB} MiB headroom), ${Math.floor(free / MiB)} MiB are free. ` +
        'Close other applications, or choose fewer frames or a smaller size.',
    );
  }
}

/** mulberry32 → Box–Muller: standard normal values, the same for the same seed everywhere. */
export function gaussianNoise(n: number, seed: number): Float32Array {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new GenerationError('bad_input', `seed must be an integer in 0…4294967295, got ${seed}`);
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u1 = 1 - next(); // (0, 1]: log(0) is never taken
    const u2 = next();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

/** [-1, 1] planar frames [3, T, H, W] → packed RGB24 of frame t. */
export function frameToRgb24(
  planes: Float32Array,
  t: number,
  frames: number,
  width: number,
  height: number,
): Buffer {
  const hw = width * height;
  const out = Buffer.allocUnsafe(hw * 3);
  for (let ch = 0; ch < 3; ch++) {
    const base = (ch * frames + t) * hw;
    for (let p = 0; p < hw; p++) {
      const v = Math.round(((planes[base + p]! + 1) / 2) * 255);
      out[p * 3 + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
  return out;
}

/** Slices latent frames [start, end) of a [1, C, F, H, W] tensor. */
export function sliceFrames(
  latent: Float32Array,
  shape: readonly number[],
  start: number,
  end: number,
): Float32Array {
  const [, c, f, h, w] = shape as [number, number, number, number, number];
  const hw = h * w;
  const n = end - start;
  const out = new Float32Array(c * n * hw);
  for (let ci = 0; ci < c; ci++) {
    out.set(latent.subarray((ci * f + start) * hw, (ci * f + end) * hw), ci * n * hw);
  }
  return out;
}

const now = (): number => performance.now();
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

function floatTensor(spec: TensorSpec, data: Float32Array, dims: number[]): ort.Tensor {
  if (spec.dtype !== 'float32') {
    throw new GenerationError(
      'model',
      `${spec.name} is ${spec.dtype}; this engine feeds float32 tensors (export the model with float32 I/O)`,
    );
  }
  return new ort.Tensor('float32', data, dims);
}

function outputData(out: ort.InferenceSession.ReturnType, name: string): Float32Array {
  const t = out[name];
  if (t === undefined) throw new GenerationError('model', `the model gave no output named ${name}`);
  if (!(t.data instanceof Float32Array))
    throw new GenerationError('model', `${name} is ${t.type}, expected float32`);
  return t.data;
}

/** A model loaded for generation: sessions resident until release(). */
export class T2vPipeline {
  private readonly experts = new Map<ExpertKey, ort.InferenceSession>();
  private released = false;
  /** Expert sessions loaded after the first (lowMemory hand-overs), for tests and the status. */
  expertLoads = 0;

  private constructor(
    readonly model: VerifiedModelDir,
    readonly choice: ProviderChoice,
    private readonly tokenizer: ByteTokenizer,
    private readonly textEncoder: ort.InferenceSession,
    private readonly vae: ort.InferenceSession,
    private readonly opts: LoadOptions,
  ) {}

  private loadedInMs = 0;
  /** ms to verify and load the model (the worker's cold start minus the spawn). */
  get loadMs(): number {
    return this.loadedInMs;
  }

  /** Verifies every file (a corrupt one is refused before onnxruntime sees it), then loads. */
  static async load(dirOrManifest: string, opts: LoadOptions): Promise<T2vPipeline> {
    const t0 = now();
    let model: VerifiedModelDir;
    try {
      model = await verifyModelDir(dirOrManifest);
    } catch (err) {
      throw new GenerationError('model', err instanceof Error ? err.message : String(err), {
        cause: err,
      });
    }
    const choice = await selectProvider({
      requested: opts.provider,
      probeModel: model.paths.text_encoder,
    });
    const open = sessionOpener(choice.provider, opts.threads);
    const tokenizer = await loadTokenizer(model.paths.tokenizer);
    const [textEncoder, vae] = await Promise.all([
      open(model.paths.text_encoder),
      open(model.paths.vae_decoder),
    ]);
    const p = new T2vPipeline(model, choice, tokenizer, textEncoder, vae, opts);
    // The first expert is loaded up front so the cold start includes it.
    await p.expert(p.isMoe ? 'high' : 'single');
    p.expertLoads = 0;
    p.loadedInMs = now() - t0;
    return p;
  }

  get manifest(): T2vManifest {
    return this.model.manifest;
  }

  /** An A14B-style expert pair with a boundary (else the single transformer). */
  get isMoe(): boolean {
    const { paths, manifest } = this.model;
    return (
      manifest.defaults.boundary !== undefined &&
      paths.transformer_high !== undefined &&
      paths.transformer_low !== undefined
    );
  }

  /** The expert sessions loaded now. */
  residentExperts(): ExpertKey[] {
    return [...this.experts.keys()];
  }

  private async expert(key: ExpertKey): Promise<ort.InferenceSession> {
    const have = this.experts.get(key);
    if (have) return have;
    if (this.opts.lowMemory === true) {
      // Free the other expert before loading this one: only one is ever resident.
      for (const [k, s] of this.experts) {
        await s.release();
        this.experts.delete(k);
      }
    }
    const { paths } = this.model;
    const path =
      key === 'single'
        ? (paths.transformer ?? paths.transformer_low)
        : key === 'high'
          ? paths.transformer_high
          : paths.transformer_low;
    if (path === undefined)
      throw new GenerationError('model', `model ${this.manifest.id} has no ${key} transformer`);
    const s = await sessionOpener(this.choice.provider, this.opts.threads)(path);
    this.experts.set(key, s);
    this.expertLoads++;
    return s;
  }

  /** Host memory the job needs (see estimateJobBytes). */
  async estimate(s: GenerationSettings): Promise<number> {
    let swap = 0;
    if (this.isMoe && this.opts.lowMemory === true) {
      const p = this.model.paths.transformer_low;
      swap = p === undefined ? 0 : (await stat(p)).size;
    }
    return estimateJobBytes(this.manifest, s, { swapBytes: swap });
  }

  async run(
    job: PipelineJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: PipelineProgress) => void } = {},
  ): Promise<PipelineResult> {
    if (this.released) throw new GenerationError('worker', 'the model was unloaded');
    const t0 = now();
    const m = this.manifest;
    const signal = hooks.signal;
    const checkCancel = (): void => {
      if (signal?.aborted === true)
        throw new GenerationError('cancelled', 'The generation was cancelled');
    };
    const s = validateSettings(m, job);
    if (job.output !== null && (job.ffmpeg === undefined || job.aigc === undefined)) {
      throw new GenerationError('bad_input', 'an output file needs ffmpeg and the AIGC label');
    }
    checkMemory(
      await this.estimate(s),
      (this.opts.freeMemory ?? os.freemem)(),
      `a ${s.frames}-frame ${s.width}x${s.height} video`,
    );
    const shape = latentShape(m, s.frames, s.width, s.height);
    const [, C, F, H, W] = shape;
    const timings: Record<string, number> = {};
    const total = s.steps + 2; // steps, decode, encode+label: a rough share for the progress bar
    const report = (p: Omit<PipelineProgress, 'steps'>): void => {
      try {
        hooks.onProgress?.({ ...p, steps: s.steps });
      } catch {
        // A throwing listener must not break the generation.
      }
    };

    // Text: the prompt and the negative prompt, one batch of 2 when the encoder's batch is free.
    let t = now();
    report({ stage: 'encodeText', step: null, progress: 0, etaS: null });
    const useUncond = s.guidance !== 1;
    const L = m.textLength;
    const { cond, uncond } = await this.encodePrompts(
      s.prompt,
      useUncond ? s.negativePrompt : null,
    );
    timings['encodeText'] = now() - t;
    checkCancel();

    // Denoise.
    t = now();
    const scheduler: FlowScheduler =
      s.scheduler === 'euler'
        ? new EulerFlowScheduler({ steps: s.steps, shift: s.shift })
        : new UniPCFlowScheduler({ steps: s.steps, shift: s.shift });
    let latent = gaussianNoise(C * F * H * W, s.seed);
    const io = m.io.transformer;
    const batchable = typeof io.latent.shape[0] === 'string' && useUncond;
    const D = m.hiddenSize;
    const experts: StepExpert[] = [];
    const stepMs: number[] = [];
    const stepRunMs: number[] = [];
    const timesteps = [...scheduler.timesteps];
    const latentDims = [1, C, F, H, W];
    const contextBoth = batchable && uncond !== null ? concat(cond, uncond) : null;
    for (let i = 0; i < s.steps; i++) {
      checkCancel();
      const ts = now();
      const tStep = timesteps[i]!;
      const key: StepExpert = this.isMoe ? expertFor(tStep, m.defaults.boundary!) : 'single';
      const session = await this.expert(key);
      experts.push(key);
      let run = 0;
      const call = async (x: Float32Array, ctx: Float32Array, b: number): Promise<Float32Array> => {
        const feeds: Record<string, ort.Tensor> = {
          [io.latent.name]: floatTensor(io.latent, x, [b, C, F, H, W]),
          [io.timestep.name]: timestepTensor(io.timestep, tStep, b),
          [io.context.name]: floatTensor(io.context, ctx, [b, L, D]),
        };
        const r0 = now();
        const out = await session.run(feeds);
        run += now() - r0;
        return outputData(out, io.output.name);
      };
      let v: Float32Array;
      if (contextBoth !== null) {
        const both = await call(concat(latent, latent), contextBoth, 2);
        const n = latent.length;
        v = cfg(both.subarray(n, 2 * n), both.subarray(0, n), s.guidance);
      } else {
        const c = await call(latent, cond, 1);
        v = uncond === null ? c : cfg(await call(latent, uncond, 1), c, s.guidance);
      }
      latent = scheduler.step(v, i, latent);
      stepMs.push(now() - ts);
      stepRunMs.push(run);
      const mean = stepMs.reduce((a, b) => a + b, 0) / stepMs.length;
      report({
        stage: 'denoise',
        step: i + 1,
        progress: (i + 1) / total,
        etaS: (mean * (s.steps - i - 1)) / 1000,
      });
    }
    timings['denoise'] = now() - t;
    checkCancel();

    // Decode (chunked over latent frames) straight into the encoder.
    const frames = decodedFrames(m, F);
    const hash = createHash('sha256');
    const encoder = job.output !== null ? startEncoder(job.ffmpeg!, job.output, s, signal) : null;
    let decodeMs = 0;
    let writeMs = 0;
    try {
      report({ stage: 'decode', step: null, progress: s.steps / total, etaS: null });
      await this.decode(
        latent,
        latentDims,
        s.vaeChunkFrames ?? 2,
        async (planes, count) => {
          checkCancel();
          const w0 = now();
          for (let k = 0; k < count; k++) {
            const rgb = frameToRgb24(planes, k, count, s.width, s.height);
            hash.update(rgb);
            if (encoder) await encoder.write(rgb);
          }
          writeMs += now() - w0;
        },
        (ms) => (decodeMs += ms),
      );
      timings['decode'] = decodeMs;
      if (encoder) {
        report({ stage: 'encode', step: null, progress: (s.steps + 1) / total, etaS: null });
        const e0 = now();
        await encoder.finish();
        timings['encode'] = writeMs + (now() - e0);
      }
    } catch (err) {
      encoder?.abort();
      if (encoder) await rm(encoder.rawFile, { force: true });
      checkCancel();
      throw err;
    }

    if (encoder && job.output !== null) {
      const l0 = now();
      report({ stage: 'label', step: null, progress: (s.steps + 1.5) / total, etaS: null });
      try {
        await labelAiGenerated({
          ffmpeg: job.ffmpeg!,
          input: encoder.rawFile,
          output: job.output,
          aigc: job.aigc!,
          ...(signal !== undefined ? { signal } : {}),
        });
      } catch (err) {
        checkCancel();
        throw new GenerationError(
          'ffmpeg',
          `labelling the generated video failed: ${err instanceof Error ? err.message : String(err)}`,
          { cause: err },
        );
      } finally {
        await rm(encoder.rawFile, { force: true });
      }
      timings['label'] = now() - l0;
    }
    timings['total'] = now() - t0;
    return {
      output: job.output,
      frames,
      width: s.width,
      height: s.height,
      fps: s.fps,
      seed: s.seed,
      steps: s.steps,
      provider: this.choice.provider,
      experts,
      timesteps,
      timings,
      stepMs,
      stepRunMs,
      framesSha256: hash.digest('hex'),
      ...(job.keepLatent === true ? { latent } : {}),
      latentShape: latentDims,
      peakRssBytes: peakRss(),
    };
  }

  /** Token ids → last_hidden_state for the prompt (and the negative prompt, when given). */
  async encodePrompts(
    prompt: string,
    negative: string | null,
  ): Promise<{ cond: Float32Array; uncond: Float32Array | null }> {
    const m = this.manifest;
    const io = m.io.textEncoder;
    const L = m.textLength;
    const ids = (text: string): BigInt64Array => encodeText(this.tokenizer, text, L);
    const run = async (data: BigInt64Array, b: number): Promise<Float32Array> => {
      const out = await this.textEncoder.run({
        [io.inputIds.name]: new ort.Tensor(
          io.inputIds.dtype === 'int32' ? 'int32' : 'int64',
          io.inputIds.dtype === 'int32' ? Int32Array.from(data, Number) : data,
          [b, L],
        ),
      });
      return outputData(out, io.output.name);
    };
    if (negative === null) return { cond: await run(ids(prompt), 1), uncond: null };
    if (typeof io.inputIds.shape[0] === 'string') {
      const both = await run(concatBig(ids(prompt), ids(negative)), 2);
      const n = both.length / 2;
      return { cond: both.slice(0, n), uncond: both.slice(n) };
    }
    return { cond: await run(ids(prompt), 1), uncond: await run(ids(negative), 1) };
  }

  /**
   * Decodes [1, C, F, H, W] in chunks of `chunkFrames` latent frames; `onFrames` gets each chunk's
   * kept frames as planar [3, n, H·s, W·s] in [-1, 1], in order. Returns the frame count.
   */
  async decode(
    latent: Float32Array,
    shape: readonly number[],
    chunkFrames: number,
    onFrames: (planes: Float32Array, count: number) => Promise<void> | void,
    onRunMs?: (ms: number) => void,
  ): Promise<number> {
    const m = this.manifest;
    const io = m.io.vaeDecoder;
    const [, C, F, H, W] = shape as [number, number, number, number, number];
    let total = 0;
    for (const chunk of vaeDecodeChunks(m, F, chunkFrames)) {
      const n = chunk.end - chunk.inputStart;
      const input = sliceFrames(latent, shape, chunk.inputStart, chunk.end);
      const r0 = now();
      const out = await this.vae.run({
        [io.latent.name]: floatTensor(io.latent, input, [1, C, n, H, W]),
      });
      const tensor = out[io.output.name];
      const data = outputData(out, io.output.name);
      onRunMs?.(now() - r0);
      const dims = tensor!.dims as number[];
      const [, , T, oh, ow] = dims as [number, number, number, number, number];
      const keep = T - chunk.drop;
      const hw = oh * ow;
      const planes = new Float32Array(3 * keep * hw);
      for (let ch = 0; ch < 3; ch++) {
        planes.set(data.subarray((ch * T + chunk.drop) * hw, (ch * T + T) * hw), ch * keep * hw);
      }
      total += keep;
      await onFrames(planes, keep);
    }
    return total;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const all = [this.textEncoder, this.vae, ...this.experts.values()];
    this.experts.clear();
    await Promise.allSettled(all.map((s) => s.release()));
  }
}

function sessionOpener(
  provider: string,
  threads: number | undefined,
): (path: string) => Promise<ort.InferenceSession> {
  return (path) =>
    ort.InferenceSession.create(path, {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
      ...(threads !== undefined && threads > 0 ? { intraOpNumThreads: threads } : {}),
    });
}

function timestepTensor(spec: TensorSpec, t: number, b: number): ort.Tensor {
  if (spec.dtype === 'int64')
    return new ort.Tensor('int64', new BigInt64Array(b).fill(BigInt(Math.round(t))), [b]);
  if (spec.dtype === 'int32')
    return new ort.Tensor('int32', new Int32Array(b).fill(Math.round(t)), [b]);
  return floatTensor(spec, new Float32Array(b).fill(t), [b]);
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function concatBig(a: BigInt64Array, b: BigInt64Array): BigInt64Array {
  const out = new BigInt64Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Checks the settings against the model (4k+1 frames, size, steps…); throws 'bad_input'. */
export function validateSettings(m: T2vManifest, s: GenerationSettings): GenerationSettings {
  const bad = (msg: string): never => {
    throw new GenerationError('bad_input', msg);
  };
  try {
    latentShape(m, s.frames, s.width, s.height);
  } catch (err) {
    bad(err instanceof Error ? err.message : String(err));
  }
  if (!Number.isInteger(s.steps) || s.steps < 1 || s.steps > 1000)
    bad(`steps must be an integer in 1…1000, got ${s.steps}`);
  if (!Number.isFinite(s.guidance) || s.guidance < 0 || s.guidance > 50)
    bad(`guidance must be in 0…50, got ${s.guidance}`);
  if (!Number.isFinite(s.shift) || s.shift <= 0 || s.shift > 100)
    bad(`shift must be above 0 and at most 100, got ${s.shift}`);
  if (!Number.isFinite(s.fps) || s.fps <= 0 || s.fps > 120)
    bad(`fps must be in (0, 120], got ${s.fps}`);
  if (
    s.vaeChunkFrames !== undefined &&
    (!Number.isInteger(s.vaeChunkFrames) || s.vaeChunkFrames < 1)
  )
    bad(`vaeChunkFrames must be a positive integer, got ${s.vaeChunkFrames}`);
  if (!Number.isInteger(s.seed) || s.seed < 0 || s.seed > 0xffffffff)
    bad(`seed must be an integer in 0…4294967295, got ${s.seed}`);
  return s;
}

interface Encoder {
  rawFile: string;
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  abort(): void;
}

/** ffmpeg reading RGB24 frames on stdin → an unlabelled H.264 MP4 next to the output. */
function startEncoder(
  ffmpeg: string,
  output: string,
  s: GenerationSettings,
  signal: AbortSignal | undefined,
): Encoder {
  mkdirSync(dirname(output), { recursive: true });
  const rawFile = join(dirname(output), `.${basename(output)}.${process.pid}.raw.mp4`);
  const proc = startProcess({
    bin: ffmpeg,
    args: [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-s',
      `${s.width}x${s.height}`,
      '-framerate',
      String(s.fps),
      '-i',
      'pipe:0',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-crf',
      '16',
      '-pix_fmt',
      'yuv420p',
      '-an',
      '-f',
      'mp4',
      '-y',
      rawFile,
    ],
    stdin: 'pipe',
    stdout: 'ignore',
    lowPriority: true,
    ...(signal !== undefined ? { signal } : {}),
    killGraceMs: 1000,
  });
  const stdin = proc.stdin!;
  let pipeError: Error | null = null;
  // ffmpeg exiting early closes the pipe: the exit status says why, not the EPIPE.
  stdin.on('error', (err) => (pipeError = err));
  return {
    rawFile,
    async write(chunk) {
      if (pipeError !== null) return;
      if (!stdin.write(chunk)) await Promise.race([once(stdin, 'drain'), once(stdin, 'close')]);
    },
    async finish() {
      stdin.end();
      const exit = await proc.done;
      if (exit.code !== 0) {
        throw new GenerationError(
          'ffmpeg',
          `encoding the generated frames failed (ffmpeg exit ${exit.code ?? exit.signal}): ` +
            (exit.stderrTail.trim().split('\n').pop() ?? ''),
        );
      }
    },
    abort() {
      proc.stop();
    },
  };
}
