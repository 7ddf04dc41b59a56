/**
 * Pure pieces of the recognizer worker: the stream-time → media-time clock, sherpa-onnx results →
 * final utterances on the media clock, SenseVoice's lang/emotion/event → utterance tags, and the
 * partial-result throttle.
 */
import type { FinalResult, RecognizedToken } from './recognizer-protocol';

export const SAMPLE_RATE = 16000;

/**
 * Maps seconds of the recognizer's own stream (samples fed / 16 kHz) to the session's media
 * time. The audio normally arrives contiguous; where a chunk's media time does not follow the
 * previous one (a gap across an ingest reconnect, a replay after a crash), a new anchor starts.
 */
export class MediaClock {
  private readonly anchors: Array<{ sample: number; media: number }> = [];
  private total = 0;

  /** `n` samples whose first sample is at `mediaTime`. */
  append(n: number, mediaTime: number): void {
    const last = this.anchors.at(-1);
    const expected = last ? last.media + (this.total - last.sample) / SAMPLE_RATE : NaN;
    if (!last || Math.abs(expected - mediaTime) > 0.002) {
      if (last?.sample === this.total) this.anchors.pop();
      this.anchors.push({ sample: this.total, media: mediaTime });
    }
    this.total += n;
  }

  /** Samples appended so far. */
  get samples(): number {
    return this.total;
  }

  /** Media time of the stream position `seconds` (stream time). */
  toMedia(seconds: number): number {
    const sample = seconds * SAMPLE_RATE;
    let lo = 0;
    let hi = this.anchors.length - 1;
    if (hi < 0) return seconds;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.anchors[mid]!.sample <= sample + 1e-6) lo = mid;
      else hi = mid - 1;
    }
    const a = this.anchors[lo]!;
    return a.media + (sample - a.sample) / SAMPLE_RATE;
  }

  /** Media time of the end of the audio appended so far. */
  get end(): number {
    return this.toMedia(this.total / SAMPLE_RATE);
  }
}

export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** sherpa-onnx's OnlineRecognizer result (the fields used). */
export interface OnlineResult {
  text: string;
  tokens: string[];
  /** Seconds from the segment start (start_time). */
  timestamps: number[];
  /** Stream seconds at which the current segment started (after the last reset). */
  start_time: number;
}

/** Utterance start: this long before the first token (a token is emitted after its onset). */
export const START_PAD_S = 0.2;
/** Utterance end: this long after the last token. */
export const END_PAD_S = 0.3;

/**
 * A streaming result → its tokens and span on the media clock. Token times are
 * `start_time + timestamps[i]` in stream seconds; the span is padded around the first and last
 * token and clamped to [segment start, decoded audio end].
 */
export function onlineResultSpan(
  r: OnlineResult,
  clock: MediaClock,
  decodedUpToStream: number,
): { start: number; end: number; tokens: RecognizedToken[] } | null {
  const n = Math.min(r.tokens.length, r.timestamps.length);
  if (n === 0 || r.text.trim() === '') return null;
  const segStart = r.start_time;
  const tokens: RecognizedToken[] = [];
  for (let i = 0; i < n; i++) {
    const t = Math.min(Math.max(segStart + r.timestamps[i]!, segStart), decodedUpToStream);
    tokens.push({ text: r.tokens[i]!, t: round3(clock.toMedia(t)) });
  }
  const first = segStart + r.timestamps[0]!;
  const last = segStart + r.timestamps[n - 1]!;
  const start = Math.max(segStart, first - START_PAD_S);
  const end = Math.max(Math.min(decodedUpToStream, last + END_PAD_S), start);
  return { start: round3(clock.toMedia(start)), end: round3(clock.toMedia(end)), tokens };
}

export function onlineFinal(
  r: OnlineResult,
  clock: MediaClock,
  decodedUpToStream: number,
): FinalResult | null {
  const span = onlineResultSpan(r, clock, decodedUpToStream);
  if (!span) return null;
  return { ...span, text: r.text.trim(), tags: [], lang: null };
}

const EVENT_TAGS: Record<string, string> = {
  laughter: 'laughter',
  applause: 'applause',
  bgm: 'music',
  cry: 'cry',
  cough: 'cough',
  sneeze: 'sneeze',
  breath: 'breath',
};
const NO_SIGNAL = new Set(['speech', 'neutral', 'emo_unknown', 'event_unk', 'unk', '']);

/** `<|Laughter|>` → `laughter`; anything else (empty, malformed) → ''. */
function bare(token: string | undefined): string {
  const m = /^<\|([A-Za-z_]{1,32})\|>$/.exec((token ?? '').trim());
  return m ? m[1]!.toLowerCase() : '';
}

/**
 * SenseVoice's special tokens → utterance tags and language. Events become their name
 * ('laughter', 'applause', 'music' for BGM, …), emotions `emotion:<name>` ('emotion:happy');
 * plain speech, neutral and unknown carry no signal. Unknown names are kept, lower-cased, so a
 * newer model's events still reach the detector.
 */
export function senseVoiceTags(r: { lang?: string; emotion?: string; event?: string }): {
  tags: string[];
  lang: string | null;
} {
  const tags: string[] = [];
  const event = bare(r.event);
  if (!NO_SIGNAL.has(event)) tags.push(EVENT_TAGS[event] ?? event);
  const emotion = bare(r.emotion);
  if (!NO_SIGNAL.has(emotion)) tags.push(`emotion:${emotion}`);
  const lang = bare(r.lang);
  return { tags, lang: lang && lang !== 'nospeech' ? lang : null };
}

/** sherpa-onnx's OfflineRecognizer result for SenseVoice (the fields used). */
export interface OfflineResult {
  text: string;
  tokens?: string[];
  /** Seconds from the segment start. */
  timestamps?: number[];
  lang?: string;
  emotion?: string;
  event?: string;
}

/** A VAD segment's SenseVoice result → a final (null when it carries neither text nor tags). */
export function senseVoiceFinal(
  r: OfflineResult,
  segStartStream: number,
  segEndStream: number,
  clock: MediaClock,
): FinalResult | null {
  const text = r.text.trim();
  const { tags, lang } = senseVoiceTags(r);
  if (text === '' && tags.length === 0) return null;
  const toks = r.tokens ?? [];
  const ts = r.timestamps ?? [];
  const tokens: RecognizedToken[] = [];
  for (let i = 0; i < Math.min(toks.length, ts.length); i++) {
    const t = Math.min(Math.max(segStartStream + ts[i]!, segStartStream), segEndStream);
    tokens.push({ text: toks[i]!, t: round3(clock.toMedia(t)) });
  }
  return {
    start: round3(clock.toMedia(segStartStream)),
    end: round3(clock.toMedia(segEndStream)),
    text,
    tokens,
    tags,
    lang,
  };
}

/**
 * Partial results: only on change, and at most one per `intervalMs` of wall time. A change held
 * back by the interval goes out with the next offer after it (the worker offers after every
 * audio chunk); an empty text goes out only to clear a partial that was shown.
 */
export class PartialThrottle {
  private shown = '';
  private lastAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  offer(start: number, text: string): { start: number; text: string } | null {
    const t = text.trim();
    if (t === this.shown) return null;
    const now = this.now();
    if (t !== '' && now - this.lastAt < this.intervalMs) return null;
    this.shown = t;
    this.lastAt = now;
    return { start, text: t };
  }

  /** A final replaced the partial (the UI clears it on the final): start over silently. */
  reset(): void {
    this.shown = '';
  }
}
