/**
 * Generation jobs on the persistent queue: kind 'generate', priority 50 (behind every clip),
 * one at a time, cancellable, with progress per denoising step and an ETA. The payload records
 * the seed and every setting, so a result can be made again; the labelled MP4 goes to
 * <dataDir>/sessions/<sid>/generated/<id>.mp4. Generations are the queue's jobs seen through the
 * contract's `Generation` shape, and every change is passed to `onChange`.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { ApiError, type Generation, type GenerationStatus } from '../api/contract';
import { JOB_PRIORITY, type JobQueue, type JobRecord, PermanentJobError } from '../jobs/types';
import type { Logger } from '../log/logger';
import {
  manifestPath,
  parseSize,
  parseT2vManifest,
  type T2vManifest,
  verifyModelDir,
} from './manifest';
import {
  GenerationError,
  type GenerationSettings,
  type PipelineJob,
  type PipelineProgress,
  type PipelineResult,
  validateSettings,
} from './pipeline';
import type { WorkerStatus } from './worker-host';

export const GENERATE_KIND = 'generate';

export interface GenerationPayload {
  id: string;
  highlightId: string | null;
  sessionId: string | null;
  model: string;
  modelDir: string;
  settings: GenerationSettings;
  /** The MP4: relative to the data directory, or absolute when chosen outside it (CLI --out). */
  file: string;
}

export interface GenerationOutcome {
  file: string;
  frames: number;
  width: number;
  height: number;
  fps: number;
  provider: string;
  experts: string[];
  timings: Record<string, number>;
  stepMs: number[];
}

/** What progressNote carries while a job runs. */
interface LiveNote {
  state: 'loading' | 'running' | 'decoding' | 'encoding';
  step: number | null;
  etaS: number | null;
}

/** The worker host's surface the service needs (a fake in tests). */
export interface GenerationRunner {
  run(
    modelDir: string,
    job: PipelineJob,
    hooks: { signal?: AbortSignal; onProgress?: (p: PipelineProgress) => void },
  ): Promise<PipelineResult>;
  status(): WorkerStatus;
}

export interface GenerationModel {
  id: string;
  /** The model directory (with manifest.json). */
  dir: string;
}

export interface GenerationServiceDeps {
  queue: JobQueue;
  dataDir: string;
  logger: Logger;
  runner: GenerationRunner;
  ffmpegPath: () => string | null;
  /** Installed text-to-video models (models/tiny-t2v, <dataDir>/models/…), first = default. */
  models: () => GenerationModel[];
  /** The `generate.model` setting (null: the first installed). */
  defaultModel: () => string | null;
  /** A highlight's session and prompt (the text to generate from when none is given). */
  highlight?: (id: string) => { sessionId: string; prompt: string } | null;
  onChange?: (g: Generation) => void;
  /** The AIGC label's ContentProducer. */
  producer?: string;
}

export interface GenerationStartInput {
  highlightId?: string | null | undefined;
  sessionId?: string | null | undefined;
  prompt?: string | undefined;
  negativePrompt?: string | undefined;
  model?: string | undefined;
  frames?: number | undefined;
  size?: string | undefined;
  steps?: number | undefined;
  seed?: number | undefined;
  guidance?: number | undefined;
  shift?: number | undefined;
  scheduler?: 'unipc' | 'euler' | undefined;
  /** An explicit output file (absolute); default under the session's generated/ folder. */
  out?: string | undefined;
}

/** Wan2.x's default negative prompt, shortened (what the uncond branch steers away from). */
export const DEFAULT_NEGATIVE =
  'blurry, low quality, worst quality, jpeg artifacts, static, still picture, deformed, extra fingers, watermark, subtitles';

export class GenerationService {
  private readonly off: Array<() => void> = [];
  /** Full (sha256) verification results by model dir, filled in the background. */
  private readonly verified = new Map<string, { ok: boolean; reason: string | null }>();

