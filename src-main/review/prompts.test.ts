import { describe, expect, it } from 'vitest';
import { defaultEnhancementTable } from './enhance';
import {
  currentTemplates,
  defaultLibrary,
  escapeTemplateText,
  exportLibrary,
  fillTemplate,
  formatMediaTime,
  getTemplate,
  importLibrary,
  LIBRARY_FORMAT,
  LibraryError,
  mergeLibrary,
  parseTemplate,
  pickProduct,
  promptForHighlight,
  quoteFrom,
  saveTemplate,
  TemplateError,
  templateHistory,
  templateVariables,
  type TemplateLibrary,
} from './prompts';

const ALL = {
  host: '小美',
  product: '保温杯',
  price: '99元',
  action: '放大价格牌',
  quote: '只要九十九',
  time: '0:01:05',
};

describe('fillTemplate', () => {
  it.each([
    ['${host}卖${product}', '小美卖保温杯'],
    ['${ host }', '小美'],
    ['${price}${price}', '99元99元'],
    ['no variables', 'no variables'],
    ['$$ and $${host}', '$ and ${host}'],
    ['cost $5 {x} }{ $', 'cost $5 {x} }{ $'],
    ['', ''],
    ['${action} @ ${time}: "${quote}"', '放大价格牌 @ 0:01:05: "只要九十九"'],
  ])('%j → %j', (template, expected) => {
    expect(fillTemplate(template, ALL)).toBe(expected);
  });

  it('fills an absent value with the empty string', () => {
    expect(fillTemplate('[${host}][${price}]', { host: 'A' })).toBe('[A][]');
  });

  // A value is inserted exactly as it is, whatever it contains: never re-read as a template,
  // never interpreted as a String.replace pattern ($&, $1, $`, $').
  it.each([
    '${host}',
    '$${host}',
    '$${x}',
    '${unknown}',
    '${',
    '{{host}}',
    '{{',
    '\\${host}',
    '\\\\',
    '$&',
    '$1',
    '$`',
    "$'",
    '$$',
    '$<name>',
    '}${price}{',
    '%s %d',
    '<script>alert(1)</script>',
    "'; DROP TABLE clips; --",
    'line1\nline2\r\n${time}',
    '\u202e\u0000',
  ])('hostile value %j stays literal in every variable', (hostile) => {
    for (const v of ['host', 'product', 'price', 'action', 'quote', 'time'] as const) {
      const values = { ...ALL, [v]: hostile };
      const out = fillTemplate('<${host}|${product}|${price}|${action}|${quote}|${time}>', values);
      expect(out).toBe(
        `<${values.host}|${values.product}|${values.price}|${values.action}|${values.quote}|${values.time}>`,
      );
      expect(out.split(hostile).length - 1).toBeGreaterThanOrEqual(1);
    }
  });

  it('does not expand a value that names another variable', () => {
    const out = fillTemplate('${quote} by ${host}', { quote: '${host} said ${price}', host: 'H' });
    expect(out).toBe('${host} said ${price} by H');
  });

  it('filling the output again is refused or stays inert, never re-expands values', () => {
    const once = fillTemplate('${quote}', { quote: '$${host}' });
    expect(once).toBe('$${host}');
  });

  it('escapeTemplateText makes literal text read as itself', () => {
    for (const s of ['${host}', '$$', '$', 'a$${b}c', '價格 $9.9']) {
      expect(fillTemplate(escapeTemplateText(s), ALL)).toBe(s);
    }
  });
});

describe('parseTemplate errors', () => {
  it.each([
    ['${hots}', 'hots'],
    ['hi ${Host}', 'Host'],
    ['${}', ''],
    ['${host.name}', 'host.name'],
    ['${constructor}', 'constructor'],
    ['${__proto__}', '__proto__'],
  ])('unknown variable in %j names the variable and the template', (text, variable) => {
    let caught: unknown;
    try {
      fillTemplate({ id: 'my-tpl', text }, ALL);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateError);
    const e = caught as TemplateError;
    expect(e.variable).toBe(variable);
    expect(e.template).toBe('my-tpl');
    expect(e.message).toContain(`\${${variable}}`);
    expect(e.message).toContain('"my-tpl"');
  });

  it.each(['${host', 'a ${host ${price}', '${'])('unclosed %j is refused', (text) => {
    expect(() => parseTemplate(text, 't1')).toThrow(/template "t1".*never closed/);
  });

  it('refuses an over-long template', () => {
    expect(() => parseTemplate('x'.repeat(4001))).toThrow(/at most 4000/);
  });

  it('lists variables in first-use order', () => {
    expect(templateVariables('${price} ${host} ${price} $${quote}')).toEqual(['price', 'host']);
  });
});

