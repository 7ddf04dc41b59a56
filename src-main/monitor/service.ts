/**
 * Monitoring: one record per clip (prompt, latency of each stage, engine, result, quality,
 * safety and the operator's decision), built from what the stages already store; and the
 * engine's pulse — queue depth per job kind and clips ready / published per second — sampled
 * once a second into a ten-minute ring and sent as `monitor.sample` while anything moves.
 */
import type { MonitorRecord, MonitorSample, ReviewItem } from '../api/contract';
import type { EventBus } from '../api/events';
import type { JobQueue, JobRecord } from '../jobs/types';

export interface MonitorDeps {
  bus: EventBus;
  queue: JobQueue;
  sessions: () => string[];
  items: (sessionId: string) => ReviewItem[];
  /** The queue record of a clip's render. */
  renderJob: (clipId: string) => JobRecord | null;
  /** Sampling period (ms); 0 = no timer (tests call sample()). */
  periodMs?: number;
}

const RING = 600;

export const CSV_COLUMNS = [
  'clip_id',
  'highlight_id',
  'session_id',
  'created_at',
  'engine',
  'encoder',
  'result',
  'quality',
  'decision',
  'safety',
  'detect_ms',
  'queue_ms',
  'render_ms',
  'safety_ms',
  'publish_ms',
  'moment_to_clip_ms',
  'published',
  'prompt',
] as const;

/** One CSV field: quoted when needed; a leading = + - @ is defused (spreadsheet formulas). */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function recordsToCsv(records: readonly MonitorRecord[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of records)
    lines.push(
      [
        r.clipId,
        r.highlightId,
        r.sessionId,
        new Date(r.createdAt).toISOString(),
        r.engine,
        r.encoder,
        r.result,
        r.quality,
        r.decision,
        r.safety,
        r.stages.detectMs,
        r.stages.queueMs,
        r.stages.renderMs,
        r.stages.safetyMs,
        r.stages.publishMs,
        r.stages.momentToClipMs,
        r.published.join(' '),
        r.prompt,
      ]
        .map(csvField)
        .join(','),
    );
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export class MonitorService {
  private readonly ring: MonitorSample[] = [];
  private ready = 0;
  private published = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly off: Array<() => void> = [];
  private lastBusy = false;

  constructor(private readonly deps: MonitorDeps) {
    const seenReady = new Set<string>();
    const seenPublished = new Set<string>();
    this.off.push(
      deps.bus.on('clip.upserted', (c) => {
        if (c.state === 'ready' && !seenReady.has(c.id)) {
          seenReady.add(c.id);
          this.ready++;
        }
      }),
      deps.bus.on('publish.upserted', (p) => {
        const k = `${p.clipId}:${p.targetId}`;
        if (p.state === 'done' && !seenPublished.has(k)) {
          seenPublished.add(k);
          this.published++;
        }
      }),
    );
    const period = deps.periodMs ?? 1000;
    if (period > 0) {
      this.timer = setInterval(() => this.sample(), period);
      this.timer.unref();
    }
  }

  /** Takes one sample (the timer calls this each second); emits it unless all is idle. */
  sample(now = Date.now()): MonitorSample {
    const stats = this.deps.queue.stats();
    const queues: MonitorSample['queues'] = {};
    for (const [kind, q] of Object.entries(stats.byKind)) queues[kind] = { ...q };
    const s: MonitorSample = { at: now, queues, ready: this.ready, published: this.published };
    this.ready = 0;
    this.published = 0;
    this.ring.push(s);
    if (this.ring.length > RING) this.ring.splice(0, this.ring.length - RING);
    const busy = stats.queued + stats.running + s.ready + s.published > 0;
    // One idle sample after activity so charts drop to zero, then silence.
    if (busy || this.lastBusy) this.deps.bus.emit('monitor.sample', s);
    this.lastBusy = busy;
    return s;
  }

  samples(): MonitorSample[] {
    return [...this.ring];
  }

  records(sessionId?: string, limit = 5000): MonitorRecord[] {
    const sessions = sessionId ? [sessionId] : this.deps.sessions();
    const out: MonitorRecord[] = [];
    for (const sid of sessions) {
      for (const item of this.deps.items(sid)) {
        out.push(this.record(item));
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  export(
    format: 'csv' | 'json',
    sessionId?: string,
  ): { filename: string; mime: string; text: string } {
    const records = this.records(sessionId, 50_000);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const base = `liveslice-monitor-${sessionId ?? 'all'}-${stamp}`;
    return format === 'csv'
      ? { filename: `${base}.csv`, mime: 'text/csv', text: recordsToCsv(records) }
      : {
          filename: `${base}.json`,
          mime: 'application/json',
          text: JSON.stringify({ records }, null, 2),
        };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const f of this.off.splice(0)) f();
  }

  private record(item: ReviewItem): MonitorRecord {
    const { clip, highlight: h } = item;
    const job = this.deps.renderJob(clip.id);
    const queueMs = job?.startedAt ? Math.max(0, job.startedAt - job.createdAt) : null;
    const renderMs =
      job?.startedAt && job.finishedAt && job.state === 'done'
        ? job.finishedAt - job.startedAt
        : null;
    const done = item.publications.filter((p) => p.state === 'done');
    const publishMs =
      done.length > 0 && item.decidedAt !== null
        ? Math.max(0, Math.max(...done.map((p) => p.updatedAt)) - item.decidedAt)
        : null;
    return {
      clipId: clip.id,
      highlightId: h.id,
      sessionId: clip.sessionId,
      createdAt: clip.createdAt,
      engine: item.aiGenerated ? 'generation' : 'clip',
      encoder: clip.encoder,
      prompt: item.prompt?.text ?? '',
      result: clip.state,
      quality: item.quality,
      decision: item.decision,
      safety: item.safety.state,
      stages: {
        detectMs: h.delayMs,
        queueMs,
        renderMs,
        safetyMs: item.safety.ms,
        publishMs,
        momentToClipMs: clip.latencyMs,
      },
      published: done.map((p) => p.targetId),
    };
  }
}
