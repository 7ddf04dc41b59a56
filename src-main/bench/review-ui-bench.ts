/**
 * The review queue with 500 clips in a real browser: a data directory seeded through the
 * engine's own repos and queue (500 highlights, 500 finished renders sharing one small MP4, each
 * checked safe), `liveslice serve` on 127.0.0.1, Chromium (Debian's, or CHROMIUM_PATH) driven by
 * Playwright. Figures: the queue's first paint after picking the session, and interaction
 * latency — keydown to the next frame painted after the DOM changed — for J (move) and A
 * (approve: a round trip to the engine and back as review.upserted).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RENDER_KIND, type RenderOutcome, type RenderPayload } from '../clips/service';
import { resolveFfmpeg } from '../ffmpeg/resolve';
import { SqliteJobQueue } from '../jobs';
import { createLogger } from '../log/logger';
import { reviewRepo } from '../review/repo';
import { openStore } from '../store';
import { freePort } from '../testing/ports';
import { percentile, round } from './stats';

const ROOT = join(__dirname, '..', '..');

export async function seedForProfile(dataDir: string, n: number, ffmpeg: string): Promise<string> {
  return seed(dataDir, n, ffmpeg);
}

async function seed(dataDir: string, n: number, ffmpeg: string): Promise<string> {
  const store = openStore(dataDir);
  try {
    store.settings.set({ key: 'ingest.rtmpPort', value: await freePort() });
    store.settings.set({ key: 'ingest.srtPort', value: await freePort() });
    const session = store.sessions.create('Bench: 500 clips', { kind: 'none', uri: null });
    store.sessions.setStatus(session.id, 'ended');
    const clipsDir = join(dataDir, 'sessions', session.id, 'clips');
    mkdirSync(clipsDir, { recursive: true });
    execFileSync(ffmpeg, [
      ...['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i'],
      ...['testsrc2=size=360x640:rate=15', '-t', '2', '-pix_fmt', 'yuv420p', '-y'],
      join(clipsDir, 'shared.mp4'),
    ]);
    const file = `sessions/${session.id}/clips/shared.mp4`;
    const queue = new SqliteJobQueue(store.db, { logger: createLogger({ console: false }) });
    queue.register<RenderPayload, RenderOutcome>(
      RENDER_KIND,
      {
        run: async (job) => ({
          file,
          durationS: 2,
          bytes: 50_000,
          encoder: 'libx264',
          latencyMs: 900 + (job.payload.start % 7) * 50,
          start: job.payload.start,
          end: job.payload.start + 12,
          timings: { firstPieceMs: 300, lastPieceMs: 200, muxMs: 50, totalMs: 800 },
        }),
      },
      { concurrency: 8 },
    );
    const reviews = reviewRepo(store.db);
    for (let i = 1; i <= n; i++) {
      const id = `${session.id}-h${i}`;
      const start = i * 20;
      store.highlights.upsert({
        id,
        sessionId: session.id,
        n: i,
        start,
        end: start + 12,
        score: ((i * 37) % 100) / 100,
        reasons: [{ kind: 'trigger', text: '全场五折', at: start + 3, weight: 1 }],
        text: `全场五折！第 ${i} 个高光，这款面霜很好用`,
        category: 'price',
        state: 'final',
        delayMs: 5,
      });
      queue.enqueue<RenderPayload>(
        RENDER_KIND,
        {
          clipId: id,
          start,
          highlightId: id,
          sessionId: session.id,
          output: '720x1280',
          reframe: { mode: 'center' },
          captionStyle: 'bold',
        },
        { key: `render:${id}` },
      );
    }
    queue.start();
    while (queue.stats().queued + queue.stats().running > 0)
      await new Promise((r) => setTimeout(r, 20));
    await queue.stop();
    for (let i = 1; i <= n; i++) {
      const clip = { clipId: `${session.id}-h${i}`, highlightId: `${session.id}-h${i}` };
      reviews.ensure({ ...clip, sessionId: session.id }, '小美直播间高光', '面霜', false);
      reviews.safety(clip.clipId, {
        state: 'ok',
        reasons: [],
        words: [],
        image: null,
        checkedAt: Date.now(),
        ms: 40,
      });
      reviews.quality(clip.clipId, ((i * 37) % 100) / 100);
    }
    return session.id;
  } finally {
    store.close();
  }
}

async function serve(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'src-main', 'cli', 'bin.cjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    { env: { ...process.env, LANG: 'en_US.UTF-8' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL:\n${out}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
  return { child, url };
}

function chromiumPath(): string | undefined {
  return (
    process.env['CHROMIUM_PATH'] ??
    (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined)
  );
}

/** Keydown → the first frame painted after the watched attribute changed, ms. */
const INSTRUMENT = `(() => {
  const w = window;
  w.__lat = [];
  w.__k = 0;
  document.addEventListener('keydown', () => { w.__k = performance.now(); }, true);
  const list = document.querySelector('[data-testid=review-list]');
  new MutationObserver(() => {
    const k = w.__k;
    if (!k) return;
    w.__k = 0;
    requestAnimationFrame(() => setTimeout(() => w.__lat.push(performance.now() - k), 0));
  }).observe(list, { subtree: true, attributes: true, attributeFilter: ['aria-current', 'data-decision'] });
})()`;

