/**
 * The speech-recognizer worker: a child process (never the engine's process — a native abort in
 * sherpa-onnx must not take the app down). Bundled to out/main/asr-worker.js.
 *
 * - streaming transducer (sherpa-onnx OnlineRecognizer): partials (throttled, on change) and a
 *   final at every endpoint, with token times on the media clock;
 * - SenseVoice (OfflineRecognizer) on segments cut by sherpa-onnx's own Silero `Vad`: a final per
 *   segment, with its language, emotion and audio-event tags.
 * Every final carries the point up to which the audio is committed, so the host can replay the
 * rest after a crash without losing or repeating a final.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hotwordsFileContent } from './hotwords';
import type {
  FromRecognizer,
  SenseVoiceSpec,
  StreamingTransducerSpec,
  ToRecognizer,
} from './recognizer-protocol';
import {
  MediaClock,
  onlineFinal,
  onlineResultSpan,
  type OfflineResult,
  type OnlineResult,
  PartialThrottle,
  SAMPLE_RATE,
  senseVoiceFinal,
} from './recognizer-results';
import { createSherpaVad, type SherpaVad, type SpeechSegment, VadSegmenter } from './vad-segmenter';

interface Waveform {
  samples: Float32Array;
  sampleRate: number;
}
interface OnlineStream {
  acceptWaveform(w: Waveform): void;
  inputFinished(): void;
}
interface OnlineRecognizer {
  createStream(): OnlineStream;
  isReady(s: OnlineStream): boolean;
  decode(s: OnlineStream): void;
  isEndpoint(s: OnlineStream): boolean;
  reset(s: OnlineStream): void;
  getResult(s: OnlineStream): OnlineResult;
}
interface OfflineStream {
  acceptWaveform(w: Waveform): void;
}
interface OfflineRecognizer {
  createStream(): OfflineStream;
  decode(s: OfflineStream): void;
  getResult(s: OfflineStream): OfflineResult;
}
interface Sherpa {
  OnlineRecognizer: new (config: unknown) => OnlineRecognizer;
  OfflineRecognizer: new (config: unknown) => OfflineRecognizer;
  Vad: new (config: unknown, bufferSeconds: number) => SherpaVad;
}

/** The hotwords file's folder (only when there are hotwords), removed on exit. */
let tmp: string | null = null;

const send = (m: FromRecognizer): void => {
  process.send?.(m);
};

/** Zeros fed after the last audio so the streaming model decodes its final chunk. */
const TAIL_PADDING_S = 0.66;
/** SenseVoice: while no speech is detected, audio older than this is committed (VAD look-back). */
const VAD_COMMIT_LAG_S = 1.0;

interface Engine {
  audio(samples: Float32Array, mediaTime: number): void;
  finish(): void;
}

class StreamingEngine implements Engine {
  private readonly rec: OnlineRecognizer;
  private readonly stream: OnlineStream;
  private readonly clock = new MediaClock();
  private readonly throttle: PartialThrottle;
  private fed = 0; // stream seconds fed
  private finished = false;

  constructor(sherpa: Sherpa, spec: StreamingTransducerSpec, partialIntervalMs: number) {
    let hotwordsFile: string | null = null;
    if (spec.hotwords.length > 0) {
      const content = hotwordsFileContent(spec.hotwords);
      tmp = mkdtempSync(join(tmpdir(), 'liveslice-hotwords-'));
      hotwordsFile = join(tmp, 'hotwords.txt');
      writeFileSync(hotwordsFile, content);
    }
    this.rec = new sherpa.OnlineRecognizer({
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 },
      modelConfig: {
        transducer: { encoder: spec.encoder, decoder: spec.decoder, joiner: spec.joiner },
        tokens: spec.tokens,
        numThreads: spec.numThreads,
        provider: 'cpu',
        debug: 0,
        ...(hotwordsFile
          ? {
              modelingUnit: spec.modelingUnit,
              ...(spec.bpeVocab ? { bpeVocab: spec.bpeVocab } : {}),
            }
          : {}),
      },
      decodingMethod: hotwordsFile ? 'modified_beam_search' : 'greedy_search',
      maxActivePaths: 4,
      enableEndpoint: 1,
      rule1MinTrailingSilence: spec.endpoint.rule1MinTrailingSilence,
      rule2MinTrailingSilence: spec.endpoint.rule2MinTrailingSilence,
      rule3MinUtteranceLength: spec.endpoint.rule3MinUtteranceLength,
      ...(hotwordsFile ? { hotwordsFile, hotwordsScore: spec.hotwordsScore } : {}),
    });
    this.stream = this.rec.createStream();
    this.throttle = new PartialThrottle(partialIntervalMs);
  }

  audio(samples: Float32Array, mediaTime: number): void {
    if (this.finished) return;
    this.clock.append(samples.length, mediaTime);
    this.fed += samples.length / SAMPLE_RATE;
    this.stream.acceptWaveform({ samples, sampleRate: SAMPLE_RATE });
    this.decode();
    const r = this.rec.getResult(this.stream);
    const span = onlineResultSpan(r, this.clock, this.fed);
    const p = this.throttle.offer(span?.start ?? this.clock.toMedia(r.start_time), r.text);
    if (p) send({ type: 'partial', ...p });
  }

  finish(): void {
    if (this.finished) return;
    const realEnd = this.clock.end;
    const tail = new Float32Array(Math.round(TAIL_PADDING_S * SAMPLE_RATE));
    this.clock.append(tail.length, realEnd);
    this.stream.acceptWaveform({ samples: tail, sampleRate: SAMPLE_RATE });
    this.fed += tail.length / SAMPLE_RATE;
    this.stream.inputFinished();
    this.finished = true;
    this.decode();
    const final = onlineFinal(this.rec.getResult(this.stream), this.clock, this.fed);
    if (final) {
      final.end = Math.min(final.end, realEnd);
      send({ type: 'final', result: final, committedUpTo: realEnd });
    } else send({ type: 'committed', upTo: realEnd });
  }

  /** Decodes every ready chunk; an endpoint after a chunk makes a final (or just commits). */
  private decode(): void {
    while (this.rec.isReady(this.stream)) {
      this.rec.decode(this.stream);
      if (!this.rec.isEndpoint(this.stream)) continue;
      const final = onlineFinal(this.rec.getResult(this.stream), this.clock, this.fed);
      this.rec.reset(this.stream);
      const upTo = this.clock.toMedia(this.rec.getResult(this.stream).start_time);
      this.throttle.reset();
      if (final) send({ type: 'final', result: final, committedUpTo: upTo });
      else send({ type: 'committed', upTo });
    }
  }
}