  constructor(private readonly deps: GenerationServiceDeps) {
    deps.queue.register<GenerationPayload, GenerationOutcome>(
      GENERATE_KIND,
      {
        run: (job, ctx) => this.runJob(job, ctx.signal, ctx.progress),
        cleanup: (job) => this.cleanup(job.payload),
      },
      { concurrency: 1 },
    );
    this.off.push(
      deps.queue.on('changed', (job) => {
        if (job.kind !== GENERATE_KIND) return;
        try {
          deps.onChange?.(
            this.toGeneration(job as JobRecord<GenerationPayload, GenerationOutcome>),
          );
        } catch (err) {
          deps.logger.warn('generation listener failed', { err: String(err) });
        }
      }),
    );
  }

  /** Queues a generation; settings not given come from the model's manifest. */
  start(input: GenerationStartInput): Generation {
    let sessionId = input.sessionId ?? null;
    let prompt = input.prompt?.trim() ?? '';
    const highlightId = input.highlightId ?? null;
    if (highlightId !== null) {
      const h = this.deps.highlight?.(highlightId) ?? null;
      if (h === null) throw new ApiError('not_found', `No highlight with id ${highlightId}`);
      sessionId = h.sessionId;
      if (prompt === '') prompt = h.prompt.trim();
    }
    if (prompt === '')
      throw new ApiError('bad_request', 'Nothing to generate from: the prompt is empty');
    const model = this.pickModel(input.model);
    const m = readManifestSync(model.dir);
    const d = m.defaults;
    let size: { width: number; height: number };
    try {
      size = parseSize(input.size ?? d.size);
    } catch (err) {
      throw new ApiError('bad_request', (err as Error).message);
    }
    const settings: GenerationSettings = {
      prompt,
      negativePrompt: input.negativePrompt ?? DEFAULT_NEGATIVE,
      frames: input.frames ?? d.frames,
      width: size.width,
      height: size.height,
      steps: input.steps ?? d.steps,
      seed: input.seed ?? randomInt(0, 0x1_0000_0000),
      guidance: input.guidance ?? d.guidance,
      shift: input.shift ?? d.shift,
      scheduler: input.scheduler ?? d.scheduler,
      fps: d.fps,
    };
    try {
      validateSettings(m, settings);
    } catch (err) {
      throw new ApiError(
        'bad_request',
        `Cannot generate with ${model.id}: ${(err as Error).message}`,
      );
    }
    const id = this.newId(highlightId);
    const file =
      input.out !== undefined
        ? this.fileRef(input.out)
        : join(sessionId !== null ? join('sessions', sessionId) : '', 'generated', `${id}.mp4`);
    const payload: GenerationPayload = {
      id,
      highlightId,
      sessionId,
      model: m.id,
      modelDir: model.dir,
      settings,
      file,
    };
    const job = this.deps.queue.enqueue<GenerationPayload>(GENERATE_KIND, payload, {
      priority: JOB_PRIORITY.generation,
      key: id,
      maxAttempts: 2,
    });
    this.deps.logger.info('generation queued', {
      id,
      model: m.id,
      frames: settings.frames,
      size: `${settings.width}x${settings.height}`,
      steps: settings.steps,
      seed: settings.seed,
    });
    return this.toGeneration(job as JobRecord<GenerationPayload, GenerationOutcome>);
  }

  cancel(id: string): Generation {
    const job = this.find(id);
    if (!job) throw new ApiError('not_found', `No generation with id ${id}`);
    const after = this.deps.queue.cancel(job.id) ?? job;
    return this.toGeneration(after as JobRecord<GenerationPayload, GenerationOutcome>);
  }

  /** A session's generations, newest first. */
  list(sessionId: string): Generation[] {
    return this.jobs()
      .filter((j) => j.payload.sessionId === sessionId)
      .map((j) => this.toGeneration(j));
  }

  get(id: string): Generation | null {
    const job = this.find(id);
    return job ? this.toGeneration(job) : null;
  }

