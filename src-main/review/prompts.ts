/**
 * Prompt templates: text with variables (${host}, ${product}, ${price}, ${action}, ${quote},
 * ${time}) filled from a highlight, its transcript and the session's facts.
 *
 * Syntax: `${name}` is a variable, `$$` a literal `$` (so `$${host}` reads `${host}`); any other
 * `$` is literal. A template is parsed once into literal text and variable tokens; filling
 * concatenates the tokens with the values, in one pass over the template's own tokens, so a
 * value — a transcript line, a product name from a CSV — is inserted exactly as it is and can
 * never introduce template syntax (`${host}`, `$$`, `$&` in a value stay text).
 *
 * The library keeps every version of every template; saving makes a new version.
 */
import { z } from 'zod';
import { normalizeForMatch } from '../asr/normalize';
import { suggestAction, type EnhancementTable, type Language, type Styling } from './enhance';
import type { Product } from './products';

export const VARIABLES = ['host', 'product', 'price', 'action', 'quote', 'time'] as const;
export type Variable = (typeof VARIABLES)[number];
export type TemplateValues = Readonly<Partial<Record<Variable, string>>>;

export class TemplateError extends Error {
  constructor(
    message: string,
    /** The template's id, or '(inline)'. */
    readonly template: string,
    /** The unknown or malformed variable, when that is the problem. */
    readonly variable?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

export type Token = { kind: 'text'; text: string } | { kind: 'var'; name: Variable };

export const MAX_TEMPLATE_LENGTH = 4000;

function isVariable(name: string): name is Variable {
  return (VARIABLES as readonly string[]).includes(name);
}

/** Parses template text; throws TemplateError naming the template (and variable) on errors. */
export function parseTemplate(text: string, templateName = '(inline)'): Token[] {
  if (text.length > MAX_TEMPLATE_LENGTH)
    throw new TemplateError(
      `template "${templateName}": ${text.length} characters, at most ${MAX_TEMPLATE_LENGTH}`,
      templateName,
    );
  const tokens: Token[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '$' && text[i + 1] === '$') {
      literal += '$';
      i += 2;
    } else if (ch === '$' && text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      const nextOpen = text.indexOf('${', i + 2);
      if (close < 0 || (nextOpen >= 0 && nextOpen < close))
        throw new TemplateError(
          `template "${templateName}": "\${" at character ${i + 1} is never closed with "}"`,
          templateName,
        );
      const name = text.slice(i + 2, close).trim();
      if (!isVariable(name))
        throw new TemplateError(
          `template "${templateName}": unknown variable \${${name}} (known: ${VARIABLES.map((v) => `\${${v}}`).join(', ')})`,
          templateName,
          name,
        );
      if (literal) tokens.push({ kind: 'text', text: literal });
      literal = '';
      tokens.push({ kind: 'var', name });
      i = close + 1;
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) tokens.push({ kind: 'text', text: literal });
  return tokens;
}

/** The variables a template uses, in first-use order. */
export function templateVariables(text: string, templateName?: string): Variable[] {
  const names: Variable[] = [];
  for (const t of parseTemplate(text, templateName))
    if (t.kind === 'var' && !names.includes(t.name)) names.push(t.name);
  return names;
}

/**
 * Fills a template: each variable token becomes its value verbatim ('' when absent). The
 * template is a string or a stored template (whose id names it in errors).
 */
export function fillTemplate(
  template: string | Pick<PromptTemplate, 'id' | 'text'>,
  values: TemplateValues,
): string {
  const [text, name] =
    typeof template === 'string' ? [template, undefined] : [template.text, template.id];
  let out = '';
  for (const t of parseTemplate(text, name))
    out += t.kind === 'text' ? t.text : (values[t.name] ?? '');
  return out;
}

/** The inverse of parsing for literal text: a string that a template reads as itself. */
export function escapeTemplateText(text: string): string {
  return text.replaceAll('$', () => '$$');
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A highlight's transcript as a short quote: whitespace collapsed, control characters dropped,
 * at most `max` user-perceived characters (graphemes, so an emoji or a combining mark is never
 * split), cut with '…' — at a space when one is near the cut, for Latin text.
 */
export function quoteFrom(text: string, max = 60): string {
  const clean = text
    .replace(/\p{Cc}/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const graphemes = Array.from(segmenter.segment(clean), (s) => s.segment);
  if (graphemes.length <= max) return clean;
  const keep = Math.max(1, max - 1);
  let cut = keep;
  // Break at a space within the last quarter when the cut falls inside a word.
  if (graphemes[keep] !== ' ' && graphemes[keep - 1] !== ' ') {
    for (let j = keep - 1; j > keep - Math.ceil(keep / 4) && j > 0; j--)
      if (graphemes[j] === ' ') {
        cut = j;
        break;
      }
  }
  return graphemes.slice(0, cut).join('').trimEnd() + '…';
}

/** Media time in seconds as h:mm:ss (floored; negative or not finite → 0:00:00). */
export function formatMediaTime(seconds: number): string {
  const s = Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds) : 0;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// The template library

const templateSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must match [a-z0-9][a-z0-9_-]{0,63}'),
  name: z.string().trim().min(1, 'must not be empty').max(100),
  language: z.enum(['zh', 'en']),
  text: z.string().min(1, 'must not be empty').max(MAX_TEMPLATE_LENGTH),
  version: z.number().int().min(1),
  updatedAt: z.iso.datetime(),
});

export type PromptTemplate = z.infer<typeof templateSchema>;
export type TemplateDraft = Pick<PromptTemplate, 'id' | 'name' | 'language' | 'text'>;

/** Every version of every template, oldest first per id. */
export interface TemplateLibrary {
  templates: PromptTemplate[];
}

export const LIBRARY_FORMAT = 'liveslice-prompt-templates';
export const MAX_LIBRARY_ENTRIES = 2000;

export class LibraryError extends Error {
  constructor(
    message: string,
    /** 0-based index of the offending entry, or null for the file itself. */
    readonly entry: number | null,
  ) {
    super(message);
    this.name = 'LibraryError';
  }
}

/** The current (highest) version of each template, in order of first appearance. */
export function currentTemplates(library: TemplateLibrary): PromptTemplate[] {
  const byId = new Map<string, PromptTemplate>();
  for (const t of library.templates) {
    const prev = byId.get(t.id);
    if (!prev || t.version > prev.version) byId.set(t.id, t);
  }
  return [...byId.values()];
}

/** One template: the given version, or the current one; undefined when absent. */
export function getTemplate(
  library: TemplateLibrary,
  id: string,
  version?: number,
): PromptTemplate | undefined {
  if (version !== undefined)
    return library.templates.find((t) => t.id === id && t.version === version);
  return currentTemplates(library).find((t) => t.id === id);
}

/** All versions of one template, oldest first. */
export function templateHistory(library: TemplateLibrary, id: string): PromptTemplate[] {
  return library.templates.filter((t) => t.id === id).sort((a, b) => a.version - b.version);
}

/**
 * Saves a template as a new version (1 for a new id); earlier versions are kept. Checks the
 * draft, its syntax and variables first. Returns a new library; the given one is unchanged.
 */
export function saveTemplate(
  library: TemplateLibrary,
  draft: TemplateDraft,
  now: Date = new Date(),
): TemplateLibrary {
  const version = Math.max(0, ...templateHistory(library, draft.id).map((t) => t.version)) + 1;
  const candidate = { ...draft, version, updatedAt: now.toISOString() };
  const r = templateSchema.safeParse(candidate);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TemplateError(
      `template "${draft.id}": ${issue ? `${issue.path.map(String).join('.')}: ${issue.message}` : 'invalid'}`,
      draft.id,
    );
  }
  parseTemplate(r.data.text, r.data.id);
  return { templates: [...library.templates, r.data] };
}

/** The library as JSON for a file (every version). */
export function exportLibrary(library: TemplateLibrary): string {
  return JSON.stringify(
    { format: LIBRARY_FORMAT, version: 1, templates: library.templates },
    null,
    2,
  );
}

/**
 * Reads an exported library (JSON text or parsed data); throws LibraryError naming the entry
 * (its position, id and version) for anything it refuses.
 */
export function importLibrary(json: string | unknown): TemplateLibrary {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (err) {
      throw new LibraryError(`template library: not JSON (${(err as Error).message})`, null);
    }
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new LibraryError('template library: not an object', null);
  const o = data as Record<string, unknown>;
  if (o['format'] !== LIBRARY_FORMAT)
    throw new LibraryError(`template library: format is not "${LIBRARY_FORMAT}"`, null);
  if (o['version'] !== 1)
    throw new LibraryError(`template library: unsupported version ${String(o['version'])}`, null);
  const entries = o['templates'];
  if (!Array.isArray(entries))
    throw new LibraryError('template library: templates is not a list', null);
  if (entries.length > MAX_LIBRARY_ENTRIES)
    throw new LibraryError(
      `template library: ${entries.length} entries, at most ${MAX_LIBRARY_ENTRIES}`,
      null,
    );
  const templates: PromptTemplate[] = [];
  const seen = new Set<string>();
  entries.forEach((raw: unknown, i) => {
    const r = templateSchema.safeParse(raw);
    const label = describeEntry(raw, i);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue
        ? `${issue.path.map(String).join('.') || '(entry)'}: ${issue.message}`
        : 'invalid';
      throw new LibraryError(`template library ${label}: ${where}`, i);
    }
    const key = `${r.data.id}@${r.data.version}`;
    if (seen.has(key))
      throw new LibraryError(`template library ${label}: duplicate id and version`, i);
    seen.add(key);
    try {
      parseTemplate(r.data.text, r.data.id);
    } catch (err) {
      throw new LibraryError(`template library ${label}: ${(err as Error).message}`, i);
    }
    templates.push(r.data);
  });
  return { templates };
}

