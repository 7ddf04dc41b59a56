import { describe, expect, it } from 'vitest';
import { DETECT_DEFAULTS, DetectSettings as DetectSettingsSchema } from '../api/contract';
import { PRESETS, PRESET_NAMES, presetSettings, tagWeightsFor } from './presets';
import { SettingsError, validateSettings } from './settings';
import type { DetectSettings } from './types';

type Patch = (s: Record<string, unknown>) => void;

function broken(patch: Patch): unknown {
  const s = structuredClone(presetSettings('e-commerce')) as unknown as Record<string, unknown>;
  patch(s);
  return s;
}

describe('validateSettings refuses impossible settings, naming the field and the reason', () => {
  it.each<[string, Patch, string, RegExp]>([
    ['negative pre-roll', (s) => (s['preRollMinS'] = -1), 'preRollMinS', /-1 is negative/],
    ['negative post-roll', (s) => (s['postRollMaxS'] = -0.5), 'postRollMaxS', /negative/],
    [
      'pre-roll min above max',
      (s) => ((s['preRollMinS'] = 12), (s['preRollMaxS'] = 10)),
      'preRollMinS',
      /minimum pre-roll \(12 s\) is longer than the maximum \(10 s\)/,
    ],
    [
      'post-roll min above max',
      (s) => (s['postRollMinS'] = 20),
      'postRollMinS',
      /minimum post-roll \(20 s\) is longer than the maximum \(15 s\)/,
    ],
    ['zero window', (s) => (s['maxWindowS'] = 0), 'maxWindowS', /0 must be above 0/],
    ['negative window', (s) => (s['maxWindowS'] = -5), 'maxWindowS', /must be above 0/],
    [
      'zero mark window',
      (s) => ((s['markPreRollS'] = 0), (s['markPostRollS'] = 0)),
      'markPostRollS',
      /manual mark needs a window longer than 0 s/,
    ],
    ['min score above 1', (s) => (s['minScore'] = 1.2), 'minScore', /1\.2 is above the maximum 1/],
    ['min score 0', (s) => (s['minScore'] = 0), 'minScore', /must be above 0/],
    ['negative merge gap', (s) => (s['mergeGapS'] = -1), 'mergeGapS', /negative/],
    ['negative cooldown', (s) => (s['cooldownS'] = -3), 'cooldownS', /negative/],
    ['zero per minute', (s) => (s['maxPerMinute'] = 0), 'maxPerMinute', /0 is below 1/],
    ['fractional per minute', (s) => (s['maxPerMinute'] = 2.5), 'maxPerMinute', /whole number/],
    ['NaN', (s) => (s['preRollMaxS'] = Number.NaN), 'preRollMaxS', /not a number/],
    ['a string', (s) => (s['postRollMinS'] = '3'), 'postRollMinS', /not a number/],
    ['missing', (s) => delete s['mergeGapS'], 'mergeGapS', /missing/],
    ['unknown field', (s) => (s['mergeGap'] = 5), 'mergeGap', /unknown setting/],
    ['unknown preset', (s) => (s['preset'] = 'sports'), 'preset', /"sports" is not one of/],
    [
      'excitement weight above 1',
      (s) => ((s['excitement'] as Record<string, unknown>)['weight'] = 2),
      'excitement.weight',
      /2 is above the maximum 1/,
    ],
    [
      'excitement jump 0',
      (s) => ((s['excitement'] as Record<string, unknown>)['jumpDb'] = 0),
      'excitement.jumpDb',
      /must be above 0/,
    ],
    [
      'speech-rate ratio 1',
      (s) => ((s['speechRate'] as Record<string, unknown>)['ratio'] = 1),
      'speechRate.ratio',
      /must be above 1/,
    ],
    [
      'chat window 0',
      (s) => ((s['chat'] as Record<string, unknown>)['windowS'] = 0),
      'chat.windowS',
      /must be above 0/,
    ],
    [
      'chat enabled not a boolean',
      (s) => ((s['chat'] as Record<string, unknown>)['enabled'] = 'yes'),
      'chat.enabled',
      /not true\/false/,
    ],
    ['excitement missing', (s) => delete s['excitement'], 'excitement', /missing/],
  ])('%s', (_name, patch, field, message) => {
    let err: unknown = null;
    try {
      validateSettings(broken(patch));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).field).toBe(field);
    expect((err as SettingsError).message).toContain(`detection setting ${field}:`);
    expect((err as SettingsError).message).toMatch(message);
  });

  it('refuses a non-object', () => {
    expect(() => validateSettings(null)).toThrow(SettingsError);
    expect(() => validateSettings([])).toThrow(/not an object/);
  });

  it('accepts the limits themselves', () => {
    const s = broken((x) => {
      x['preRollMinS'] = 0;
      x['preRollMaxS'] = 0;
      x['minScore'] = 1;
      x['cooldownS'] = 0;
      x['markPreRollS'] = 0;
    });
    expect(validateSettings(s)).toMatchObject({ preRollMinS: 0, preRollMaxS: 0, minScore: 1 });
  });
});

describe('presets', () => {
  it.each(PRESET_NAMES)('%s is valid here and in the API contract', (name) => {
    expect(validateSettings(presetSettings(name))).toEqual(PRESETS[name]);
    expect(DetectSettingsSchema.safeParse(PRESETS[name]).success).toBe(true);
    expect(PRESETS[name].preset).toBe(name);
  });

  it('e-commerce is the design defaults and the API default', () => {
    const expected: DetectSettings = {
      preset: 'e-commerce',
      preRollMinS: 2,
      preRollMaxS: 10,
      postRollMinS: 5,
      postRollMaxS: 15,
      mergeGapS: 5,
      cooldownS: 0,
      maxPerMinute: 6,
      minScore: 0.5,
      maxWindowS: 60,
      markPreRollS: 20,
      markPostRollS: 10,
      excitement: { enabled: true, jumpDb: 8, minDurationS: 1, baselineS: 60, weight: 0.4 },
      speechRate: { enabled: true, ratio: 1.6, weight: 0.15 },
      chat: { enabled: true, ratio: 3, windowS: 10, weight: 0.3 },
    };
    expect(PRESETS['e-commerce']).toEqual(expected);
    expect(DETECT_DEFAULTS).toEqual(expected);
  });

  it('gaming leans on excitement and chat with a 10 s cooldown; talk-show on tags and pre-roll', () => {
    const ec = PRESETS['e-commerce'];
    const g = PRESETS.gaming;
    const t = PRESETS['talk-show'];
    expect(g.cooldownS).toBe(10);
    expect(g.excitement.weight).toBeGreaterThanOrEqual(g.minScore);
    expect(g.chat.weight).toBeGreaterThanOrEqual(g.minScore);
    expect(g.excitement.weight).toBeGreaterThan(ec.excitement.weight);
    expect(t.preRollMaxS).toBeGreaterThan(ec.preRollMaxS);
    expect(t.preRollMinS).toBeGreaterThan(ec.preRollMinS);
    expect(tagWeightsFor('talk-show').laughter).toBeGreaterThanOrEqual(t.minScore);
    expect(tagWeightsFor('e-commerce').laughter).toBeLessThan(ec.minScore);
  });

  it('are frozen; presetSettings gives an editable copy', () => {
    expect(Object.isFrozen(PRESETS.gaming)).toBe(true);
    expect(Object.isFrozen(PRESETS.gaming.excitement)).toBe(true);
    const copy = presetSettings('gaming');
    copy.excitement.weight = 0.1;
    expect(PRESETS.gaming.excitement.weight).toBe(0.6);
  });
});
