/**
 * The template cache. `prepare()` renders a template's static base (background, brand logo and
 * line, music or silence) once per template CONTENT hash into
 * `<dataDir>/cache/templates/<hash>/` and reuses it across runs; `compose()` puts a product's
 * image, name and price on the cached base with the shared encode params (so the pieces join the
 * clip body with `-c copy`), cached by (template hash, product hash).
 *
 * Every file is written beside its final name and renamed into place after an fsync; each entry
 * has a manifest (size + sha256 of every file) written last, so a partial or corrupt entry is
 * detected and rebuilt. In one process an entry is verified by hash once, then by size + mtime.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { Logger } from '../../log/logger';
import type { WatermarkSpec } from '../args';
import { AUDIO, FPS, OUTPUT_PRESETS, RENDER_THREADS, VIDEO_TIMESCALE, x264Args } from '../encode';
import { baseCardArgs, builtinAssetArgs, CARD_ASS, composeCardArgs } from './args';
import { boxText, buildCardAss, type CardTextBox } from './card-ass';
import { runFfmpeg } from './exec';
import {
  commitPart,
  partName,
  removeStaleTemps,
  sha256,
  sha256File,
  writeFileAtomic,
} from './files';
import { SharedWork } from './inflight';
import {
  type AssetRef,
  type BuiltinAsset,
  type LoadedTemplate,
  resolveAsset,
  type Template,
  type TemplateCard,
  TemplateError,
  type TextSlot,
} from './schema';

/** Bump when the cache layout or how bases/pieces are rendered changes: old entries are ignored. */
export const CACHE_FORMAT = 1;
/** Bump when a built-in asset's drawing changes. */
const BUILTIN_ASSET_VERSION = 1;
const MANIFEST = 'manifest.json';
const STALE_TEMP_MS = 10 * 60_000;
const NAME_DEFAULTS = { maxChars: 60, maxLines: 3 };
const PRICE_DEFAULTS = { maxChars: 24, maxLines: 1 };
const BRAND_LIMITS = { maxChars: 60, maxLines: 2 };
/** Product text fades in over this long at the start of a card. */
const TEXT_FADE_MS = 250;

export type CardKind = 'intro' | 'outro';

export interface Product {
  name: string;
  /** Shown as given ("¥99", "$19.90"); a number is shown with String(). */
  price: string | number;
  /** An image file (any format ffmpeg reads); fitted into the template's product slot. */
  image?: string | null | undefined;
}

export class ProductError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProductError';
  }
}

const productSchema = z.object({
  name: z.string().max(1_000_000),
  price: z.union([z.string().max(100_000), z.number().refine(Number.isFinite, 'must be finite')]),
  image: z.string().min(1).max(4096).nullable().optional(),
});

export interface PreparedCard {
  file: string;
  durationS: number;
  sha256: string;
}

/** The render's watermark spec (../args.ts), as a template's overlay gives it. */
export type Watermark = Pick<WatermarkSpec, 'file' | 'corner' | 'opacity'>;

export interface PreparedTemplate {
  hash: string;
  dir: string;
  template: Template;
  intro: PreparedCard | null;
  outro: PreparedCard | null;
  /** The overlay logo for the clip body (the render's `watermark`), or null. */
  watermark: Watermark | null;
  /** True when this call rendered the base (nothing valid was cached). */
  built: boolean;
}

export interface ComposedTemplate {
  templateHash: string;
  productHash: string;
  /** Finished pieces (shared encode params) to put before / after the clip body; null when the
   * template has no such card. */
  intro: string | null;
  outro: string | null;
  watermark: Watermark | null;
  /** True when the pieces came from the cache. */
  cached: boolean;
  /** Wall time of this call. */
  ms: number;
}

