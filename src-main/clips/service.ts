/**
 * Clips for highlights: every proposed highlight becomes a render job on the persistent queue
 * (manual marks first), and the running render is fed as the stream goes on — DVR segments as
 * they close, captions as utterances become final, the window's end when it closes — so the clip
 * is ready about as soon as the window is. Clips are the queue's render jobs seen through the
 * contract's `Clip` shape; `clip.upserted` follows every change.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  ApiError,
  type CaptionStyle,
  type Clip,
  type Highlight,
  type OutputPreset,
  type Reframe,
} from '../api/contract';
import type { EventBus } from '../api/events';
import type { IngestManager } from '../ingest/manager';
import { type JobQueue, type JobRecord, PermanentJobError } from '../jobs/types';
import type { Logger } from '../log/logger';
import { ClipRender, cleanupClipOutputs, type RenderResult } from '../render/clip-render';
import type { VideoEncoder } from '../render/encode';
import { TemplateCache, templateByName, type Watermark } from '../render/templates';
import type { Store } from '../store';

export const RENDER_KIND = 'render';
/** Manual marks jump the queue; detected highlights next; re-renders after them. */
export const PRIORITY = { manual: 0, detected: 10, rerender: 20 } as const;

export interface RenderPayload {
  clipId: string;
  /** The in point when the job was made (a nudge of it needs a new render). */
  start: number;
  highlightId: string;
  sessionId: string;
  output: OutputPreset;
  reframe: Reframe;
  captionStyle: CaptionStyle;
}

export interface RenderOutcome {
  /** Relative to the data directory. */
  file: string;
  durationS: number;
  bytes: number;
  encoder: string;
  latencyMs: number | null;
  start: number;
  end: number;
  timings: Record<string, number>;
}

export interface ClipServiceDeps {
  store: Store;
  bus: EventBus;
  logger: Logger;
  dataDir: string;
  queue: JobQueue;
  ingest: IngestManager;
  ffmpegPath: () => string | null;
  /** The video encoder to use (probed once by the caller). */
  encoder: () => Promise<VideoEncoder>;
  /**
   * Media time before which the session's captions are final: timed text → its released cues;
   * a recognizer → what it has committed; no transcript source → Infinity (none will come).
   */
  captionHorizon: (sessionId: string) => number;
  /** Where a session's clips go (default `<dataDir>/sessions/<id>/clips`). */
  clipsDir?: (sessionId: string) => string;
  /** Desktop: show a file in the OS file manager. */
  reveal?: (absPath: string) => boolean;
  /** The title, styling, caption corrections and tags a highlight's prompt gives its clip. */
  decorate?: (h: Highlight) => ClipDecoration;
}

export interface ClipDecoration {
  title: string | null;
  prompt: string;
  /** A punch-in zoom over a media-time range (price moments). */
  punchIn: { from: number; to: number; zoom: number } | null;
  /** Utterance seq → the operator's corrected caption text. */
  captionEdits: ReadonlyMap<number, string>;
  tags: string[];
}

export class ClipService {
  private readonly off: Array<() => void> = [];
  private templates: TemplateCache | null = null;

  constructor(private readonly deps: ClipServiceDeps) {
    deps.queue.register<RenderPayload, RenderOutcome>(
      RENDER_KIND,
      {
        run: (job, ctx) => this.renderJob(job, ctx.signal, ctx.progress),
        cleanup: (job) => this.cleanup(job.payload),
      },
      { concurrency: 1 },
    );
    this.off.push(
      deps.queue.on('changed', (job) => {
        if (job.kind === RENDER_KIND)
          deps.bus.emit(
            'clip.upserted',
            this.toClip(job as JobRecord<RenderPayload, RenderOutcome>),
          );
      }),
      deps.bus.on('highlight.upserted', (h) => this.onHighlight(h)),
    );
  }

  /** A session's clips, newest first. */
  list(sessionId: string): Clip[] {
    return this.jobs()
      .filter((j) => j.payload.sessionId === sessionId)
      .sort((a, b) => b.createdAt - a.createdAt)
      .map((j) => this.toClip(j));
  }

  get(clipId: string): Clip | null {
    const job = this.find(clipId);
    return job ? this.toClip(job) : null;
  }

  /** The queue's record of a clip's render (monitoring: queue and render times). */
  job(clipId: string): JobRecord<RenderPayload, RenderOutcome> | null {
    return this.find(clipId) ?? null;
  }