export async function benchReviewUi(opts: { clips: number }): Promise<unknown> {
  const ff = resolveFfmpeg({});
  if (!ff.found) return { skipped: ff.message };
  const exe = chromiumPath();
  // A dev dependency, loaded from node_modules at run time (not bundled into out/main).
  const playwright = '@playwright/test';
  const { chromium } = (await import(
    /* @vite-ignore */ playwright
  )) as typeof import('@playwright/test');
  const dir = mkdtempSync(join(tmpdir(), 'liveslice-bench-review-ui-'));
  let child: ChildProcess | null = null;
  const browser = await chromium.launch({
    ...(exe ? { executablePath: exe } : {}),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  try {
    const dataDir = join(dir, 'data');
    const t0 = performance.now();
    await seed(dataDir, opts.clips, ff.path);
    const seedMs = performance.now() - t0;
    const served = await serve(dataDir);
    child = served.child;
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(served.url);
    await page.getByTestId('session-item').first().waitFor();
    const t1 = performance.now();
    await page.getByTestId('session-item').first().click();
    await page.getByTestId('review-row').first().waitFor({ timeout: 60_000 });
    const firstPaintMs = performance.now() - t1;
    const rendered = await page.getByTestId('review-row').count();
    await page.evaluate(INSTRUMENT);
    await page.getByTestId('review-row').first().click();
    await page.evaluate(() => (globalThis as unknown as { __lat: number[] }).__lat.splice(0));
    // Functions, not strings: they run in the page, where the CSP bars string evaluation.
    const measure = async (key: string, times: number): Promise<number[]> => {
      await page.evaluate(() => (globalThis as unknown as { __lat: number[] }).__lat.splice(0));
      for (let i = 0; i < times; i++) {
        await page.keyboard.press(key);
        await page.waitForFunction(
          (n) => (globalThis as unknown as { __lat: number[] }).__lat.length >= n,
          i + 1,
          { timeout: 10_000 },
        );
      }
      return page.evaluate(() => [...(globalThis as unknown as { __lat: number[] }).__lat]);
    };
    const move = await measure('j', 60);
    // Approve then move on, so each A lands on a pending clip.
    const approve: number[] = [];
    for (let i = 0; i < 20; i++) {
      approve.push(...(await measure('a', 1)));
      await measure('j', 1);
    }
    const stat = (xs: number[]) => ({
      p50: round(percentile(xs, 50)),
      p95: round(percentile(xs, 95)),
      max: round(Math.max(...xs)),
      n: xs.length,
    });
    return {
      clips: opts.clips,
      browser: exe ?? 'playwright chromium',
      seed_ms: round(seedMs),
      queue_first_paint_ms: round(firstPaintMs),
      rows_in_dom: rendered,
      keydown_to_paint_ms: {
        move_j: stat(move),
        approve_a: stat(approve),
        target: 'p95 < 100 ms (feels instant)',
      },
    };
  } finally {
    await browser.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