export interface TemplateCacheOptions {
  dataDir: string;
  ffmpeg: string;
  /** Threads per ffmpeg child; default RENDER_THREADS. */
  threads?: number;
  /** Composed products kept per template (least recently used are removed); default 200. */
  maxProducts?: number;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Called before each ffmpeg run with what it is for (tests and benches count encodes). */
  onRun?: (what: string) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
}

const manifestSchema = z.object({
  format: z.literal(CACHE_FORMAT),
  key: z.string(),
  files: z.record(z.string(), z.object({ bytes: z.number().int(), sha256: z.string() })),
  createdAt: z.number(),
});
type Manifest = z.infer<typeof manifestSchema>;
type FileEntry = Manifest['files'][string];

interface Verified {
  files: Record<string, FileEntry>;
  /** size + mtime of each file when it was hashed: a cheap re-check for later calls. */
  stamps: Array<{ file: string; bytes: number; mtimeMs: number }>;
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

const hashOf = (v: unknown): string => sha256(JSON.stringify(canonical(v))).slice(0, 32);

interface AssetUse {
  field: string;
  ref: AssetRef;
}

function assetUses(t: LoadedTemplate): AssetUse[] {
  const out: AssetUse[] = [];
  const use = (field: string, value: string | undefined): void => {
    if (value !== undefined) out.push({ field, ref: resolveAsset(t, value, field) });
  };
  for (const which of ['intro', 'outro'] as const) {
    const c = t.template[which];
    if (c === null) continue;
    if ('image' in c.background) use(`${which}.background.image`, c.background.image);
    use(`${which}.brand.logo`, c.brand.logo);
    use(`${which}.music`, c.music);
  }
  use('overlay.logo', t.template.overlay?.logo);
  return out;
}

function textBox(
  slot: TextSlot,
  text: string,
  defaults: { maxChars: number; maxLines: number },
): CardTextBox {
  return {
    x: slot.x,
    y: slot.y,
    w: slot.w,
    size: slot.size,
    color: slot.color,
    align: slot.align,
    bold: slot.bold,
    text,
    maxChars: slot.maxChars ?? defaults.maxChars,
    maxLines: defaults.maxLines,
    fadeInMs: TEXT_FADE_MS,
  };
}

export class TemplateCache {
  readonly root: string;
  private readonly ffmpeg: string;
  private readonly threads: number;
  private readonly maxProducts: number;
  private readonly logger: Pick<Logger, 'info' | 'warn'> | undefined;
  private readonly onRun: ((what: string) => void) | undefined;
  private readonly digests = new Map<string, { bytes: number; mtimeMs: number; sha: string }>();
  private readonly verified = new Map<string, Verified>();
  private readonly preparing = new SharedWork<PreparedTemplate>();
  private readonly composing = new SharedWork<Omit<ComposedTemplate, 'ms'>>();

  constructor(opts: TemplateCacheOptions) {
    this.root = path.resolve(opts.dataDir, 'cache', 'templates');
    this.ffmpeg = opts.ffmpeg;
    this.threads = Math.max(1, Math.floor(opts.threads ?? RENDER_THREADS));
    this.maxProducts = Math.max(1, Math.floor(opts.maxProducts ?? 200));
    this.logger = opts.logger;
    this.onRun = opts.onRun;
  }

  /** The content hash: the validated template, the bytes of every asset it uses, the encode params. */
  async templateHash(t: LoadedTemplate): Promise<string> {
    const assets: Record<string, string> = {};
    for (const u of assetUses(t)) assets[u.field] = await this.assetDigest(t, u);
    return hashOf({
      format: CACHE_FORMAT,
      encode: { FPS, VIDEO_TIMESCALE, AUDIO, video: x264Args(1) },
      template: t.template,
      assets,
    });
  }

  /** Renders the template's static base unless a valid one is cached; returns where it is. */
  async prepare(t: LoadedTemplate, opts: CallOptions = {}): Promise<PreparedTemplate> {
    const hash = await this.templateHash(t);
    return this.preparing.run(hash, opts.signal, (signal) => this.prepareHash(t, hash, signal));
  }

