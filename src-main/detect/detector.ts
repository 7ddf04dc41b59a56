/**
 * The live highlight detector: final utterances, keyword-spotter hits, loudness frames, chat
 * and manual marks in; highlights out, each with a score, reasons and a window snapped to
 * sentence boundaries. Deterministic and synchronous: a highlight is emitted inside the call
 * that makes it qualify. Memory is bounded (only the last few minutes of utterances, frames and
 * signals are kept), so a 4 h session costs what a 10 min one does.
 *
 * Fusion
 * - Score: noisy-OR of the reasons' weights, 1 − Π(1 − wᵢ); a manual mark makes it 1.
 * - A keyword-spotter hit and a transcript trigger of the same lexicon entry within
 *   [utt.start − 1, utt.end + 2] are one signal (weight + 0.1), whichever comes first.
 * - A trigger starting ≤ mergeGapS after the previous trigger's utterance end extends that
 *   highlight (unless it would outgrow maxWindowS); padding never merges.
 * - Excitement, recognizer tags and chat spikes join an open highlight they overlap (its window,
 *   or up to mergeGapS after its last trigger); otherwise they start an audio candidate, emitted
 *   once its score reaches minScore. Speech-rate jumps only join.
 * - A window closes once its end boundary is known and no merge can come any more (a later
 *   utterance ended past the last trigger + mergeGapS), or when media time passes the last
 *   trigger + postRollMaxS; only then is it 'final'.
 */
import { compileLexicon, matchText, originalText, type CompiledLexicon } from './lexicon';
import {
  ChatRateTracker,
  Deque,
  ExcitementTracker,
  SpeechRateTracker,
  tagSignals,
  triggersIn,
  type ExcitementEvent,
  type TagWeights,
} from './signals';
import { tagWeightsFor } from './presets';
import {
  validateSettings,
  type Category,
  type ChatMsg,
  type DetectSettings,
  type Highlight,
  type KeywordHit,
  type LexiconEntry,
  type Lexicon,
  type LoudFrame,
  type Mark,
  type Reason,
  type Utt,
} from './types';

export interface DetectorEvents {
  onHighlight(h: Highlight, change: 'created' | 'updated' | 'final'): void;
}

export interface DetectorOptions {
  settings: DetectSettings;
  lexicon: Lexicon;
  events: DetectorEvents;
  /** Wall clock in ms (default performance.now). */
  now?: () => number;
  /** The id of the n-th emitted highlight, n = 1, 2, … (default `h${n}`). */
  idFor?: (n: number) => string;
  /** Recognizer tag weights (default: the preset's, see presets.ts). */
  tagWeights?: Partial<TagWeights>;
}

export interface DetectorStats {
  dropped: { cooldown: number; maxPerMinute: number; minScore: number };
}

/** Sizes of everything the detector holds, for memory checks. */
export interface DetectorSizes {
  utterances: number;
  signals: number;
  openHighlights: number;
  recentFinals: number;
  frames: number;
  speechRates: number;
  chatSlots: number;
  recentStarts: number;
  emitted: number;
}

const EPS = 1e-6;
/** A KWS hit and a transcript trigger of one entry are one signal within these margins. */
const KWS_BEFORE_S = 1;
const KWS_AFTER_S = 2;
/** A KWS-only trigger: the phrase ended 0.3–0.8 s before the hit. */
const KWS_PHRASE = { from: 1.5, to: 0.3 };
const KWS_REPEAT_S = 3;
const KWS_BONUS = 0.1;

interface Span {
  key: string;
  s: number;
  e: number;
}

interface Why extends Reason {
  /** Trigger span (transcript utterance or KWS phrase). */
  span?: Span;
  /** The keyword spotter's hit time, for a KWS-only trigger. */
  kwsAt?: number;
  /** A transcript trigger the keyword spotter heard too. */
  heard?: boolean;
}

type State = 'candidate' | 'open' | 'dropped' | 'final' | 'gone';

interface Rec {
  id: string | null;
  state: State;
  origin: 'trigger' | 'audio' | 'manual';
  /** Trigger (or loud stretch) spans; empty for a mark-only highlight. */
  spans: Span[];
  ts: number;
  te: number;
  /** The loud stretch that made this audio highlight is still going. */
  live: boolean;
  reasons: Map<string, Why>;
  mark: { s: number; e: number } | null;
  start: number;
  end: number;
  text: string;
  firstSignalWallMs: number;
  emittedWallMs: number;
  created: boolean;
  changed: boolean;
  finalized: boolean;
}

