/** The operator UI through `liveslice serve` in Chromium: every pane, both languages, shortcuts. */
import { expect, test } from './serve-fixture';

const PANES = ['live', 'transcript', 'highlights', 'prompt', 'review', 'monitor'] as const;

test('opens through liveslice serve, shows every pane, and switches language', async ({
  page,
  served,
}) => {
  const cspErrors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text()))
      cspErrors.push(msg.text());
  });
  // Init scripts run outside the page's CSP: record every violation the policy reports.
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  // The token leaves the address bar once it is read.
  expect(page.url()).not.toContain(served.token);

  for (const pane of PANES) await expect(page.getByTestId(`pane-${pane}`)).toBeVisible();
  // The monitor shows real engine facts, not a placeholder.
  await expect(page.getByTestId('pane-monitor')).toContainText(served.dataDir);

  const select = page.getByTestId('language-select');
  await select.selectOption('en');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  const english = await Promise.all(
    PANES.map((p) => page.getByTestId(`pane-${p}`).locator('h2').innerText()),
  );

  await select.selectOption('zh-CN');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await expect(page.getByTestId('pane-live').locator('h2')).not.toHaveText(english[0]!);
  const chinese = await Promise.all(
    PANES.map((p) => page.getByTestId(`pane-${p}`).locator('h2').innerText()),
  );
  for (const [i, zh] of chinese.entries()) {
    expect(zh).not.toBe(english[i]);
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
  }

  // The choice is a setting in the engine: it survives a reload (the token stays in the tab).
  await page.reload();
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  expect(cspErrors).toEqual([]);
  expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
});

test('shows the keyboard-shortcut help and closes it with Escape', async ({ page, served }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await expect(page.getByTestId('help-overlay')).toHaveCount(0);
  await page.locator('body').press('Shift+?');
  const overlay = page.getByTestId('help-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('Alt+1');
  await page.keyboard.press('Escape');
  await expect(overlay).toHaveCount(0);
});

test('refuses a browser that has no token, and says why', async ({ page, served }) => {
  await page.goto(served.origin + '/');
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'unauthorized');
});

test('creates a session through the contract and lists it', async ({ page, served }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
  await page.getByTestId('new-session-title').fill('最后三分钟 test stream');
  await page.getByTestId('new-session-submit').click();
  await expect(page.getByTestId('sessions-list')).toContainText('最后三分钟 test stream');
  await page.reload();
  await expect(page.getByTestId('sessions-list')).toContainText('最后三分钟 test stream');
});
