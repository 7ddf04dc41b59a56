import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import defaultJson from './default.json';
import {
  builtInTemplate,
  loadTemplate,
  parseTemplate,
  resolveAsset,
  TemplateError,
  templateByName,
} from './schema';

const clone = (): Record<string, unknown> =>
  structuredClone(defaultJson) as Record<string, unknown>;
const where = { baseDir: null, source: 'test' };

/** Sets a dotted path in parsed JSON. */
function set(obj: Record<string, unknown>, at: string, value: unknown): void {
  const keys = at.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys[keys.length - 1]!] = value;
}

function problemsOf(json: unknown): Array<{ field: string; message: string }> {
  try {
    parseTemplate(json, where);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateError);
    return (err as TemplateError).problems;
  }
  throw new Error('expected the template to be rejected');
}

describe('template schema', () => {
  it('accepts the built-in default and fills defaults', () => {
    const t = builtInTemplate();
    expect(t.template.output).toBe('720x1280');
    expect(t.template.intro?.slots.name?.align).toBe('center');
    expect(t.template.overlay?.corner).toBe('top-right');
    expect(t.baseDir).toBeNull();
  });

  // [case, path to set, value, field named in the error, message]
  const cases: Array<[string, string, unknown, string, RegExp]> = [
    ['wrong version', 'version', 2, 'version', /expected 1/i],
    ['unknown output', 'output', '4k', 'output', /720x1280/],
    ['negative duration', 'intro.durationS', -1, 'intro.durationS', /0\.5/],
    ['bad colour', 'intro.slots.name.color', 'red', 'intro.slots.name.color', /#1a2b3c/],
    ['bad corner', 'overlay.corner', 'middle', 'overlay.corner', /top-left/],
    ['unknown key', 'outro.extra', 1, 'outro', /extra/],
    [
      'unknown built-in',
      'intro.brand.logo',
      'builtin:nope',
      'intro.brand.logo',
      /builtin:liveslice-mark/,
    ],
    ['slot past the frame', 'intro.slots.productImage.w', 700, 'intro.slots.productImage.w', /720/],
    ['slot below the frame', 'outro.slots.price.y', 1300, 'outro.slots.price.y', /1280/],
    ['font with a comma', 'font', 'Arial,Bold', 'font', /font family/],
    ['non-integer pixel', 'intro.slots.name.size', 10.5, 'intro.slots.name.size', /int/i],
    [
      'background neither colour nor image',
      'intro.background',
      { video: 'x.mp4' },
      'intro.background',
      /color|image/,
    ],
    ['asset path with a newline', 'intro.music', 'a\nb.mp3', 'intro.music', /line break/],
  ];
  it.each(cases)('rejects %s, naming the field', (_name, at, value, field, message) => {
    const j = clone();
    set(j, at, value);
    const problems = problemsOf(j);
    const p = problems.find((x) => x.field === field);
    expect(p, JSON.stringify(problems)).toBeDefined();
    expect(p!.message).toMatch(message);
  });

  it('puts every problem in the message', () => {
    const j = clone();
    set(j, 'intro.durationS', 0);
    set(j, 'overlay.opacity', 3);
    expect(() => parseTemplate(j, where)).toThrow(/intro\.durationS: .*; overlay\.opacity: /);
  });
});

describe('loading templates', () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-tpl-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('reads <dataDir>/templates/<name>.json and resolves assets against its folder', () => {
    const data = tmp();
    fs.mkdirSync(path.join(data, 'templates'));
    const j = clone();
    set(j, 'name', 'Shop');
    set(j, 'intro.background', { image: 'bg.jpg' });
    fs.writeFileSync(path.join(data, 'templates', 'shop.json'), JSON.stringify(j));
    const t = templateByName(data, 'shop');
    expect(t.template.name).toBe('Shop');
    expect(resolveAsset(t, 'bg.jpg', 'intro.background.image')).toEqual({
      kind: 'file',
      file: path.join(data, 'templates', 'bg.jpg'),
    });
    expect(resolveAsset(t, 'builtin:liveslice-mark', 'overlay.logo')).toEqual({
      kind: 'builtin',
      name: 'liveslice-mark',
    });
  });

  it('falls back to the built-in default, and a saved default overrides it', () => {
    const data = tmp();
    expect(templateByName(data, 'default').source).toBe('built-in default');
    fs.mkdirSync(path.join(data, 'templates'));
    const j = clone();
    set(j, 'name', 'Mine');
    fs.writeFileSync(path.join(data, 'templates', 'default.json'), JSON.stringify(j));
    expect(templateByName(data, 'default').template.name).toBe('Mine');
  });

  it.each(['../etc/passwd', 'a/b', '', 'x'.repeat(65), 'shop.json'])(
    'refuses the name %j',
    (name) => {
      expect(() => templateByName(tmp(), name)).toThrow(TemplateError);
    },
  );

  it('says which file is missing, unreadable or not JSON', () => {
    const d = tmp();
    expect(() => templateByName(d, 'nope')).toThrow(/"nope" was not found/);
    const bad = path.join(d, 'bad.json');
    fs.writeFileSync(bad, '{ not json');
    expect(() => loadTemplate(bad)).toThrow(
      new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`),
    );
  });

  it('a relative asset in the built-in template has nothing to resolve against', () => {
    expect(() => resolveAsset(builtInTemplate(), 'logo.png', 'overlay.logo')).toThrow(
      /overlay\.logo: "logo\.png" is a relative path/,
    );
  });
});