  /**
   * The intro/outro pieces for one product on a template: from the cache, or composed now (image
   * overlay + name/price text over the cached base, shared encode params).
   */
  async compose(
    t: LoadedTemplate,
    product: Product,
    opts: CallOptions = {},
  ): Promise<ComposedTemplate> {
    const started = performance.now();
    const parsed = productSchema.safeParse(product);
    if (!parsed.success) {
      throw new ProductError(
        `Product is not valid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(product)'}: ${i.message}`).join('; ')}`,
      );
    }
    const p = parsed.data;
    const prep = await this.prepare(t, opts);
    let image: { file: string; sha: string } | null = null;
    if (p.image !== undefined && p.image !== null) {
      const file = path.resolve(p.image);
      let st: fs.Stats;
      try {
        st = await fsp.stat(file);
      } catch {
        throw new ProductError(`Product image not found: ${file}`);
      }
      if (!st.isFile()) throw new ProductError(`Product image is not a file: ${file}`);
      image = { file, sha: await this.digestFile(file, st) };
    }
    const productHash = hashOf({
      name: p.name,
      price: String(p.price),
      image: image?.sha ?? null,
      base: { intro: prep.intro?.sha256 ?? null, outro: prep.outro?.sha256 ?? null },
    });
    const r = await this.composing.run(`${prep.hash}/${productHash}`, opts.signal, (signal) =>
      this.composeHash(prep, productHash, p.name, String(p.price), image, signal),
    );
    return { ...r, ms: performance.now() - started };
  }

  // ---------------------------------------------------------------------------------------------

  private async prepareHash(
    t: LoadedTemplate,
    hash: string,
    signal: AbortSignal,
  ): Promise<PreparedTemplate> {
    const dir = path.join(this.root, hash);
    const cards = (['intro', 'outro'] as const).filter((w) => t.template[w] !== null);
    const builtins = this.builtinsOf(t);
    const required = [
      ...cards.map((w) => `base-${w}.mp4`),
      ...[...builtins].map((b) => `assets/${b}.png`),
    ];
    let built = false;
    let v = await this.verify(dir, hash, required);
    if (typeof v === 'string') {
      if (v !== 'no manifest') {
        this.logger?.warn('template cache entry is invalid; rebuilding', { hash, reason: v });
      }
      await this.build(t, hash, dir, cards, builtins, signal);
      built = true;
      v = await this.verify(dir, hash, required);
      if (typeof v === 'string')
        throw new Error(`Template cache entry ${dir} is invalid right after building it: ${v}`);
    }
    const files = v.files;
    const card = (w: CardKind): PreparedCard | null => {
      const c = t.template[w];
      if (c === null) return null;
      return {
        file: path.join(dir, `base-${w}.mp4`),
        durationS: c.durationS,
        sha256: files[`base-${w}.mp4`]!.sha256,
      };
    };
    const o = t.template.overlay;
    let watermark: Watermark | null = null;
    if (o !== null && o.logo !== undefined) {
      const ref = resolveAsset(t, o.logo, 'overlay.logo');
      const file = ref.kind === 'builtin' ? path.join(dir, 'assets', `${ref.name}.png`) : ref.file;
      watermark = { file, corner: o.corner, opacity: o.opacity };
    }
    return {
      hash,
      dir,
      template: t.template,
      intro: card('intro'),
      outro: card('outro'),
      watermark,
      built,
    };
  }

  private builtinsOf(t: LoadedTemplate): Set<BuiltinAsset> {
    const out = new Set<BuiltinAsset>();
    for (const u of assetUses(t)) if (u.ref.kind === 'builtin') out.add(u.ref.name);
    return out;
  }

  private assetFile(dir: string, ref: AssetRef): string {
    return ref.kind === 'builtin' ? path.join(dir, 'assets', `${ref.name}.png`) : ref.file;
  }

  private async build(
    t: LoadedTemplate,
    hash: string,
    dir: string,
    cards: CardKind[],
    builtins: Set<BuiltinAsset>,
    signal: AbortSignal,
  ): Promise<void> {
    const started = performance.now();
    await fsp.mkdir(path.join(dir, 'assets'), { recursive: true });
    // The manifest goes first: until a new one is written, this entry is not valid.
    await fsp.rm(path.join(dir, MANIFEST), { force: true });
    await removeStaleTemps(dir, STALE_TEMP_MS);
    await removeStaleTemps(path.join(dir, 'assets'), STALE_TEMP_MS);
    const work = await fsp.mkdtemp(path.join(dir, '.work-'));
    const files: Record<string, FileEntry> = {};
    const record = async (name: string): Promise<void> => {
      const file = path.join(dir, name);
      files[name] = { bytes: (await fsp.stat(file)).size, sha256: await sha256File(file) };
    };
    try {
      for (const b of builtins) {
        const name = `assets/${b}.png`;
        await this.produce(path.join(dir, name), `draw the built-in asset ${b}`, signal, (out) =>
          builtinAssetArgs(b, out),
        );
        await record(name);
      }
      const { width, height } = OUTPUT_PRESETS[t.template.output];
      for (const which of cards) {
        const c = t.template[which] as TemplateCard;
        const logo =
          c.brand.logo === undefined
            ? null
            : {
                file: this.assetFile(dir, resolveAsset(t, c.brand.logo, `${which}.brand.logo`)),
                y: c.brand.y,
                height: c.brand.logoHeight,
              };
        const textY = c.brand.y + (logo === null ? 0 : c.brand.logoHeight + 12);
        const brandBox: CardTextBox = {
          x: 40,
          y: textY,
          w: width - 80,
          size: c.brand.size,
          color: c.brand.color,
          align: 'center',
          bold: true,
          text: c.brand.text,
          ...BRAND_LIMITS,
          fadeInMs: 0,
        };
        let ass: string | null = null;
        if (boxText(brandBox) !== '') {
          ass = `${which}-${CARD_ASS}`;
          await fsp.writeFile(
            path.join(work, ass),
            buildCardAss({
              width,
              height,
              font: t.template.font,
              durationS: c.durationS,
              boxes: [brandBox],
            }),
          );
        }
        const background =
          'color' in c.background
            ? { color: c.background.color }
            : {
                imageFile: this.assetFile(
                  dir,
                  resolveAsset(t, c.background.image, `${which}.background.image`),
                ),
              };
        const music =
          c.music === undefined
            ? null
            : {
                file: this.assetFile(dir, resolveAsset(t, c.music, `${which}.music`)),
                volume: c.musicVolume,
              };
        const name = `base-${which}.mp4`;
        await this.produce(
          path.join(dir, name),
          `render the ${which} base of template "${t.template.name}"`,
          signal,
          (out) =>
            baseCardArgs({
              width,
              height,
              durationS: c.durationS,
              background,
              logo,
              ass,
              music,
              threads: this.threads,
              out,
            }),
          work,
        );
        await record(name);
      }
      const manifest: Manifest = { format: CACHE_FORMAT, key: hash, files, createdAt: Date.now() };
      await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
      this.logger?.info('template base rendered', {
        hash,
        template: t.template.name,
        ms: Math.round(performance.now() - started),
      });
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
  }

  private async composeHash(
    prep: PreparedTemplate,
    productHash: string,
    name: string,
    price: string,
    image: { file: string; sha: string } | null,
    signal: AbortSignal,
  ): Promise<Omit<ComposedTemplate, 'ms'>> {
    const dir = path.join(prep.dir, 'products', productHash);
    const cards = (['intro', 'outro'] as const).filter((w) => prep[w] !== null);
    const required = cards.map((w) => `${w}.mp4`);
    const result = (cached: boolean): Omit<ComposedTemplate, 'ms'> => ({
      templateHash: prep.hash,
      productHash,
      intro: prep.intro === null ? null : path.join(dir, 'intro.mp4'),
      outro: prep.outro === null ? null : path.join(dir, 'outro.mp4'),
      watermark: prep.watermark,
      cached,
    });
    const v = await this.verify(dir, productHash, required);
    if (typeof v !== 'string') {
      // Mark as recently used for pruning.
      const now = new Date();
      await fsp.utimes(path.join(dir, MANIFEST), now, now).catch(() => undefined);
      return result(true);
    }
    if (v !== 'no manifest') {
      this.logger?.warn('composed template piece is invalid; composing again', {
        productHash,
        reason: v,
      });
    }
    await fsp.mkdir(dir, { recursive: true });
    await fsp.rm(path.join(dir, MANIFEST), { force: true });
    await removeStaleTemps(dir, STALE_TEMP_MS);
    const work = await fsp.mkdtemp(path.join(dir, '.work-'));
    const files: Record<string, FileEntry> = {};
    const { width, height } = OUTPUT_PRESETS[prep.template.output];
    try {
      await Promise.all(
        cards.map(async (which) => {
          const c = prep.template[which] as TemplateCard;
          const base = prep[which] as PreparedCard;
          const boxes: CardTextBox[] = [];
          if (c.slots.name !== null) boxes.push(textBox(c.slots.name, name, NAME_DEFAULTS));
          if (c.slots.price !== null) boxes.push(textBox(c.slots.price, price, PRICE_DEFAULTS));
          const hasText = boxes.some((b) => boxText(b) !== '');
          const ass = hasText ? `${which}-${CARD_ASS}` : null;
          if (ass !== null) {
            await fsp.writeFile(
              path.join(work, ass),
              buildCardAss({
                width,
                height,
                font: prep.template.font,
                durationS: c.durationS,
                boxes,
              }),
            );
          }
          const slot = c.slots.productImage;
          const file = `${which}.mp4`;
          try {
            await this.produce(
              path.join(dir, file),
              `compose the ${which} of template "${prep.template.name}"`,
              signal,
              (out) =>
                composeCardArgs({
                  base: base.file,
                  durationS: c.durationS,
                  productImage: image !== null && slot !== null ? { file: image.file, slot } : null,
                  ass,
                  threads: this.threads,
                  out,
                }),
              work,
            );
          } catch (err) {
            if (image !== null && slot !== null && !signal.aborted && err instanceof Error) {
              err.message = `${err.message} (product image: ${image.file})`;
            }
            throw err;
          }
          const full = path.join(dir, file);
          files[file] = { bytes: (await fsp.stat(full)).size, sha256: await sha256File(full) };
        }),
      );
      const manifest: Manifest = {
        format: CACHE_FORMAT,
        key: productHash,
        files,
        createdAt: Date.now(),
      };
      await writeFileAtomic(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2));
    } finally {
      await fsp.rm(work, { recursive: true, force: true });
    }
    await this.prune(path.join(prep.dir, 'products'), productHash);
    return result(false);
  }

  /** Runs ffmpeg into a temp sibling of `file`, then renames it into place. */
  private async produce(
    file: string,
    what: string,
    signal: AbortSignal,
    args: (out: string) => string[],
    cwd?: string,
  ): Promise<void> {
    const part = partName(file);
    try {
      this.onRun?.(what);
      await runFfmpeg(this.ffmpeg, args(part), {
        what,
        signal,
        ...(cwd === undefined ? {} : { cwd }),
      });
      await commitPart(part, file);
    } catch (err) {
      await fsp.rm(part, { force: true });
      throw err;
    }
  }

  /** The manifest of `dir` if it is for `key` and every required file matches it; else why not. */
  private async verify(dir: string, key: string, required: string[]): Promise<Verified | string> {
    const known = this.verified.get(dir);
    if (known !== undefined) {
      const same = await Promise.all(
        known.stamps.map(async (s) => {
          try {
            const st = await fsp.stat(s.file);
            return st.size === s.bytes && st.mtimeMs === s.mtimeMs;
          } catch {
            return false;
          }
        }),
      );
      if (same.every(Boolean)) return known;
      this.verified.delete(dir);
    }
    let manifest: Manifest;
    try {
      const text = await fsp.readFile(path.join(dir, MANIFEST), 'utf8');
      const r = manifestSchema.safeParse(JSON.parse(text));
      if (!r.success) return 'the manifest is not valid';
      manifest = r.data;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no manifest'
        : 'the manifest cannot be read';
    }
    if (manifest.key !== key) return `the manifest is for ${manifest.key}`;
    const stamps: Verified['stamps'] = [];
    for (const name of [...required, MANIFEST]) {
      const file = path.join(dir, name);
      let st: fs.Stats;
      try {
        st = await fsp.stat(file);
      } catch {
        return `${name} is missing`;
      }
      if (name !== MANIFEST) {
        const want = manifest.files[name];
        if (want === undefined) return `${name} is not in the manifest`;
        if (st.size !== want.bytes) return `${name} has ${st.size} bytes, expected ${want.bytes}`;
        if ((await sha256File(file)) !== want.sha256) return `${name} does not match its checksum`;
        stamps.push({ file, bytes: st.size, mtimeMs: st.mtimeMs });
      }
    }
    const v = { files: manifest.files, stamps };
    this.verified.set(dir, v);
    return v;
  }

  /** sha256 of an asset the template uses; a missing file is an error naming the field. */
  private async assetDigest(t: LoadedTemplate, u: AssetUse): Promise<string> {
    if (u.ref.kind === 'builtin') return `builtin:${u.ref.name}@${BUILTIN_ASSET_VERSION}`;
    const file = u.ref.file;
    let st: fs.Stats;
    try {
      st = await fsp.stat(file);
    } catch {
      throw new TemplateError(`Template ${t.source}: ${u.field}: file not found: ${file}`, [
        { field: u.field, message: `file not found: ${file}` },
      ]);
    }
    if (!st.isFile()) {
      throw new TemplateError(`Template ${t.source}: ${u.field}: not a file: ${file}`, [
        { field: u.field, message: `not a file: ${file}` },
      ]);
    }
    return this.digestFile(file, st);
  }

  /** sha256 of a file, remembered by (size, mtime) so unchanged files are hashed once. */
  private async digestFile(file: string, st: fs.Stats): Promise<string> {
    const known = this.digests.get(file);
    if (known !== undefined && known.bytes === st.size && known.mtimeMs === st.mtimeMs)
      return known.sha;
    const sha = await sha256File(file);
    this.digests.set(file, { bytes: st.size, mtimeMs: st.mtimeMs, sha });
    return sha;
  }

  /** Keeps the `maxProducts` most recently used composed products of a template. */
  private async prune(productsDir: string, keep: string): Promise<void> {
    let names: string[];
    try {
      names = await fsp.readdir(productsDir);
    } catch {
      return;
    }
    if (names.length <= this.maxProducts) return;
    // Last use = the manifest's mtime (touched on every hit); an entry still being composed has
    // none yet and counts by its folder's mtime, so it is among the newest.
    const aged = await Promise.all(
      names.map(async (n) => {
        const d = path.join(productsDir, n);
        const t = await fsp
          .stat(path.join(d, MANIFEST))
          .catch(() => fsp.stat(d))
          .then((st) => st.mtimeMs)
          .catch(() => 0);
        return { n, t };
      }),
    );
    aged.sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, names.length - this.maxProducts)) {
      if (n === keep) continue;
      const d = path.join(productsDir, n);
      this.verified.delete(d);
      await fsp.rm(d, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