interface Signal {
  key: string;
  s: number;
  e: number;
  reason: Reason;
}

interface StoredUtt {
  start: number;
  end: number;
  text: string;
}

interface Closed {
  start: number;
  end: number;
  spans: Span[];
  kws: Array<{ key: string; at: number }>;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function finite(...xs: number[]): boolean {
  return xs.every((x) => typeof x === 'number' && Number.isFinite(x));
}

export class Detector {
  readonly stats: DetectorStats = { dropped: { cooldown: 0, maxPerMinute: 0, minScore: 0 } };

  private readonly settings: DetectSettings;
  private lex: CompiledLexicon;
  private readonly events: DetectorEvents;
  private readonly now: () => number;
  private readonly idFor: (n: number) => string;
  private readonly tagWeights: TagWeights;
  private readonly keepS: number;

  private readonly utts = new Deque<StoredUtt>();
  private readonly signals = new Deque<Signal>();
  private readonly finals = new Deque<Closed>();
  private readonly starts = new Deque<number>();
  private recs: Rec[] = [];
  private readonly emitted = new Map<string, Highlight>();
  private readonly touched = new Set<Rec>();
  private lastEmitted: Rec | null = null;
  private emittedCount = 0;
  private markCount = 0;
  private mediaTime = 0;
  private firstTime: number | null = null;
  private lastUttEnd = -Infinity;
  private finished = false;

  private readonly excitement: ExcitementTracker | null;
  private exciteSignal: Signal | null = null;
  private exciteRec: Rec | null = null;
  private readonly speech: SpeechRateTracker | null;
  private chatTracker: ChatRateTracker | null = null;

  /** See transcriptHorizon(); -Infinity until told. */
  private horizon = -Infinity;

  constructor(opts: DetectorOptions) {
    this.settings = validateSettings(opts.settings);
    this.lex = compileLexicon(opts.lexicon);
    this.events = opts.events;
    this.now = opts.now ?? (() => performance.now());
    this.idFor = opts.idFor ?? ((n) => `h${n}`);
    this.tagWeights = { ...tagWeightsFor(this.settings.preset), ...opts.tagWeights };
    const s = this.settings;
    this.keepS = s.preRollMaxS + s.maxWindowS + s.postRollMaxS + s.markPreRollS + 30;
    this.excitement = s.excitement.enabled ? new ExcitementTracker(s.excitement) : null;
    this.speech = s.speechRate.enabled ? new SpeechRateTracker(s.speechRate) : null;
  }

  /** Replaces the lexicon (throws LexiconError, keeping the old one, when it is invalid). */
  setLexicon(lexicon: Lexicon): void {
    this.lex = compileLexicon(lexicon);
  }

  // ---------- inputs ----------

  /** A final utterance; utterances come in media-time order. */
  utterance(u: Utt): void {
    if (!finite(u.start, u.end) || u.end < u.start || typeof u.text !== 'string') return;
    const wall = this.now();
    this.seeTime(u.start);
    this.utts.push({ start: u.start, end: u.end, text: u.text.trim() });
    this.lastUttEnd = Math.max(this.lastUttEnd, u.end);
    this.mediaTime = Math.max(this.mediaTime, u.end);
    for (const m of triggersIn(this.lex, u)) {
      const entry = m.entry;
      const said = originalText(u.text, m.matched) ?? this.displayOf(entry, m.matched);
      this.trigger(entry, { key: entryKey(entry), s: u.start, e: u.end }, wall, {
        kind: 'trigger',
        text: triggerText(said, entry.category),
      });
    }
    const jump = this.speech?.push(u);
    if (jump)
      this.signal(
        {
          key: 'speech-rate',
          s: u.start,
          e: u.end,
          reason: {
            kind: 'speech-rate',
            text: `speech ${jump.ratio.toFixed(1)}× faster than the recent median`,
            at: u.start,
            weight: this.settings.speechRate.weight,
          },
        },
        false,
        wall,
      );
    for (const t of tagSignals(u, this.tagWeights))
      this.signal(
        {
          key: `tag:${t.tag}`,
          s: u.start,
          e: u.end,
          reason: { kind: 'tag', text: `${t.tag} (recognizer tag)`, at: u.start, weight: t.weight },
        },
        true,
        wall,
      );
    this.refresh(true);
  }

