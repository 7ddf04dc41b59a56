import { describe, expect, it } from 'vitest';
import type { SafetyLexicon } from '../contract';
import { captionEdits } from './ItemDialogs';
import {
  blankSafetyEntry,
  fromSafetyDraft,
  safetyMatches,
  splitAllow,
  toSafetyDraft,
} from './safetyDraft';

const lexicon: SafetyLexicon = {
  name: 'custom',
  entries: [
    { id: 'wx', term: '微信', category: 'platform', severity: 'block', allow: ['微信支付'] },
    { id: 'best', term: 'best', category: 'ad-law', severity: 'warn', match: 'prefix' },
  ],
};

describe('the safety lexicon draft', () => {
  it('round-trips a lexicon unchanged', () => {
    expect(fromSafetyDraft('custom', toSafetyDraft(lexicon))).toEqual({ ok: true, lexicon });
  });

  it('allow phrases are split on | and trimmed', () => {
    expect(splitAllow(' 微信支付 | | 微信红包|')).toEqual(['微信支付', '微信红包']);
  });

  it.each<[string, Record<string, string>, string]>([
    ['an empty word', { term: '  ' }, 'term'],
    ['an id with a space', { id: 'a b' }, 'id'],
    ['a duplicated id', { id: 'wx' }, 'duplicate'],
  ])('names the row with %s', (_n, patch, problem) => {
    const rows = toSafetyDraft(lexicon);
    rows[1] = { ...rows[1]!, ...patch };
    const r = fromSafetyDraft('custom', rows);
    expect(r).toEqual({ ok: false, key: rows[1]!.key, problem });
  });

  it('new rows get unused ids; the filter looks at id, term, category and allow', () => {
    const rows = toSafetyDraft(lexicon);
    expect(blankSafetyEntry(rows).id).toBe('custom-1');
    expect(rows.filter((r) => safetyMatches(r, '支付')).map((r) => r.id)).toEqual(['wx']);
    expect(rows.filter((r) => safetyMatches(r, 'AD-LAW')).map((r) => r.id)).toEqual(['best']);
    expect(rows.filter((r) => safetyMatches(r, '')).length).toBe(2);
  });
});

describe('caption edits', () => {
  const cues = [
    { index: 0, start: 0, end: 2, text: '大家好', original: '大家好', edited: false },
    { index: 3, start: 2, end: 4, text: '五十九块', original: '五十九快', edited: true },
  ];
  it('sends only the cues whose text changed, by utterance index', () => {
    expect(captionEdits(cues, {})).toEqual([]);
    expect(captionEdits(cues, { 0: '大家好' })).toEqual([]);
    expect(captionEdits(cues, { 0: '大家好!', 3: '' })).toEqual([
      { index: 0, text: '大家好!' },
      { index: 3, text: '' },
    ]);
  });
});