  /** The worker and the installed models (checksums as last verified; sizes checked now). */
  status(): GenerationStatus {
    const w = this.deps.runner.status();
    const models = this.deps.models().map((m) => {
      const quick = quickCheck(m.dir);
      const full = this.verified.get(m.dir);
      if (full === undefined && quick.ok) void this.verifyInBackground(m.dir);
      const r = quick.ok && full !== undefined ? full : quick;
      return { id: m.id, dir: m.dir, ok: r.ok, reason: r.reason };
    });
    return {
      worker: {
        state: w.state,
        provider: w.provider,
        providerReason: w.providerReason,
        coldStartMs: w.coldStartMs,
        model: w.model,
        idleUnloadS: w.idleUnloadS,
      },
      models,
    };
  }

  close(): void {
    for (const off of this.off.splice(0)) off();
  }

  // ---------------------------------------------------------------------------------------------

  private async verifyInBackground(dir: string): Promise<void> {
    this.verified.set(dir, { ok: true, reason: null });
    try {
      await verifyModelDir(dir);
    } catch (err) {
      this.verified.set(dir, {
        ok: false,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }

  private pickModel(wanted: string | undefined): GenerationModel {
    const all = this.deps.models();
    const id = wanted ?? this.deps.defaultModel();
    const m = id === null ? all[0] : all.find((x) => x.id === id);
    if (m === undefined) {
      const have = all.map((x) => x.id).join(', ') || 'none';
      throw new ApiError(
        'not_found',
        id === null
          ? 'No text-to-video model is installed (import one with `liveslice models import`)'
          : `No text-to-video model '${id}' is installed (installed: ${have})`,
      );
    }
    return m;
  }

  private newId(highlightId: string | null): string {
    if (highlightId === null) return `cli-${Date.now()}`;
    const taken = new Set(this.jobs().map((j) => j.payload.id));
    let n = 1;
    while (taken.has(`${highlightId}-g${n}`)) n++;
    return `${highlightId}-g${n}`;
  }

  private fileRef(out: string): string {
    if (!isAbsolute(out))
      throw new ApiError('bad_request', `--out must be an absolute path: ${out}`);
    const rel = relative(this.deps.dataDir, out);
    return rel.startsWith('..') || isAbsolute(rel) ? out : rel;
  }

  private abs(file: string): string {
    return isAbsolute(file) ? file : join(this.deps.dataDir, file);
  }

  private jobs(): Array<JobRecord<GenerationPayload, GenerationOutcome>> {
    return this.deps.queue.list({ kind: GENERATE_KIND }) as Array<
      JobRecord<GenerationPayload, GenerationOutcome>
    >;
  }

  private find(id: string): JobRecord<GenerationPayload, GenerationOutcome> | undefined {
    return this.deps.queue.list({ kind: GENERATE_KIND, key: id })[0] as
      JobRecord<GenerationPayload, GenerationOutcome> | undefined;
  }

  private async runJob(
    job: JobRecord<GenerationPayload, GenerationOutcome>,
    signal: AbortSignal,
    progress: (fraction: number, note?: string) => void,
  ): Promise<GenerationOutcome> {
    const p = job.payload;
    const ffmpeg = this.deps.ffmpegPath();
    if (ffmpeg === null)
      throw new PermanentJobError('ffmpeg was not found: generated videos cannot be encoded');
    const note = (n: LiveNote, fraction: number): void => progress(fraction, JSON.stringify(n));
    note({ state: 'loading', step: null, etaS: null }, 0);
    const output = this.abs(p.file);
    try {
      const r = await this.deps.runner.run(
        p.modelDir,
        {
          ...p.settings,
          output,
          ffmpeg,
          aigc: { producer: this.deps.producer ?? 'LiveSlice', produceId: p.id },
        },
        {
          signal,
          onProgress: (pr) =>
            note(
              {
                state:
                  pr.stage === 'denoise' || pr.stage === 'encodeText'
                    ? 'running'
                    : pr.stage === 'decode'
                      ? 'decoding'
                      : 'encoding',
                step: pr.step,
                etaS: pr.etaS,
              },
              pr.progress,
            ),
        },
      );
      const timings = { ...r.timings };
      const cold = this.deps.runner.status().coldStartMs;
      if (cold !== null) timings['load'] = cold;
      this.deps.logger.info('generation done', {
        id: p.id,
        provider: r.provider,
        totalMs: Math.round(r.timings['total'] ?? 0),
      });
      return {
        file: p.file,
        frames: r.frames,
        width: r.width,
        height: r.height,
        fps: r.fps,
        provider: r.provider,
        experts: r.experts,
        timings,
        stepMs: r.stepMs,
      };
    } catch (err) {
      if (err instanceof GenerationError) {
        // Bad input, a model that fails verification or too little memory will not fix
        // themselves on a retry; a worker crash or an ffmpeg hiccup may.
        if (err.code === 'bad_input' || err.code === 'model' || err.code === 'memory')
          throw new PermanentJobError(err.message, { cause: err });
      }
      throw err;
    }
  }

  private cleanup(p: GenerationPayload): void {
    const out = this.abs(p.file);
    rmSync(out, { force: true });
    rmSync(`${out}.part`, { force: true });
    const dir = dirname(out);
    if (!existsSync(dir)) return;
    const raw = `.${basename(out)}.`;
    for (const f of readdirSync(dir)) {
      if (f.startsWith(raw) && f.endsWith('.raw.mp4')) rmSync(join(dir, f), { force: true });
    }
  }

  toGeneration(job: JobRecord<GenerationPayload, GenerationOutcome>): Generation {
    const p = job.payload;
    const s = p.settings;
    let live: LiveNote | null = null;
    if (job.state === 'running' && job.progressNote !== null) {
      try {
        live = JSON.parse(job.progressNote) as LiveNote;
      } catch {
        live = null;
      }
    }
    const state: Generation['state'] =
      job.state === 'running' ? (live?.state ?? 'loading') : job.state;
    const r = job.result;
    return {
      id: p.id,
      highlightId: p.highlightId,
      sessionId: p.sessionId,
      state,
      step: live?.step ?? (job.state === 'done' ? s.steps : null),
      steps: s.steps,
      progress: job.progress,
      etaS: live?.etaS ?? null,
      prompt: s.prompt,
      negativePrompt: s.negativePrompt,
      model: p.model,
      seed: s.seed,
      frames: s.frames,
      size: `${s.width}x${s.height}`,
      fps: s.fps,
      scheduler: s.scheduler,
      guidance: s.guidance,
      shift: s.shift,
      provider: r?.provider ?? null,
      file: job.state === 'done' ? (r?.file ?? p.file) : null,
      error: job.state === 'failed' || job.state === 'cancelled' ? job.error : null,
      timings: r?.timings ?? {},
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
    };
  }
}

function readManifestSync(dir: string): T2vManifest {
  const path = manifestPath(dir);
  try {
    return parseT2vManifest(JSON.parse(readFileSync(path, 'utf8')), path);
  } catch (err) {
    throw new ApiError(
      'unavailable',
      `The model in ${dir} cannot be used: ${(err as Error).message}`,
    );
  }
}

/** Manifest valid and every file present at its size (the sha256 check runs in the background). */
function quickCheck(dir: string): { ok: boolean; reason: string | null } {
  let m: T2vManifest;
  try {
    m = readManifestSync(dir);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const bad: string[] = [];
  for (const f of m.files) {
    const path = join(dirname(manifestPath(dir)), f.name);
    try {
      const size = statSync(path).size;
      if (size !== f.bytes) bad.push(`${f.name}: ${size} bytes, expected ${f.bytes}`);
    } catch {
      bad.push(`${f.name}: missing`);
    }
  }
  return bad.length === 0 ? { ok: true, reason: null } : { ok: false, reason: bad.join('; ') };
}
