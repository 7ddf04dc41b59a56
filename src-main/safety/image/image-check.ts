/**
 * The on-device image check: evenly spaced frames of a clip, each scored by nsfwjs's MobileNetV2
 * on TensorFlow.js (wasm, else plain-JS cpu) in a worker thread, then one verdict. A flagged clip
 * needs the operator's explicit override to be published (the publish stage enforces that).
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ffprobeFor, ProbeError, probeMedia } from '../../ffmpeg/probe';
import type { Logger } from '../../log';
import {
  decide,
  type FrameScores,
  type Label,
  resolveThresholds,
  type Scores,
  type Thresholds,
} from './decide';
import { abortError, ImageCheckError } from './errors';
import { checkRgb, FRAME_EDGE, grabFrame, sampleTimes } from './frames';
import { locateModel, type ModelLocation } from './model-files';
import type { Backend, ReadyInfo } from './protocol';
import {
  findImageWorker,
  ImageWorkerClient,
  inlinePort,
  type PortFactory,
  threadPort,
} from './worker-client';

export type { Label, Scores, Thresholds } from './decide';

export interface ImageCheckResult {
  /** E.g. "nsfwjs@4.4.0 MobileNetV2 224". */
  model: string;
  /** The tfjs backend that ran: 'wasm', or 'cpu' (asked for, or the fallback). */
  backend: string;
  /** One entry per sample, in time order. */
  frames: Array<{ at: number; scores: Scores }>;
  flagged: boolean;
  /** The frame and label furthest over (or nearest to) its limit. */
  worst: { label: Label; score: number; at: number } | null;
  /** "frame at 3.2 s scored Porn 0.91 (limit 0.60)" when flagged, else null. */
  reason: string | null;
  /** Wall time of the whole check (probe, frames, inference). */
  ms: number;
}

export interface ImageCheckerOptions {
  /** The ffmpeg binary (ffprobe is looked for beside it, then on PATH); null: not installed. */
  ffmpegPath: () => string | null;
  logger?: Logger;
  thresholds?: Partial<Thresholds>;
  /** Default 'wasm'; falls back to 'cpu' when wasm cannot start (the result says which ran). */
  backend?: Backend;
  /**
   * The built worker (out/main/image-worker.js); default: found next to this bundle. null runs
   * the model in this thread (tests; otherwise only a fallback, as each inference blocks it).
   */
  workerPath?: string | null;
  /** Default: nsfwjs's own package folder. */
  modelDir?: string;
  /** ffmpeg frame grabs at once; default 2. */
  concurrency?: number;
}

export interface CheckOptions {
  /** Frames to look at, evenly spaced; default 6. */
  samples?: number;
  /** Skips ffprobe when the caller knows the duration. */
  durationS?: number;
  signal?: AbortSignal;
  /** After each frame is scored. */
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_SAMPLES = 6;

export class ImageChecker {
  /** nsfwjs's MobileNetV2 files on disk, or exactly which one is missing. */
  static locateModel(): ModelLocation {
    return locateModel();
  }

  private readonly thresholds: Thresholds;
  private readonly client: ImageWorkerClient;
  private readonly log: Logger | undefined;
  private readonly concurrency: number;
  private closed = false;
  private loaded: ReadyInfo | null = null;

