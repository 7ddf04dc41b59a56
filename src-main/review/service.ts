/**
 * The review stage: every ready clip gets a prompt snapshot, a quality score and a safety check
 * (sensitive words over its prompt, title and captions; an on-device image model over sampled
 * frames), then waits in the review queue for the operator's decision. Approving publishes to
 * the enabled targets; a flagged clip needs an explicit, logged override first. With
 * auto-publish on (headless `process --publish`), every clip that passes is published at once
 * and the flagged ones are held back with their reason.
 *
 * Also owns the operator-editable documents the prompts and checks read: the template library,
 * the enhancement table, the product list and the sensitive-word lexicon.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import {
  ApiError,
  type CaptionCue,
  type Clip,
  type ClipStyling,
  type EnhancementTable as EnhancementTableT,
  type Generation,
  EnhancementTable as EnhancementTableSchema,
  type Highlight,
  type HighlightPrompt,
  type ImageSafety,
  type Product,
  Product as ProductSchema,
  type PromptTemplate,
  type Publication,
  type ReviewDecision,
  type ReviewItem,
  type SafetyLexicon,
  SafetyLexicon as SafetyLexiconSchema,
  type SafetyReport,
  type SafetyState,
  type SafetyWordHit,
  type TemplateDraft,
} from '../api/contract';
import type { EventBus } from '../api/events';
import { runToCompletion } from '../ffmpeg';
import type { JobQueue, JobRecord } from '../jobs/types';
import type { Logger } from '../log/logger';
import type { Store } from '../store';
import {
  defaultEnhancementTable,
  EnhancementError,
  type EnhancementTable as ModuleEnhancementTable,
  validateEnhancementTable,
} from './enhance';
import { parseProductsCsv, ProductCsvError } from './products';
import {
  currentTemplates,
  defaultLibrary,
  exportLibrary,
  fillTemplate,
  importLibrary,
  LibraryError,
  mergeLibrary,
  parseTemplate,
  promptForHighlight,
  saveTemplate,
  TemplateError,
  templateHistory,
  type TemplateLibrary,
} from './prompts';
import { FramePrecheck } from './frame-precheck';
import { reviewRepo, type ReviewRow } from './repo';
import { DEFAULT_LEXICONS } from './safety-lexicon-default';
import {
  checkFields,
  checkText,
  compileLexicons,
  type CompiledLexicon,
  type FieldHit,
  LexiconError,
  parseLexicon,
} from './safety-words';

export const SAFETY_KIND = 'safety';

/** The clip stage as the review stage needs it (src-main/clips/service.ts). */
export interface ReviewClips {
  list(sessionId: string): Clip[];
  get(clipId: string): Clip | null;
  /** The ready clip's absolute path. */
  path(clipId: string): string;
  render(highlightId: string, opts?: object, priority?: number): Clip;
  /** The generation behind a generated clip (listed alongside the stream clips), else null. */
  generated?(clipId: string): Generation | null;
}

/** The on-device image check (src-main/safety/image). */
export interface ImageCheck {
  check(
    file: string,
    opts: { samples?: number; durationS?: number; signal?: AbortSignal },
  ): Promise<{
    model: string;
    backend: string;
    frames: Array<{ at: number; scores: Record<string, number> }>;
    flagged: boolean;
    worst: { label: string; score: number; at: number } | null;
    reason: string | null;
    ms: number;
  }>;
}

/** The publish stage (src-main/publish). */
export interface Publisher {
  /** Enabled targets' ids. */
  enabledTargets(): string[];
  publish(clipId: string, targetIds: string[]): Publication[];
  list(clipId?: string): Publication[];
  cancel(clipId: string): void;
}

export interface ReviewServiceDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  dataDir: string;
  queue: JobQueue;
  clips: ReviewClips;
  ffmpegPath: () => string | null;
  /** The image check, or why it cannot run. */
  imageCheck: () => { ok: true; checker: ImageCheck } | { ok: false; reason: string };
  publisher?: Publisher | null;
  /** Publish every clip that passes the checks (headless --publish), whatever the setting. */
  autoPublish?: boolean;
  /** Wait before telling the operator clips are ready (batches a burst into one notice). */
  notifyDelayMs?: number;
  /** DVR segments as they close (the image check scores a window's frames while it is open). */
  onSegment?: (cb: (s: { sessionId: string; seq: number }) => void) => () => void;
}

/** What the clip engine takes from a highlight's prompt when it renders. */
export interface RenderDecoration {
  title: string | null;
  prompt: string;
  punchIn: { from: number; to: number; zoom: number } | null;
  /** Utterance seq → the operator's corrected caption text. */
  captionEdits: ReadonlyMap<number, string>;
  tags: string[];
}

const LIBRARY_KEY = 'review.library';
const ENHANCE_KEY = 'review.enhancement';
const PRODUCTS_KEY = 'review.products';
const SAFETY_KEY = 'safety.lexicon';
const anyJson = z.unknown();

