/**
 * Detection presets. e-commerce is the default (the API contract's DETECT_DEFAULTS is the same
 * object, value for value): price/urgency triggers carry it, every trigger 8 s apart is its own
 * highlight. gaming leans on the crowd: excitement and chat spikes alone make a highlight, with a
 * 10 s cooldown so one fight is one clip. talk-show waits for laughter and applause (their tags
 * weigh more) and starts clips earlier, so the set-up of a joke is in.
 */
import { DETECT_DEFAULTS } from '../api/contract';
import { DEFAULT_TAG_WEIGHTS, type TagWeights } from './signals';
import type { DetectSettings } from './types';

export type PresetName = Exclude<DetectSettings['preset'], 'custom'>;

export const PRESET_NAMES: readonly PresetName[] = ['e-commerce', 'gaming', 'talk-show'];

/** The contract's defaults: what a fresh data directory uses. */
const E_COMMERCE: DetectSettings = DETECT_DEFAULTS;

const GAMING: DetectSettings = {
  preset: 'gaming',
  preRollMinS: 3,
  preRollMaxS: 12,
  postRollMinS: 3,
  postRollMaxS: 12,
  mergeGapS: 5,
  cooldownS: 10,
  maxPerMinute: 4,
  minScore: 0.5,
  maxWindowS: 45,
  markPreRollS: 25,
  markPostRollS: 8,
  excitement: { enabled: true, jumpDb: 7, minDurationS: 0.8, baselineS: 60, weight: 0.6 },
  speechRate: { enabled: true, ratio: 1.5, weight: 0.2 },
  chat: { enabled: true, ratio: 2.5, windowS: 10, weight: 0.5 },
};

const TALK_SHOW: DetectSettings = {
  preset: 'talk-show',
  preRollMinS: 5,
  preRollMaxS: 20,
  postRollMinS: 3,
  postRollMaxS: 15,
  mergeGapS: 6,
  cooldownS: 5,
  maxPerMinute: 3,
  minScore: 0.5,
  maxWindowS: 75,
  markPreRollS: 30,
  markPostRollS: 10,
  excitement: { enabled: true, jumpDb: 8, minDurationS: 1, baselineS: 90, weight: 0.4 },
  speechRate: { enabled: true, ratio: 1.6, weight: 0.15 },
  chat: { enabled: true, ratio: 3, windowS: 15, weight: 0.35 },
};

function freeze<T extends object>(o: T): Readonly<T> {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) Object.freeze(v);
  return Object.freeze(o);
}

/** The presets, frozen; use presetSettings() for a copy to edit. */
export const PRESETS: Readonly<Record<PresetName, Readonly<DetectSettings>>> = Object.freeze({
  'e-commerce': freeze(E_COMMERCE),
  gaming: freeze(GAMING),
  'talk-show': freeze(TALK_SHOW),
});

/** A fresh copy of a preset's settings. */
export function presetSettings(name: PresetName): DetectSettings {
  return structuredClone(PRESETS[name]) as DetectSettings;
}

const TAG_WEIGHTS: Readonly<Record<DetectSettings['preset'], Readonly<TagWeights>>> = {
  'e-commerce': DEFAULT_TAG_WEIGHTS,
  gaming: DEFAULT_TAG_WEIGHTS,
  'talk-show': { laughter: 0.55, applause: 0.6 },
  custom: DEFAULT_TAG_WEIGHTS,
};

/**
 * Weights of the recognizer's laughter/applause tags under a preset. They are not part of
 * DetectSettings (whose shape the API contract fixes), so the preset name selects them.
 */
export function tagWeightsFor(preset: DetectSettings['preset']): TagWeights {
  return { ...TAG_WEIGHTS[preset] };
}