describe('quoteFrom', () => {
  it.each([
    ['  只要  九十九\n元  ', 60, '只要 九十九 元'],
    ['a'.repeat(60), 60, 'a'.repeat(60)],
    ['a'.repeat(61), 60, 'a'.repeat(59) + '…'],
    ['一二三四五六七八九十', 5, '一二三四…'],
    ['the quick brown fox jumps over the lazy dog', 20, 'the quick brown fox…'],
    ['the quick brown fox jumps over the lazy dog', 18, 'the quick brown…'],
    ['abcdefghijklmnopqrstuvwxyz and more', 10, 'abcdefghi…'], // no space near: cut mid-word
    ['ctrl\u0000chars\u0007here', 60, 'ctrl chars here'],
    ['', 60, ''],
  ])('%j (max %d) → %j', (text, max, expected) => {
    expect(quoteFrom(text, max)).toBe(expected);
  });

  it('never splits a grapheme (emoji with modifiers, combining marks)', () => {
    const family = '👨‍👩‍👧‍👦';
    const out = quoteFrom(family.repeat(10), 5);
    expect(out).toBe(family.repeat(4) + '…');
    const combining = 'e\u0301'.repeat(10);
    expect(quoteFrom(combining, 3)).toBe('e\u0301e\u0301…');
  });

  it('keeps hostile text literal', () => {
    expect(quoteFrom('${host} $$ {{x}}')).toBe('${host} $$ {{x}}');
  });
});

describe('formatMediaTime', () => {
  it.each([
    [0, '0:00:00'],
    [5.9, '0:00:05'],
    [65, '0:01:05'],
    [3599, '0:59:59'],
    [3600, '1:00:00'],
    [36000 + 62, '10:01:02'],
    [-3, '0:00:00'],
    [Number.NaN, '0:00:00'],
    [Number.POSITIVE_INFINITY, '0:00:00'],
  ])('%d s → %s', (s, expected) => {
    expect(formatMediaTime(s)).toBe(expected);
  });
});