  /** A keyword-spotter hit. */
  keyword(k: KeywordHit): void {
    if (!finite(k.at) || typeof k.keyword !== 'string') return;
    const wall = this.now();
    this.seeTime(k.at);
    this.mediaTime = Math.max(this.mediaTime, k.at);
    const best = matchText(this.lex, k.keyword).sort(
      (a, b) => b.entry.weight - a.entry.weight || b.end - b.start - (a.end - a.start),
    )[0];
    if (best) {
      const entry = best.entry;
      const span = {
        key: entryKey(entry),
        s: Math.max(0, k.at - KWS_PHRASE.from),
        e: Math.max(0, k.at - KWS_PHRASE.to),
      };
      this.trigger(entry, span, wall, {
        kind: 'keyword',
        text: `keyword "${k.keyword.trim()}" spotted in the audio (${entry.category})`,
        kwsAt: k.at,
      });
    }
    this.refresh(true);
  }

  loudness(frames: readonly LoudFrame[]): void {
    let wall: number | null = null;
    for (const f of frames) {
      if (!finite(f.t)) continue;
      this.seeTime(f.t);
      this.mediaTime = Math.max(this.mediaTime, f.t + 0.1);
      for (const ev of this.excitement?.push(f) ?? []) this.onExcitement(ev, (wall ??= this.now()));
    }
    this.refresh(false);
  }

  chat(m: ChatMsg): void {
    if (!this.settings.chat.enabled || !finite(m.at)) return;
    this.seeTime(m.at);
    this.chatTracker ??= new ChatRateTracker(this.settings.chat, this.firstTime ?? m.at);
    const spike = this.chatTracker.push(m);
    if (spike) {
      const { windowS, weight } = this.settings.chat;
      const usual =
        spike.expected > 0 ? `${spike.ratio.toFixed(1)}× the usual rate` : 'chat was quiet before';
      this.signal(
        {
          key: 'chat',
          // The spike is now: a 10 s rate window reaching back must not pull in what came before.
          s: Math.max(0, m.at - 1),
          e: m.at,
          reason: {
            kind: 'chat',
            text: `chat spike: ${spike.count} messages in ${windowS} s (${usual})`,
            at: m.at,
            weight,
          },
        },
        true,
        this.now(),
      );
    }
    this.refresh(false);
  }

  /** A manual mark: creates a highlight, or extends the open one it overlaps; score 1. */
  mark(m: Mark): Highlight {
    const wall = this.now();
    const at = finite(m.at) ? Math.max(0, m.at) : this.mediaTime;
    this.seeTime(at);
    const s = Math.max(0, at - this.settings.markPreRollS);
    const e = at + this.settings.markPostRollS;
    const note = m.note?.trim();
    const reason: Why = {
      kind: 'mark',
      text: `manual mark (${m.source})${note ? `: ${note}` : ''}`,
      at,
      weight: 1,
    };
    let target: Rec | null = null;
    let best = Infinity;
    for (const r of this.recs) {
      if (r.start > e || r.end < s) continue;
      const d = Math.max(0, r.ts - at, at - r.te);
      if (d < best) {
        best = d;
        target = r;
      }
    }
    const rec = target ?? this.newRec('manual', wall);
    rec.mark = rec.mark ? { s: Math.min(rec.mark.s, s), e: Math.max(rec.mark.e, e) } : { s, e };
    if (!target) {
      rec.ts = at;
      rec.te = at;
    }
    rec.reasons.set(`mark:${++this.markCount}`, reason);
    this.touch(rec);
    this.recompute(rec, false);
    if (rec.state !== 'open') this.emit(rec);
    this.refresh(true);
    return this.snapshot(rec, rec.state === 'final' ? 'final' : 'provisional');
  }

  /** The media clock moved: windows whose bounds passed close. */
  /**
   * Every utterance that starts before `t` has been delivered (timed text: its released cues; a
   * recognizer: what it has committed). Lets a window close at its boundary without waiting for
   * the next sentence, once no trigger that could still merge into it can arrive.
   */
  transcriptHorizon(t: number): void {
    if (!(t > this.horizon)) return;
    this.horizon = t;
    this.refresh(false);
  }

  advance(mediaTime: number): void {
    if (!finite(mediaTime)) return;
    this.seeTime(mediaTime);
    this.mediaTime = Math.max(this.mediaTime, mediaTime);
    this.refresh(false);
  }

