/** A push from "OBS" (ffmpeg) plays in the operator UI's live preview, with its real status. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exited, FFMPEG, kill, makeClip, NO_FFMPEG, publish } from '../src-main/testing/media';
import { expect, test } from './serve-fixture';

test.skip(!FFMPEG, NO_FFMPEG);

let dir: string;
let clip: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-media-'));
  clip = makeClip(dir, 'push', { seconds: 4, size: '320x240' });
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('an RTMP push plays in the live preview and the status shows its resolution', async ({
  page,
  served,
}) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('source-tab-rtmp').click();
  await expect(page.getByTestId('rtmp-listening')).toHaveAttribute('data-listening', 'true');
  const server = await page.getByTestId('rtmp-server-url').inputValue();
  const key = await page.getByTestId('rtmp-stream-key').inputValue();
  expect(server).toMatch(/^rtmp:\/\/127\.0\.0\.1:\d+\/live$/);
  expect(key).toMatch(/^[a-z0-9]{20}$/);

  await page.getByTestId('rtmp-start').click();
  await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'waiting');

  // A wrong key is refused and changes nothing.
  const wrong = publish(clip, `${server}/wrong-key`);
  expect(await exited(wrong)).not.toBe(0);
  await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'waiting');

  const pub = publish(clip, `${server}/${key}`, { loop: true });
  try {
    await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'live', {
      timeout: 20_000,
    });
    await expect(page.getByTestId('ingest-resolution')).toHaveText(/320\s*×\s*240/);
    const video = page.getByTestId('live-video');
    const time = () => video.evaluate((v) => (v as HTMLVideoElement).currentTime);
    await expect.poll(time, { timeout: 30_000 }).toBeGreaterThan(0.5);
    const t1 = await time();
    await expect.poll(time, { timeout: 15_000 }).toBeGreaterThan(t1 + 1);
    // The loudness waveform is drawn under the player.
    await expect(page.getByTestId('waveform')).toBeVisible();
  } finally {
    await kill(pub);
  }
  await page.getByTestId('stop-ingest').click();
  await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'ended', {
    timeout: 15_000,
  });
});
