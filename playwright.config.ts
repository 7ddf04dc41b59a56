import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';

// Machines without internet cannot run `npx playwright install`: use the system Chromium
// (Debian's /usr/bin/chromium) when present, or CHROMIUM_PATH. A laptop with internet may
// instead run `npx playwright install chromium` and leave both unset.
const systemChromium =
  process.env['CHROMIUM_PATH'] ??
  (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env['CI'],
  reporter: [['list'], ['json', { outputFile: '.e2e-results.json' }]],
  use: {
    browserName: 'chromium',
    trace: 'off',
    launchOptions: {
      ...(systemChromium ? { executablePath: systemChromium } : {}),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-sync',
      ],
    },
  },
});
