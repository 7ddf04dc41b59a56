/**
 * Clips in the operator UI: a VTT-driven file session (paced as live) proposes highlights and the
 * engine renders each one's clip as the stream goes on. The row shows the render (a progress bar
 * while rendering, then ready); the preview plays the MP4 in a 9:16 player whose duration is the
 * highlight's window; the browser offers the file's path and a download (nothing to drag out of a
 * browser); a render still running is cancelled from its row; a re-render with a blurred
 * background (after trying the crop box over the highlight's still) completes as a second render.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG, makeClip, NO_FFMPEG } from '../src-main/testing/media';
import { expect, startFileSession, test } from './serve-fixture';

test.skip(!FFMPEG, NO_FFMPEG);

let dir: string;
let media: string;
let vtt: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-clips-'));
  media = makeClip(dir, 'sale', { seconds: 45, size: '320x240' });
  vtt = join(dir, 'sale.vtt');
  // A: a trigger at 2 s whose window closes on a sentence end by ~8 s. B: a trigger at 22 s with
  // no speech after it, so its window stays open until 12 s after the trigger (the post-roll
  // bound) and its render keeps waiting for media that arrives in real time: time to cancel it.
  writeFileSync(
    vtt,
    [
      'WEBVTT',
      '',
      '00:00.500 --> 00:01.500',
      '欢迎来到直播间',
      '',
      '00:02.000 --> 00:03.000',
      '最后三分钟!',
      '',
      '00:03.500 --> 00:05.000',
      '大家抓紧时间下单',
      '',
      '00:06.000 --> 00:07.500',
      '库存不多了',
      '',
      '00:22.000 --> 00:23.500',
      'This is the last call, folks',
      '',
    ].join('\n'),
  );
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Records every state each clip strip shows (and whether a progress bar was drawn). */
async function recordClipStates(page: import('@playwright/test').Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __clipTrail: Record<string, string[]> };
    w.__clipTrail = {};
    const scan = () => {
      for (const el of Array.from(
        document.querySelectorAll<HTMLElement>('[data-testid="clip-status"]'),
      )) {
        const id = el.dataset['highlightId'] ?? '';
        const trail = (w.__clipTrail[id] ??= []);
        const state = `${el.dataset['clipId']}:${el.dataset['state']}`;
        if (trail.at(-1) !== state) trail.push(state);
        if (el.querySelector('[data-testid="clip-progress"]') && !trail.includes('progress-bar'))
          trail.push('progress-bar');
      }
    };
    new MutationObserver(scan).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state', 'data-clip-id'],
    });
    scan();
  });
}

