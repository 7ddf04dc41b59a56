/**
 * The same pipeline on the CUDA execution provider, where this machine has one. It skips, saying
 * exactly what is missing, where onnxruntime-node's CUDA binaries are not installed (the default:
 * `.npmrc` skips their download) — run it on a GPU machine after
 * `ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node`.
 */
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, it } from 'vitest';
import { missing } from '../testing/skip';
import { type PipelineJob, T2vPipeline } from './pipeline';
import { ortBinaryDir, precheckProvider } from './providers';

const TINY = join(__dirname, '..', '..', 'models', 'tiny-t2v');
const why = precheckProvider('cuda', {
  platform: process.platform,
  backends: ort.listSupportedBackends().map((b) => b.name),
  binaryDir: ortBinaryDir(),
});

const job: PipelineJob = {
  prompt: 'a cat running',
  negativePrompt: '',
  frames: 9,
  width: 64,
  height: 48,
  steps: 6,
  seed: 99,
  guidance: 5,
  shift: 5,
  scheduler: 'unipc',
  fps: 16,
  output: null,
};

it.skipIf(missing(why === null ? null : `the CUDA execution provider: ${why}`))(
  `runs the tiny pipeline on CUDA with the same latent as on the CPU${why ? ` (skipped: ${why})` : ''}`,
  async () => {
    const gpu = await T2vPipeline.load(TINY, { provider: 'cuda' });
    const cpu = await T2vPipeline.load(TINY, { provider: 'cpu' });
    try {
      expect(gpu.choice.provider).toBe('cuda');
      const a = await gpu.run({ ...job, keepLatent: true });
      const b = await cpu.run({ ...job, keepLatent: true });
      expect(a.frames).toBe(9);
      let worst = 0;
      for (let i = 0; i < a.latent!.length; i++)
        worst = Math.max(worst, Math.abs(a.latent![i]! - b.latent![i]!));
      expect(worst).toBeLessThan(1e-3);
    } finally {
      await gpu.release();
      await cpu.release();
    }
  },
  120_000,
);