  /** Renders a highlight (again), with the settings' defaults for what is not given. */
  render(
    highlightId: string,
    opts: { reframe?: Reframe; captionStyle?: CaptionStyle; output?: OutputPreset } = {},
    priority: number = PRIORITY.rerender,
  ): Clip {
    const h = this.deps.store.highlights.get(highlightId);
    if (!h) throw new ApiError('not_found', `No highlight with id ${highlightId}`);
    const existing = this.jobs().filter((j) => j.payload.highlightId === highlightId);
    const clipId = existing.length === 0 ? h.id : `${h.id}-r${existing.length + 1}`;
    const s = this.deps.store.settings.getAll();
    const payload: RenderPayload = {
      clipId,
      start: h.start,
      highlightId: h.id,
      sessionId: h.sessionId,
      output: opts.output ?? s['clips.output'],
      reframe: opts.reframe ?? s['clips.reframe'],
      captionStyle: opts.captionStyle ?? s['clips.captionStyle'],
    };
    const job = this.deps.queue.enqueue(RENDER_KIND, payload, {
      priority,
      key: `render:${clipId}`,
      maxAttempts: 3,
    });
    return this.toClip(job as JobRecord<RenderPayload, RenderOutcome>);
  }

  cancel(clipId: string): Clip {
    const job = this.find(clipId);
    if (!job) throw new ApiError('not_found', `No clip with id ${clipId}`);
    const after = this.deps.queue.cancel(job.id) ?? job;
    return this.toClip(after as JobRecord<RenderPayload, RenderOutcome>);
  }

  reveal(clipId: string): { path: string; shown: boolean } {
    const abs = this.path(clipId);
    return { path: abs, shown: this.deps.reveal?.(abs) ?? false };
  }

  /** The ready clip's absolute path (clips.reveal, clips.drag). */
  path(clipId: string): string {
    const job = this.find(clipId);
    if (job?.state !== 'done' || !job.result)
      throw new ApiError('not_found', `Clip ${clipId} has no file yet`);
    return join(this.deps.dataDir, job.result.file);
  }

  /** Per-stage wall times of a finished render (ms). */
  timings(clipId: string): Record<string, number> {
    return this.find(clipId)?.result?.timings ?? {};
  }