class SenseVoiceEngine implements Engine {
  private readonly rec: OfflineRecognizer;
  private readonly segmenter: VadSegmenter;
  private readonly clock = new MediaClock();
  private committed = -Infinity;
  private finished = false;

  constructor(sherpa: Sherpa, spec: SenseVoiceSpec) {
    this.segmenter = new VadSegmenter(createSherpaVad(sherpa, spec.vadModel, spec.vad));
    this.rec = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 },
      modelConfig: {
        senseVoice: { model: spec.model, language: 'auto', useInverseTextNormalization: 1 },
        tokens: spec.tokens,
        numThreads: spec.numThreads,
        provider: 'cpu',
        debug: 0,
      },
    });
  }

  audio(samples: Float32Array, mediaTime: number): void {
    if (this.finished) return;
    this.clock.append(samples.length, mediaTime);
    let quietAt = -Infinity;
    const segments = this.segmenter.push(samples, (pos, speaking) => {
      if (!speaking) quietAt = pos;
    });
    for (const seg of segments) this.recognize(seg);
    // While nobody speaks, the audio more than the VAD's look-back ago can never join a segment.
    if (quietAt > -Infinity) this.commit(this.clock.toMedia(quietAt - VAD_COMMIT_LAG_S), 0.5);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const realEnd = this.clock.end;
    for (const seg of this.segmenter.flush()) this.recognize(seg);
    this.commit(realEnd, 0);
  }

  private recognize(seg: SpeechSegment): void {
    const s = this.rec.createStream();
    s.acceptWaveform({ samples: seg.samples, sampleRate: SAMPLE_RATE });
    this.rec.decode(s);
    const final = senseVoiceFinal(this.rec.getResult(s), seg.start, seg.end, this.clock);
    const upTo = this.clock.toMedia(seg.end);
    if (final) {
      this.committed = Math.max(this.committed, upTo);
      send({ type: 'final', result: final, committedUpTo: this.committed });
    } else this.commit(upTo, 0);
  }

  /** Announces a commit point once it moved at least `minStep` seconds. */
  private commit(upTo: number, minStep: number): void {
    if (!(upTo > this.committed) || upTo - this.committed < minStep) return;
    this.committed = upTo;
    send({ type: 'committed', upTo });
  }
}

let engine: Engine | null = null;

function init(msg: Extract<ToRecognizer, { type: 'init' }>): void {
  const t0 = Date.now();
  const sherpa = createRequire(__filename)('sherpa-onnx-node') as Sherpa;
  engine =
    msg.spec.kind === 'streaming-transducer'
      ? new StreamingEngine(sherpa, msg.spec, msg.partialIntervalMs)
      : new SenseVoiceEngine(sherpa, msg.spec);
  send({ type: 'ready', loadMs: Date.now() - t0 });
}

function cleanup(): void {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = null;
}

process.on('message', (raw: unknown) => {
  const msg = raw as ToRecognizer;
  try {
    switch (msg.type) {
      case 'init':
        return init(msg);
      case 'audio': {
        if (!engine) return send({ type: 'error', message: 'audio before init', fatal: false });
        const f = new Float32Array(msg.samples.length);
        for (let i = 0; i < f.length; i++) f[i] = msg.samples[i]! / 32768;
        engine.audio(f, msg.mediaTime);
        return send({ type: 'processed', upTo: msg.mediaTime + msg.samples.length / SAMPLE_RATE });
      }
      case 'finish':
        engine?.finish();
        return send({ type: 'finished' });
      case 'ping':
        return send({ type: 'pong', id: msg.id });
      case 'shutdown':
        cleanup();
        process.exit(0);
    }
  } catch (err) {
    // The host kills a worker whose model failed to load: clean up first.
    if (msg.type === 'init') cleanup();
    send({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      fatal: msg.type === 'init',
    });
  }
});
process.on('disconnect', () => {
  cleanup();
  process.exit(0);
});
