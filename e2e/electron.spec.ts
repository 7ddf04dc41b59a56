/**
 * The desktop shell, driven by Playwright's Electron support. Needs the Electron binary, which
 * `npm install` downloads on a machine with internet; with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (CI and
 * offline machines) it is absent and these tests skip, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { METHOD_NAMES } from '../src-main/api/contract';

const ROOT = join(__dirname, '..');

function electronBinary(): { path: string } | { skip: string } {
  let path: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    path = require('electron');
  } catch {
    return {
      skip:
        'Electron binary not installed (npm install ran with ELECTRON_SKIP_BINARY_DOWNLOAD=1 or without ' +
        'internet): run `node node_modules/electron/install.js` on a machine with internet to run this test',
    };
  }
  if (typeof path !== 'string' || !existsSync(path))
    return { skip: 'Electron binary not found on disk' };
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { skip: 'No display: run under xvfb-run to test the Electron window on Linux' };
  }
  const abi = spawnSync(path, ['-e', "require('better-sqlite3')(':memory:').close()"], {
    cwd: ROOT,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (abi.status !== 0) {
    return {
      skip: 'better-sqlite3 is built for Node, not Electron: run `npm run rebuild:electron` first (and `npm run rebuild:node` after)',
    };
  }
  return { path };
}

const bin = electronBinary();
test.skip('skip' in bin, 'skip' in bin ? bin.skip : '');

test('the desktop window is sandboxed and exposes exactly the contract', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveslice-electron-'));
  const app = await electron.launch({
    ...('path' in bin ? { executablePath: bin.path } : {}),
    args: [join(ROOT, 'out', 'main', 'shell.js'), `--data-dir=${dataDir}`],
  });
  try {
    const page = await app.firstWindow();
    await expect(page.getByTestId('connection-status')).toHaveAttribute('data-state', 'connected');
    for (const pane of ['live', 'transcript', 'highlights', 'prompt', 'review', 'monitor']) {
      await expect(page.getByTestId(`pane-${pane}`)).toBeVisible();
    }
    const exposed = await page.evaluate(() => {
      const w = window as unknown as {
        liveslice: { methods: object };
        require?: unknown;
        process?: unknown;
      };
      return {
        methods: Object.keys(w.liveslice.methods).sort(),
        require: typeof w.require,
        process: typeof w.process,
      };
    });
    expect(exposed).toEqual({
      methods: [...METHOD_NAMES].sort(),
      require: 'undefined',
      process: 'undefined',
    });
    const info = await page.evaluate(() =>
      (
        window as unknown as {
          liveslice: { methods: Record<string, (i: unknown) => Promise<unknown>> };
        }
      ).liveslice.methods['app.info']!({}),
    );
    expect(info).toMatchObject({ ok: true, value: { transport: 'electron', dataDir } });
    const popup = await page.evaluate(() => window.open('https://example.com') === null);
    expect(popup).toBe(true);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
