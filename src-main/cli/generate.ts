/**
 * `liveslice generate`: one text-to-video job on the command line, in this process (the app runs
 * the same pipeline in its worker). Prints one JSON line with the output's facts and timings.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir } from '../config/paths';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { loadManifest, manifestPath, parseSize, type T2vManifest } from '../generate/manifest';
import { GenerationError, T2vPipeline } from '../generate/pipeline';
import { REQUESTED_PROVIDERS, type RequestedProvider } from '../generate/providers';
import { DEFAULT_NEGATIVE } from '../generate/service';

export const GENERATE_EXIT = { ok: 0, failed: 1, badArgs: 2, model: 4 } as const;

export const GENERATE_USAGE = `Usage:
  liveslice generate --model MODEL --prompt "…" --out FILE.mp4 [options]

  --model MODEL      A manifest.json, a model directory, or an installed model id (e.g. tiny-t2v)
  --prompt TEXT      What to generate
  --out FILE.mp4     The labelled video (AI-generated label + AIGC metadata)
  --frames N         Frames, 4k+1 (default: the model's, e.g. 81 = 5 s at 16 fps)
  --size WxH         Frame size (default: the model's, e.g. 832x480)
  --steps N          Denoising steps (default: the model's)
  --seed N           0…4294967295 (default: random; printed for reproducing)
  --negative TEXT    Negative prompt
  --guidance X       Classifier-free guidance scale
  --shift X          Timestep shift
  --scheduler S      unipc | euler
  --provider P       auto | cuda | tensorrt | dml | coreml | cpu (default auto)
  --low-memory       Keep one expert of a MoE model resident at a time
  --vae-chunk N      Latent frames per VAE decode call (default 2)
  --data-dir DIR     Where installed models are looked up (DIR/models/<id>)

Exit status: 0 done, 1 generation failed, 2 bad arguments, 4 model missing or corrupt.`;

export interface RunGenerateOptions {
  /** stdout: the JSON line (default process.stdout). */
  out?: (line: string) => void;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

const intArg = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ArgError(`--${name} must be a whole number, got '${v}'`);
  return Number(v);
};
const numArg = (v: string | undefined, name: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n))
    throw new ArgError(`--${name} must be a number, got '${v}'`);
  return n;
};

class ArgError extends Error {}

/** The model directory for --model: a manifest path, a directory, or an id among the installed. */
export function resolveModelArg(model: string, dataDir: string): string | null {
  if (model.endsWith('.json') || model.includes('/') || model.includes('\\')) {
    const p = resolve(model);
    return existsSync(manifestPath(p)) ? p : null;
  }
  const candidates = [
    join(dataDir, 'models', model),
    join(__dirname, '..', '..', 'models', model), // bundled next to the app (models/tiny-t2v)
    resolve(model),
  ];
  return candidates.find((d) => existsSync(join(d, 'manifest.json'))) ?? null;
}

/** The nearest valid frame counts around a wrong one (stride·k + 1). */
export function nearestFrames(frames: number, stride: number): number[] {
  const below = frames - ((((frames - 1) % stride) + stride) % stride);
  const out = [below, below + stride].filter((n) => n >= 1);
  return [...new Set(out)];
}

