/**
 * The detector's signals other than the lexicon, each an incremental tracker with bounded
 * memory: audio excitement over loudness frames (against a rolling median of speech
 * loudness), speech-rate jumps, recognizer tags and chat-rate spikes. Pure: no clocks, no I/O.
 */
import { canonicalText, matchCanonical, type CompiledLexicon, type LexiconMatch } from './lexicon';
import type { ChatMsg, LoudFrame, Utt } from './types';

/** A FIFO with O(1) push/shift that compacts itself. */
export class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }
  first(): T | undefined {
    return this.items[this.head];
  }
  last(): T | undefined {
    return this.items[this.items.length - 1];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  /** Index of the first item for which `pred` holds, given that it holds from some index on. */
  lowerBound(pred: (x: T) => boolean): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.items[this.head + mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  *[Symbol.iterator](): Iterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i]!;
  }
}

// ---------- triggers ----------

/** The lexicon entries an utterance says. */
export function triggersIn(lex: CompiledLexicon, u: Pick<Utt, 'text'>): LexiconMatch[] {
  return matchCanonical(lex, canonicalText(u.text));
}

// ---------- audio excitement ----------

export interface ExcitementConfig {
  jumpDb: number;
  minDurationS: number;
  baselineS: number;
}

export type ExcitementEvent =
  /** Loud for minDurationS: fires once per loud stretch. */
  | { type: 'start'; start: number; at: number; jumpDb: number }
  /** Still loud (the stretch now ends at `end`). */
  | { type: 'extend'; start: number; end: number; jumpDb: number }
  /** The stretch is over. */
  | { type: 'end'; start: number; end: number; jumpDb: number };

const FRAME_S = 0.1;
const WINDOW_FRAMES = 10; // the 1 s sliding window
const SPEECH_DB = -60; // quieter frames are not speech and stay out of the baseline
const BIN_DB = 0.1;
const BINS = Math.round(-SPEECH_DB / BIN_DB) + 1; // −60 … 0 dBFS
const MAX_GAP_S = 0.5;

/**
 * Loudness jumps: the power mean of the last 1 s of frames against the median rms of the
 * speech frames (rms > −60 dBFS) of the last `baselineS` before that second. Excited while
 * the jump is ≥ jumpDb; a stretch is reported once it holds ≥ minDurationS of frames that are
 * themselves jumpDb over the baseline (so a 0.3 s clap, which keeps the 1 s mean up for a
 * second, is not excitement).
 */
export class ExcitementTracker {
  private readonly win: Array<{ t: number; rms: number; power: number }> = [];
  private powerSum = 0;
  private readonly hist = new Uint32Array(BINS);
  private histCount = 0;
  private readonly baseline = new Deque<{ t: number; bin: number }>();
  private median: number | null = null;
  private sinceMedian = 0;
  private lastT = -Infinity;
  private run: {
    onset: number;
    last: number;
    jump: number;
    fired: boolean;
    /** Frames of the stretch that are loud themselves (a 1 s mean stays up after a blip). */
    loud: number;
  } | null = null;

  constructor(private readonly cfg: ExcitementConfig) {}