function describeEntry(raw: unknown, i: number): string {
  const o = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const id = typeof o['id'] === 'string' ? ` (id "${o['id'].slice(0, 64)}"` : '';
  const version = id && typeof o['version'] === 'number' ? ` v${o['version']}` : '';
  return `entry ${i + 1}${id}${version}${id ? ')' : ''}`;
}

/**
 * Merges an imported library into the operator's: each imported current template whose text,
 * name or language differs from the operator's current version is saved as a new version.
 */
export function mergeLibrary(
  library: TemplateLibrary,
  imported: TemplateLibrary,
  now: Date = new Date(),
): TemplateLibrary {
  let out = library;
  for (const t of currentTemplates(imported)) {
    const mine = getTemplate(out, t.id);
    if (mine && mine.text === t.text && mine.name === t.name && mine.language === t.language)
      continue;
    out = saveTemplate(out, { id: t.id, name: t.name, language: t.language, text: t.text }, now);
  }
  return out;
}

const BUILT_IN_AT = '2025-01-01T00:00:00.000Z';

/** The built-in templates, zh and en; `default-zh` / `default-en` are the defaults. */
export function defaultLibrary(): TemplateLibrary {
  const t = (id: string, name: string, language: Language, text: string): PromptTemplate => ({
    id,
    name,
    language,
    text,
    version: 1,
    updatedAt: BUILT_IN_AT,
  });
  return {
    templates: [
      t(
        'default-zh',
        '带货高光（中文）',
        'zh',
        '${host}直播间高光：${product}到手价${price}。画面建议：${action}。原话：“${quote}”（${time}）',
      ),
      t(
        'default-en',
        'Sales highlight (English)',
        'en',
        '${host} live highlight: ${product} for ${price}. Shot: ${action}. Quote: "${quote}" (${time})',
      ),
      t('title-zh', '短标题（中文）', 'zh', '${product}只要${price}！${host}直播间'),
      t(
        'title-en',
        'Short title (English)',
        'en',
        '${product} for just ${price}: live with ${host}',
      ),
      t(
        'generate-zh',
        '生成画面（中文）',
        'zh',
        '竖屏带货短视频，主播${host}介绍${product}，价格${price}，${action}，字幕：“${quote}”',
      ),
      t(
        'generate-en',
        'Generated shot (English)',
        'en',
        'Vertical shopping clip: ${host} presents ${product} at ${price}; ${action}; caption: "${quote}"',
      ),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// A highlight's prompt

export interface SessionFacts {
  host: string;
  products: readonly Pick<Product, 'name' | 'price'>[];
  language: Language;
}

export interface HighlightLike {
  category: string;
  /** The transcript inside the highlight's window. */
  text: string;
  /** Media time of the window start, seconds. */
  start: number;
}

export interface HighlightPrompt {
  /** The filled text. */
  text: string;
  values: Record<Variable, string>;
  action: string;
  styling: Styling;
  template: { id: string; version: number };
  /** Index into facts.products of the product used, or null when the list is empty. */
  productIndex: number | null;
}

/**
 * The product a highlight is about: the one whose name appears earliest in its text
 * (normalized: case, width, punctuation, traditional/simplified ignored; a longer name wins a
 * tie), else the first product; null when there are none.
 */
export function pickProduct(text: string, products: SessionFacts['products']): number | null {
  if (products.length === 0) return null;
  const norm = normalizeForMatch(text);
  let best: { index: number; at: number; len: number } | null = null;
  for (const [index, p] of products.entries()) {
    const name = normalizeForMatch(p.name);
    if (!name) continue;
    const at = norm.indexOf(name);
    if (at < 0) continue;
    if (!best || at < best.at || (at === best.at && name.length > best.len))
      best = { index, at, len: name.length };
  }
  return best?.index ?? 0;
}

/**
 * Fills a template for one highlight. The template is `templateId` (current version) or else
 * `default-<language>`, or else the first template of that language; TemplateError if none.
 */
export function promptForHighlight(
  highlight: HighlightLike,
  facts: SessionFacts,
  library: TemplateLibrary,
  table: EnhancementTable,
  opts: { templateId?: string; quoteLength?: number } = {},
): HighlightPrompt {
  const current = currentTemplates(library);
  const template =
    opts.templateId !== undefined
      ? current.find((t) => t.id === opts.templateId)
      : (current.find((t) => t.id === `default-${facts.language}`) ??
        current.find((t) => t.language === facts.language));
  if (!template)
    throw new TemplateError(
      opts.templateId !== undefined
        ? `template "${opts.templateId}" is not in the library`
        : `no ${facts.language} template in the library`,
      opts.templateId ?? '(default)',
    );
  const productIndex = pickProduct(highlight.text, facts.products);
  const product = productIndex === null ? undefined : facts.products[productIndex];
  const suggestion = suggestAction(table, highlight, facts.language);
  const values: Record<Variable, string> = {
    host: facts.host,
    product: product?.name ?? '',
    price: product?.price ?? '',
    action: suggestion.action,
    quote: quoteFrom(highlight.text, opts.quoteLength),
    time: formatMediaTime(highlight.start),
  };
  return {
    text: fillTemplate(template, values),
    values,
    action: suggestion.action,
    styling: suggestion.styling,
    template: { id: template.id, version: template.version },
    productIndex,
  };
}