  /** End of the media: every open window closes ('final'). */
  finish(): void {
    const wall = this.now();
    for (const ev of this.excitement?.flush() ?? []) this.onExcitement(ev, wall);
    this.finished = true;
    this.refresh(true);
  }

  /** Every highlight emitted so far (its latest state), by start. */
  highlights(): Highlight[] {
    return [...this.emitted.values()].sort((a, b) => a.start - b.start || a.end - b.end);
  }

  debugSizes(): DetectorSizes {
    return {
      utterances: this.utts.length,
      signals: this.signals.length,
      openHighlights: this.recs.length,
      recentFinals: this.finals.length,
      frames: this.excitement?.size ?? 0,
      speechRates: this.speech?.size ?? 0,
      chatSlots: this.chatTracker?.size ?? 0,
      recentStarts: this.starts.length,
      emitted: this.emitted.size,
    };
  }

  // ---------- triggers ----------

  private displayOf(entry: LexiconEntry, matched: string): string {
    return this.lex.entries.find((c) => c.entry === entry)?.display ?? matched;
  }

  private trigger(
    entry: LexiconEntry,
    span: Span,
    wall: number,
    r: { kind: 'trigger' | 'keyword'; text: string; kwsAt?: number },
  ): void {
    const key = span.key;
    const kws = r.kind === 'keyword';
    const at = r.kwsAt ?? 0;
    // The same phrase heard by both the recognizer and the keyword spotter is one signal.
    for (const rec of this.recs) {
      const why = rec.reasons.get(key);
      if (!why?.span) continue;
      if (!kws && why.kind === 'keyword' && inKwsRange(why.kwsAt ?? NaN, span)) {
        why.kind = 'trigger';
        why.text = `${r.text} (heard by the keyword spotter too)`;
        why.weight = Math.min(1, entry.weight + KWS_BONUS);
        why.at = span.s;
        why.heard = true;
        const old = why.span;
        rec.spans = rec.spans.filter((x) => x !== old);
        why.span = span;
        delete why.kwsAt;
        this.addSpan(rec, span);
        this.consider(rec);
        return;
      }
      if (kws && why.kind === 'trigger' && inKwsRange(at, why.span)) {
        if (!why.heard) {
          why.heard = true;
          why.text += ' (heard by the keyword spotter too)';
          why.weight = Math.min(1, why.weight + KWS_BONUS);
          this.touch(rec);
          this.consider(rec);
        }
        return;
      }
      if (kws && why.kind === 'keyword' && Math.abs(at - (why.kwsAt ?? NaN)) <= KWS_REPEAT_S)
        return;
    }
    // …also when its highlight has already closed.
    for (const f of this.finals) {
      if (kws && f.spans.some((x) => x.key === key && inKwsRange(at, x))) return;
      if (!kws && f.kws.some((x) => x.key === key && inKwsRange(x.at, span))) return;
    }

    const why: Why = {
      kind: r.kind,
      text: r.text,
      at: kws ? at : span.s,
      weight: entry.weight,
      entryId: entry.id,
      category: entry.category,
      span,
      ...(kws ? { kwsAt: at } : {}),
    };
    const target = this.mergeTarget(span);
    if (target) {
      if (!target.reasons.has(key)) target.reasons.set(key, why);
      target.origin = target.origin === 'manual' ? 'manual' : 'trigger';
      this.addSpan(target, span);
      this.absorbAround(target);
      this.consider(target);
      return;
    }
    // Inside a manual mark's window: the mark's highlight says it all already.
    const marked = this.recs.find(
      (x) => x.spans.length === 0 && x.mark && x.mark.s <= span.s && span.e <= x.mark.e,
    );
    if (marked) {
      if (!marked.reasons.has(key)) marked.reasons.set(key, why);
      this.touch(marked);
      return;
    }
    const rec = this.newRec('trigger', wall);
    rec.reasons.set(key, why);
    this.addSpan(rec, span);
    this.absorbAround(rec);
    this.consider(rec);
  }

