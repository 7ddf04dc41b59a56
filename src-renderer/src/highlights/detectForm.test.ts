import { describe, expect, it } from 'vitest';
import { DETECT_DEFAULTS, type DetectSettings } from '../contract';
import { fieldsInError, fromForm, matchingPreset, toForm } from './detectForm';

const gaming: DetectSettings = {
  ...DETECT_DEFAULTS,
  preset: 'gaming',
  cooldownS: 20,
  maxPerMinute: 3,
};
const presets = [
  { name: 'e-commerce', settings: DETECT_DEFAULTS },
  { name: 'gaming', settings: gaming },
];

describe('detect settings form', () => {
  it('round-trips the numbers and keeps what the form does not edit', () => {
    const base = { ...DETECT_DEFAULTS, excitement: { ...DETECT_DEFAULTS.excitement, jumpDb: 11 } };
    const form = { ...toForm(base), preRollMaxS: '12.5' };
    const r = fromForm(base, form, 'custom');
    expect(r).toEqual({
      ok: true,
      settings: { ...base, preset: 'custom', preRollMaxS: 12.5 },
    });
  });
  it('names the first field that is not a number', () => {
    const form = { ...toForm(DETECT_DEFAULTS), mergeGapS: 'five', minScore: '' };
    expect(fromForm(DETECT_DEFAULTS, form, 'custom')).toEqual({ ok: false, field: 'mergeGapS' });
  });
  it('knows which preset the numbers are', () => {
    expect(matchingPreset(toForm(DETECT_DEFAULTS), presets)).toBe('e-commerce');
    expect(matchingPreset(toForm(gaming), presets)).toBe('gaming');
    expect(matchingPreset({ ...toForm(gaming), cooldownS: '21' }, presets)).toBe('custom');
    expect(matchingPreset({ ...toForm(gaming), cooldownS: '20.0' }, presets)).toBe('gaming');
  });
  it.each([
    [
      'Invalid input for settings.set: value.preRollMinS: the minimum pre-roll is longer',
      ['preRollMinS'],
    ],
    [
      'value.minScore: the minimum score is at most 1; value.maxWindowS: too small',
      ['maxWindowS', 'minScore'],
    ],
    ['markPostRollS: a manual mark needs a window longer than 0 s', ['markPostRollS']],
    ['value.excitement.jumpDb: too big', []],
  ] as const)('fields named in %s', (message, fields) => {
    expect(fieldsInError(message)).toEqual(fields);
  });
});