test('clips render per highlight, play in the preview, cancel, and re-render with blur', async ({
  page,
  served,
}) => {
  test.setTimeout(150_000);
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('language-select').selectOption('en');
  // The help lists the clip keys.
  await page.locator('body').press('Shift+?');
  const help = page.getByTestId('help-overlay');
  await expect(help.locator('[data-shortcut="clip-rerender"]')).toContainText('R');
  await expect(help.locator('[data-shortcut="clip-preview"]')).toContainText('C');
  await page.keyboard.press('Escape');
  await recordClipStates(page);

  await startFileSession(page, media, vtt, { realtime: true });

  const pane = page.getByTestId('pane-highlights');
  const rows = pane.getByTestId('highlight-row');
  const rowA = rows.filter({
    has: page.getByTestId('highlight-reason').getByText(/最后(三|3)分钟/),
  });
  await expect(rowA).toHaveCount(1, { timeout: 20_000 });
  const idA = (await rowA.getAttribute('data-id'))!;
  const stripA = pane.locator(`[data-testid="clip-status"][data-highlight-id="${idA}"]`);

  // The engine renders it on its own (clips.auto): ready once the window closed and was encoded.
  await expect(stripA).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  await expect(stripA).toHaveAttribute('data-clip-id', idA);
  await expect(rowA).toHaveAttribute('data-state', 'final');
  const trailA = await page.evaluate(
    (id) => (window as unknown as { __clipTrail: Record<string, string[]> }).__clipTrail[id],
    idA,
  );
  expect(trailA).toContain(`${idA}:rendering`);
  expect(trailA).toContain('progress-bar');
  expect(trailA?.at(-1)).toBe(`${idA}:ready`);

  // Play it: a 9:16 player with the MP4, as long as the highlight's window.
  const windowS =
    Number(await rowA.getAttribute('data-end')) - Number(await rowA.getAttribute('data-start'));
  await stripA.getByTestId('clip-play').click();
  const preview = pane.getByTestId('clip-preview');
  await expect(preview).toHaveAttribute('data-clip-id', idA);
  const video = preview.getByTestId('clip-video');
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(2);
  const duration = await video.evaluate((v: HTMLVideoElement) => v.duration);
  expect(Math.abs(duration - windowS)).toBeLessThan(0.5);
  const box = await video.boundingBox();
  expect(box!.height / box!.width).toBeCloseTo(16 / 9, 1);
  await video.evaluate((v: HTMLVideoElement) => {
    v.muted = true;
    return v.play();
  });
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 })
    .toBeGreaterThan(0);

  // In the browser: Reveal answers the path (to copy), the download link serves the MP4, and
  // there is no drag-out handle.
  await preview.getByTestId('clip-reveal').click();
  await expect(preview.getByTestId('clip-path')).toHaveValue(new RegExp(`${idA}\\.mp4$`));
  await expect(preview.getByTestId('clip-drag')).toHaveCount(0);
  const href = (await preview.getByTestId('clip-download').getAttribute('href'))!;
  expect(await preview.getByTestId('clip-download').getAttribute('download')).toBe(`${idA}.mp4`);
  const file = await page.request.get(new URL(href, served.origin).href);
  expect(file.status()).toBe(200);
  expect(file.headers()['content-type']).toBe('video/mp4');
  expect((await file.body()).subarray(4, 8).toString('latin1')).toBe('ftyp');

  // B's window is still open: its render waits for media; cancel it from its row.
  const rowB = rows.filter({ has: page.getByTestId('highlight-reason').getByText(/last call/i) });
  await expect(rowB).toHaveCount(1, { timeout: 30_000 });
  const idB = (await rowB.getAttribute('data-id'))!;
  const stripB = pane.locator(`[data-testid="clip-status"][data-highlight-id="${idB}"]`);
  await expect(stripB).toHaveAttribute('data-state', /^(queued|rendering)$/, { timeout: 10_000 });
  await stripB.getByTestId('clip-cancel').click();
  await expect(stripB).toHaveAttribute('data-state', 'cancelled');
  await expect(stripB.getByTestId('clip-retry')).toBeVisible();
  await expect(stripB.getByTestId('clip-cancel')).toHaveCount(0);

  // Re-render A: try the crop box over its still, then settle for a blurred background.
  await stripA.getByTestId('clip-rerender').click();
  const dialog = page.getByTestId('rerender-dialog');
  await dialog.getByTestId('rerender-mode-box').check();
  const still = dialog.getByTestId('crop-still');
  await expect
    .poll(() => still.evaluate((img: HTMLImageElement) => img.naturalWidth), { timeout: 15_000 })
    .toBeGreaterThan(0);
  const crop = dialog.getByTestId('crop-box');
  const x0 = Number(await crop.getAttribute('data-x'));
  const cb = (await crop.boundingBox())!;
  await page.mouse.move(cb.x + cb.width / 2, cb.y + cb.height / 2);
  await page.mouse.down();
  await page.mouse.move(cb.x + cb.width / 2 + 40, cb.y + cb.height / 2 + 200, { steps: 5 });
  await page.mouse.up();
  const moved = {
    x: Number(await crop.getAttribute('data-x')),
    y: Number(await crop.getAttribute('data-y')),
    w: Number(await crop.getAttribute('data-w')),
    h: Number(await crop.getAttribute('data-h')),
  };
  expect(moved.x).toBeGreaterThan(x0);
  // Full height for 9:16 on a 4:3 frame: it cannot move down, and stays inside.
  expect(moved.y).toBe(0);
  expect(moved.x + moved.w).toBeLessThanOrEqual(1);
  expect((moved.w * 320) / (moved.h * 240)).toBeCloseTo(9 / 16, 2);
  await dialog.getByTestId('rerender-mode-blur').check();
  await expect(dialog.getByTestId('crop-box')).toHaveCount(0);
  await dialog.getByTestId('rerender-submit').click();
  await expect(dialog).toHaveCount(0);
  await expect(stripA).toHaveAttribute('data-clip-id', `${idA}-r2`);
  await expect(stripA).toHaveAttribute('data-renders', '2');
  await expect(stripA).toHaveAttribute('data-state', 'ready', { timeout: 60_000 });
  expect(await stripA.getAttribute('title')).toContain('Blurred background');
  // The preview can switch between the two renders.
  await stripA.getByTestId('clip-play').click();
  await expect(preview).toHaveAttribute('data-clip-id', `${idA}-r2`);
  await expect(preview.getByTestId('clip-preview-render')).toHaveValue(`${idA}-r2`);
  await expect
    .poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 15_000 })
    .toBeGreaterThanOrEqual(2);
});