  /** The open highlight a trigger at `span` extends, if any. */
  private mergeTarget(span: Span): Rec | null {
    const s = this.settings;
    let best: Rec | null = null;
    for (const r of this.recs) {
      if (r.spans.length === 0) continue;
      if (span.s > r.te + s.mergeGapS + EPS || span.e < r.ts - s.mergeGapS - EPS) continue;
      const start = this.startFor(Math.min(r.ts, span.s));
      const end = Math.max(r.te, span.e) + s.postRollMinS;
      if (end - start > s.maxWindowS + EPS) continue;
      if (!best || r.te > best.te) best = r;
    }
    return best;
  }

  private addSpan(rec: Rec, span: Span): void {
    rec.spans.push(span);
    rec.ts = Math.min(...rec.spans.map((x) => x.s));
    rec.te = Math.max(...rec.spans.map((x) => x.e));
    this.touch(rec);
    this.recompute(rec, false);
    this.attachRecent(rec);
  }

  /** Audio candidates inside a trigger highlight's window are that highlight. */
  private absorbAround(rec: Rec): void {
    for (const other of this.recs) {
      if (other === rec || other.origin !== 'audio' || other.id !== null) continue;
      if (other.start > rec.end || other.end < rec.start) continue;
      for (const [k, why] of other.reasons) if (!rec.reasons.has(k)) rec.reasons.set(k, why);
      other.state = 'gone';
      if (this.exciteRec === other) this.exciteRec = null;
    }
    this.recs = this.recs.filter((x) => x.state !== 'gone');
  }

  // ---------- other signals ----------

  private onExcitement(ev: ExcitementEvent, wall: number): void {
    if (ev.type === 'start') {
      const sig: Signal = {
        key: 'excitement',
        s: ev.start,
        e: ev.at,
        reason: {
          kind: 'excitement',
          text: `loudness +${ev.jumpDb.toFixed(1)} dB over baseline`,
          at: ev.start,
          weight: this.settings.excitement.weight,
        },
      };
      this.exciteSignal = sig;
      const rec = this.signal(sig, true, wall);
      if (rec) {
        rec.live = true;
        this.exciteRec = rec;
      }
      return;
    }
    if (this.exciteSignal) this.exciteSignal.e = ev.end;
    const rec = this.exciteRec;
    if (rec && rec.state !== 'final' && rec.state !== 'gone') {
      const span = rec.spans.find((x) => x.key === 'audio');
      if (span) span.e = Math.max(span.e, ev.end);
      rec.te = Math.max(rec.te, ev.end);
      // Its window moves once the stretch is over, not every 100 ms while it lasts.
      if (ev.type === 'end') {
        rec.live = false;
        this.recompute(rec, false);
      }
    }
    if (ev.type === 'end') {
      this.exciteSignal = null;
      this.exciteRec = null;
    }
  }

  /** A non-trigger signal: joins the open highlights it overlaps, or starts a candidate. */
  private signal(sig: Signal, canCreate: boolean, wall: number): Rec | null {
    this.signals.push(sig);
    let covered = false;
    for (const rec of this.recs) {
      if (!this.overlaps(rec, sig)) continue;
      covered = true;
      if (rec.reasons.has(sig.key)) continue;
      rec.reasons.set(sig.key, { ...sig.reason });
      this.touch(rec);
      this.consider(rec);
    }
    if (covered || !canCreate) return null;
    // Already clipped: the signal's moment (its end; a chat window reaches 10 s back) lies in a
    // closed highlight.
    for (const f of this.finals) if (sig.e <= f.end + EPS && sig.e >= f.start - EPS) return null;
    const rec = this.newRec('audio', wall);
    rec.reasons.set(sig.key, { ...sig.reason });
    this.addSpan(rec, { key: 'audio', s: sig.s, e: sig.e });
    this.consider(rec);
    return rec;
  }

  private overlaps(rec: Rec, sig: Signal): boolean {
    const hi = rec.spans.length ? Math.max(rec.end, rec.te + this.settings.mergeGapS) : rec.end;
    return sig.s <= hi + EPS && sig.e >= rec.start - EPS;
  }

  private attachRecent(rec: Rec): void {
    for (const sig of this.signals) {
      if (rec.reasons.has(sig.key) || !this.overlaps(rec, sig)) continue;
      rec.reasons.set(sig.key, { ...sig.reason });
      this.touch(rec);
    }
  }

  // ---------- highlights ----------

