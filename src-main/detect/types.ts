/**
 * The highlight detector's data: lexicon, settings, the signals it is fed and the highlights it
 * proposes. All times are seconds of media time of the session; wall times are milliseconds.
 */

export type Category =
  'urgency' | 'price' | 'hype' | 'scarcity' | 'countdown' | 'cta' | 'demo' | 'reaction' | 'other';

export interface LexiconEntry {
  /** Unique, /^[a-z0-9][a-z0-9_-]{0,63}$/. */
  id: string;
  /** Literal text, `{n}` for any number, `(a|b)` for alternatives (see lexicon.ts). */
  pattern: string;
  category: Category;
  /** (0, 1]: the entry's contribution to a highlight's score. */
  weight: number;
  lang: 'zh' | 'en' | 'any';
  note?: string;
}

export interface Lexicon {
  version: 1;
  entries: LexiconEntry[];
}

export interface DetectSettings {
  preset: 'e-commerce' | 'gaming' | 'talk-show' | 'custom';
  /** The window starts at a sentence boundary at least this far before the trigger start… */
  preRollMinS: number;
  /** …but never more than this far. */
  preRollMaxS: number;
  /** The window ends at a sentence boundary at least this far after the trigger end… */
  postRollMinS: number;
  /** …but never more than this far. */
  postRollMaxS: number;
  /** A trigger starting ≤ this after the previous trigger's utterance end extends that highlight. */
  mergeGapS: number;
  /** After a highlight's end, no new (non-manual) highlight starts for this long. */
  cooldownS: number;
  /** At most this many (non-manual) highlights start within any 60 s of media time. */
  maxPerMinute: number;
  /** (0, 1]: highlights scoring below are not emitted. */
  minScore: number;
  /** A merged highlight never grows beyond this. */
  maxWindowS: number;
  /** A manual mark's window is [t − markPreRollS, t + markPostRollS]. */
  markPreRollS: number;
  markPostRollS: number;
  excitement: {
    enabled: boolean;
    jumpDb: number;
    minDurationS: number;
    baselineS: number;
    weight: number;
  };
  speechRate: { enabled: boolean; ratio: number; weight: number };
  chat: { enabled: boolean; ratio: number; windowS: number; weight: number };
}

export { SettingsError, validateSettings } from './settings';

/** A final utterance. `tags` come from a recognizer: 'laughter', 'applause', 'emotion:happy', … */
export interface Utt {
  seq: number;
  start: number;
  end: number;
  text: string;
  tags?: string[];
}

/** A keyword-spotter hit: `at` is 0.3–0.8 s after the phrase ended. */
export interface KeywordHit {
  keyword: string;
  at: number;
}

/** 100 ms loudness frame, dBFS (−100 = silence). */
export interface LoudFrame {
  t: number;
  rms: number;
  peak: number;
}

export interface ChatMsg {
  at: number;
  text: string;
  user?: string;
}

export interface Mark {
  at: number;
  source: 'hotkey' | 'button' | 'api' | 'file';
  note?: string;
}

export interface Reason {
  kind: 'trigger' | 'keyword' | 'excitement' | 'speech-rate' | 'tag' | 'chat' | 'mark';
  /** Human readable, English: 'trigger "最后三分钟" (urgency)', 'manual mark (hotkey)'. */
  text: string;
  /** Media time of the signal. */
  at: number;
  /** Contribution to the score. */
  weight: number;
  entryId?: string;
  category?: Category;
}

export interface Highlight {
  /** `idFor(n)` of the detector; `h${n}` by default, n = 1, 2, … in emission order. */
  id: string;
  start: number;
  end: number;
  /** 0..1: noisy-OR of the reasons' weights; 1 with a manual mark. */
  score: number;
  reasons: Reason[];
  /** The transcript inside the window (utterances joined with ' '), or ''. */
  text: string;
  category: Category | 'manual' | 'audio';
  state: 'provisional' | 'final';
  /** First trigger's utterance start / last trigger's utterance end. */
  triggerStart: number;
  triggerEnd: number;
  /** Wall time (the detector's clock) when the first signal of this highlight arrived. */
  firstSignalWallMs: number;
  /** Wall time of the first emission ('created'). */
  emittedWallMs: number;
}
