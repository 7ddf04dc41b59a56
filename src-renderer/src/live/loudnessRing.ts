/**
 * A bounded ring buffer of loudness frames (100 ms each) for one session: the newest `capacity`
 * frames, in media-time order. Frames that arrive out of order or twice (a reconnect replays a
 * batch) are dropped, so the buffer stays sorted by t.
 */
import type { LoudnessFrame } from '../contract';

/** 10 minutes of 100 ms frames. */
export const LOUDNESS_CAPACITY = 6000;

export class LoudnessRing {
  readonly capacity: number;
  private readonly t: Float64Array;
  private readonly rms: Float32Array;
  private readonly peak: Float32Array;
  /** Index of the oldest frame. */
  private head = 0;
  private count = 0;
  /** Bumped on every change, so a drawing loop can tell whether to redraw. */
  version = 0;

  constructor(capacity = LOUDNESS_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be ≥ 1');
    this.capacity = capacity;
    this.t = new Float64Array(capacity);
    this.rms = new Float32Array(capacity);
    this.peak = new Float32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** Media time of the newest frame, or null when empty. */
  get lastT(): number | null {
    return this.count === 0 ? null : (this.t[(this.head + this.count - 1) % this.capacity] ?? null);
  }

  /** Media time of the oldest frame kept, or null when empty. */
  get firstT(): number | null {
    return this.count === 0 ? null : (this.t[this.head] ?? null);
  }

  /** Appends frames in order; returns how many were kept (older-or-equal t are skipped). */
  push(frames: readonly LoudnessFrame[]): number {
    let kept = 0;
    let last = this.lastT;
    for (const f of frames) {
      if (!Number.isFinite(f.t) || (last !== null && f.t <= last)) continue;
      const i = (this.head + this.count) % this.capacity;
      this.t[i] = f.t;
      this.rms[i] = f.rms;
      this.peak[i] = f.peak;
      if (this.count < this.capacity) this.count++;
      else this.head = (this.head + 1) % this.capacity;
      last = f.t;
      kept++;
    }
    if (kept > 0) this.version++;
    return kept;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
    this.version++;
  }

  /** Calls fn for every frame with fromT ≤ t < toT, oldest first. */
  forEachIn(fromT: number, toT: number, fn: (t: number, rms: number, peak: number) => void): void {
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) % this.capacity;
      const t = this.t[i] ?? 0;
      if (t < fromT) continue;
      if (t >= toT) break;
      fn(t, this.rms[i] ?? -100, this.peak[i] ?? -100);
    }
  }

  toArray(): LoudnessFrame[] {
    const out: LoudnessFrame[] = [];
    this.forEachIn(-Infinity, Infinity, (t, rms, peak) => out.push({ t, rms, peak }));
    return out;
  }
}