  constructor(private readonly opts: ImageCheckerOptions) {
    this.thresholds = resolveThresholds(opts.thresholds);
    this.log = opts.logger?.child({ component: 'image-check' });
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 2));
    this.client = new ImageWorkerClient({
      port: this.portFactory(),
      backend: opts.backend ?? 'wasm',
      modelDir: () => {
        const found = locateModel(opts.modelDir);
        if (!found.ok) throw new ImageCheckError('model_missing', found.reason);
        return found.dir;
      },
      onLog: (level, msg) => this.log?.[level](msg),
    });
  }

  /** Loads the model now (else the first check does): which model, which backend, how long. */
  async load(signal?: AbortSignal): Promise<ReadyInfo> {
    this.assertOpen();
    const info = await this.client.ready(signal);
    // Once per worker start, not once per check.
    if (info !== this.loaded) {
      this.loaded = info;
      this.log?.info('image model loaded', { ...info, loadMs: Math.round(info.loadMs) });
    }
    return info;
  }

  async check(file: string, opts: CheckOptions = {}): Promise<ImageCheckResult> {
    const t0 = performance.now();
    this.assertOpen();
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal);
    const ffmpeg = this.opts.ffmpegPath();
    if (ffmpeg === null) {
      throw new ImageCheckError(
        'ffmpeg_missing',
        'ffmpeg was not found: the image check takes its frames with ffmpeg. Install ffmpeg or set its path in Settings',
      );
    }
    const path = resolve(file);
    await assertReadableFile(path);
    // The model loads while ffprobe runs.
    const ready = this.load(signal);
    ready.catch(() => undefined);
    const durationS = opts.durationS ?? (await probeDuration(ffmpeg, path));
    const times = sampleTimes(durationS, opts.samples ?? DEFAULT_SAMPLES);
    const info = await ready;

    // One failed frame stops the others; the caller's abort stops everything.
    const inner = new AbortController();
    const onAbort = (): void => inner.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const frames: FrameScores[] = [];
    let firstError: unknown = null;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < times.length && !inner.signal.aborted) {
        const at = times[next++]!;
        try {
          const rgb = await grabFrame({ ffmpeg, file: path, at, signal: inner.signal });
          // The caller's signal, not the inner one: a failed grab elsewhere need not kill the
          // worker thread mid-inference (and its loaded model) — that result is just dropped.
          const { scores } = await this.client.classify(rgb, FRAME_EDGE, FRAME_EDGE, signal);
          frames.push({ at, scores });
          opts.onProgress?.(frames.length, times.length);
        } catch (err) {
          if (firstError === null) firstError = err;
          inner.abort(err);
        }
      }
    };
    try {
      // Every grab has exited before this returns, whatever happened.
      await Promise.all(Array.from({ length: Math.min(this.concurrency, times.length) }, worker));
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) throw abortError(signal);
    if (firstError !== null) throw firstError;

    frames.sort((a, b) => a.at - b.at);
    const verdict = decide(frames, this.thresholds);
    const result: ImageCheckResult = {
      model: info.model,
      backend: info.backend,
      frames,
      ...verdict,
      ms: performance.now() - t0,
    };
    this.log?.info(verdict.flagged ? 'image check flagged a clip' : 'image check passed a clip', {
      file: path,
      frames: frames.length,
      worst: verdict.worst,
      reason: verdict.reason,
      backend: info.backend,
      ms: Math.round(result.ms),
    });
    return result;
  }

  /** Scores for one RGB image (height × width × 3 bytes, any size): for tests and the bench. */
  async classifyRgb(rgb: Uint8Array, width: number, height: number): Promise<Scores> {
    this.assertOpen();
    checkRgb(rgb, width, height);
    return (await this.client.classify(rgb, width, height)).scores;
  }

  /** Stops the worker; later calls fail with kind 'closed'. */
  async close(): Promise<void> {
    this.closed = true;
    await this.client.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ImageCheckError('closed', 'the image checker was closed');
  }

  private portFactory(): PortFactory {
    const path = this.opts.workerPath === undefined ? findImageWorker() : this.opts.workerPath;
    if (path !== null) return threadPort(path);
    if (this.opts.workerPath === undefined) {
      this.log?.warn(
        'the image-check worker (image-worker.js) was not found next to the bundle: the model runs in the engine thread',
      );
    }
    return inlinePort();
  }
}

async function assertReadableFile(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new ImageCheckError('not_media', `${path} is not a file`);
  } catch (err) {
    if (err instanceof ImageCheckError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new ImageCheckError(
      'not_found',
      code === 'ENOENT'
        ? `${path} does not exist`
        : `${path} cannot be read (${(err as Error).message})`,
    );
  }
}

async function probeDuration(ffmpeg: string, path: string): Promise<number> {
  let probe;
  try {
    probe = await probeMedia(path, { ffprobePath: ffprobeFor(ffmpeg), protocolWhitelist: 'file' });
  } catch (err) {
    if (!(err instanceof ProbeError)) throw err;
    const kind =
      err.kind === 'not_found'
        ? 'not_found'
        : err.kind === 'ffprobe_missing'
          ? 'ffmpeg_missing'
          : err.kind === 'timeout'
            ? 'timeout'
            : err.kind === 'no_streams'
              ? 'no_video'
              : 'not_media';
    throw new ImageCheckError(kind, err.message, { cause: err });
  }
  if (probe.video === null)
    throw new ImageCheckError('no_video', `${path} has no video stream to check`);
  if (probe.durationS === null || probe.durationS <= 0) {
    throw new ImageCheckError(
      'not_media',
      `${path} does not say how long it is, so frames cannot be spread over it: pass durationS`,
    );
  }
  return probe.durationS;
}
