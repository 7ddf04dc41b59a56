/** Installing the keyword-spotting model from the operator UI turns keyword spotting on. */
import { existsSync } from 'node:fs';
import { expect, test } from './serve-fixture';
import { KWS_MODEL_DIR } from '../src-main/testing/shared';

const KWS = KWS_MODEL_DIR;
test.skip(!existsSync(`${KWS}/tokens.txt`), `the KWS model is not at ${KWS}`);

test('import the KWS model from a folder: verified, installed, keyword spotting on', async ({
  page,
  served,
}) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  const section = page.getByTestId('models-section');
  await expect(section.getByTestId('asr-kws')).toHaveAttribute('data-enabled', 'false');
  const row = section.locator(
    '[data-testid="model-row"][data-model-id="kws-zh-wenetspeech-3.3m-mobile"]',
  );
  await expect(row).toHaveAttribute('data-state', 'missing');
  await expect(row.getByTestId('model-caveat')).toContainText(/WenetSpeech/);

  // A folder without the model is refused with a clear error, and nothing changes.
  await row.getByTestId('model-import-dir').fill(served.dataDir);
  await row.getByTestId('model-import').click();
  await expect(row.getByTestId('model-error')).toBeVisible();
  await expect(row).toHaveAttribute('data-state', 'missing');

  await row.getByTestId('model-import-dir').fill(KWS);
  await row.getByTestId('model-import').click();
  await expect(row).toHaveAttribute('data-state', 'installed', { timeout: 20_000 });
  await expect(section.getByTestId('asr-kws')).toHaveAttribute('data-enabled', 'true');
});