  /** Frames in time order; returns what changed. */
  push(f: LoudFrame): ExcitementEvent[] {
    const out: ExcitementEvent[] = [];
    if (!Number.isFinite(f.t) || !Number.isFinite(f.rms)) return out;
    if (f.t <= this.lastT) return out; // a repeated or out-of-order frame
    if (f.t - this.lastT > MAX_GAP_S + 1e-9) {
      // A hole in the audio: start the 1 s window afresh.
      for (const old of this.win.splice(0)) this.toBaseline(old.t, old.rms);
      this.powerSum = 0;
      this.endRun(out);
    }
    this.lastT = f.t;
    const power = 10 ** (Math.max(-100, Math.min(0, f.rms)) / 10);
    this.win.push({ t: f.t, rms: f.rms, power });
    this.powerSum += power;
    if (this.win.length > WINDOW_FRAMES) {
      const old = this.win.shift()!;
      this.powerSum -= old.power;
      this.toBaseline(old.t, old.rms);
    }
    this.expireBaseline(f.t);
    if (this.median === null || ++this.sinceMedian >= WINDOW_FRAMES) this.updateMedian();
    if (this.win.length < WINDOW_FRAMES || this.median === null) return out;
    const level = 10 * Math.log10(Math.max(this.powerSum, 1e-12) / this.win.length);
    const jump = level - this.median;
    if (jump >= this.cfg.jumpDb && level > SPEECH_DB) {
      let r = this.run;
      if (!r) {
        const loud = this.win.filter((x) => x.rms - this.median! >= this.cfg.jumpDb);
        // Onset: the first frame of the window loud in itself (else the window's start).
        const onset = loud[0]?.t ?? this.win[0]!.t;
        r = this.run = { onset, last: f.t, jump, fired: false, loud: loud.length };
      }
      if (r.last !== f.t && f.rms - this.median >= this.cfg.jumpDb) r.loud++;
      r.last = f.t;
      r.jump = Math.max(r.jump, jump);
      const start = this.runStart(r);
      if (!r.fired && r.loud * FRAME_S >= this.cfg.minDurationS - 1e-9) {
        r.fired = true;
        out.push({ type: 'start', start, at: f.t + FRAME_S, jumpDb: r.jump });
      } else if (r.fired) out.push({ type: 'extend', start, end: f.t + FRAME_S, jumpDb: r.jump });
    } else this.endRun(out);
    return out;
  }

  /** The media is over: reports the end of a stretch still going. */
  flush(): ExcitementEvent[] {
    const out: ExcitementEvent[] = [];
    this.endRun(out);
    return out;
  }

  /** The rolling baseline (median speech rms, dBFS), or null while there is too little speech. */
  get baselineDb(): number | null {
    return this.median;
  }

  /** Frames held (for memory checks). */
  get size(): number {
    return this.win.length + this.baseline.length;
  }

  private runStart(r: { onset: number }): number {
    return Math.max(0, r.onset);
  }

  private endRun(out: ExcitementEvent[]): void {
    const r = this.run;
    this.run = null;
    if (r?.fired)
      out.push({ type: 'end', start: this.runStart(r), end: r.last + FRAME_S, jumpDb: r.jump });
  }

  private toBaseline(t: number, rms: number): void {
    if (!(rms > SPEECH_DB)) return;
    const bin = Math.min(BINS - 1, Math.max(0, Math.round((rms - SPEECH_DB) / BIN_DB)));
    this.baseline.push({ t, bin });
    this.hist[bin]!++;
    this.histCount++;
    // Never more than the baseline's worth of 100 ms frames, however dense they come.
    const cap = Math.ceil(this.cfg.baselineS / FRAME_S) * 2;
    while (this.baseline.length > cap) this.dropOldest();
  }

  private expireBaseline(now: number): void {
    const from = now - WINDOW_FRAMES * FRAME_S - this.cfg.baselineS;
    while ((this.baseline.first()?.t ?? Infinity) < from) this.dropOldest();
  }

  private dropOldest(): void {
    const old = this.baseline.shift();
    if (!old) return;
    this.hist[old.bin]!--;
    this.histCount--;
  }

  private updateMedian(): void {
    this.sinceMedian = 0;
    // At least 5 s of speech (or half the baseline, when that is shorter) before judging.
    const need = Math.min(50, Math.ceil(this.cfg.baselineS / FRAME_S / 2));
    if (this.histCount < need) {
      this.median = null;
      return;
    }
    const half = this.histCount / 2;
    let acc = 0;
    for (let b = 0; b < BINS; b++) {
      acc += this.hist[b]!;
      if (acc >= half) {
        this.median = SPEECH_DB + b * BIN_DB;
        return;
      }
    }
  }
}

// ---------- speech rate ----------

const HISTORY = 20;
const MIN_HISTORY = 5;

