/**
 * Branded intro/outro templates: the JSON format, its validation (zod, errors that name the field)
 * and loading. A template lives at `<dataDir>/templates/<name>.json`; the built-in default ships
 * here as `default.json`. Coordinates and sizes are pixels of the template's output preset; asset
 * paths are relative to the template file's folder, or `builtin:<name>` for an asset the app draws
 * itself (see assets.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { CORNERS, type Corner } from '../args';
import { OUTPUT_PRESETS } from '../encode';
import defaultTemplateJson from './default.json';

export const TEMPLATE_VERSION = 1;

/** Assets the app draws itself at prepare time (no binary files in the repo). */
export const BUILTIN_ASSETS = ['liveslice-mark'] as const;
export type BuiltinAsset = (typeof BUILTIN_ASSETS)[number];
const BUILTIN_PREFIX = 'builtin:';

export { CORNERS, type Corner };

const color = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { error: 'expected a colour like "#1a2b3c"' })
  .transform((s) => s.toLowerCase());

const asset = z
  .string()
  .min(1)
  .max(1024)
  .refine((s) => !/[\0\r\n]/.test(s), { error: 'must not contain NUL or line breaks' })
  .refine(
    (s) =>
      !s.startsWith(BUILTIN_PREFIX) ||
      (BUILTIN_ASSETS as readonly string[]).includes(s.slice(BUILTIN_PREFIX.length)),
    {
      error: `unknown built-in asset (known: ${BUILTIN_ASSETS.map((a) => BUILTIN_PREFIX + a).join(', ')})`,
    },
  );

const px = z.number().int().min(0).max(4096);
const fontSize = z.number().int().min(8).max(400);

const imageSlot = z.strictObject({ x: px, y: px, w: px.min(1), h: px.min(1) });

const textSlot = z.strictObject({
  x: px,
  y: px,
  /** Width of the box the text wraps in. */
  w: px.min(1),
  size: fontSize,
  color,
  align: z.enum(['left', 'center', 'right']).default('center'),
  bold: z.boolean().default(true),
  /** Longer text is cut at this many characters (graphemes) and ends with "…". */
  maxChars: z.number().int().min(1).max(500).optional(),
});

const card = z.strictObject({
  durationS: z.number().min(0.5).max(15),
  background: z.union([z.strictObject({ color }), z.strictObject({ image: asset })], {
    error: 'expected { "color": "#rrggbb" } or { "image": "file" }',
  }),
  brand: z.strictObject({
    text: z.string().max(200),
    logo: asset.optional(),
    /** Top of the brand block (logo, then text). */
    y: px,
    size: fontSize,
    color,
    logoHeight: z.number().int().min(8).max(1024).default(128),
  }),
  /** Background music; silence when absent. Trimmed to the card and faded out. */
  music: asset.optional(),
  musicVolume: z.number().min(0).max(2).default(1),
  slots: z.strictObject({
    productImage: imageSlot.nullable(),
    name: textSlot.nullable(),
    price: textSlot.nullable(),
  }),
});

const overlay = z.strictObject({
  logo: asset.optional(),
  corner: z.enum(CORNERS as readonly Corner[] as [Corner, ...Corner[]]),
  opacity: z.number().min(0).max(1),
});

const fontName = z.string().regex(/^[A-Za-z0-9 _-]{1,64}$/, {
  error: 'expected a font family name (letters, digits, space, _ and -)',
});

export const templateSchema = z
  .strictObject({
    version: z.literal(TEMPLATE_VERSION),
    name: z.string().min(1).max(100),
    output: z.enum(Object.keys(OUTPUT_PRESETS) as [keyof typeof OUTPUT_PRESETS]),
    /** Family for brand/name/price text; libass falls back per glyph (CJK, emoji). */
    font: fontName.default('Sans'),
    intro: card.nullable(),
    outro: card.nullable(),
    overlay: overlay.nullable(),
  })
  .superRefine((t, ctx) => {
    // Everything the template places must lie inside the output frame.
    const { width: W, height: H } = OUTPUT_PRESETS[t.output];
    for (const which of ['intro', 'outro'] as const) {
      const c = t[which];
      if (c === null) continue;
      const boxes: Array<[string[], { x: number; y: number; w: number; h?: number }]> = [];
      if (c.slots.productImage) boxes.push([['slots', 'productImage'], c.slots.productImage]);
      if (c.slots.name) boxes.push([['slots', 'name'], c.slots.name]);
      if (c.slots.price) boxes.push([['slots', 'price'], c.slots.price]);
      for (const [where, b] of boxes) {
        if (b.x + b.w > W) {
          ctx.addIssue({
            code: 'custom',
            path: [which, ...where, 'w'],
            message: `x + w = ${b.x + b.w} is past the frame width ${W} of output ${t.output}`,
          });
        }
        const bottom = b.y + (b.h ?? 0);
        if (bottom > H) {
          ctx.addIssue({
            code: 'custom',
            path: [which, ...where, b.h === undefined ? 'y' : 'h'],
            message: `${b.h === undefined ? 'y' : 'y + h'} = ${bottom} is past the frame height ${H} of output ${t.output}`,
          });
        }
      }
      if (c.brand.y >= H) {
        ctx.addIssue({
          code: 'custom',
          path: [which, 'brand', 'y'],
          message: `${c.brand.y} is past the frame height ${H} of output ${t.output}`,
        });
      }
    }
  });