export async function runGenerate(
  argv: readonly string[],
  say: (line: string) => void,
  opts: RunGenerateOptions = {},
): Promise<number> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const bad = (msg: string): number => {
    say(`liveslice generate: ${msg} (see liveslice generate --help)`);
    return GENERATE_EXIT.badArgs;
  };
  let v: Record<string, string | boolean | undefined>;
  try {
    ({ values: v } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        prompt: { type: 'string' },
        out: { type: 'string' },
        frames: { type: 'string' },
        size: { type: 'string' },
        steps: { type: 'string' },
        seed: { type: 'string' },
        negative: { type: 'string' },
        guidance: { type: 'string' },
        shift: { type: 'string' },
        scheduler: { type: 'string' },
        provider: { type: 'string' },
        'low-memory': { type: 'boolean' },
        'vae-chunk': { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    return bad((msg.split('\n')[0] ?? msg).replace(/\.$/, ''));
  }
  if (v['help'] === true) {
    out(GENERATE_USAGE);
    return GENERATE_EXIT.ok;
  }
  const str = (k: string): string | undefined => v[k] as string | undefined;
  const model = str('model');
  const prompt = str('prompt')?.trim();
  const outFile = str('out');
  if (model === undefined) return bad('--model is required');
  if (prompt === undefined || prompt === '')
    return bad('--prompt is required and must not be empty');
  if (outFile === undefined) return bad('--out is required');
  if (!outFile.toLowerCase().endsWith('.mp4'))
    return bad(`--out must name an .mp4 file, got '${outFile}'`);
  const provider = str('provider') ?? 'auto';
  if (!(REQUESTED_PROVIDERS as readonly string[]).includes(provider))
    return bad(`--provider must be one of ${REQUESTED_PROVIDERS.join(', ')}, got '${provider}'`);
  const scheduler = str('scheduler');
  if (scheduler !== undefined && scheduler !== 'unipc' && scheduler !== 'euler')
    return bad(`--scheduler must be unipc or euler, got '${scheduler}'`);
  let frames: number | undefined;
  let steps: number | undefined;
  let seed: number | undefined;
  let guidance: number | undefined;
  let shift: number | undefined;
  let vaeChunk: number | undefined;
  let size: { width: number; height: number } | undefined;
  try {
    frames = intArg(str('frames'), 'frames');
    steps = intArg(str('steps'), 'steps');
    seed = intArg(str('seed'), 'seed');
    guidance = numArg(str('guidance'), 'guidance');
    shift = numArg(str('shift'), 'shift');
    vaeChunk = intArg(str('vae-chunk'), 'vae-chunk');
    const s = str('size');
    if (s !== undefined) {
      try {
        size = parseSize(s);
      } catch {
        throw new ArgError(`--size must be WIDTHxHEIGHT (e.g. 832x480), got '${s}'`);
      }
    }
  } catch (err) {
    return bad((err as Error).message);
  }
  if (seed !== undefined && seed > 0xffffffff) return bad(`--seed must be at most 4294967295`);

  const dataDir = str('data-dir') ?? defaultDataDir({ env: opts.env ?? process.env });
  const dir = resolveModelArg(model, dataDir);
  if (dir === null) {
    say(
      `liveslice generate: no text-to-video model '${model}' (not a manifest, a model directory or an installed id)`,
    );
    return GENERATE_EXIT.model;
  }
  let manifest: T2vManifest;
  try {
    manifest = await loadManifest(dir);
  } catch (err) {
    say(`liveslice generate: ${(err as Error).message}`);
    return GENERATE_EXIT.model;
  }
  const d = manifest.defaults;
  const stride = manifest.latent.temporalStride;
  if (frames !== undefined && (frames < 1 || (frames - 1) % stride !== 0)) {
    return bad(
      `--frames ${frames} is not ${stride}k+1: use ${nearestFrames(frames, stride).join(' or ')}`,
    );
  }
  const ff = resolveFfmpeg({ env: opts.env ?? process.env });
  if (!ff.found) {
    say(`liveslice generate: ${ff.message}`);
    return GENERATE_EXIT.failed;
  }
  const ffmpeg = ff.path;
  const output = isAbsolute(outFile) ? outFile : resolve(outFile);
  const wh = size ?? parseSize(d.size);
  const settings = {
    prompt,
    negativePrompt: str('negative') ?? DEFAULT_NEGATIVE,
    frames: frames ?? d.frames,
    width: wh.width,
    height: wh.height,
    steps: steps ?? d.steps,
    seed: seed ?? Math.floor(Math.random() * 0x1_0000_0000),
    guidance: guidance ?? d.guidance,
    shift: shift ?? d.shift,
    scheduler: (scheduler as 'unipc' | 'euler' | undefined) ?? d.scheduler,
    fps: d.fps,
    ...(vaeChunk !== undefined ? { vaeChunkFrames: vaeChunk } : {}),
  };

  let pipe: T2vPipeline;
  try {
    pipe = await T2vPipeline.load(dir, {
      provider: provider as RequestedProvider,
      lowMemory: v['low-memory'] === true,
    });
  } catch (err) {
    say(`liveslice generate: ${(err as Error).message}`);
    return err instanceof GenerationError && err.code === 'model'
      ? GENERATE_EXIT.model
      : GENERATE_EXIT.failed;
  }
  say(`generating with ${manifest.id} on ${pipe.choice.reason}`);
  try {
    let lastSaid = 0;
    const r = await pipe.run(
      {
        ...settings,
        output,
        ffmpeg,
        aigc: { producer: 'LiveSlice', produceId: `cli-${Date.now()}` },
      },
      {
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        onProgress: (p) => {
          const t = Date.now();
          if (p.step === null || (t - lastSaid < 1000 && p.step !== p.steps)) return;
          lastSaid = t;
          say(`step ${p.step}/${p.steps}, about ${Math.ceil(p.etaS ?? 0)} s left`);
        },
      },
    );
    const round = (n: number): number => Math.round(n * 10) / 10;
    out(
      JSON.stringify({
        output: r.output,
        model: manifest.id,
        frames: r.frames,
        size: `${r.width}x${r.height}`,
        fps: r.fps,
        steps: r.steps,
        seed: r.seed,
        scheduler: settings.scheduler,
        guidance: settings.guidance,
        shift: settings.shift,
        provider: r.provider,
        providerReason: pipe.choice.reason,
        timingsMs: Object.fromEntries(
          Object.entries({ load: pipe.loadMs, ...r.timings }).map(([k, x]) => [k, round(x)]),
        ),
        stepMsMean: round(r.stepMs.reduce((a, b) => a + b, 0) / Math.max(1, r.stepMs.length)),
        peakRssMiB: Math.round(r.peakRssBytes / 2 ** 20),
      }),
    );
    return GENERATE_EXIT.ok;
  } catch (err) {
    if (err instanceof GenerationError && err.code === 'bad_input') return bad(err.message);
    say(`liveslice generate: ${(err as Error).message}`);
    return GENERATE_EXIT.failed;
  } finally {
    await pipe.release();
  }
}
