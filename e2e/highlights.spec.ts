/**
 * Highlights in the operator UI: a VTT-driven file session (paced as live) produces highlights
 * with their reasons in the list and on the lane; the keyboard accepts one; M marks the live
 * moment; a lexicon file with a duplicate entry is refused, naming the entry.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG, makeClip, NO_FFMPEG } from '../src-main/testing/media';
import { expect, startFileSession, test } from './serve-fixture';

test.skip(!FFMPEG, NO_FFMPEG);

let dir: string;
let clip: string;
let vtt: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-hl-'));
  clip = makeClip(dir, 'sale', { seconds: 40, size: '320x240' });
  vtt = join(dir, 'sale.vtt');
  // Triggers far enough apart (> the 5 s merge gap) to be three highlights.
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
      '00:12.000 --> 00:13.000',
      '全场五折',
      '',
      '00:13.500 --> 00:15.000',
      '今天就这一次',
      '',
      '00:22.000 --> 00:23.500',
      'This is the last call, folks',
      '',
      '00:24.000 --> 00:25.000',
      'see you next time',
      '',
    ].join('\n'),
  );
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a VTT session proposes highlights; the keyboard accepts and marks; a bad lexicon is refused', async ({
  page,
  served,
}) => {
  test.setTimeout(90_000);
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('language-select').selectOption('en');
  // The shortcut help lists the highlight keys.
  await page.locator('body').press('Shift+?');
  await expect(page.getByTestId('help-overlay').locator('[data-shortcut="mark"]')).toContainText(
    'Clip that!',
  );
  await expect(
    page.getByTestId('help-overlay').locator('[data-shortcut="highlight-in-earlier"]'),
  ).toContainText('0.5 s');
  await page.keyboard.press('Escape');
  await startFileSession(page, clip, vtt, { realtime: true });

  const pane = page.getByTestId('pane-highlights');
  const rows = pane.getByTestId('highlight-row');
  const urgency = rows.filter({
    has: page.getByTestId('highlight-reason').getByText(/最后(三|3)分钟/),
  });
  await expect(urgency).toHaveCount(1, { timeout: 20_000 });
  await expect(urgency.getByTestId('highlight-reason').first()).toHaveAttribute(
    'data-kind',
    'trigger',
  );
  await expect(urgency.getByTestId('highlight-category')).toHaveText('Urgency');
  // Its still comes from the DVR (a JPEG served from the data directory).
  const thumb = urgency.getByTestId('highlight-thumb');
  await expect(thumb).toHaveAttribute('data-status', 'ready', { timeout: 20_000 });
  await expect
    .poll(() => thumb.evaluate((img) => (img as HTMLImageElement).naturalWidth), {
      timeout: 10_000,
    })
    .toBeGreaterThan(0);
  await expect(page.getByTestId('highlight-lane').getByTestId('highlight-band')).not.toHaveCount(0);

  // The keyboard: J selects the first highlight, A accepts it.
  await page.keyboard.press('Alt+3');
  await expect(pane).toBeFocused();
  await page.keyboard.press('j');
  await expect(urgency).toHaveAttribute('aria-current', 'true');
  await page.keyboard.press('a');
  await expect(urgency).toHaveAttribute('data-review', 'accepted');
  await expect(urgency.getByTestId('highlight-review')).toHaveText('Accepted');
  // U undoes it.
  await page.keyboard.press('u');
  await expect(urgency).toHaveAttribute('data-review', 'new');
  await page.keyboard.press('a');
  await expect(urgency).toHaveAttribute('data-review', 'accepted');

  // ] moves the in point 0.5 s later, Alt+Shift+[ the out point 0.1 s earlier (kept by the engine).
  const start0 = Number(await urgency.getAttribute('data-start'));
  await page.keyboard.press('BracketRight');
  await expect(urgency).toHaveAttribute('data-start', String(Math.round((start0 + 0.5) * 10) / 10));
  const end0 = Number(await urgency.getAttribute('data-end'));
  await page.keyboard.press('Alt+Shift+BracketLeft');
  await expect(urgency).toHaveAttribute('data-end', String(Math.round((end0 - 0.1) * 10) / 10));
  await expect(urgency.getByTestId('highlight-time')).toContainText('✎');

  // M while live adds a manual highlight, drawn apart on the lane, and says so.
  await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'live');
  await page.keyboard.press('m');
  await expect(rows.and(page.locator('[data-manual="true"]'))).toHaveCount(1, {
    timeout: 10_000,
  });
  await expect(page.locator('[data-testid="highlight-band"][data-manual="true"]')).toHaveCount(1);
  await expect(page.getByTestId('notice').filter({ hasText: 'Marked' })).toBeVisible();

  // The other triggers arrive as the replay goes on.
  // Chips show the phrase as matched (numbers canonical: 五 → 5).
  for (const phrase of [/全场(五|5)折/, /last call/i]) {
    await expect(
      rows.filter({ has: page.getByTestId('highlight-reason').getByText(phrase) }),
    ).toHaveCount(1, { timeout: 30_000 });
  }
  // The filter: only accepted ones.
  await pane.getByTestId('highlight-filter-accepted').click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-review', 'accepted');
  await pane.getByTestId('highlight-filter-all').click();

  // The lexicon: export downloads the current one; a file with a duplicate entry is refused,
  // and the error names it next to its row.
  await pane.getByTestId('open-lexicon').click();
  const dialog = page.getByTestId('lexicon-dialog');
  await expect(dialog.getByTestId('lexicon-row').first()).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    dialog.getByTestId('lexicon-export').click(),
  ]);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8')) as {
    version: number;
    entries: Array<{ id: string }>;
  };
  expect(exported.version).toBe(1);
  expect(exported.entries.map((e) => e.id)).toContain('en-last-call');

  const bad = {
    version: 1,
    entries: [
      { id: 'final-minutes', pattern: '最后三分钟', category: 'urgency', weight: 0.9, lang: 'zh' },
      { id: 'big-sale', pattern: '全场五折', category: 'price', weight: 0.8, lang: 'zh' },
      {
        id: 'final-minutes-again',
        pattern: '最後 3 分鐘',
        category: 'urgency',
        weight: 0.9,
        lang: 'zh',
      },
    ],
  };
  await dialog.getByTestId('lexicon-import-file').setInputFiles({
    name: 'my-lexicon.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(bad)),
  });
  await expect(dialog.getByTestId('lexicon-error')).toContainText('final-minutes-again');
  const badRow = dialog.locator('[data-testid="lexicon-row"][data-error="true"]');
  await expect(badRow).toHaveCount(1);
  await expect(badRow.getByTestId('lexicon-id')).toHaveValue('final-minutes-again');
  await expect(dialog.getByTestId('lexicon-row-error')).toContainText('duplicates');
  // Fixing the row and saving works.
  await badRow.getByTestId('lexicon-remove').click();
  await dialog.getByTestId('lexicon-save').click();
  await expect(dialog.getByTestId('lexicon-done')).toContainText('Saved 2 entries');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Impossible detection settings are refused with the engine's reason, the field marked.
  await pane.getByTestId('open-detect-settings').click();
  const settings = page.getByTestId('detect-settings');
  await settings.getByTestId('detect-preRollMinS').fill('20');
  await expect(settings.getByTestId('detect-preset')).toHaveValue('custom');
  await settings.getByTestId('detect-save').click();
  await expect(settings.getByTestId('detect-error')).toContainText('pre-roll');
  await expect(settings.getByTestId('detect-preRollMinS')).toHaveAttribute('aria-invalid', 'true');
  await settings.getByTestId('detect-preset').selectOption('gaming');
  await settings.getByTestId('detect-save').click();
  await expect(settings.getByTestId('detect-saved')).toBeVisible();
  await page.keyboard.press('Escape');

  await page.getByTestId('stop-ingest').click();
  await expect(page.getByTestId('ingest-state')).toHaveAttribute('data-state', 'ended', {
    timeout: 15_000,
  });
  // Every highlight's window has closed.
  await expect(rows.and(page.locator('[data-state="provisional"]'))).toHaveCount(0, {
    timeout: 10_000,
  });
});