/** Spoken units: CJK characters plus Latin words and numbers. */
export function speechUnits(text: string): number {
  const cjk = text.match(
    /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu,
  );
  const words = text.match(/[\p{Script=Latin}\d]+(?:['’][\p{Script=Latin}]+)*/gu);
  return (cjk?.length ?? 0) + (words?.length ?? 0);
}

export interface SpeechRateJump {
  rate: number;
  median: number;
  ratio: number;
}

/** An utterance spoken ≥ `ratio` × faster than the median of the last 20 utterances. */
export class SpeechRateTracker {
  private readonly rates: number[] = [];

  constructor(private readonly cfg: { ratio: number }) {}

  push(u: Pick<Utt, 'start' | 'end' | 'text'>): SpeechRateJump | null {
    const dur = u.end - u.start;
    const units = speechUnits(u.text);
    if (!(dur >= 0.3) || units === 0) return null;
    const rate = units / dur;
    let jump: SpeechRateJump | null = null;
    if (this.rates.length >= MIN_HISTORY && dur >= 1 && units >= 4) {
      const sorted = [...this.rates].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
      if (median > 0 && rate / median >= this.cfg.ratio)
        jump = { rate, median, ratio: rate / median };
    }
    this.rates.push(rate);
    if (this.rates.length > HISTORY) this.rates.shift();
    return jump;
  }

  get size(): number {
    return this.rates.length;
  }
}

// ---------- recognizer tags ----------

/** Tag weights on their own scale (e-commerce defaults; talk-show weighs them more). */
export interface TagWeights {
  laughter: number;
  applause: number;
}

export const DEFAULT_TAG_WEIGHTS: Readonly<TagWeights> = { laughter: 0.35, applause: 0.45 };

/** The tags of an utterance that count as a signal, with their weights. */
export function tagSignals(
  u: Pick<Utt, 'tags'>,
  weights: Readonly<TagWeights>,
): Array<{ tag: keyof TagWeights; weight: number }> {
  const out: Array<{ tag: keyof TagWeights; weight: number }> = [];
  for (const raw of u.tags ?? []) {
    const tag = raw.trim().toLowerCase();
    if ((tag === 'laughter' || tag === 'applause') && !out.some((x) => x.tag === tag))
      out.push({ tag, weight: weights[tag] });
  }
  return out;
}

// ---------- chat ----------

const CHAT_BASELINE_S = 120;
const CHAT_MIN_MESSAGES = 5;

export interface ChatSpike {
  at: number;
  count: number;
  /** Messages per window at the usual rate (0: chat was silent). */
  expected: number;
  ratio: number;
}

/**
 * Messages per `windowS` against the rate of the 120 s before; a spike is reported once when
 * the count reaches ≥ 5 and ≥ ratio × the usual, and again only after it has calmed down.
 * Counts are kept per second, so memory does not grow with chat volume.
 */
export class ChatRateTracker {
  private readonly slots: Int32Array;
  private readonly counts: Uint32Array;
  private readonly win: number;
  private latest = -Infinity;
  private inSpike = false;

  constructor(
    private readonly cfg: { ratio: number; windowS: number },
    /** Media time the session's chat started to be counted. */
    private readonly since = 0,
  ) {
    this.win = Math.max(1, Math.ceil(cfg.windowS));
    const n = this.win + CHAT_BASELINE_S + 2;
    this.slots = new Int32Array(n).fill(-1);
    this.counts = new Uint32Array(n);
  }

  push(m: Pick<ChatMsg, 'at'>): ChatSpike | null {
    if (!Number.isFinite(m.at) || m.at < 0) return null;
    const sec = Math.floor(m.at);
    if (sec <= this.latest - this.slots.length + 1) return null; // too old to count
    this.latest = Math.max(this.latest, sec);
    const i = sec % this.slots.length;
    if (this.slots[i] !== sec) {
      this.slots[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i]!++;
    const now = this.latest;
    const count = this.sum(now - this.win + 1, now);
    const baseFrom = Math.max(Math.floor(this.since), now - this.win - CHAT_BASELINE_S + 1);
    const baseSecs = now - this.win - baseFrom + 1;
    if (baseSecs < this.win) return null; // too early to know the usual rate
    const expected = (this.sum(baseFrom, now - this.win) / baseSecs) * this.cfg.windowS;
    const ratio = expected > 0 ? count / expected : Infinity;
    const spiking = count >= CHAT_MIN_MESSAGES && ratio >= this.cfg.ratio;
    if (!spiking) {
      this.inSpike = false;
      return null;
    }
    if (this.inSpike) return null;
    this.inSpike = true;
    return { at: m.at, count, expected, ratio };
  }

  private sum(from: number, to: number): number {
    let n = 0;
    for (let s = Math.max(from, 0); s <= to; s++) {
      const i = s % this.slots.length;
      if (this.slots[i] === s) n += this.counts[i]!;
    }
    return n;
  }

  get size(): number {
    return this.slots.length;
  }
}