/** Frames sampled per clip by the image check. */
const IMAGE_SAMPLES = 6;
const DEFAULT_ZOOM = 1.25;

function mediaError(err: unknown): ApiError {
  const msg = err instanceof Error ? err.message : String(err);
  return new ApiError('bad_request', msg);
}

/** 0..1: the highlight's score (60 %), the clip's length fit (20 %) and caption coverage (20 %). */
export function qualityScore(score: number, durationS: number, captionedS: number): number {
  const fit =
    durationS <= 0
      ? 0
      : durationS < 8
        ? durationS / 8
        : durationS <= 60
          ? 1
          : Math.max(0, 1 - (durationS - 60) / 60);
  const coverage = durationS > 0 ? Math.min(1, captionedS / durationS) : 0;
  return Math.round((0.6 * score + 0.2 * fit + 0.2 * coverage) * 1000) / 1000;
}

export class ReviewService {
  readonly repo;
  private readonly precheck: FramePrecheck;
  private readonly off: Array<() => void> = [];
  private compiled: CompiledLexicon | null = null;
  private readonly checking = new Set<string>();
  private readonly readySoon = new Map<string, { ids: string[]; timer: NodeJS.Timeout }>();

  constructor(private readonly deps: ReviewServiceDeps) {
    this.repo = reviewRepo(deps.store.db);
    deps.queue.register<{ clipId: string }, { state: SafetyState }>(
      SAFETY_KIND,
      { run: (job, ctx) => this.safetyJob(job, ctx.signal) },
      { concurrency: 1 },
    );
    this.precheck = new FramePrecheck({
      store: deps.store,
      dataDir: deps.dataDir,
      logger: deps.logger,
      checker: () => {
        if (!deps.store.settings.getAll()['safety.image']) return null;
        const c = deps.imageCheck();
        return c.ok ? c.checker : null;
      },
    });
    if (deps.onSegment)
      this.off.push(deps.onSegment((s) => this.precheck.segment(s.sessionId, s.seq)));
    this.off.push(
      deps.bus.on('highlight.upserted', (h) => this.precheck.highlight(h)),
      deps.bus.on('clip.upserted', (c) => this.onClip(c)),
      deps.bus.on('publish.upserted', (p) => this.emit(p.clipId)),
    );
  }

  close(): void {
    for (const f of this.off.splice(0)) f();
    for (const r of this.readySoon.values()) clearTimeout(r.timer);
    this.readySoon.clear();
  }

  // ---------- documents ----------

  library(): TemplateLibrary {
    const stored = this.deps.store.settings.getInternal(LIBRARY_KEY, anyJson);
    if (stored === null || stored === undefined) return defaultLibrary();
    try {
      return importLibrary(stored);
    } catch (err) {
      this.deps.logger.warn('stored prompt library unreadable; using the built-in one', {
        error: (err as Error).message,
      });
      return defaultLibrary();
    }
  }

  templates(): PromptTemplate[] {
    return currentTemplates(this.library());
  }

  saveTemplate(draft: TemplateDraft): PromptTemplate[] {
    try {
      const lib = saveTemplate(this.library(), draft);
      this.storeLibrary(lib);
      return currentTemplates(lib);
    } catch (err) {
      if (err instanceof TemplateError || err instanceof LibraryError)
        throw new ApiError('bad_request', err.message);
      throw err;
    }
  }

  history(id: string): PromptTemplate[] {
    const versions = templateHistory(this.library(), id);
    if (versions.length === 0) throw new ApiError('not_found', `No template with id ${id}`);
    return versions;
  }

  exportLibrary(): string {
    return exportLibrary(this.library());
  }