describe('template library', () => {
  const T0 = new Date('2025-06-01T10:00:00.000Z');
  const T1 = new Date('2025-06-02T10:00:00.000Z');

  it('has zh and en defaults that parse', () => {
    const lib = defaultLibrary();
    const ids = currentTemplates(lib).map((t) => t.id);
    expect(ids).toContain('default-zh');
    expect(ids).toContain('default-en');
    for (const t of lib.templates) expect(() => parseTemplate(t.text, t.id)).not.toThrow();
    expect(new Set(lib.templates.map((t) => t.language))).toEqual(new Set(['zh', 'en']));
  });

  it('saving makes a new version and keeps the old ones', () => {
    const base = defaultLibrary();
    const v2 = saveTemplate(
      base,
      { id: 'default-en', name: 'Mine', language: 'en', text: '${product}!' },
      T0,
    );
    const v3 = saveTemplate(
      v2,
      { id: 'default-en', name: 'Mine', language: 'en', text: '${price}!' },
      T1,
    );
    expect(base.templates).toHaveLength(6); // unchanged
    expect(templateHistory(v3, 'default-en').map((t) => [t.version, t.text])).toEqual([
      [1, expect.stringContaining('${host}')],
      [2, '${product}!'],
      [3, '${price}!'],
    ]);
    expect(getTemplate(v3, 'default-en')?.version).toBe(3);
    expect(getTemplate(v3, 'default-en')?.updatedAt).toBe(T1.toISOString());
    expect(getTemplate(v3, 'default-en', 2)?.text).toBe('${product}!');
    expect(getTemplate(v3, 'nope')).toBeUndefined();
    const created = saveTemplate(
      v3,
      { id: 'new-one', name: 'N', language: 'zh', text: '${host}' },
      T0,
    );
    expect(getTemplate(created, 'new-one')?.version).toBe(1);
  });

  it.each([
    [{ id: 'Bad Id', name: 'x', language: 'en', text: 'x' }, /template "Bad Id": id/],
    [{ id: 'ok', name: ' ', language: 'en', text: 'x' }, /template "ok": name: must not be empty/],
    [{ id: 'ok', name: 'x', language: 'fr', text: 'x' }, /template "ok": language/],
    [{ id: 'ok', name: 'x', language: 'en', text: '' }, /template "ok": text: must not be empty/],
    [
      { id: 'ok', name: 'x', language: 'en', text: 'hi ${nmae}' },
      /template "ok": unknown variable \$\{nmae\}/,
    ],
  ] as const)('saveTemplate refuses %j', (draft, message) => {
    expect(() => saveTemplate(defaultLibrary(), draft as never, T0)).toThrow(message);
  });

  it('export → import round-trips every version', () => {
    const lib = saveTemplate(
      defaultLibrary(),
      { id: 'title-zh', name: '标题', language: 'zh', text: '“${quote}” $${not-a-var}' },
      T0,
    );
    const json = exportLibrary(lib);
    expect(JSON.parse(json).format).toBe(LIBRARY_FORMAT);
    expect(importLibrary(json)).toEqual(lib);
  });

  const entry = (over: Record<string, unknown>) => ({
    id: 'x',
    name: 'X',
    language: 'en',
    text: '${host}',
    version: 1,
    updatedAt: '2025-01-01T00:00:00.000Z',
    ...over,
  });
  const file = (templates: unknown) =>
    JSON.stringify({ format: LIBRARY_FORMAT, version: 1, templates });

  it.each([
    ['{not json', /not JSON/, null],
    ['[]', /not an object/, null],
    [JSON.stringify({ format: 'other', version: 1, templates: [] }), /format is not/, null],
    [
      JSON.stringify({ format: LIBRARY_FORMAT, version: 2, templates: [] }),
      /unsupported version 2/,
      null,
    ],
    [file({}), /templates is not a list/, null],
    [
      file([entry({}), entry({ id: 'y', text: '${oops}' })]),
      /entry 2 \(id "y" v1\): template "y": unknown variable \$\{oops\}/,
      1,
    ],
    [file([entry({}), entry({})]), /entry 2 \(id "x" v1\): duplicate id and version/, 1],
    [file([entry({ version: 0 })]), /entry 1 \(id "x" v0\): version/, 0],
    [file([entry({ updatedAt: 'yesterday' })]), /entry 1 \(id "x" v1\): updatedAt/, 0],
    [file([entry({ extra: 1 })]), /entry 1 \(id "x" v1\): /, 0],
    [file([entry({ id: '../../etc' })]), /entry 1 \(id "..\/..\/etc" v1\): id/, 0],
    [file(['str']), /entry 1: /, 0],
    [
      file([entry({}), entry({ id: 'z', text: '${host' })]),
      /entry 2 \(id "z" v1\): .*never closed/,
      1,
    ],
  ])('import refuses %s', (json, message, index) => {
    let caught: unknown;
    try {
      importLibrary(json);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LibraryError);
    expect((caught as LibraryError).message).toMatch(message);
    expect((caught as LibraryError).entry).toBe(index);
  });

  it('merge saves changed templates as new versions and skips identical ones', () => {
    const mine = defaultLibrary();
    const theirs: TemplateLibrary = importLibrary(
      exportLibrary(
        saveTemplate(
          defaultLibrary(),
          { id: 'title-en', name: 'Short title (English)', language: 'en', text: 'NEW ${product}' },
          T0,
        ),
      ),
    );
    const merged = mergeLibrary(mine, theirs, T1);
    expect(merged.templates).toHaveLength(mine.templates.length + 1);
    expect(getTemplate(merged, 'title-en')).toMatchObject({ version: 2, text: 'NEW ${product}' });
    expect(getTemplate(merged, 'default-zh')?.version).toBe(1);
  });
});

