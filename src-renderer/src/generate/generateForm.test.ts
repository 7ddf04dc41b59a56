import { describe, expect, it } from 'vitest';
import { Generation, methods } from '../contract';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import {
  blankForm,
  FRAME_CHOICES,
  isFrameCount,
  MAX_SEED,
  parseSize,
  SIZE_PRESETS,
  toStartInput,
  type GenerateForm,
} from './generateForm';

const H = 'sess_gen00001-h1';
const form = (over: Partial<GenerateForm> = {}): GenerateForm => ({
  ...blankForm('the highlight prompt'),
  ...over,
});

describe('frames', () => {
  it('offers only 4k+1 counts', () => {
    expect(FRAME_CHOICES.length).toBeGreaterThan(0);
    for (const n of FRAME_CHOICES) expect((n - 1) % 4, String(n)).toBe(0);
  });

  it.each([
    [1, true],
    [5, true],
    [17, true],
    [81, true],
    [1001, true],
    [0, false],
    [16, false],
    [18, false],
    [80, false],
    [1005, false],
    [17.5, false],
    [Number.NaN, false],
  ])('%f is a frame count: %s', (n, ok) => expect(isFrameCount(n)).toBe(ok));

  it('a count that is not 4k+1 is refused before it reaches the engine', () => {
    const r = toStartInput(H, form({ frames: 80 }), '');
    expect(r.ok ? null : r.problems.frames).toBe('frames');
  });
});

describe('size', () => {
  it.each([
    ['832x480', { width: 832, height: 480 }],
    ['1280x720', { width: 1280, height: 720 }],
    ['832X480', null],
    ['832×480', null],
    ['832x', null],
    ['8x480', null],
    ['12345x480', null],
    ['0000x480', null],
    [' 832x480', null],
  ])('%j → %j', (s, want) => expect(parseSize(s)).toEqual(want));

  it("every preset parses, and passes the contract's size check", () => {
    const input = methods['generate.start'].input;
    for (const size of SIZE_PRESETS) {
      expect(parseSize(size), size).not.toBeNull();
      expect(input.safeParse({ highlightId: H, size }).success, size).toBe(true);
    }
  });

  it('a malformed size is refused', () => {
    const r = toStartInput(H, form({ size: '832 x 480' }), '');
    expect(r.ok ? null : r.problems.size).toBe('size');
  });
});

describe('seed and steps', () => {
  it.each([
    ['', undefined],
    ['  ', undefined],
    ['0', 0],
    ['42', 42],
    [' 7 ', 7],
    [String(MAX_SEED), MAX_SEED],
  ])('seed %j → %s', (seed, want) => {
    const r = toStartInput(H, form({ seed }), '');
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.input.seed).toBe(want);
  });

  it.each([String(MAX_SEED + 1), '-1', '1.5', '1e3', 'abc', '0x10'])(
    'seed %j is refused',
    (seed) => {
      const r = toStartInput(H, form({ seed }), '');
      expect(r.ok ? null : r.problems.seed).toBe('seed');
    },
  );

  it.each([
    ['', undefined, true],
    ['1', 1, true],
    ['200', 200, true],
    ['0', undefined, false],
    ['201', undefined, false],
    ['2.5', undefined, false],
  ])('steps %j → %s (ok: %s)', (steps, want, ok) => {
    const r = toStartInput(H, form({ steps }), '');
    expect(r.ok).toBe(ok);
    if (r.ok) expect(r.input.steps).toBe(want);
    else expect(r.problems.steps).toBe('steps');
  });

  it('reports every bad field at once', () => {
    const r = toStartInput(H, form({ seed: '-1', steps: 'x', size: 'big', frames: 2 }), '');
    expect(r.ok ? [] : Object.keys(r.problems).sort()).toEqual(['frames', 'seed', 'size', 'steps']);
  });
});

describe('the input generate.start gets', () => {
  it("an unchanged prompt is left out (the engine fills the highlight's own)", () => {
    const r = toStartInput(H, form({ prompt: ' the highlight prompt ' }), 'the highlight prompt');
    expect(r).toEqual({ ok: true, input: { highlightId: H, frames: 81, size: '832x480' } });
  });

  it('a changed prompt is sent trimmed, a blank one left out', () => {
    const changed = toStartInput(H, form({ prompt: '  a red sneaker  ' }), 'the highlight prompt');
    expect(changed.ok && changed.input.prompt).toBe('a red sneaker');
    const blank = toStartInput(H, form({ prompt: '   ' }), 'the highlight prompt');
    expect(blank.ok && 'prompt' in blank.input).toBe(false);
  });

  it('a prompt over the limit is refused', () => {
    const r = toStartInput(H, form({ prompt: 'x'.repeat(2001) }), '');
    expect(r.ok ? null : r.problems.prompt).toBe('promptLong');
  });

  it("what it builds passes the contract's input schema", () => {
    const r = toStartInput(
      H,
      form({ frames: 33, size: '480x832', steps: '12', seed: '9' }),
      'the highlight prompt',
    );
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(methods['generate.start'].input.parse(r.input)).toEqual({
        highlightId: H,
        frames: 33,
        size: '480x832',
        steps: 12,
        seed: 9,
      });
    }
  });
});

describe('labels', () => {
  it('every state and size preset has a label in both languages', () => {
    const keys = [
      ...Generation.shape.state.options.map((s) => `generate.state.${s}`),
      ...SIZE_PRESETS.map((s) => `generate.size.${s}`),
    ];
    for (const key of keys) {
      expect(key in en, key).toBe(true);
      expect(key in zhCN, key).toBe(true);
    }
  });
});