  private newRec(origin: Rec['origin'], wall: number): Rec {
    const rec: Rec = {
      id: null,
      state: 'candidate',
      origin,
      spans: [],
      ts: 0,
      te: 0,
      live: false,
      reasons: new Map(),
      mark: null,
      start: 0,
      end: 0,
      text: '',
      firstSignalWallMs: wall,
      emittedWallMs: 0,
      created: false,
      changed: false,
      finalized: false,
    };
    this.recs.push(rec);
    return rec;
  }

  private touch(rec: Rec): void {
    rec.changed = true;
    this.touched.add(rec);
  }

  private score(rec: Rec): number {
    let miss = 1;
    for (const r of rec.reasons.values()) {
      if (r.kind === 'mark') return 1;
      miss *= 1 - Math.min(1, Math.max(0, r.weight));
    }
    return Math.min(1, 1 - miss);
  }

  private hasMark(rec: Rec): boolean {
    for (const r of rec.reasons.values()) if (r.kind === 'mark') return true;
    return false;
  }

  /** A candidate that now qualifies is emitted, unless cooldown or maxPerMinute hold it back. */
  private consider(rec: Rec): void {
    if (rec.state !== 'candidate') return;
    if (this.score(rec) < this.settings.minScore - EPS) return;
    const s = this.settings;
    if (s.cooldownS > 0 && this.lastEmitted && rec.ts < this.lastEmitted.end + s.cooldownS - EPS) {
      rec.state = 'dropped';
      this.stats.dropped.cooldown++;
      return;
    }
    let inMinute = 0;
    for (const t of this.starts) if (t > rec.ts - 60 + EPS && t <= rec.ts + 60) inMinute++;
    if (inMinute >= s.maxPerMinute) {
      rec.state = 'dropped';
      this.stats.dropped.maxPerMinute++;
      return;
    }
    this.emit(rec);
  }

  private emit(rec: Rec): void {
    if (rec.id !== null) {
      rec.state = 'open';
      return;
    }
    rec.state = 'open';
    rec.id = this.idFor(++this.emittedCount);
    rec.emittedWallMs = this.now();
    rec.created = true;
    this.touch(rec);
    if (!this.hasMark(rec)) {
      this.starts.push(rec.ts);
      this.lastEmitted = rec;
    }
  }

  /** The window start: a sentence boundary preRollMin…preRollMax before the trigger. */
  private startFor(ts: number): number {
    const { preRollMinS: min, preRollMaxS: max } = this.settings;
    const lo = ts - max;
    const hi = ts - min;
    // The minimum pre-roll point in a pause (inside no utterance) is the start itself: the
    // window never reaches back across silence into the previous moment's speech.
    if (hi > 0 && !this.spans(hi)) return hi;
    let best: number | null = null;
    for (let i = this.utts.lowerBound((u) => u.start >= lo - EPS); i < this.utts.length; i++) {
      const u = this.utts.at(i)!;
      if (u.start > hi + EPS) break;
      best = u.start;
    }
    if (best !== null) return Math.max(0, best);
    const from = Math.max(0, lo);
    const next = this.utts.at(this.utts.lowerBound((u) => u.start >= from - EPS));
    if (next && next.start <= ts + EPS) return next.start;
    return Math.max(0, ts - min);
  }

  /** Whether a known utterance is being spoken at media time t (strictly inside it). */
  private spans(t: number): boolean {
    for (let i = this.utts.lowerBound((u) => u.start >= t - 120); i < this.utts.length; i++) {
      const u = this.utts.at(i)!;
      if (u.start >= t - EPS) break;
      if (u.end > t + EPS) return true;
    }
    return false;
  }

  /**
   * Where the window ends after a trigger ending at te: the minimum post-roll point itself when it
   * falls in a pause (no utterance spans it), else the earliest utterance end in [te + postRollMin,
   * te + postRollMax]; null while unknown. Utterances are known up to the transcript horizon.
   */
  private endBoundary(ts: number, te: number): number | null {
    const lo = te + this.settings.postRollMinS;
    const hi = te + this.settings.postRollMaxS;
    let best: number | null = null;
    let prevEnd = -Infinity;
    for (let i = this.utts.lowerBound((u) => u.start >= ts - EPS); i < this.utts.length; i++) {
      const u = this.utts.at(i)!;
      if (u.start > hi + EPS) break;
      // lo lies in the pause before u: the window ends there, not in the next speech.
      if (best === null && prevEnd < lo && u.start >= lo - EPS) return lo;
      if (u.end >= lo - EPS && u.end <= hi + EPS && (best === null || u.end < best)) best = u.end;
      prevEnd = Math.max(prevEnd, u.end);
    }
    // A pause still going on at lo: nothing else starts before the horizon.
    if (best === null && prevEnd < lo && Math.min(this.horizon, this.mediaTime) >= lo - EPS)
      return lo;
    return best;
  }