  importLibrary(json: string, mode: 'merge' | 'replace'): PromptTemplate[] {
    let imported: TemplateLibrary;
    try {
      imported = importLibrary(json);
    } catch (err) {
      if (err instanceof LibraryError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    const lib = mode === 'replace' ? imported : mergeLibrary(this.library(), imported);
    if (currentTemplates(lib).length === 0)
      throw new ApiError('bad_request', 'The imported library has no templates');
    this.storeLibrary(lib);
    return currentTemplates(lib);
  }

  private storeLibrary(lib: TemplateLibrary): void {
    this.deps.store.settings.setInternal(LIBRARY_KEY, JSON.parse(exportLibrary(lib)));
  }

  enhancement(): { table: EnhancementTableT; builtIn: boolean } {
    const stored = this.deps.store.settings.getInternal(ENHANCE_KEY, EnhancementTableSchema);
    if (stored) {
      try {
        return { table: validateEnhancementTable(stored) as EnhancementTableT, builtIn: false };
      } catch {
        // Fall through: a table stored by an older build that this one refuses.
      }
    }
    return { table: defaultEnhancementTable() as EnhancementTableT, builtIn: true };
  }

  setEnhancement(table: unknown): { table: EnhancementTableT; builtIn: boolean } {
    try {
      const clean = validateEnhancementTable(table) as EnhancementTableT;
      this.deps.store.settings.setInternal(ENHANCE_KEY, clean);
      return { table: clean, builtIn: false };
    } catch (err) {
      if (err instanceof EnhancementError) throw new ApiError('bad_request', err.message);
      throw err;
    }
  }

  resetEnhancement(): { table: EnhancementTableT; builtIn: boolean } {
    this.deps.store.settings.setInternal(ENHANCE_KEY, null);
    return this.enhancement();
  }

  products(): Product[] {
    return this.deps.store.settings.getInternal(PRODUCTS_KEY, z.array(ProductSchema)) ?? [];
  }

  setProducts(products: Product[]): Product[] {
    this.deps.store.settings.setInternal(PRODUCTS_KEY, products);
    return products;
  }

  importProductsCsv(csv: string, mode: 'replace' | 'append'): Product[] {
    let parsed: Product[];
    try {
      parsed = parseProductsCsv(csv).map((p) => ({
        name: p.name,
        price: p.price,
        ...(p.image ? { image: p.image } : {}),
      }));
    } catch (err) {
      if (err instanceof ProductCsvError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    const all = mode === 'append' ? [...this.products(), ...parsed] : parsed;
    if (all.length > 5000)
      throw new ApiError('bad_request', `${all.length} products: at most 5000 are kept`);
    return this.setProducts(all);
  }

  safetyLexicon(): { lexicon: SafetyLexicon; builtIn: boolean } {
    const stored = this.deps.store.settings.getInternal(SAFETY_KEY, SafetyLexiconSchema);
    if (stored) return { lexicon: stored, builtIn: false };
    return {
      lexicon: { name: 'built-in', entries: DEFAULT_LEXICONS.flatMap((l) => l.entries) },
      builtIn: true,
    };
  }

  setSafetyLexicon(lexicon: SafetyLexicon): { lexicon: SafetyLexicon; builtIn: boolean } {
    try {
      const parsed = parseLexicon(lexicon);
      compileLexicons([parsed]);
      this.deps.store.settings.setInternal(SAFETY_KEY, parsed);
    } catch (err) {
      if (err instanceof LexiconError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    this.compiled = null;
    return this.safetyLexicon();
  }

  resetSafetyLexicon(): { lexicon: SafetyLexicon; builtIn: boolean } {
    this.deps.store.settings.setInternal(SAFETY_KEY, null);
    this.compiled = null;
    return this.safetyLexicon();
  }

  testSafety(text: string): { verdict: 'ok' | 'warn' | 'block'; hits: SafetyWordHit[] } {
    const r = checkText(text, this.lexicon());
    return {
      verdict: r.verdict,
      hits: r.hits.map((h) => wordHit({ ...h, field: 'prompt' })),
    };
  }

  imageStatus(): { available: boolean; reason: string | null } {
    const c = this.deps.imageCheck();
    return c.ok ? { available: true, reason: null } : { available: false, reason: c.reason };
  }

  private lexicon(): CompiledLexicon {
    this.compiled ??= compileLexicons([parseLexicon(this.safetyLexicon().lexicon)]);
    return this.compiled;
  }

  // ---------- prompts ----------

  prompt(highlightId: string): HighlightPrompt {
    return this.promptFor(this.highlight(highlightId));
  }

  /** What every prompt reads (settings, library, table, products): read once per listing. */
  private promptContext() {
    const s = this.deps.store.settings.getAll();
    const lib = this.library();
    return {
      s,
      lib,
      ids: new Set(currentTemplates(lib).map((t) => t.id)),
      table: this.enhancement().table as ModuleEnhancementTable,
      facts: {
        host: s['review.host'],
        products: this.products(),
        language: s['review.promptLanguage'],
      },
    };
  }

  private promptFor(h: Highlight, ctx = this.promptContext()): HighlightPrompt {
    const { s, lib, facts } = ctx;
    const choice = this.repo.promptChoice(h.id);
    const templateId = choice?.templateId ?? s['review.template'] ?? undefined;
    let base;
    try {
      base = promptForHighlight(h, facts, lib, ctx.table, {
        ...(templateId !== undefined && ctx.ids.has(templateId) ? { templateId } : {}),
      });
    } catch (err) {
      if (err instanceof TemplateError) throw new ApiError('bad_request', err.message);
      throw err;
    }
    const fill = (text: string): string => {
      try {
        return fillTemplate(text, base.values);
      } catch {
        // A stored custom text that no longer parses: shown as written, never re-interpreted.
        return text;
      }
    };
    const custom = choice?.custom ?? null;
    const titleCustom = choice?.titleCustom ?? null;
    const title = fill(titleCustom ?? s['review.titleTemplate'])
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 120);
    return {
      highlightId: h.id,
      templateId: base.template.id,
      templateVersion: base.template.version,
      custom,
      text: custom === null ? base.text : fill(custom),
      titleCustom,
      title,
      values: base.values,
      action: base.action,
      styling: base.styling as ClipStyling,
      productIndex: base.productIndex,
      updatedAt: choice?.updatedAt ?? h.updatedAt,
    };
  }

  setPrompt(
    highlightId: string,
    change: {
      templateId?: string | undefined;
      custom?: string | null | undefined;
      titleCustom?: string | null | undefined;
      rerender?: boolean | undefined;
    },
  ): { prompt: HighlightPrompt; clip: Clip | null } {
    const h = this.highlight(highlightId);
    const prev = this.repo.promptChoice(h.id);
    for (const text of [change.custom, change.titleCustom])
      if (typeof text === 'string')
        try {
          parseTemplate(text, 'this prompt');
        } catch (err) {
          throw new ApiError('bad_request', (err as Error).message);
        }
    if (
      change.templateId !== undefined &&
      !this.templates().some((t) => t.id === change.templateId)
    )
      throw new ApiError('not_found', `No template with id ${change.templateId}`);
    this.repo.setPromptChoice(h.id, {
      templateId: change.templateId ?? prev?.templateId ?? null,
      custom: change.custom === undefined ? (prev?.custom ?? null) : change.custom,
      titleCustom:
        change.titleCustom === undefined ? (prev?.titleCustom ?? null) : change.titleCustom,
    });
    const prompt = this.promptFor(h);
    const clip = change.rerender ? this.deps.clips.render(h.id, {}, 0) : null;
    if (!change.rerender) {
      // The current clip keeps its pixels; its record (and safety check) follows the new text.
      const current = this.currentClip(h.sessionId, h.id);
      const row = current ? this.repo.get(current.id) : null;
      if (current && row) {
        this.repo.promptText(current.id, prompt.text, prompt.title);
        this.enqueueCheck(current.id);
      }
    }
    return { prompt, clip };
  }

  preview(highlightId: string, text: string): { text: string; error: string | null } {
    const p = this.prompt(highlightId);
    try {
      return { text: fillTemplate(text, p.values), error: null };
    } catch (err) {
      return { text: '', error: (err as Error).message };
    }
  }

  /** What the clip engine burns in and writes for a highlight's render. */
  decoration(h: Highlight): RenderDecoration {
    let prompt: HighlightPrompt | null = null;
    try {
      prompt = this.promptFor(h);
    } catch (err) {
      this.deps.logger.warn('no prompt for highlight', {
        highlight: h.id,
        error: (err as Error).message,
      });
    }
    const styling = prompt?.styling ?? {};
    let punchIn: RenderDecoration['punchIn'] = null;
    if (styling.punchIn) {
      const at = h.reasons.find((r) => r.kind === 'trigger' || r.kind === 'keyword')?.at;
      const centre = at ?? h.start + (h.end - h.start) / 3;
      const from = Math.max(h.start, centre - 1);
      const to = Math.min(h.end, centre + 3);
      if (to - from > 0.5) punchIn = { from, to, zoom: styling.zoom ?? DEFAULT_ZOOM };
    }
    const tags = [
      h.category,
      prompt?.values['product'] ?? '',
      prompt?.values['host'] ?? '',
      ...h.reasons.filter((r) => r.kind === 'trigger').map((r) => r.text),
    ]
      .map((t) => t.trim())
      .filter((t, i, all) => t && all.indexOf(t) === i)
      .slice(0, 10);
    return {
      title: prompt?.title ? prompt.title : null,
      prompt: prompt?.text ?? '',
      punchIn,
      captionEdits: this.repo.captionEdits(h.sessionId),
      tags,
    };
  }

  // ---------- the queue ----------

  items(
    sessionId: string,
    filter: {
      decision?: ReviewDecision[] | undefined;
      safety?: SafetyState[] | undefined;
      minQuality?: number | undefined;
      limit?: number | undefined;
    } = {},
  ): ReviewItem[] {
    const highlights = new Map(this.deps.store.highlights.list(sessionId).map((h) => [h.id, h]));
    const rows = new Map(this.repo.list(sessionId).map((r) => [r.clipId, r]));
    const pubs = this.pubsByClip();
    const ctx = this.promptContext();
    const out: ReviewItem[] = [];
    const seen = new Set<string>();
    for (const clip of this.deps.clips.list(sessionId)) {
      if (clip.state === 'cancelled') continue;
      // A highlight's stream clip: only its latest render. Generated videos: each one.
      if (!this.deps.clips.generated?.(clip.id)) {
        if (seen.has(clip.highlightId)) continue;
        seen.add(clip.highlightId);
      }
      const h = highlights.get(clip.highlightId);
      if (!h) continue;
      const item = this.toItem(clip, h, rows.get(clip.id) ?? null, pubs.get(clip.id) ?? [], ctx);
      if (filter.decision && !filter.decision.includes(item.decision)) continue;
      if (filter.safety && !filter.safety.includes(item.safety.state)) continue;
      if (filter.minQuality !== undefined && (item.quality ?? 0) < filter.minQuality) continue;
      out.push(item);
      if (filter.limit !== undefined && out.length >= filter.limit) break;
    }
    return out;
  }

  item(clipId: string): ReviewItem {
    const clip = this.deps.clips.get(clipId);
    if (!clip) throw new ApiError('not_found', `No clip with id ${clipId}`);
    const h = this.highlight(clip.highlightId);
    return this.toItem(clip, h, this.repo.get(clipId), this.deps.publisher?.list(clipId) ?? []);
  }

  decide(
    clipIds: readonly string[],
    decision: ReviewDecision,
    opts: { publish?: boolean | undefined; auto?: boolean } = {},
  ): { items: ReviewItem[]; refused: Array<{ clipId: string; reason: string }> } {
    const refused: Array<{ clipId: string; reason: string }> = [];
    const changed: string[] = [];
    const batch = `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const now = Date.now();
    const publishAfter: string[] = [];
    this.repo.transaction(() => {
      for (const clipId of new Set(clipIds)) {
        const clip = this.deps.clips.get(clipId);
        if (!clip) {
          refused.push({ clipId, reason: 'no such clip' });
          continue;
        }
        const row = this.ensureRow(clip);
        if (decision === 'approved') {
          const why = this.notPublishable(clip, row);
          if (why) {
            refused.push({ clipId, reason: why });
            continue;
          }
        }
        if (row.decision === decision) continue;
        this.repo.decide(clipId, decision, now);
        this.repo.log({
          sessionId: clip.sessionId,
          clipId,
          action: opts.auto ? 'auto' : 'decide',
          before: row.decision,
          after: decision,
          note: opts.auto ? 'auto-publish' : batch,
          at: now,
        });
        changed.push(clipId);
        if (row.decision === 'approved' && decision !== 'approved')
          this.deps.publisher?.cancel(clipId);
        if (decision === 'approved') publishAfter.push(clipId);
      }
    });
    const s = this.deps.store.settings.getAll();
    if (opts.publish ?? (opts.auto || s['publish.onApprove']))
      for (const id of publishAfter) this.publish(id);
    for (const id of changed) this.emit(id);
    return {
      items: clipIds.filter((id) => this.deps.clips.get(id)).map((id) => this.item(id)),
      refused,
    };
  }

  /** Why an approval is refused, or null. */
  private notPublishable(clip: Clip, row: ReviewRow): string | null {
    if (clip.state !== 'ready') return `the clip is ${clip.state}, not ready`;
    if (row.safetyState === 'pending') return 'the safety check has not finished';
    if ((row.safetyState === 'flagged' || row.safetyState === 'error') && !row.override)
      return `held back by the safety check: ${(row.safety?.reasons ?? []).join('; ') || row.safetyState} (an override with a reason is needed)`;
    return null;
  }

  undo(sessionId: string): ReviewItem[] {
    const entries = this.repo.lastDecision(sessionId);
    const ids: string[] = [];
    this.repo.transaction(() => {
      for (const e of entries) {
        const before = (e.before ?? 'pending') as ReviewDecision;
        this.repo.decide(e.clipId, before);
        this.repo.markUndone(e.seq);
        if (e.after === 'approved') this.deps.publisher?.cancel(e.clipId);
        ids.push(e.clipId);
      }
    });
    for (const id of ids) this.emit(id);
    return ids.filter((id) => this.deps.clips.get(id)).map((id) => this.item(id));
  }

  override(clipId: string, reason: string): ReviewItem {
    const clip = this.deps.clips.get(clipId);
    if (!clip) throw new ApiError('not_found', `No clip with id ${clipId}`);
    const row = this.ensureRow(clip);
    if (row.safetyState !== 'flagged' && row.safetyState !== 'error')
      throw new ApiError('bad_request', `Clip ${clipId} is not held back by the safety check`);
    const at = Date.now();
    this.repo.override(clipId, { reason, at }, at);
    this.repo.log({
      sessionId: clip.sessionId,
      clipId,
      action: 'override',
      before: row.safetyState,
      after: 'override',
      note: reason,
      at,
    });
    this.deps.logger.warn('safety override', {
      clip: clipId,
      reasons: row.safety?.reasons,
      reason,
    });
    this.emit(clipId);
    return this.item(clipId);
  }

  captions(clipId: string): CaptionCue[] {
    const clip = this.deps.clips.get(clipId);
    if (!clip) throw new ApiError('not_found', `No clip with id ${clipId}`);
    // A generated video has no captions of the stream burned in.
    if (this.deps.clips.generated?.(clipId)) return [];
    return this.cuesFor(clip);
  }

  private cuesFor(clip: Pick<Clip, 'sessionId' | 'start' | 'end'>): CaptionCue[] {
    const edits = this.repo.captionEdits(clip.sessionId);
    const out: CaptionCue[] = [];
    for (const u of this.deps.store.transcript.list(clip.sessionId, -1, 1_000_000)) {
      if (u.end <= clip.start || u.start >= clip.end) continue;
      const edited = edits.get(u.seq);
      out.push({
        index: u.seq,
        start: Math.max(0, u.start - clip.start),
        end: Math.min(clip.end, u.end) - clip.start,
        text: edited ?? u.text,
        original: u.text,
        edited: edited !== undefined,
      });
    }
    return out;
  }

  setCaptions(clipId: string, edits: ReadonlyArray<{ index: number; text: string }>): Clip {
    const clip = this.deps.clips.get(clipId);
    if (!clip) throw new ApiError('not_found', `No clip with id ${clipId}`);
    if (this.deps.clips.generated?.(clipId))
      throw new ApiError('bad_request', `Clip ${clipId} is a generated video: it has no captions`);
    const cues = new Map(this.cuesFor(clip).map((c) => [c.index, c]));
    for (const e of edits)
      if (!cues.has(e.index))
        throw new ApiError('bad_request', `Caption ${e.index} is not in clip ${clipId}`);
    this.repo.transaction(() => {
      for (const e of edits) {
        const clean = e.text.replace(/\p{Cc}/gu, ' ').trim();
        const cue = cues.get(e.index);
        this.repo.setCaptionEdit(
          clip.sessionId,
          e.index,
          clean === '' || clean === cue?.original ? null : clean,
        );
      }
    });
    return this.deps.clips.render(clip.highlightId, {}, 0);
  }

  async cover(clipId: string, at: number): Promise<ReviewItem> {
    const clip = this.deps.clips.get(clipId);
    if (!clip) throw new ApiError('not_found', `No clip with id ${clipId}`);
    if (clip.state !== 'ready' || clip.durationS === null)
      throw new ApiError('unavailable', `Clip ${clipId} is not ready yet`);
    if (at > clip.durationS)
      throw new ApiError(
        'bad_request',
        `The cover frame at ${at.toFixed(2)} s is past the clip's end (${clip.durationS.toFixed(2)} s)`,
      );
    const ffmpeg = this.deps.ffmpegPath();
    if (!ffmpeg) throw new ApiError('unavailable', 'ffmpeg was not found: no cover frame');
    const src = this.deps.clips.path(clipId);
    const out = join(dirname(src), `${clipId}.cover.jpg`);
    const part = `${out}.part`;
    mkdirSync(dirname(out), { recursive: true });
    try {
      const { exit } = await runToCompletion({
        bin: ffmpeg,
        args: [
          '-hide_banner',
          '-loglevel',
          'error',
          '-y',
          '-ss',
          Math.min(at, Math.max(0, clip.durationS - 0.05)).toFixed(3),
          '-i',
          src,
          '-frames:v',
          '1',
          '-q:v',
          '3',
          '-f',
          'mjpeg',
          part,
        ],
        timeoutMs: 15_000,
      });
      if (exit.code !== 0)
        throw new Error(
          `ffmpeg could not grab the cover frame: ${exit.stderrTail.trim().slice(-300) || `exit ${exit.code}`}`,
        );
      renameSync(part, out);
    } catch (err) {
      rmSync(part, { force: true });
      throw mediaError(err);
    }
    const rel = relative(this.deps.dataDir, out).split('\\').join('/');
    this.ensureRow(clip);
    this.repo.cover(clipId, at, rel);
    this.emit(clipId);
    return this.item(clipId);
  }

  /** Clips the safety checks hold back (not published), with the reason. */
  heldBack(sessionId: string): Array<{ id: string; reason: string }> {
    return this.items(sessionId)
      .filter(
        (i) =>
          (i.safety.state === 'flagged' || i.safety.state === 'error') &&
          !i.override &&
          i.clip.state === 'ready',
      )
      .map((i) => ({ id: i.clip.id, reason: i.safety.reasons.join('; ') || i.safety.state }));
  }

  /** The sidecar metadata published with a clip. */
  sidecar(clipId: string): Record<string, unknown> {
    const item = this.item(clipId);
    const { clip, highlight: h } = item;
    const s = this.deps.store.settings.getAll();
    return {
      id: clip.id,
      highlightId: h.id,
      sessionId: clip.sessionId,
      title: item.prompt?.title ?? '',
      prompt: item.prompt?.text ?? '',
      window: { start: clip.start, end: clip.end },
      durationS: clip.durationS,
      bytes: clip.bytes,
      score: h.score,
      quality: item.quality,
      category: h.category,
      text: h.text,
      reasons: h.reasons.map((r) => ({ kind: r.kind, text: r.text, at: r.at })),
      tags: this.decoration(h).tags,
      copyright: s['clips.copyright'],
      aiGenerated: item.aiGenerated,
      ...(item.aiGenerated ? { aiLabel: 'AI生成 / AI-generated' } : {}),
      safety: { state: item.safety.state, reasons: item.safety.reasons },
      override: item.override,
      decision: item.decision,
      decidedAt: item.decidedAt,
      engine: item.generation ? 'generation' : 'clip',
      ...(item.generation
        ? {
            generation: {
              model: item.generation.model,
              prompt: item.generation.prompt,
              negativePrompt: item.generation.negativePrompt,
              seed: item.generation.seed,
              steps: item.generation.steps,
              scheduler: item.generation.scheduler,
              guidance: item.generation.guidance,
              shift: item.generation.shift,
              frames: item.generation.frames,
              size: item.generation.size,
              fps: item.generation.fps,
              provider: item.generation.provider,
            },
          }
        : {}),
      encoder: clip.encoder,
      latencyMs: clip.latencyMs,
      createdAt: clip.createdAt,
    };
  }

  /** Resolves once no safety check is queued or running. */
  async settle(timeoutMs = 10 * 60_000): Promise<void> {
    const busy = () =>
      this.deps.queue.list({ kind: SAFETY_KIND, state: ['queued', 'running'], limit: 1 }).length >
      0;
    const deadline = Date.now() + timeoutMs;
    while (busy()) {
      if (Date.now() > deadline) throw new Error('safety checks did not finish in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // ---------- internals ----------

  private highlight(id: string): Highlight {
    const h = this.deps.store.highlights.get(id);
    if (!h) throw new ApiError('not_found', `No highlight with id ${id}`);
    return h;
  }

  private currentClip(sessionId: string, highlightId: string): Clip | null {
    return (
      this.deps.clips
        .list(sessionId)
        .find((c) => c.highlightId === highlightId && c.state !== 'cancelled') ?? null
    );
  }

  private pubsByClip(): Map<string, Publication[]> {
    const m = new Map<string, Publication[]>();
    for (const p of this.deps.publisher?.list() ?? []) {
      const list = m.get(p.clipId);
      if (list) list.push(p);
      else m.set(p.clipId, [p]);
    }
    return m;
  }

  private ensureRow(clip: Clip): ReviewRow {
    const existing = this.repo.get(clip.id);
    if (existing) return existing;
    const h = this.highlight(clip.highlightId);
    const generation = this.deps.clips.generated?.(clip.id) ?? null;
    const d = this.decoration(h);
    return this.repo.ensure(
      { clipId: clip.id, highlightId: clip.highlightId, sessionId: clip.sessionId },
      generation?.prompt ?? d.prompt,
      d.title ?? '',
      generation !== null,
    );
  }

  private toItem(
    clip: Clip,
    h: Highlight,
    row: ReviewRow | null,
    publications: Publication[],
    ctx = this.promptContext(),
  ): ReviewItem {
    let prompt: HighlightPrompt | null = null;
    try {
      prompt = this.promptFor(h, ctx);
    } catch {
      prompt = null;
    }
    const generation = this.deps.clips.generated?.(clip.id) ?? null;
    return {
      clip,
      highlight: h,
      prompt,
      safety: row?.safety ?? {
        state: row?.safetyState ?? 'pending',
        reasons: [],
        words: [],
        image: null,
        checkedAt: null,
        ms: null,
      },
      decision: row?.decision ?? 'pending',
      decidedAt: row?.decidedAt ?? null,
      override: row?.override ?? null,
      cover: row?.cover ?? null,
      quality: row?.quality ?? null,
      publications,
      aiGenerated: (row?.aiGenerated ?? false) || generation !== null,
      generation,
    };
  }

  private emit(clipId: string): void {
    try {
      this.deps.bus.emit('review.upserted', this.item(clipId));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
    }
  }

  /** A clip changed outside the clip stage's events (a generated video). */
  clipChanged(clip: Clip): void {
    this.onClip(clip);
  }

  private onClip(clip: Clip): void {
    if (clip.state !== 'ready') {
      // Progress of a (re-)render: the queue shows it.
      if (this.repo.get(clip.id) || clip.state === 'failed') this.emit(clip.id);
      return;
    }
    const row = this.ensureRow(clip);
    if (row.quality === null && clip.durationS !== null) {
      const h = this.deps.store.highlights.get(clip.highlightId);
      const captioned = this.cuesFor(clip).reduce((a, c) => a + Math.max(0, c.end - c.start), 0);
      if (h) this.repo.quality(clip.id, qualityScore(h.score, clip.durationS, captioned));
    }
    if (row.safetyState === 'pending') this.enqueueCheck(clip.id);
    this.emit(clip.id);
  }

  private enqueueCheck(clipId: string): void {
    if (this.checking.has(clipId)) return;
    this.checking.add(clipId);
    this.deps.queue.enqueue(SAFETY_KIND, { clipId }, { priority: 5, maxAttempts: 3 });
  }

  private async safetyJob(
    job: JobRecord<{ clipId: string }, { state: SafetyState }>,
    signal: AbortSignal,
  ): Promise<{ state: SafetyState }> {
    const { clipId } = job.payload;
    try {
      return await this.check(clipId, signal);
    } finally {
      this.checking.delete(clipId);
    }
  }

  private async check(clipId: string, signal: AbortSignal): Promise<{ state: SafetyState }> {
    const clip = this.deps.clips.get(clipId);
    if (!clip || clip.state !== 'ready') return { state: 'pending' };
    const row = this.ensureRow(clip);
    const t0 = Date.now();
    const cues = this.cuesFor(clip);
    const words = checkFields(
      { prompt: row.prompt, title: row.title, captions: cues.map((c) => c.text) },
      this.lexicon(),
    );
    const reasons: string[] = [];
    const hits = outermost(words.hits);
    const blocks = hits.filter((h) => h.severity === 'block');
    const warns = hits.filter((h) => h.severity === 'warn');
    if (blocks.length)
      reasons.push(
        `sensitive words: ${[...new Set(blocks.map((h) => `"${h.matched}" (${h.category}, in the ${h.field})`))].join(', ')}`,
      );
    if (warns.length)
      reasons.push(
        `words to check: ${[...new Set(warns.map((h) => `"${h.matched}" (${h.category})`))].join(', ')}`,
      );
    let image: ImageSafety | null = null;
    let imageError: string | null = null;
    if (this.deps.store.settings.getAll()['safety.image']) {
      const c = this.deps.imageCheck();
      if (!c.ok) reasons.push(`image check not run: ${c.reason}`);
      else
        try {
          const t1 = Date.now();
          // The window's DVR frames, mostly scored while it was open; else the clip's own
          // (always for a generated video: its frames are not the stream's).
          const generated = this.deps.clips.generated?.(clipId) ?? null;
          const r =
            (generated
              ? null
              : await this.precheck.verdict(clip.sessionId, clip.start, clip.end, signal)) ??
            (await c.checker.check(this.deps.clips.path(clipId), {
              samples: IMAGE_SAMPLES,
              ...(clip.durationS !== null ? { durationS: clip.durationS } : {}),
              signal,
            }));
          image = {
            model: r.model,
            backend: r.backend,
            flagged: r.flagged,
            worst: r.worst,
            frames: r.frames.length,
            ms: Date.now() - t1,
          };
          if (r.flagged) reasons.push(`image check: ${r.reason ?? 'a frame was flagged'}`);
        } catch (err) {
          if (signal.aborted) throw err;
          imageError = (err as Error).message;
          reasons.push(`the image check failed: ${imageError}`);
        }
    }
    const state: SafetyState =
      blocks.length > 0 || image?.flagged
        ? 'flagged'
        : imageError !== null
          ? 'error'
          : warns.length > 0
            ? 'warn'
            : 'ok';
    const report: SafetyReport = {
      state,
      reasons,
      words: hits.slice(0, 200).map(wordHit),
      image,
      checkedAt: Date.now(),
      ms: Date.now() - t0,
    };
    this.repo.safety(clipId, report);
    this.emit(clipId);
    this.afterCheck(clip, state);
    return { state };
  }

  private afterCheck(clip: Clip, state: SafetyState): void {
    const s = this.deps.store.settings.getAll();
    const auto = this.deps.autoPublish || s['publish.auto'];
    const row = this.repo.get(clip.id);
    if (auto && row?.decision === 'pending' && (state === 'ok' || state === 'warn')) {
      this.decide([clip.id], 'approved', { auto: true, publish: true });
      return;
    }
    this.readyLater(clip);
  }

  private readyLater(clip: Clip): void {
    const pending = this.readySoon.get(clip.sessionId);
    if (pending) {
      pending.ids.push(clip.id);
      return;
    }
    const timer = setTimeout(() => {
      this.readySoon.delete(clip.sessionId);
      const waiting = this.repo.list(clip.sessionId).filter((r) => r.decision === 'pending').length;
      this.deps.bus.emit('review.ready', {
        sessionId: clip.sessionId,
        clipIds: entry.ids,
        pending: waiting,
      });
    }, this.deps.notifyDelayMs ?? 1500);
    timer.unref?.();
    const entry = { ids: [clip.id], timer };
    this.readySoon.set(clip.sessionId, entry);
  }

  /** Publishing follows an approval; a refusal (a target gone, no file) is logged, not thrown. */
  private publish(clipId: string): void {
    const p = this.deps.publisher;
    if (!p) return;
    const targets = p.enabledTargets();
    try {
      if (targets.length) p.publish(clipId, targets);
    } catch (err) {
      this.deps.logger.warn('publishing an approved clip failed', {
        clip: clipId,
        error: (err as Error).message,
      });
    }
  }
}

/**
 * Drops hits lying inside a longer hit of the same text (加微 inside 加微信): one word, one
 * reason. A shorter hit of worse severity is kept.
 */
export function outermost(hits: readonly FieldHit[]): FieldHit[] {
  const rank = (h: FieldHit) => (h.severity === 'block' ? 2 : 1);
  return hits.filter(
    (h) =>
      !hits.some(
        (o) =>
          o !== h &&
          o.field === h.field &&
          o.captionIndex === h.captionIndex &&
          o.start <= h.start &&
          o.end >= h.end &&
          o.end - o.start > h.end - h.start &&
          rank(o) >= rank(h),
      ),
  );
}

function wordHit(h: FieldHit): SafetyWordHit {
  return {
    field: h.field,
    ...(h.captionIndex !== undefined ? { captionIndex: h.captionIndex } : {}),
    term: h.term,
    category: h.category,
    severity: h.severity,
    matched: h.matched,
    start: h.start,
    end: h.end,
  };
}
