import { describe, expect, it } from 'vitest';
import {
  blankEntry,
  errorRow,
  exportText,
  fromDraft,
  matchesFilter,
  parseImport,
  toDraft,
  type DraftEntry,
} from './lexiconDraft';

const lexicon = {
  version: 1 as const,
  entries: [
    {
      id: 'last-3-min',
      pattern: '最后三分钟',
      category: 'urgency',
      weight: 0.9,
      lang: 'zh' as const,
    },
    { id: 'half-off', pattern: '全场五折', category: 'price', weight: 0.8, lang: 'zh' as const },
    {
      id: 'last-call',
      pattern: 'last call',
      category: 'urgency',
      weight: 0.7,
      lang: 'en' as const,
      note: 'n',
    },
  ],
};

describe('draft round trip', () => {
  it('toDraft → fromDraft gives the lexicon back', () => {
    const d = toDraft(lexicon);
    expect(new Set(d.map((e) => e.key)).size).toBe(3);
    expect(fromDraft(d)).toEqual({ ok: true, lexicon });
  });
  it('a weight that is not a number names its row', () => {
    const d = toDraft(lexicon);
    const bad = d.map((e, i) => (i === 1 ? { ...e, weight: '0,8' } : e));
    expect(fromDraft(bad)).toEqual({ ok: false, key: d[1]!.key, weight: '0,8' });
    expect(fromDraft(d.map((e) => ({ ...e, weight: ' ' }))).ok).toBe(false);
  });
  it('a blank entry gets an id not in use', () => {
    const d: DraftEntry[] = [...toDraft(lexicon), { ...blankEntry([]), id: 'custom-1' }];
    expect(blankEntry(d).id).toBe('custom-2');
  });
  it('export is JSON that imports back', () => {
    const text = exportText(lexicon);
    expect(parseImport(text)).toEqual({ ok: true, lexicon });
  });
});

describe('parseImport', () => {
  it('accepts the object form, a bare entries array and a BOM', () => {
    expect(parseImport(JSON.stringify(lexicon.entries))).toEqual({ ok: true, lexicon });
    expect(parseImport(`\uFEFF${JSON.stringify(lexicon)}`).ok).toBe(true);
  });
  it.each([
    ['{', /not JSON/],
    ['{"version":2,"entries":[]}', /version/],
    ['{"version":1,"entries":[{"id":"x"}]}', /entries\.0\.pattern/],
    [
      '{"version":1,"entries":[{"id":"x","pattern":"a","category":"hype","weight":1,"lang":"fr"}]}',
      /lang/,
    ],
    ['"just a string"', /.+/],
  ])('refuses %s', (text, why) => {
    const r = parseImport(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(why);
  });
});

describe('errorRow', () => {
  const d = toDraft({
    version: 1,
    entries: [...lexicon.entries, { ...lexicon.entries[0]!, pattern: '最後三分鐘' }],
  });
  it.each([
    ["entry 'half-off' duplicates entry 'last-3-min'", 1],
    ['Duplicate id "last-3-min"', 3], // the later of two rows with that id
    ["lexicon entry 'last-call': unbalanced parentheses in pattern", 2],
    ['entry “half-off”: weight 1.5 is outside (0, 1]', 1],
    ['Invalid input for lexicon.set: lexicon.entries.2.weight: too big', 2],
    ["entry 'nope' is bad", null],
    ['something else entirely', null],
    ['lexicon.entries.99.weight: too big', null],
  ] as const)('%s → row %s', (message, row) => {
    expect(errorRow(message, d)).toBe(row);
  });
});

describe('matchesFilter', () => {
  const [e] = toDraft(lexicon);
  it.each([
    ['', true],
    ['LAST', true],
    ['三分', true],
    ['urg', true],
    ['price', false],
  ])('%s → %s', (f, want) => {
    expect(matchesFilter(e!, f)).toBe(want);
  });
});
