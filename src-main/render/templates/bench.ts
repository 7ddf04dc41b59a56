/**
 * The template compose benchmark (issue #6 target: a compose in under 3 s on 2 cores). Prepares the
 * built-in template in a fresh data dir, composes several products (each a cache miss), and joins a
 * composed intro/outro with a 10 s body by stream copy.
 */
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveFfmpeg } from '../../ffmpeg/resolve';
import { RENDER_THREADS } from '../encode';
import { TemplateCache } from './cache';
import { composeClip } from './concat';
import { makeBody, makeProductImage } from './fixtures';
import { builtInTemplate } from './schema';

export interface ComposeBench {
  /** Cold prepare of the built-in template (base intro + outro + logo). */
  prepareMs: number;
  /** Composing one product (intro + outro pieces), each a cache miss. */
  composeMs: { p50: number; max: number };
  /** The same product again (a cache hit). */
  composeCachedMs: number;
  /** intro + 10 s body + outro by stream copy, ffprobe check included. */
  concatMs: number;
  samples: number;
  threads: number;
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

const round = (n: number): number => Math.round(n);

export async function benchCompose(
  opts: { samples?: number; ffmpeg?: string } = {},
): Promise<ComposeBench> {
  let ffmpeg = opts.ffmpeg;
  if (ffmpeg === undefined) {
    const r = resolveFfmpeg();
    if (!r.found) throw new Error(r.message);
    ffmpeg = r.path;
  }
  const samples = Math.max(1, opts.samples ?? 5);
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'liveslice-compose-bench-'));
  try {
    const image = path.join(dir, 'product.png');
    await makeProductImage(ffmpeg, image);
    const body = path.join(dir, 'body.mp4');
    await makeBody(ffmpeg, body, { seconds: 10 });
    const cache = new TemplateCache({ dataDir: path.join(dir, 'data'), ffmpeg });
    const template = builtInTemplate();

    let t0 = performance.now();
    await cache.prepare(template);
    const prepareMs = performance.now() - t0;

    const times: number[] = [];
    let last = null as Awaited<ReturnType<TemplateCache['compose']>> | null;
    for (let i = 0; i < samples; i++) {
      t0 = performance.now();
      last = await cache.compose(template, {
        name: `限时特价 Product ${i} — 100% cotton, "limited"`,
        price: `¥${99 + i}.00`,
        image,
      });
      times.push(performance.now() - t0);
    }
    t0 = performance.now();
    await cache.compose(template, {
      name: `限时特价 Product 0 — 100% cotton, "limited"`,
      price: '¥99.00',
      image,
    });
    const composeCachedMs = performance.now() - t0;

    t0 = performance.now();
    await composeClip({
      ffmpeg,
      body,
      intro: last!.intro,
      outro: last!.outro,
      out: path.join(dir, 'clip.mp4'),
    });
    const concatMs = performance.now() - t0;
    return {
      prepareMs: round(prepareMs),
      composeMs: { p50: round(pct(times, 50)), max: round(Math.max(...times)) },
      composeCachedMs: round(composeCachedMs),
      concatMs: round(concatMs),
      samples,
      threads: RENDER_THREADS,
    };
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
