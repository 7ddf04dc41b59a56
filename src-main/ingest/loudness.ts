/**
 * Audio level every 100 ms from the 16 kHz mono s16le tap: RMS and peak in dBFS, on the
 * session's media clock. Pure and incremental (chunks may split samples anywhere).
 */
import type { LoudnessFrame } from '../api/contract';

export const SAMPLE_RATE = 16_000;
export const FRAME_SECONDS = 0.1;
const FRAME_SAMPLES = SAMPLE_RATE * FRAME_SECONDS;
export const SILENCE_DB = -100;

export function toDb(linear: number): number {
  return linear <= 0 ? SILENCE_DB : Math.max(SILENCE_DB, 20 * Math.log10(linear));
}

export class LoudnessMeter {
  private sumSquares = 0;
  private peak = 0;
  private count = 0;
  private frameIndex = 0;
  private carry: Buffer | null = null;

  /** @param startS media time of the first sample */
  constructor(private readonly startS: number) {}

  /** Feeds raw s16le bytes; returns the frames completed by them. */
  push(chunk: Buffer): LoudnessFrame[] {
    let buf = chunk;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    const usable = buf.length - (buf.length % 2);
    if (usable < buf.length) this.carry = Buffer.from(buf.subarray(usable));
    const out: LoudnessFrame[] = [];
    for (let i = 0; i < usable; i += 2) {
      const v = buf.readInt16LE(i) / 32768;
      this.sumSquares += v * v;
      const a = Math.abs(v);
      if (a > this.peak) this.peak = a;
      if (++this.count === FRAME_SAMPLES) out.push(this.flushFrame());
    }
    return out;
  }

  /** Samples consumed so far, as media seconds since startS. */
  get elapsedS(): number {
    return (this.frameIndex * FRAME_SAMPLES + this.count) / SAMPLE_RATE;
  }

  private flushFrame(): LoudnessFrame {
    const frame = {
      t: round3(this.startS + this.frameIndex * FRAME_SECONDS),
      rms: round1(toDb(Math.sqrt(this.sumSquares / this.count))),
      peak: round1(toDb(this.peak)),
    };
    this.frameIndex++;
    this.sumSquares = 0;
    this.peak = 0;
    this.count = 0;
    return frame;
  }
}

/** Keeps at most `max` frames by taking, per bucket, the loudest one (so peaks survive). */
export function downsampleFrames(frames: readonly LoudnessFrame[], max: number): LoudnessFrame[] {
  if (frames.length <= max) return [...frames];
  const out: LoudnessFrame[] = [];
  const size = frames.length / max;
  for (let b = 0; b < max; b++) {
    const from = Math.floor(b * size);
    const to = Math.max(from + 1, Math.floor((b + 1) * size));
    let best = frames[from]!;
    let peak = best.peak;
    for (let i = from + 1; i < to; i++) {
      const f = frames[i]!;
      if (f.rms > best.rms) best = f;
      if (f.peak > peak) peak = f.peak;
    }
    out.push({ t: frames[from]!.t, rms: best.rms, peak });
  }
  return out;
}

/** On-disk form: little-endian float32 triplets (t, rms, peak). */
export function encodeFrames(frames: readonly LoudnessFrame[]): Buffer {
  const buf = Buffer.alloc(frames.length * 12);
  frames.forEach((f, i) => {
    buf.writeFloatLE(f.t, i * 12);
    buf.writeFloatLE(f.rms, i * 12 + 4);
    buf.writeFloatLE(f.peak, i * 12 + 8);
  });
  return buf;
}

export function decodeFrames(buf: Buffer): LoudnessFrame[] {
  const out: LoudnessFrame[] = [];
  for (let o = 0; o + 12 <= buf.length; o += 12) {
    out.push({
      t: round3(buf.readFloatLE(o)),
      rms: round1(buf.readFloatLE(o + 4)),
      peak: round1(buf.readFloatLE(o + 8)),
    });
  }
  return out;
}

const round1 = (x: number): number => Math.round(x * 10) / 10 || 0;
const round3 = (x: number): number => Math.round(x * 1000) / 1000;
