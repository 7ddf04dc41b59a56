/**
 * The detection settings form (pure): which numbers it edits, the values as typed, back to
 * DetectSettings, which preset the numbers match, and which fields an engine error names.
 */
import type { DetectSettings } from '../contract';

export const DETECT_FIELDS = [
  'preRollMinS',
  'preRollMaxS',
  'postRollMinS',
  'postRollMaxS',
  'mergeGapS',
  'maxWindowS',
  'cooldownS',
  'maxPerMinute',
  'minScore',
  'markPreRollS',
  'markPostRollS',
] as const;
export type DetectField = (typeof DETECT_FIELDS)[number];

/** Input steps: seconds by 0.5, counts by 1, the score by 0.05. */
export const FIELD_STEP: { readonly [F in DetectField]: number } = {
  preRollMinS: 0.5,
  preRollMaxS: 0.5,
  postRollMinS: 0.5,
  postRollMaxS: 0.5,
  mergeGapS: 0.5,
  maxWindowS: 1,
  cooldownS: 1,
  maxPerMinute: 1,
  minScore: 0.05,
  markPreRollS: 1,
  markPostRollS: 1,
};

export type DetectForm = { [F in DetectField]: string };

export function toForm(s: DetectSettings): DetectForm {
  const out = {} as DetectForm;
  for (const f of DETECT_FIELDS) out[f] = String(s[f]);
  return out;
}

/** The form over `base` (signal weights etc. are kept), or the first field that is not a number. */
export function fromForm(
  base: DetectSettings,
  form: DetectForm,
  preset: DetectSettings['preset'],
): { ok: true; settings: DetectSettings } | { ok: false; field: DetectField } {
  const next: DetectSettings = { ...base, preset };
  for (const f of DETECT_FIELDS) {
    const text = form[f].trim();
    const n = text === '' ? Number.NaN : Number(text);
    if (!Number.isFinite(n)) return { ok: false, field: f };
    next[f] = n;
  }
  return { ok: true, settings: next };
}

/** The preset whose numbers (on the fields the form edits) equal these, else 'custom'. */
export function matchingPreset(
  form: DetectForm,
  presets: ReadonlyArray<{ name: string; settings: DetectSettings }>,
): DetectSettings['preset'] {
  for (const p of presets) {
    if (DETECT_FIELDS.every((f) => Number(form[f]) === p.settings[f])) {
      return p.settings.preset;
    }
  }
  return 'custom';
}

/** The fields an engine message names ("value.preRollMinS: …", "preRollMinS must …"). */
export function fieldsInError(message: string): DetectField[] {
  return DETECT_FIELDS.filter((f) => new RegExp(`(^|[^A-Za-z])${f}([^A-Za-z]|$)`).test(message));
}