  /** Resolves once no render job of the session is queued or running. */
  async settle(sessionId: string, timeoutMs = 10 * 60_000): Promise<void> {
    const busy = () =>
      this.deps.queue
        .list({ kind: RENDER_KIND, state: ['queued', 'running'], limit: 100_000 })
        .some((j) => (j.payload as RenderPayload).sessionId === sessionId);
    if (!busy()) return;
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error('clip rendering did not finish in time'));
      }, timeoutMs);
      const off = this.deps.queue.on('changed', (job) => {
        // Only a render leaving the queue can settle the session (not progress, not other kinds).
        if (job.kind !== RENDER_KIND || job.state === 'queued' || job.state === 'running') return;
        if (busy()) return;
        clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  close(): void {
    for (const f of this.off.splice(0)) f();
  }

  private onHighlight(h: Highlight): void {
    const s = this.deps.store.settings.getAll();
    const mine = this.jobs().filter((j) => j.payload.highlightId === h.id);
    if (h.review === 'dismissed') {
      for (const j of mine)
        if (j.state === 'queued' || j.state === 'running') this.deps.queue.cancel(j.id);
      return;
    }
    const latest = mine.sort((a, b) => b.createdAt - a.createdAt)[0];
    if (latest && this.moved(h, latest)) {
      // The operator moved the in/out points: the clip follows, with the same look.
      if (latest.state === 'queued' || latest.state === 'running')
        this.deps.queue.cancel(latest.id);
      const { reframe, captionStyle, output } = latest.payload;
      this.render(h.id, { reframe, captionStyle, output }, PRIORITY.manual);
      return;
    }
    if (mine.length > 0 || !s['clips.auto']) return;
    this.render(h.id, {}, h.category === 'manual' ? PRIORITY.manual : PRIORITY.detected);
  }

  /** A nudged highlight whose latest render covers another window. */
  private moved(h: Highlight, job: JobRecord<RenderPayload, RenderOutcome>): boolean {
    const nudged =
      Math.abs(h.start - h.detectedStart) > 0.01 || Math.abs(h.end - h.detectedEnd) > 0.01;
    if (!nudged || job.state === 'cancelled' || job.state === 'failed') return false;
    if (job.state === 'done' && job.result)
      return Math.abs(job.result.start - h.start) > 0.05 || Math.abs(job.result.end - h.end) > 0.05;
    // Queued or rendering: the end follows the highlight, a moved start needs a new render.
    return Math.abs((job.startedAt ? job.payload.start : h.start) - h.start) > 0.05;
  }

  private jobs(): Array<JobRecord<RenderPayload, RenderOutcome>> {
    return this.deps.queue.list({ kind: RENDER_KIND, limit: 100_000 }) as Array<
      JobRecord<RenderPayload, RenderOutcome>
    >;
  }

  /** One clip's render job, by its key (reading every render job was 6 ms with 500 of them). */
  private find(clipId: string): JobRecord<RenderPayload, RenderOutcome> | undefined {
    return this.deps.queue.list({ kind: RENDER_KIND, key: `render:${clipId}`, limit: 1 })[0] as
      JobRecord<RenderPayload, RenderOutcome> | undefined;
  }

  private clipsDir(sessionId: string): string {
    return (
      this.deps.clipsDir?.(sessionId) ?? join(this.deps.dataDir, 'sessions', sessionId, 'clips')
    );
  }

  private outFile(p: RenderPayload): string {
    return join(this.clipsDir(p.sessionId), `${p.clipId}.mp4`);
  }

  private cleanup(p: RenderPayload): void {
    cleanupClipOutputs(this.outFile(p));
  }

  private async renderJob(
    job: JobRecord<RenderPayload, RenderOutcome>,
    signal: AbortSignal,
    progress: (fraction: number) => void,
  ): Promise<RenderOutcome> {
    const p = job.payload;
    const { store, bus, ingest } = this.deps;
    const h = store.highlights.get(p.highlightId);
    if (!h) throw new Error(`highlight ${p.highlightId} no longer exists`);
    const ffmpeg = this.deps.ffmpegPath();
    if (!ffmpeg) throw new Error('ffmpeg was not found: clips cannot be rendered');
    const out = this.outFile(p);
    mkdirSync(this.clipsDir(p.sessionId), { recursive: true });
    this.cleanup(p);
    const s = store.settings.getAll();
    const sessionDir = join(this.deps.dataDir, 'sessions', p.sessionId);
    const cards = await this.templateCards(p, signal);
    const deco = this.deps.decorate?.(h) ?? null;
    const r = new ClipRender({
      id: p.clipId,
      outFile: out,
      sessionDir,
      start: h.start,
      output: p.output,
      reframe: p.reframe,
      captions: p.captionStyle === 'none' ? null : { style: p.captionStyle },
      title: deco?.title ?? null,
      punchIn: deco?.punchIn ?? null,
      watermark: s['clips.watermark']
        ? { file: s['clips.watermark'], corner: 'top-right', opacity: 0.8 }
        : cards.watermark,
      intro: cards.intro,
      outro: cards.outro,
      metadata: {
        title: h.text.slice(0, 120) || h.id,
        comment: `LiveSlice session ${p.sessionId}, ${h.start.toFixed(2)}–${h.end.toFixed(2)} s`,
        copyright: s['clips.copyright'],
        keywords: h.reasons.map((x) => x.entryId ?? x.kind).join(','),
        tags: deco?.tags ?? [],
        description: deco?.prompt || null,
      },
      loudness: { I: -14, TP: -1.5, LRA: 11 },
      encoder: await this.deps.encoder(),
      ffmpeg,
      signal,
      onProgress: (x) => {
        if (x.fraction !== null) progress(x.fraction);
      },
    });
    const unsub: Array<() => void> = [];
    const live = () => {
      const st = ingest.status(p.sessionId).state;
      return st !== 'ended' && st !== 'failed';
    };
    // Captions so far: the window's final utterances, read incrementally.
    const known: Array<{ start: number; end: number; text: string }> = [];
    let lastSeq = -1;
    const cues = () => {
      for (const u of store.transcript.list(p.sessionId, lastSeq, 100_000)) {
        lastSeq = u.seq;
        if (u.end > h.start - 1)
          known.push({ start: u.start, end: u.end, text: deco?.captionEdits.get(u.seq) ?? u.text });
      }
      return known;
    };
    let horizon = -Infinity;
    // While the window is open its end can only grow: encode no further than the provisional
    // end, so nothing already encoded lies past the end it closes at.
    let provisionalEnd = h.end;
    const feedCaptions = (force = false) => {
      const hz =
        force || !live()
          ? Infinity
          : Math.min(this.deps.captionHorizon(p.sessionId), provisionalEnd);
      if (hz > horizon) {
        horizon = hz;
        r.transcriptFinalUpTo(hz, cues());
      }
    };
    try {
      r.segments(store.dvr.segments(p.sessionId));
      feedCaptions();
      unsub.push(
        bus.on('transcript.utterance', (u) => {
          if (u.sessionId === p.sessionId) feedCaptions();
        }),
        ingest.onSegment((seg) => {
          if (seg.sessionId !== p.sessionId) return;
          const row = store.dvr.lastSegment(p.sessionId);
          r.segments(
            row?.seq === seg.seq
              ? [row]
              : store.dvr.segments(p.sessionId).filter((x) => x.seq === seg.seq),
          );
          feedCaptions();
        }),
      );
      const applyEnd = (x: Highlight) => {
        if (!live()) r.noMoreSegments(); // the window is clamped to what was recorded
        if (x.state === 'final' || !live()) {
          feedCaptions(true);
          r.setEnd(x.end);
        }
      };
      unsub.push(
        bus.on('highlight.upserted', (x) => {
          if (x.id !== h.id) return;
          provisionalEnd = Math.max(provisionalEnd, x.end);
          applyEnd(x);
          feedCaptions();
        }),
        bus.on('ingest.status', (st) => {
          if (st.sessionId === p.sessionId && (st.state === 'ended' || st.state === 'failed'))
            applyEnd(store.highlights.get(h.id) ?? h);
        }),
      );
      applyEnd(store.highlights.get(h.id) ?? h);
      const result: RenderResult = await r.done;
      return {
        file: relative(this.deps.dataDir, result.file).split('\\').join('/'),
        durationS: result.durationS,
        bytes: result.bytes ?? statSync(result.file).size,
        encoder: result.encoder,
        latencyMs: this.latency(p.sessionId, result.window.end, result.readyAt),
        start: result.window.start,
        end: result.window.end,
        timings: result.timings,
      };
    } finally {
      for (const f of unsub) f();
    }
  }

  /**
   * The branded intro/outro (and overlay) of the configured template, made once and cached; with
   * a product set, its name, price and image on the cards. None when no template is set.
   */
  private async templateCards(
    p: RenderPayload,
    signal: AbortSignal,
  ): Promise<{ intro: string | null; outro: string | null; watermark: Watermark | null }> {
    const s = this.deps.store.settings.getAll();
    const name = s['clips.template'];
    const ffmpeg = this.deps.ffmpegPath();
    if (name === null || !ffmpeg) return { intro: null, outro: null, watermark: null };
    const t = templateByName(this.deps.dataDir, name);
    if (t.template.output !== p.output)
      throw new PermanentJobError(
        `Template "${name}" is made for ${t.template.output}, the clip is ${p.output}`,
      );
    this.templates ??= new TemplateCache({ dataDir: this.deps.dataDir, ffmpeg });
    const product = s['clips.product'];
    if (product) {
      const c = await this.templates.compose(
        t,
        { name: product.name, price: product.price, image: product.image },
        { signal },
      );
      return { intro: c.intro, outro: c.outro, watermark: c.watermark };
    }
    const prep = await this.templates.prepare(t, { signal });
    return {
      intro: prep.intro?.file ?? null,
      outro: prep.outro?.file ?? null,
      watermark: prep.watermark,
    };
  }

  /** Wall ms from the ingest receiving the media at `end` to `readyAt`. */
  private latency(sessionId: string, end: number, readyAt: number): number | null {
    const seg = this.deps.store.dvr
      .segments(sessionId)
      .find((s) => s.media_start <= end && end <= s.media_start + s.duration + 1e-6);
    if (!seg) return null;
    const frac = seg.duration > 0 ? (end - seg.media_start) / seg.duration : 1;
    const receivedAt = seg.wall_start + frac * (seg.wall_end - seg.wall_start);
    return Math.max(0, Math.round(readyAt - receivedAt));
  }

  private toClip(j: JobRecord<RenderPayload, RenderOutcome>): Clip {
    const h = this.deps.store.highlights.get(j.payload.highlightId);
    const state = (
      {
        queued: 'queued',
        running: 'rendering',
        done: 'ready',
        failed: 'failed',
        cancelled: 'cancelled',
      } as const
    )[j.state];
    return {
      id: j.payload.clipId,
      highlightId: j.payload.highlightId,
      sessionId: j.payload.sessionId,
      state,
      progress: j.state === 'running' ? (j.progress ?? 0) : j.state === 'done' ? 1 : null,
      file: j.result?.file ?? null,
      start: j.result?.start ?? h?.start ?? 0,
      end: j.result?.end ?? h?.end ?? 0,
      output: j.payload.output,
      reframe: j.payload.reframe,
      captionStyle: j.payload.captionStyle,
      durationS: j.result?.durationS ?? null,
      bytes: j.result?.bytes ?? null,
      encoder: j.result?.encoder ?? null,
      latencyMs: j.result?.latencyMs ?? null,
      error: j.error,
      createdAt: j.createdAt,
      updatedAt: j.updatedAt,
    };
  }
}