  private endFor(rec: Rec, closing: boolean): number {
    const s = this.settings;
    const found = this.endBoundary(rec.ts, rec.te);
    if (found !== null) return found;
    const lo = rec.te + s.postRollMinS;
    if (!closing) return lo;
    // Closed by the bound with no sentence ending in range: at least the minimum post-roll
    // when there was speech after the trigger, the bound when there was none at all.
    const hi = rec.te + s.postRollMaxS;
    for (let i = this.utts.lowerBound((u) => u.start >= rec.ts - EPS); i < this.utts.length; i++) {
      const u = this.utts.at(i)!;
      if (u.end >= rec.te - EPS && u.end <= hi + EPS) return lo;
    }
    return hi;
  }

  private recompute(rec: Rec, closing: boolean): void {
    if (rec.state === 'final' || rec.state === 'gone') return;
    const s = this.settings;
    let start: number;
    let end: number;
    if (rec.spans.length === 0) {
      start = rec.mark?.s ?? rec.ts;
      end = rec.mark?.e ?? rec.te;
    } else {
      start = this.startFor(rec.ts);
      end = this.endFor(rec, closing);
      if (end - start > s.maxWindowS) {
        end = Math.max(rec.te, start + s.maxWindowS);
        if (end - start > s.maxWindowS) start = Math.min(rec.ts, end - s.maxWindowS);
      }
      if (rec.mark) {
        start = Math.min(start, rec.mark.s);
        end = Math.max(end, rec.mark.e);
      }
    }
    // At the end of the media a window ends with it (the clip cannot go further).
    if (this.finished && this.mediaTime > start + EPS) end = Math.min(end, this.mediaTime);
    const text = this.textIn(start, end);
    if (start !== rec.start || end !== rec.end || text !== rec.text) {
      rec.start = start;
      rec.end = end;
      rec.text = text;
      this.touch(rec);
    }
  }

  private textIn(start: number, end: number): string {
    const out: string[] = [];
    for (let i = this.utts.lowerBound((u) => u.end >= start - 60); i < this.utts.length; i++) {
      const u = this.utts.at(i)!;
      if (u.start > end) break;
      const mid = (u.start + u.end) / 2;
      if (mid >= start - EPS && mid <= end + EPS && u.text) out.push(u.text);
    }
    return out.join(' ');
  }

  private ready(rec: Rec): boolean {
    if (this.finished) return true;
    if (rec.mark && this.mediaTime < rec.mark.e - EPS) return false;
    if (rec.spans.length === 0) return true;
    if (rec.live) return false;
    const s = this.settings;
    if (this.mediaTime > rec.te + s.postRollMaxS + EPS) return true;
    if (this.endBoundary(rec.ts, rec.te) === null) return false;
    // Closed once no trigger that could still merge (starting ≤ mergeGapS after te) can arrive.
    return (
      this.lastUttEnd > rec.te + s.mergeGapS + EPS ||
      Math.min(this.horizon, this.mediaTime) > rec.te + s.mergeGapS + EPS
    );
  }

  private close(rec: Rec): void {
    this.recompute(rec, true);
    if (rec.state === 'open') {
      rec.state = 'final';
      rec.finalized = true;
      this.touched.add(rec);
    } else {
      if (rec.state === 'candidate') this.stats.dropped.minScore++;
      rec.state = 'gone';
    }
    if (this.exciteRec === rec) this.exciteRec = null;
    const kws: Closed['kws'] = [];
    for (const [key, why] of rec.reasons)
      if (why.kwsAt !== undefined) kws.push({ key, at: why.kwsAt });
    this.finals.push({ start: rec.start, end: rec.end, spans: rec.spans, kws });
  }

  /** After every input: windows recomputed, ready ones closed, old state pruned, events out. */
  private refresh(windows: boolean): void {
    if (windows) for (const rec of this.recs) this.recompute(rec, false);
    let closedAny = false;
    for (const rec of this.recs)
      if (this.ready(rec)) {
        this.close(rec);
        closedAny = true;
      }
    if (closedAny) this.recs = this.recs.filter((r) => r.state !== 'final' && r.state !== 'gone');
    this.prune();
    this.flush();
  }

