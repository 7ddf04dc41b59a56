/**
 * The whole text-to-video pipeline on CPU with the tiny Wan2.x-shaped models: a labelled MP4 with
 * exactly the frames asked for, seeds that reproduce, the A14B expert hand-over at the boundary,
 * chunked decoding equal to one decode, the memory guard, and a corrupt model refused before load.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectClip } from '../render/verify';
import { FFMPEG, NO_FFMPEG } from '../testing/media';
import { missing } from '../testing/skip';
import { latentShape } from './manifest';
import {
  checkMemory,
  estimateJobBytes,
  gaussianNoise,
  GenerationError,
  type PipelineJob,
  T2vPipeline,
} from './pipeline';
import { expertFor, flowSigmas, timestepsFromSigmas } from './scheduler';

const TINY = join(__dirname, '..', '..', 'models', 'tiny-t2v');
const FFPROBE = FFMPEG === null ? null : join(FFMPEG, '..', 'ffprobe');

let dir: string;
let pipe: T2vPipeline;

const base = (over: Partial<PipelineJob> = {}): PipelineJob => ({
  prompt: '一只猫在草地上奔跑 a cat running',
  negativePrompt: 'blurry',
  frames: 9,
  width: 64,
  height: 48,
  steps: 6,
  seed: 1234,
  guidance: 5,
  shift: 5,
  scheduler: 'unipc',
  fps: 16,
  output: null,
  ...over,
});

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-gen-pipe-'));
  pipe = await T2vPipeline.load(TINY, { provider: 'cpu' });
}, 60_000);
afterAll(async () => {
  await pipe?.release();
  rmSync(dir, { recursive: true, force: true });
});

describe('denoising', () => {
  it('the same seed gives the same latent and frames; another seed does not', async () => {
    const a = await pipe.run(base({ keepLatent: true }));
    const b = await pipe.run(base({ keepLatent: true }));
    const c = await pipe.run(base({ keepLatent: true, seed: 1235 }));
    expect(a.latent).toEqual(b.latent);
    expect(a.framesSha256).toBe(b.framesSha256);
    expect(c.latent).not.toEqual(a.latent);
    expect(c.framesSha256).not.toBe(a.framesSha256);
    expect(a.latentShape).toEqual(latentShape(pipe.manifest, 9, 64, 48));
    // The noise itself is a standard normal.
    const z = gaussianNoise(20_000, 7);
    const mean = z.reduce((s, v) => s + v, 0) / z.length;
    const variance = z.reduce((s, v) => s + (v - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('hands over from the high-noise to the low-noise expert at the boundary timestep', async () => {
    const steps = 12;
    const r = await pipe.run(base({ steps, shift: 3 }));
    const boundary = pipe.manifest.defaults.boundary!;
    const ts = timestepsFromSigmas(flowSigmas(steps, 3));
    expect(r.timesteps).toEqual([...ts]);
    // Expected per step from the schedule itself, and both experts ran.
    expect(r.experts).toEqual([...ts].map((t) => (t >= boundary * 1000 ? 'high' : 'low')));
    expect(r.experts).toContain('high');
    expect(r.experts).toContain('low');
    const switchAt = r.experts.indexOf('low');
    expect(r.experts.slice(switchAt).every((e) => e === 'low')).toBe(true);
    expect(r.timesteps[switchAt - 1]!).toBeGreaterThanOrEqual(boundary * 1000);
    expect(r.timesteps[switchAt]!).toBeLessThan(boundary * 1000);
    expect(expertFor(r.timesteps[switchAt]!, boundary)).toBe('low');
  });

  it('the experts really differ: running only the low expert changes the result', async () => {
    // Same model, but a boundary above every timestep makes every step a low step.
    const copy = join(dir, 'low-only');
    cpSync(TINY, copy, { recursive: true });
    const mf = JSON.parse(readFileSync(join(copy, 'manifest.json'), 'utf8')) as {
      defaults: { boundary: number };
    };
    mf.defaults.boundary = 0.9999;
    writeFileSync(join(copy, 'manifest.json'), JSON.stringify(mf));
    const lowOnly = await T2vPipeline.load(copy, { provider: 'cpu' });
    try {
      const a = await pipe.run(base({ keepLatent: true }));
      const b = await lowOnly.run(base({ keepLatent: true }));
      expect(b.experts.every((e) => e === 'low')).toBe(true);
      expect(a.experts[0]).toBe('high');
      expect(b.latent).not.toEqual(a.latent);
    } finally {
      await lowOnly.release();
    }
  });

  it('lowMemory keeps one expert resident and gives the same result', async () => {
    const low = await T2vPipeline.load(TINY, { provider: 'cpu', lowMemory: true });
    try {
      expect(low.residentExperts()).toEqual(['high']);
      const r = await low.run(base({ keepLatent: true, steps: 8 }));
      expect(low.residentExperts()).toEqual(['low']);
      expect(low.expertLoads).toBe(1);
      const again = await low.run(base({ keepLatent: true, steps: 8 }));
      // The next job starts on the high expert again: released low, loaded high, then low.
      expect(low.expertLoads).toBe(3);
      const full = await pipe.run(base({ keepLatent: true, steps: 8 }));
      expect(r.latent).toEqual(full.latent);
      expect(again.latent).toEqual(full.latent);
    } finally {
      await low.release();
    }
  });

  it('Euler and UniPC both run and differ', async () => {
    const u = await pipe.run(base({ keepLatent: true }));
    const e = await pipe.run(base({ keepLatent: true, scheduler: 'euler' }));
    expect(e.latent).not.toEqual(u.latent);
    expect(e.latent!.every(Number.isFinite)).toBe(true);
  });

  it('reports progress per step with an ETA, and stops between steps when cancelled', async () => {
    const seen: Array<{ stage: string; step: number | null; etaS: number | null }> = [];
    await pipe.run(base({ steps: 5 }), { onProgress: (p) => seen.push(p) });
    const steps = seen.filter((p) => p.stage === 'denoise');
    expect(steps.map((p) => p.step)).toEqual([1, 2, 3, 4, 5]);
    expect(steps.at(-1)!.etaS).toBe(0);
    expect(steps[0]!.etaS).toBeGreaterThanOrEqual(0);

    const ac = new AbortController();
    const stepsRun: number[] = [];
    const p = pipe.run(base({ steps: 20 }), {
      signal: ac.signal,
      onProgress: (pr) => {
        if (pr.step !== null) stepsRun.push(pr.step);
        if (pr.step === 3) ac.abort();
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'cancelled' });
    expect(stepsRun).toEqual([1, 2, 3]);
  });
});

describe('decoding', () => {
  it('a chunked VAE decode gives the same frames as one decode', async () => {
    const frames = 17; // 5 latent frames
    const one = await pipe.run(base({ frames, vaeChunkFrames: 5, keepLatent: true }));
    for (const chunk of [1, 2, 3]) {
      const r = await pipe.run(base({ frames, vaeChunkFrames: chunk }));
      expect(r.framesSha256, `chunk ${chunk}`).toBe(one.framesSha256);
      expect(r.frames).toBe(frames);
    }
    // And on the float planes, not only the 8-bit frames.
    const collect = async (chunk: number): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      await pipe.decode(one.latent!, one.latentShape, chunk, (planes) => {
        out.push(planes);
      });
      return out;
    };
    const whole = (await collect(5))[0]!;
    const parts = await collect(2);
    expect(parts).toHaveLength(3);
    // Planes are [3, n, H, W]: compare per channel.
    const hw = 64 * 48;
    let offset = 0;
    for (const part of parts) {
      const n = part.length / 3 / hw;
      for (let ch = 0; ch < 3; ch++) {
        const got = part.subarray(ch * n * hw, (ch + 1) * n * hw);
        const want = whole.subarray((ch * frames + offset) * hw, (ch * frames + offset + n) * hw);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
      offset += n;
    }
    expect(offset).toBe(frames);
  });
});

describe('guards', () => {
  it('refuses a job when free memory is short, saying how much it needs', async () => {
    const tight = await T2vPipeline.load(TINY, { provider: 'cpu', freeMemory: () => 64 << 20 });
    try {
      await expect(tight.run(base())).rejects.toMatchObject({
        code: 'memory',
        message: expect.stringMatching(/needs about \d+ MiB .* 64 MiB are free/),
      });
    } finally {
      await tight.release();
    }
    const m = pipe.manifest;
    const small = estimateJobBytes(m, { frames: 9, width: 64, height: 48 });
    const big = estimateJobBytes(m, { frames: 81, width: 832, height: 480 });
    expect(big).toBeGreaterThan(small * 50);
    expect(() => checkMemory(big, big, 'x')).toThrow(GenerationError);
    expect(() => checkMemory(small, small + (300 << 20), 'x')).not.toThrow();
  });

  it('rejects frames that are not 4k+1, naming valid values', async () => {
    await expect(pipe.run(base({ frames: 10 }))).rejects.toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/4k\+1.*nearest below is 9/),
    });
    await expect(pipe.run(base({ width: 70 }))).rejects.toMatchObject({ code: 'bad_input' });
  });

  it('a corrupt model file is refused before anything is loaded', async () => {
    const bad = join(dir, 'corrupt');
    cpSync(TINY, bad, { recursive: true });
    const f = join(bad, 'vae_decoder.onnx');
    const bytes = readFileSync(f);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(f, bytes);
    await expect(T2vPipeline.load(bad, { provider: 'cpu' })).rejects.toMatchObject({
      code: 'model',
      message: expect.stringMatching(/vae_decoder\.onnx.*sha256|vae_decoder\.onnx/),
    });
  });
});

describe.skipIf(missing(FFMPEG === null && NO_FFMPEG))('the output video (real ffmpeg)', () => {
  it('has exactly the frames, size and fps asked for, and the AIGC label', async () => {
    const output = join(dir, 'out', 'gen.mp4');
    const frames = 13;
    const r = await pipe.run(
      base({
        frames,
        width: 96,
        height: 64,
        fps: 12,
        output,
        ffmpeg: FFMPEG!,
        aigc: { producer: 'LiveSlice', produceId: 'cli-1' },
      }),
    );
    expect(r.frames).toBe(frames);
    const counted = execFileSync(FFPROBE!, [
      ...['-v', 'error', '-count_frames', '-select_streams', 'v:0'],
      ...['-show_entries', 'stream=nb_read_frames,width,height,r_frame_rate', '-of', 'json'],
      output,
    ]).toString();
    const stream = (JSON.parse(counted) as { streams: Array<Record<string, unknown>> }).streams[0]!;
    expect(Number(stream['nb_read_frames'])).toBe(frames);
    expect(stream['width']).toBe(96);
    expect(stream['height']).toBe(64);
    expect(stream['r_frame_rate']).toBe('12/1');
    const facts = await inspectClip(FFPROBE!, output);
    expect(JSON.parse(facts.tags['aigc']!)).toMatchObject({ Label: '1', ProduceID: 'cli-1' });
    for (const k of ['encodeText', 'denoise', 'decode', 'encode', 'label', 'total'])
      expect(r.timings[k], k).toBeGreaterThan(0);
    // No raw intermediate is left next to the output.
    expect(
      execFileSync('ls', ['-A', join(dir, 'out')])
        .toString()
        .trim(),
    ).toBe('gen.mp4');
  }, 60_000);
});
