/**
 * Review in the operator UI (issue #7): a folder target configured in the publish dialog; a clip
 * of a VTT-driven file session reaches the review queue, is approved with the keyboard (A, with
 * the focus in the queue) and lands in the folder with its JSON sidecar. The prompt editor's live
 * preview fills the operator's text with the highlight's values, and a transcript line that
 * contains template syntax (`${host}`) stays literal.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FFMPEG, makeClip, NO_FFMPEG } from '../src-main/testing/media';
import { expect, startFileSession, test } from './serve-fixture';

test.skip(!FFMPEG, NO_FFMPEG);

/** A line a viewer could make the host say: template syntax that must never be filled. */
const HOSTILE = '最后三分钟! 口令是 ${host} $$ $&';

let dir: string;
let media: string;
let vtt: string;
test.beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-review-'));
  media = makeClip(dir, 'sale', { seconds: 30, size: '320x240' });
  vtt = join(dir, 'sale.vtt');
  writeFileSync(
    vtt,
    [
      'WEBVTT',
      '',
      '00:00.500 --> 00:01.500',
      '欢迎来到直播间',
      '',
      '00:02.000 --> 00:03.500',
      HOSTILE,
      '',
      '00:04.000 --> 00:05.500',
      '大家抓紧时间下单',
      '',
      '00:06.000 --> 00:07.500',
      '库存不多了',
      '',
    ].join('\n'),
  );
});
test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('approve a clip in the browser UI and find it, with its sidecar, in the folder target', async ({
  page,
  served,
}) => {
  test.setTimeout(150_000);
  const out = join(dir, 'published');
  mkdirSync(out, { recursive: true });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('language-select').selectOption('en');
  // The help lists the queue's own keys.
  await page.locator('body').press('Shift+?');
  const help = page.getByTestId('help-overlay');
  await expect(help.locator('[data-shortcut="review-approve"]')).toContainText('A');
  await expect(help.locator('[data-shortcut="review-undo"]')).toContainText('Ctrl+Z');
  await page.keyboard.press('Escape');

  // The folder target, from the dialog: a bad entry is caught before the engine sees it.
  const review = page.getByTestId('pane-review');
  await review.getByTestId('open-targets').click();
  const targets = page.getByTestId('targets-dialog');
  await targets.getByTestId('targets-add').click();
  await targets.getByTestId('target-save').click();
  await expect(targets.getByTestId('target-field-error').first()).toBeVisible();
  await targets.getByTestId('target-name').fill('Desk folder');
  await targets.getByTestId('target-dir').fill(out);
  await expect(targets.getByTestId('publish-on-approve')).toBeChecked();
  await targets.getByTestId('target-save').click();
  const item = targets.locator('[data-testid="targets-item"][data-kind="folder"]');
  await expect(item).toHaveCount(1);
  await expect(item.getByTestId('targets-test-result')).toHaveAttribute('data-ok', 'true');
  await targets.getByTestId('targets-dialog-close').click();
  await expect(targets).toHaveCount(0);

  await startFileSession(page, media, vtt, { realtime: false });

  // A clip that is rendered and checked (not flagged) waits in the queue.
  const row = review
    .locator(
      '[data-testid="review-row"][data-clip-state="ready"]:not([data-safety="pending"]):not([data-safety="flagged"])',
    )
    .first();
  await expect(row).toBeVisible({ timeout: 90_000 });
  const clipId = (await row.getAttribute('data-clip-id'))!;
  await expect(row).toHaveAttribute('data-decision', 'pending');

  // Focus in the queue: A approves the current clip (not the highlight keys' accept).
  await row.click();
  const detail = review.getByTestId('review-detail');
  await expect(detail).toHaveAttribute('data-clip-id', clipId);
  await expect(detail.getByTestId('review-video')).toBeVisible();
  await page.keyboard.press('a');
  const approved = review.locator(`[data-testid="review-row"][data-clip-id="${clipId}"]`);
  await expect(approved).toHaveAttribute('data-decision', 'approved');

  // Published on approval: the MP4 and its sidecar appear in the folder.
  const mp4 = join(out, `${clipId}.mp4`);
  const json = join(out, `${clipId}.json`);
  await expect.poll(() => existsSync(mp4) && existsSync(json), { timeout: 60_000 }).toBe(true);
  const sidecar = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
  expect(sidecar['id']).toBe(clipId);
  expect(sidecar['decision']).toBe('approved');
  expect(readFileSync(mp4).subarray(4, 8).toString('latin1')).toBe('ftyp');
  const publication = detail.locator('[data-testid="review-publication"]');
  await expect(publication).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
  await expect(approved).toHaveAttribute('data-publish', 'done');

  // The monitor lists the clip's record (stages, decision) and draws its charts.
  const monitor = page.getByTestId('pane-monitor');
  await expect(
    monitor.locator(`[data-testid="monitor-record"][data-clip-id="${clipId}"]`),
  ).toHaveCount(1, { timeout: 15_000 });
  await expect(monitor.locator('[data-stage="renderMs"]')).not.toHaveAttribute('data-count', '0');

  // U undoes the decision (the queued upload is already done; the clip goes back to review).
  await approved.focus();
  await page.keyboard.press('u');
  await expect(approved).toHaveAttribute('data-decision', 'pending');
});

test('the prompt preview fills the operator’s text; a transcript line with ${host} stays literal', async ({
  page,
  served,
}) => {
  test.setTimeout(120_000);
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('language-select').selectOption('en');

  // The host's name, saved from the prompt pane.
  const prompt = page.getByTestId('pane-prompt');
  const host = prompt.getByTestId('prompt-host');
  await host.fill('Anna');
  await host.press('Enter');
  await expect(host).toHaveValue('Anna');

  await startFileSession(page, media, vtt, { realtime: false });
  const rows = page.getByTestId('pane-highlights').getByTestId('highlight-row');
  const hostile = rows.filter({ hasText: '口令是' }).first();
  await expect(hostile).toBeVisible({ timeout: 60_000 });
  await hostile.click();

  const form = prompt.getByTestId('prompt-form');
  await expect(form).toHaveAttribute('data-highlight-id', (await hostile.getAttribute('data-id'))!);
  // The quote is the transcript, as said: its ${host} is text, not a variable.
  const quote = (await form
    .locator('[data-testid="prompt-values"] [data-var="quote"]')
    .textContent())!;
  expect(quote).toContain('口令是 ${host}');

  await form.getByTestId('prompt-custom-toggle').check();
  const text = form.getByTestId('prompt-text');
  await text.fill('Host ${host} says: ${quote}');
  const preview = form.getByTestId('prompt-preview');
  await expect(preview).toHaveText(`Host Anna says: ${quote}`);
  await expect(preview).toContainText('口令是 ${host}');
  await expect(preview).not.toContainText('口令是 Anna');

  // A typo in a variable is named, live, and the last good preview stays.
  await text.fill('Host ${hots}');
  await expect(form.getByTestId('prompt-preview-error')).toContainText('hots');
  await expect(preview).toHaveText(`Host Anna says: ${quote}`);

  // Variables insert at the caret; saving keeps the operator's text.
  await text.fill('Buy now, ');
  await form.getByTestId('prompt-var-host').click();
  await expect(text).toHaveValue('Buy now, ${host}');
  await expect(preview).toHaveText('Buy now, Anna');
  await form.getByTestId('prompt-save').click();
  await expect(prompt.getByTestId('prompt-form').getByTestId('prompt-text')).toHaveValue(
    'Buy now, ${host}',
  );
  await expect(prompt.getByTestId('prompt-form').getByTestId('prompt-custom-toggle')).toBeChecked();
});