  private prune(): void {
    let horizon = this.mediaTime - this.keepS;
    for (const r of this.recs)
      horizon = Math.min(horizon, r.start - 1, r.ts - this.settings.preRollMaxS - 1);
    const first = (): StoredUtt | undefined => this.utts.first();
    while (this.utts.length > 0 && first()!.end < horizon) this.utts.shift();
    while (this.utts.length > 20_000) this.utts.shift();
    const old = this.mediaTime - this.keepS;
    while ((this.signals.first()?.e ?? Infinity) < old || this.signals.length > 2_000)
      this.signals.shift();
    while ((this.finals.first()?.end ?? Infinity) < old || this.finals.length > 500)
      this.finals.shift();
    while ((this.starts.first() ?? Infinity) < this.mediaTime - 120 || this.starts.length > 1_000)
      this.starts.shift();
  }

  private flush(): void {
    if (this.touched.size === 0) return;
    const batch = [...this.touched];
    this.touched.clear();
    let failure: unknown = null;
    const send = (h: Highlight, change: 'created' | 'updated' | 'final') => {
      try {
        this.events.onHighlight(h, change);
      } catch (err) {
        failure ??= err;
      }
    };
    for (const rec of batch) {
      if (rec.id === null) {
        rec.changed = false;
        continue;
      }
      if (rec.created) {
        rec.created = false;
        const snap = this.snapshot(rec, 'provisional');
        this.emitted.set(rec.id, snap);
        send(snap, 'created');
      } else if (rec.changed && !rec.finalized) {
        const snap = this.snapshot(rec, 'provisional');
        const prev = this.emitted.get(rec.id);
        this.emitted.set(rec.id, snap);
        if (!prev || !sameContent(prev, snap)) send(snap, 'updated');
      }
      rec.changed = false;
      if (rec.finalized) {
        rec.finalized = false;
        const snap = this.snapshot(rec, 'final');
        this.emitted.set(rec.id, snap);
        send(snap, 'final');
      }
    }
    if (failure !== null) throw failure;
  }

  private category(rec: Rec): Highlight['category'] {
    if (rec.origin === 'manual') return 'manual';
    let best: Why | null = null;
    for (const r of rec.reasons.values())
      if ((r.kind === 'trigger' || r.kind === 'keyword') && (!best || r.weight > best.weight))
        best = r;
    if (best?.category) return best.category;
    const kinds = new Set([...rec.reasons.values()].map((r) => r.kind));
    if (kinds.has('excitement') || kinds.has('tag')) return 'audio';
    if (kinds.has('chat')) return 'reaction' satisfies Category;
    return 'audio';
  }

  private snapshot(rec: Rec, state: Highlight['state']): Highlight {
    return {
      id: rec.id ?? '',
      start: round(rec.start, 3),
      end: round(rec.end, 3),
      score: round(this.score(rec), 4),
      reasons: [...rec.reasons.values()].map((r) => ({
        kind: r.kind,
        text: r.text,
        at: round(r.at, 3),
        weight: round(r.weight, 4),
        ...(r.entryId !== undefined ? { entryId: r.entryId } : {}),
        ...(r.category !== undefined ? { category: r.category } : {}),
      })),
      text: rec.text,
      category: this.category(rec),
      state,
      triggerStart: round(rec.ts, 3),
      triggerEnd: round(rec.te, 3),
      firstSignalWallMs: rec.firstSignalWallMs,
      emittedWallMs: rec.emittedWallMs,
    };
  }

  private seeTime(t: number): void {
    if (this.firstTime === null || t < this.firstTime) this.firstTime = Math.max(0, t);
  }
}

function entryKey(e: LexiconEntry): string {
  return `entry:${e.id}`;
}

function triggerText(display: string, category: Category): string {
  return `trigger "${display}" (${category})`;
}

function inKwsRange(at: number, span: { s: number; e: number }): boolean {
  return at >= span.s - KWS_BEFORE_S - EPS && at <= span.e + KWS_AFTER_S + EPS;
}

function sameContent(a: Highlight, b: Highlight): boolean {
  return (
    a.start === b.start &&
    a.end === b.end &&
    a.score === b.score &&
    a.text === b.text &&
    a.category === b.category &&
    JSON.stringify(a.reasons) === JSON.stringify(b.reasons)
  );
}
