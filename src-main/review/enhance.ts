/**
 * The semantic-enhancement table: a highlight's category (and optionally words in its text) →
 * an action suggestion in zh and en (feeding a prompt's ${action}) and a styling hint for the
 * clip engine (a punch-in zoom for price moments, …). The table is operator-editable data, so
 * it is checked with zod and every refusal names the row.
 */
import { z } from 'zod';
import { normalizeForMatch } from '../asr/normalize';
import { CATEGORIES } from '../detect/lexicon';

export type Language = 'zh' | 'en';

/** Categories a row can name: the detector's, plus '*' for any highlight. */
export const ENHANCE_CATEGORIES = [...CATEGORIES, 'manual', 'audio', '*'] as const;

const stylingSchema = z.strictObject({
  /** Punch-in zoom on the clip (price cards, product close-ups). */
  punchIn: z.boolean().optional(),
  /** Zoom factor of the punch-in, 1 < zoom ≤ 2 (the engine's default when absent). */
  zoom: z.number().gt(1).max(2).optional(),
  /** Captions in the emphasis style. */
  emphasis: z.boolean().optional(),
});

const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max)
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

const rowSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must match [a-z0-9][a-z0-9_-]{0,63}'),
  category: z.enum(ENHANCE_CATEGORIES),
  /**
   * Optional words the highlight's text must contain (normalized match: case, width, punctuation
   * and traditional/simplified ignored); alternatives separated by '|'. Literal text, no regex.
   */
  pattern: text(200).optional(),
  action: z.strictObject({ zh: text(200), en: text(200) }),
  styling: stylingSchema.optional(),
});

export type Styling = z.infer<typeof stylingSchema>;
export type EnhancementRow = z.infer<typeof rowSchema>;

export interface EnhancementTable {
  version: 1;
  rows: EnhancementRow[];
}

export class EnhancementError extends Error {
  constructor(
    message: string,
    /** 0-based index of the offending row, or null for the table itself. */
    readonly row: number | null,
  ) {
    super(message);
    this.name = 'EnhancementError';
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.') || '(row)';
}

/** Checks data from outside (a settings file, the API, an import); returns a clean copy. */
export function validateEnhancementTable(data: unknown): EnhancementTable {
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new EnhancementError('enhancement table: not an object', null);
  const o = data as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'version' && k !== 'rows')
      throw new EnhancementError(`enhancement table: unknown field ${k}`, null);
  if (o['version'] !== 1)
    throw new EnhancementError(
      `enhancement table: unsupported version ${String(o['version'])}`,
      null,
    );
  const rawRows = o['rows'];
  if (!Array.isArray(rawRows))
    throw new EnhancementError('enhancement table: rows is not a list', null);
  if (rawRows.length > 500)
    throw new EnhancementError(`enhancement table: ${rawRows.length} rows, at most 500`, null);
  const rows: EnhancementRow[] = [];
  const seen = new Set<string>();
  rawRows.forEach((raw: unknown, i) => {
    const id =
      typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
        ? ` (id "${(raw as { id: string }).id}")`
        : '';
    const r = rowSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = issue ? `${issuePath(issue.path)}: ${issue.message}` : 'invalid';
      throw new EnhancementError(`enhancement table row ${i + 1}${id}: ${where}`, i);
    }
    if (seen.has(r.data.id))
      throw new EnhancementError(`enhancement table row ${i + 1}${id}: duplicate id`, i);
    if (r.data.pattern !== undefined && alternatives(r.data.pattern).length === 0)
      throw new EnhancementError(
        `enhancement table row ${i + 1}${id}: pattern: has no letters or digits to match`,
        i,
      );
    seen.add(r.data.id);
    rows.push(r.data);
  });
  return { version: 1, rows };
}

function alternatives(pattern: string): string[] {
  return pattern
    .split('|')
    .map((p) => normalizeForMatch(p))
    .filter((p) => p.length > 0);
}

export interface Suggestion {
  /** The row that matched, or null when none did. */
  row: EnhancementRow | null;
  /** The action in the requested language, '' when no row matched. */
  action: string;
  styling: Styling;
}

/**
 * The best row for a highlight: a row of its category whose pattern matches the text, else a
 * row of its category without a pattern, else a '*' row with a matching pattern, else a '*' row
 * without one; table order breaks ties.
 */
export function suggestAction(
  table: EnhancementTable,
  highlight: { category: string; text: string },
  language: Language,
): Suggestion {
  const norm = normalizeForMatch(highlight.text);
  const matches = (row: EnhancementRow): boolean =>
    row.pattern === undefined || alternatives(row.pattern).some((alt) => norm.includes(alt));
  const passes: ((r: EnhancementRow) => boolean)[] = [
    (r) => r.category === highlight.category && r.pattern !== undefined,
    (r) => r.category === highlight.category && r.pattern === undefined,
    (r) => r.category === '*' && r.pattern !== undefined,
    (r) => r.category === '*' && r.pattern === undefined,
  ];
  for (const pass of passes) {
    const row = table.rows.find((r) => pass(r) && matches(r));
    if (row) return { row, action: row.action[language], styling: { ...row.styling } };
  }
  return { row: null, action: '', styling: {} };
}

/** The built-in table; a fresh copy each call. */
export function defaultEnhancementTable(): EnhancementTable {
  const rows: EnhancementRow[] = [
    {
      id: 'price-free-shipping',
      category: 'price',
      pattern: '包邮|free shipping',
      action: {
        zh: '放大价格牌并突出“包邮”字样',
        en: 'zoom in on the price card and the free-shipping tag',
      },
      styling: { punchIn: true, zoom: 1.3, emphasis: true },
    },
    {
      id: 'price',
      category: 'price',
      action: { zh: '放大价格牌', en: 'zoom in on the price card' },
      styling: { punchIn: true, zoom: 1.3, emphasis: true },
    },
    {
      id: 'hype',
      category: 'hype',
      action: { zh: '突出主播惊喜表情', en: "highlight the host's surprised expression" },
      styling: { punchIn: true, zoom: 1.15 },
    },
    {
      id: 'demo',
      category: 'demo',
      action: { zh: '镜头推近产品特写', en: 'push in to a close-up of the product' },
      styling: { punchIn: true, zoom: 1.4 },
    },
    {
      id: 'urgency',
      category: 'urgency',
      action: { zh: '加上倒计时字幕，营造紧迫感', en: 'add a countdown caption to build urgency' },
      styling: { emphasis: true },
    },
    {
      id: 'countdown',
      category: 'countdown',
      action: { zh: '叠加醒目的倒计时数字', en: 'overlay a bold countdown number' },
      styling: { emphasis: true },
    },
    {
      id: 'scarcity',
      category: 'scarcity',
      action: { zh: '突出剩余库存数量', en: 'call out the remaining stock' },
      styling: { emphasis: true },
    },
    {
      id: 'cta',
      category: 'cta',
      action: {
        zh: '指向购物车链接，提示马上下单',
        en: 'point to the cart link and prompt viewers to order now',
      },
      styling: { emphasis: true },
    },
    {
      id: 'reaction',
      category: 'reaction',
      action: { zh: '捕捉主播和观众的反应', en: "capture the host's and the audience's reaction" },
      styling: { punchIn: true, zoom: 1.15 },
    },
    {
      id: 'any',
      category: '*',
      action: { zh: '保持主播和产品同框', en: 'keep the host and the product in frame' },
    },
  ];
  return structuredClone({ version: 1, rows });
}