describe('pickProduct', () => {
  const products = [
    { name: 'Thermos Cup', price: '99' },
    { name: '保溫杯', price: '59' },
    { name: '保温杯 Pro', price: '129' },
    { name: '!!!', price: '1' },
  ];
  it.each([
    ['这个保温杯只要五十九', 1], // traditional name matches simplified text
    ['保温杯pro今天一百二十九', 2], // longer name wins at the same position
    ['the THERMOS-cup is back', 0],
    ['nothing matches here', 0], // first product
    ['先说保温杯，再说 thermos cup', 1], // earliest mention
  ])('%j → product %d', (text, index) => {
    expect(pickProduct(text, products)).toBe(index);
  });
  it('is null without products', () => {
    expect(pickProduct('保温杯', [])).toBeNull();
  });
});

describe('promptForHighlight', () => {
  const lib = defaultLibrary();
  const table = defaultEnhancementTable();
  const facts = {
    host: '小美',
    products: [
      { name: '保温杯', price: '99元' },
      { name: '面膜', price: '59元' },
    ],
    language: 'zh' as const,
  };

  it('fills the zh default from the highlight and the facts', () => {
    const p = promptForHighlight(
      { category: 'price', text: '这款面膜今天只要五十九块', start: 3725.4 },
      facts,
      lib,
      table,
    );
    expect(p.values).toEqual({
      host: '小美',
      product: '面膜',
      price: '59元',
      action: '放大价格牌',
      quote: '这款面膜今天只要五十九块',
      time: '1:02:05',
    });
    expect(p.text).toBe(
      '小美直播间高光：面膜到手价59元。画面建议：放大价格牌。原话：“这款面膜今天只要五十九块”（1:02:05）',
    );
    expect(p.styling.punchIn).toBe(true);
    expect(p.template).toEqual({ id: 'default-zh', version: 1 });
    expect(p.productIndex).toBe(1);
  });

  it('uses en actions and the en default for an en session', () => {
    const p = promptForHighlight(
      { category: 'demo', text: 'look at this cup up close', start: 12 },
      { ...facts, language: 'en' },
      lib,
      table,
    );
    expect(p.action).toBe('push in to a close-up of the product');
    expect(p.template.id).toBe('default-en');
    expect(p.values.product).toBe('保温杯'); // first product
    expect(p.text).toContain('Shot: push in to a close-up of the product.');
  });

  it('uses a chosen template at its current version', () => {
    const lib2 = saveTemplate(lib, {
      id: 'title-zh',
      name: 't',
      language: 'zh',
      text: '${quote}|${time}',
    });
    const p = promptForHighlight({ category: 'hype', text: 'x', start: 1 }, facts, lib2, table, {
      templateId: 'title-zh',
    });
    expect(p.text).toBe('x|0:00:01');
    expect(p.template).toEqual({ id: 'title-zh', version: 2 });
  });

  it('names a missing template', () => {
    expect(() =>
      promptForHighlight({ category: 'hype', text: 'x', start: 1 }, facts, lib, table, {
        templateId: 'gone',
      }),
    ).toThrow(/template "gone" is not in the library/);
    expect(() =>
      promptForHighlight(
        { category: 'hype', text: 'x', start: 1 },
        facts,
        { templates: [] },
        table,
      ),
    ).toThrow(/no zh template/);
  });

  it('keeps hostile transcript, host and product text literal', () => {
    const hostile = {
      host: '${product}$$',
      products: [{ name: '{{price}} $& \\', price: '$${action}' }],
      language: 'en' as const,
    };
    const text = 'say ${host} and $${time} and \\${quote} {{x}} $1';
    const p = promptForHighlight({ category: 'other', text, start: 0 }, hostile, lib, table, {
      templateId: 'title-en',
    });
    expect(p.text).toBe('{{price}} $& \\ for just $${action}: live with ${product}$$');
    const d = promptForHighlight({ category: 'other', text, start: 0 }, hostile, lib, table);
    expect(d.values.quote).toBe(text);
    expect(d.text).toContain(`Quote: "${text}" (0:00:00)`);
  });

  it('trims a long transcript to the quote length', () => {
    const long = '今天'.repeat(100);
    const p = promptForHighlight({ category: 'price', text: long, start: 0 }, facts, lib, table, {
      quoteLength: 10,
    });
    expect(p.values.quote).toBe('今天今天今天今天今…');
  });
});
