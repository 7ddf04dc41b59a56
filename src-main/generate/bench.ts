/**
 * Issue #8 figures for the generation engine: what our denoising loop costs per step on top of a
 * bare transformer session.run with the same feeds (the target is ≤ 5 % of a real model's step),
 * the model's cold start (worker spawn + verify + load) and peak memory, on the best provider the
 * machine has (CUDA where its onnxruntime binaries are installed, else the CPU).
 *
 * With the tiny test model a transformer call costs about as much as the loop's own arithmetic,
 * so the percentage against it says little; the absolute overhead in ms per step is the figure to
 * set against a real model's step (seconds for Wan2.x A14B on a GPU).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { latentShape, parseSize } from './manifest';
import { gaussianNoise, T2vPipeline } from './pipeline';
import type { RequestedProvider } from './providers';
import { defaultGenerationWorkerPath, GenerationWorkerHost } from './worker-host';

export interface GenerateBenchOptions {
  modelDir?: string;
  provider?: RequestedProvider;
  frames?: number;
  size?: string;
  steps?: number;
  /** The bundled worker; default out/main/generate-worker.js when built. */
  workerPath?: string | null;
}

export interface GenerateBenchResult {
  model: string;
  provider: string;
  providerReason: string;
  latent: number[];
  steps: number;
  /** Median ms of one bare transformer session.run (batch 2: cond + uncond). */
  bareRunMs: number;
  /** Median ms of one step of our loop (expert choice, feeds, run, guidance, UniPC). */
  loopStepMs: number;
  /** loopStepMs − bareRunMs. */
  overheadMsPerStep: number;
  /** Overhead against the bare run of this model. */
  overheadPct: number;
  /** In-process verify + load of every session, ms. */
  loadMs: number;
  /** Worker spawn + verify + load, ms (null when the worker is not built). */
  coldStartMs: number | null;
  /** The worker's resident set after loading. */
  workerRssMiB: number | null;
  /** Peak resident set of this process over the run. */
  peakRssMiB: number;
  decodeMs: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

export async function benchGenerate(opts: GenerateBenchOptions = {}): Promise<GenerateBenchResult> {
  const modelDir = opts.modelDir ?? join(__dirname, '..', '..', 'models', 'tiny-t2v');
  const provider = opts.provider ?? 'auto';
  const pipe = await T2vPipeline.load(modelDir, { provider });
  try {
    const m = pipe.manifest;
    const { width, height } = parseSize(opts.size ?? '832x480');
    const frames = opts.frames ?? 81;
    const steps = opts.steps ?? 10;
    const shape = latentShape(m, frames, width, height);
    const [, c, f, h, w] = shape;
    const n = c * f * h * w;

    // The bare baseline: the same model file and feeds, run back to back.
    const io = m.io.transformer;
    const expertPath = pipe.model.paths.transformer_high ?? pipe.model.paths.transformer!;
    const bare = await ort.InferenceSession.create(expertPath, {
      executionProviders: [pipe.choice.provider],
      graphOptimizationLevel: 'all',
    });
    const x = gaussianNoise(2 * n, 1);
    const ctx = new Float32Array(2 * m.textLength * m.hiddenSize).fill(0.1);
    const runs: number[] = [];
    for (let i = 0; i < steps + 2; i++) {
      const t0 = performance.now();
      await bare.run({
        [io.latent.name]: new ort.Tensor('float32', x, [2, c, f, h, w]),
        [io.timestep.name]: new ort.Tensor('float32', new Float32Array(2).fill(900), [2]),
        [io.context.name]: new ort.Tensor('float32', ctx, [2, m.textLength, m.hiddenSize]),
      });
      if (i >= 2) runs.push(performance.now() - t0); // the first runs warm the allocator
    }
    await bare.release();

    // Warm our loop once, then measure.
    const job = {
      prompt: 'a sunset over the sea, waves, golden light',
      negativePrompt: 'blurry',
      frames,
      width,
      height,
      steps,
      seed: 1,
      guidance: 5,
      shift: 5,
      scheduler: 'unipc' as const,
      fps: m.defaults.fps,
      output: null,
    };
    await pipe.run({ ...job, steps: 2 });
    const r = await pipe.run(job);
    const bareRunMs = median(runs);
    const loopStepMs = median(r.stepMs);

    let coldStartMs: number | null = null;
    let workerRssMiB: number | null = null;
    const workerPath =
      opts.workerPath === undefined ? defaultGenerationWorkerPath() : opts.workerPath;
    if (workerPath !== null) {
      const host = new GenerationWorkerHost({ workerPath, provider, idleUnloadS: 0 });
      try {
        const st = await host.ensureLoaded(modelDir);
        coldStartMs = st.coldStartMs;
        workerRssMiB =
          st.rssAfterLoadBytes === null ? null : Math.round(st.rssAfterLoadBytes / 2 ** 20);
      } finally {
        await host.close();
      }
    }
    return {
      model: m.id,
      provider: pipe.choice.provider,
      providerReason: pipe.choice.reason,
      latent: [...shape],
      steps,
      bareRunMs,
      loopStepMs,
      overheadMsPerStep: loopStepMs - bareRunMs,
      overheadPct: ((loopStepMs - bareRunMs) / bareRunMs) * 100,
      loadMs: pipe.loadMs,
      coldStartMs,
      workerRssMiB,
      peakRssMiB: Math.round(r.peakRssBytes / 2 ** 20),
      decodeMs: r.timings['decode'] ?? NaN,
    };
  } finally {
    await pipe.release();
  }
}