export type Template = z.infer<typeof templateSchema>;
export type TemplateCard = NonNullable<Template['intro']>;
export type TextSlot = NonNullable<TemplateCard['slots']['name']>;
export type ImageSlot = NonNullable<TemplateCard['slots']['productImage']>;
export type TemplateOverlay = NonNullable<Template['overlay']>;

/** A validated template plus where its relative asset paths are resolved from. */
export interface LoadedTemplate {
  template: Template;
  /** Folder relative asset paths are resolved against; null for the built-in template. */
  baseDir: string | null;
  /** For messages: the file it came from, or "built-in". */
  source: string;
}

export class TemplateError extends Error {
  /** One entry per problem: the field ("intro.slots.name.size") and what is wrong with it. */
  readonly problems: Array<{ field: string; message: string }>;

  constructor(message: string, problems: Array<{ field: string; message: string }> = []) {
    super(message);
    this.name = 'TemplateError';
    this.problems = problems;
  }
}

function fieldOf(p: ReadonlyArray<PropertyKey>): string {
  if (p.length === 0) return '(template)';
  return p
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i === 0 ? '' : '.'}${String(k)}`))
    .join('');
}

/** Validates template JSON; throws a TemplateError that lists every bad field. */
export function parseTemplate(
  json: unknown,
  where: { baseDir: string | null; source: string },
): LoadedTemplate {
  const r = templateSchema.safeParse(json);
  if (!r.success) {
    const problems = r.error.issues.map((i) => ({ field: fieldOf(i.path), message: i.message }));
    throw new TemplateError(
      `Template ${where.source} is not valid: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
      problems,
    );
  }
  return { template: r.data, baseDir: where.baseDir, source: where.source };
}

/** Reads and validates a template file. */
export function loadTemplate(file: string): LoadedTemplate {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new TemplateError(
      `Template ${file} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TemplateError(
      `Template ${file} is not valid JSON: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return parseTemplate(json, { baseDir: path.dirname(path.resolve(file)), source: file });
}

export function builtInTemplate(): LoadedTemplate {
  return parseTemplate(defaultTemplateJson, { baseDir: null, source: 'built-in default' });
}

const TEMPLATE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * A template by name: `<dataDir>/templates/<name>.json`, or the built-in one for "default" when
 * the user has not saved their own. Names are plain words, never paths.
 */
export function templateByName(dataDir: string, name: string): LoadedTemplate {
  if (!TEMPLATE_NAME.test(name)) {
    throw new TemplateError(
      `Template name "${name.slice(0, 80)}" is not valid: use letters, digits, _ and - (at most 64)`,
    );
  }
  const file = path.join(dataDir, 'templates', `${name}.json`);
  if (fs.existsSync(file)) return loadTemplate(file);
  if (name === 'default') return builtInTemplate();
  throw new TemplateError(`Template "${name}" was not found (looked for ${file})`);
}

/** An asset reference: a built-in asset or an absolute file path. */
export type AssetRef = { kind: 'builtin'; name: BuiltinAsset } | { kind: 'file'; file: string };

/** Resolves an asset string of a template; `field` names it in errors. */
export function resolveAsset(t: LoadedTemplate, value: string, field: string): AssetRef {
  if (value.startsWith(BUILTIN_PREFIX)) {
    return { kind: 'builtin', name: value.slice(BUILTIN_PREFIX.length) as BuiltinAsset };
  }
  if (path.isAbsolute(value)) return { kind: 'file', file: value };
  if (t.baseDir === null) {
    throw new TemplateError(
      `Template ${t.source}: ${field}: "${value}" is a relative path, but this template has no folder to resolve it against`,
    );
  }
  return { kind: 'file', file: path.resolve(t.baseDir, value) };
}
