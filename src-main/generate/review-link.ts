/**
 * Where generation meets the rest of the engine: the installed text-to-video models, and a
 * generation seen as a review-queue clip (AI-labelled, listed next to the highlight's stream
 * clip, never replacing it).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clip, Generation, OutputPreset } from '../api/contract';
import type { Store } from '../store';
import type { GenerationModel } from './service';

/**
 * Text-to-video models: each `<dataDir>/models/<id>` holding a T2V manifest.json (imported by the
 * user), then the built-in tiny test model when running from a checkout (models/tiny-t2v; it
 * proves the pipeline, its pictures mean nothing, and packaged apps do not ship it).
 */
export function generationModels(dataDir: string): GenerationModel[] {
  const out: GenerationModel[] = [];
  const root = join(dataDir, 'models');
  if (existsSync(root))
    for (const id of readdirSync(root).sort()) {
      const dir = join(root, id);
      if (isT2vDir(dir)) out.push({ id, dir });
    }
  for (const dir of [
    join(__dirname, '..', '..', 'models', 'tiny-t2v'), // out/main or src-main/generate
    join(__dirname, '..', '..', '..', 'models', 'tiny-t2v'), // out/main/chunks
  ])
    if (isT2vDir(dir) && !out.some((m) => m.id === 'tiny-t2v')) out.push({ id: 'tiny-t2v', dir });
  return out;
}

function isT2vDir(dir: string): boolean {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return false;
  // ASR models have their files in the app manifest, not a manifest.json with a family.
  return existsSync(join(dir, 'tokenizer.json'));
}

/** The output preset nearest a generated size (the real size is in the generation). */
function nearestPreset(size: string): OutputPreset {
  const [w, h] = size.split('x').map(Number);
  return Math.max(w ?? 0, h ?? 0) > 1280 ? '1080x1920' : '720x1280';
}

const STATE: Record<Generation['state'], Clip['state']> = {
  queued: 'queued',
  loading: 'rendering',
  running: 'rendering',
  decoding: 'rendering',
  encoding: 'rendering',
  done: 'ready',
  failed: 'failed',
  cancelled: 'cancelled',
};

/** A highlight's generation as a review clip; null for one not made from a highlight (the CLI). */
export function generationClip(g: Generation, store: Store): Clip | null {
  if (!g.highlightId || !g.sessionId) return null;
  const h = store.highlights.get(g.highlightId);
  if (!h) return null;
  return {
    id: g.id,
    highlightId: g.highlightId,
    sessionId: g.sessionId,
    state: STATE[g.state],
    progress: g.progress,
    file: g.state === 'done' ? g.file : null,
    start: h.start,
    end: h.end,
    output: nearestPreset(g.size),
    reframe: { mode: 'center' },
    captionStyle: 'none',
    durationS: g.state === 'done' ? g.frames / g.fps : null,
    bytes: null,
    encoder: g.provider ? `t2v:${g.provider}` : null,
    latencyMs: null,
    error: g.error,
    createdAt: g.createdAt,
    updatedAt: g.updatedAt,
  };
}
