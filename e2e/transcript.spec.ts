/** A file replay with a WebVTT transcript: the timeline shows its lines, and a click seeks the player. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG, makeClip, NO_FFMPEG } from '../src-main/testing/media';
import { expect, startFileSession, test } from './serve-fixture';

test.skip(!FFMPEG, NO_FFMPEG);

let dir: string;
let clip: string;
let vtt: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-vtt-'));
  clip = makeClip(dir, 'replay', { seconds: 8, size: '320x240' });
  vtt = join(dir, 'replay.vtt');
  writeFileSync(
    vtt,
    'WEBVTT\n\n00:00.500 --> 00:01.500\n欢迎来到直播间\n\n00:02.000 --> 00:03.000\n<b>最后三分钟!</b> Last call\n\n00:05.000 --> 00:06.500\n全场五折 <script>alert(1)</script>\n',
  );
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the timeline shows a VTT-driven session and clicking a line seeks the player', async ({
  page,
  served,
}) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await startFileSession(page, clip, vtt, { realtime: false });

  const lines = page.getByTestId('transcript-line');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(1)).toContainText('最后三分钟! Last call');
  // Hostile text is shown as text, never run.
  await expect(lines.nth(2)).toContainText('全场五折 alert(1)');

  const video = page.getByTestId('live-video');
  await expect
    .poll(() => video.evaluate((v) => (v as HTMLVideoElement).readyState), { timeout: 20_000 })
    .toBeGreaterThan(0);
  await lines.nth(2).click();
  await expect
    .poll(() => video.evaluate((v) => (v as HTMLVideoElement).currentTime), { timeout: 10_000 })
    .toBeGreaterThanOrEqual(4.9);
  expect(await video.evaluate((v) => (v as HTMLVideoElement).currentTime)).toBeLessThan(6.5);

  // Search highlights the match.
  await page.getByTestId('transcript-search').fill('LAST');
  await expect(page.locator('[data-testid="transcript-line"] mark')).toHaveText(['Last']);
});
