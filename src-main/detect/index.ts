/** Highlight detection: the public surface (the engine, the CLI and the eval harness use this). */
export type {
  Category,
  ChatMsg,
  DetectSettings,
  Highlight,
  KeywordHit,
  Lexicon,
  LexiconEntry,
  LoudFrame,
  Mark,
  Reason,
  Utt,
} from './types';
export { SettingsError, validateSettings } from './settings';
export {
  CATEGORIES,
  LexiconError,
  MAX_ALTERNATIVES,
  MAX_ENTRIES,
  MAX_PATTERN_CHARS,
  canonicalText,
  compileLexicon,
  matchText,
  originalText,
  parseLexicon,
  type CanonicalText,
  type CompiledEntry,
  type CompiledLexicon,
  type LexiconMatch,
} from './lexicon';
export { canonicalizeNumbers, parseChineseNumber, parseNumber, readEnglishNumber } from './numbers';
export {
  DEFAULT_TAG_WEIGHTS,
  type ChatSpike,
  type ExcitementEvent,
  type SpeechRateJump,
  type TagWeights,
} from './signals';
export {
  Detector,
  type DetectorEvents,
  type DetectorOptions,
  type DetectorSizes,
  type DetectorStats,
} from './detector';
export { PRESETS, PRESET_NAMES, presetSettings, tagWeightsFor, type PresetName } from './presets';
export { DEFAULT_LEXICON } from './default-lexicon';
export { toJsonlLine } from './highlights-jsonl';
