/**
 * Detection settings as data from outside (a settings file, the API): checked field by field,
 * every refusal naming the field and why. The limits are those of the API contract's
 * DetectSettings schema, so a value the API accepts is one the detector accepts.
 */
import type { DetectSettings } from './types';

export class SettingsError extends Error {
  constructor(
    message: string,
    /** The offending field, dotted ('excitement.jumpDb'). */
    readonly field: string,
  ) {
    super(message);
    this.name = 'SettingsError';
  }
}

const PRESETS = ['e-commerce', 'gaming', 'talk-show', 'custom'] as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(field: string, reason: string): never {
  throw new SettingsError(`detection setting ${field}: ${reason}`, field);
}

function onlyKeys(o: Obj, keys: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) fail(prefix + k, 'unknown setting');
}

interface Range {
  /** Inclusive lower bound, or exclusive when `above` is set. */
  min?: number;
  above?: number;
  max: number;
  int?: boolean;
}

function num(o: Obj, key: string, prefix: string, r: Range): number {
  const field = prefix + key;
  const v = o[key];
  if (v === undefined) fail(field, 'missing');
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(field, `${String(v)} is not a number`);
  if (r.int && !Number.isInteger(v)) fail(field, `${v} is not a whole number`);
  if (r.above !== undefined && !(v > r.above)) fail(field, `${v} must be above ${r.above}`);
  if (r.min !== undefined && v < r.min)
    fail(field, r.min === 0 ? `${v} is negative` : `${v} is below ${r.min}`);
  if (v > r.max) fail(field, `${v} is above the maximum ${r.max}`);
  return v;
}

function bool(o: Obj, key: string, prefix: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(prefix + key, v === undefined ? 'missing' : 'not true/false');
  return v;
}

function group(o: Obj, key: string): Obj {
  const v = o[key];
  if (!isObj(v)) fail(key, v === undefined ? 'missing' : 'not an object');
  return v;
}

const WEIGHT: Range = { above: 0, max: 1 };
const secs = (max: number): Range => ({ min: 0, max });

/** Checks detection settings from outside; throws SettingsError naming the field and the reason. */
export function validateSettings(s: unknown): DetectSettings {
  if (!isObj(s)) throw new SettingsError('detection settings: not an object', '');
  onlyKeys(
    s,
    [
      'preset',
      'preRollMinS',
      'preRollMaxS',
      'postRollMinS',
      'postRollMaxS',
      'mergeGapS',
      'cooldownS',
      'maxPerMinute',
      'minScore',
      'maxWindowS',
      'markPreRollS',
      'markPostRollS',
      'excitement',
      'speechRate',
      'chat',
    ],
    '',
  );
  const preset = s['preset'];
  if (typeof preset !== 'string' || !(PRESETS as readonly string[]).includes(preset))
    fail('preset', `${JSON.stringify(preset)} is not one of ${PRESETS.join(', ')}`);

  const ex = group(s, 'excitement');
  onlyKeys(ex, ['enabled', 'jumpDb', 'minDurationS', 'baselineS', 'weight'], 'excitement.');
  const sr = group(s, 'speechRate');
  onlyKeys(sr, ['enabled', 'ratio', 'weight'], 'speechRate.');
  const ch = group(s, 'chat');
  onlyKeys(ch, ['enabled', 'ratio', 'windowS', 'weight'], 'chat.');

  const out: DetectSettings = {
    preset: preset as DetectSettings['preset'],
    preRollMinS: num(s, 'preRollMinS', '', secs(120)),
    preRollMaxS: num(s, 'preRollMaxS', '', secs(300)),
    postRollMinS: num(s, 'postRollMinS', '', secs(120)),
    postRollMaxS: num(s, 'postRollMaxS', '', secs(300)),
    mergeGapS: num(s, 'mergeGapS', '', secs(60)),
    cooldownS: num(s, 'cooldownS', '', secs(3600)),
    maxPerMinute: num(s, 'maxPerMinute', '', { min: 1, max: 60, int: true }),
    minScore: num(s, 'minScore', '', { above: 0, max: 1 }),
    maxWindowS: num(s, 'maxWindowS', '', { above: 0, max: 600 }),
    markPreRollS: num(s, 'markPreRollS', '', secs(300)),
    markPostRollS: num(s, 'markPostRollS', '', secs(300)),
    excitement: {
      enabled: bool(ex, 'enabled', 'excitement.'),
      jumpDb: num(ex, 'jumpDb', 'excitement.', { above: 0, max: 40 }),
      minDurationS: num(ex, 'minDurationS', 'excitement.', { above: 0, max: 30 }),
      baselineS: num(ex, 'baselineS', 'excitement.', { above: 0, max: 600 }),
      weight: num(ex, 'weight', 'excitement.', WEIGHT),
    },
    speechRate: {
      enabled: bool(sr, 'enabled', 'speechRate.'),
      ratio: num(sr, 'ratio', 'speechRate.', { above: 1, max: 10 }),
      weight: num(sr, 'weight', 'speechRate.', WEIGHT),
    },
    chat: {
      enabled: bool(ch, 'enabled', 'chat.'),
      ratio: num(ch, 'ratio', 'chat.', { above: 1, max: 100 }),
      windowS: num(ch, 'windowS', 'chat.', { above: 0, max: 600 }),
      weight: num(ch, 'weight', 'chat.', WEIGHT),
    },
  };
  if (out.preRollMinS > out.preRollMaxS)
    fail(
      'preRollMinS',
      `the minimum pre-roll (${out.preRollMinS} s) is longer than the maximum (${out.preRollMaxS} s)`,
    );
  if (out.postRollMinS > out.postRollMaxS)
    fail(
      'postRollMinS',
      `the minimum post-roll (${out.postRollMinS} s) is longer than the maximum (${out.postRollMaxS} s)`,
    );
  if (out.markPreRollS + out.markPostRollS <= 0)
    fail('markPostRollS', 'a manual mark needs a window longer than 0 s');
  return out;
}
