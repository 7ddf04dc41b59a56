/**
 * Starts a real `liveslice serve` (the built CLI, as a user runs it) on 127.0.0.1 with its own
 * data directory, waits for the URL it prints, and stops it afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type Page, test as base } from '@playwright/test';
import { openStore } from '../src-main/store';
import { freePort } from '../src-main/testing/ports';

export const ROOT = join(__dirname, '..');

export interface Served {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  output: () => string;
}

/** Keeps the push listeners off the real OBS ports (1935, 9710) during tests. */
async function seedPorts(dataDir: string): Promise<void> {
  const store = openStore(dataDir);
  try {
    store.settings.set({ key: 'ingest.rtmpPort', value: await freePort() });
    store.settings.set({ key: 'ingest.srtPort', value: await freePort() });
  } finally {
    store.close();
  }
}

export async function startServe(
  dataDir: string,
): Promise<{ served: Served; child: ChildProcess }> {
  await seedPorts(dataDir);
  const child = spawn(
    process.execPath,
    [join(ROOT, 'src-main', 'cli', 'bin.cjs'), 'serve', '--port', '0', '--data-dir', dataDir],
    {
      cwd: ROOT,
      env: { ...process.env, LANG: 'en_US.UTF-8' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (out += c));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`liveslice serve printed no URL within 20 s:\n${out}`)),
      20_000,
    );
    const check = (): void => {
      const m = /Open the operator UI: (http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64})/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`liveslice serve exited with ${code}:\n${out}`));
    });
  });
  const parsed = new URL(url);
  return {
    served: {
      url,
      origin: parsed.origin,
      token: parsed.hash.replace('#token=', ''),
      dataDir,
      output: () => out,
    },
    child,
  };
}

export async function stopServe(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

const stopCodes: Array<number | null> = [];

export const test = base.extend<{ served: Served }>({
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'liveslice-e2e-'));
    const { served, child } = await startServe(dataDir);
    try {
      await use(served);
    } finally {
      const code = await stopServe(child);
      rmSync(dataDir, { recursive: true, force: true });
      stopCodes.push(code);
    }
    if (stopCodes.at(-1) !== 0) {
      throw new Error(
        `liveslice serve did not stop cleanly (exit ${stopCodes.at(-1)}):\n${served.output()}`,
      );
    }
  },
});

export { expect };

/**
 * Starts a file session from the source setup with a subtitles file: paced as live (the default,
 * checked) until the ingest is live, or as fast as it decodes until it has ended.
 */
export async function startFileSession(
  page: Page,
  media: string,
  vtt: string,
  opts: { realtime: boolean },
): Promise<void> {
  await page.getByTestId('source-tab-file').click();
  await page.getByTestId('file-input').fill(media);
  await page.getByTestId('transcript-path').first().fill(vtt);
  if (opts.realtime) await expect(page.getByTestId('file-realtime')).toBeChecked();
  else await page.getByTestId('file-realtime').uncheck();
  await page.getByTestId('file-start').click();
  await expect(page.getByTestId('ingest-state')).toHaveAttribute(
    'data-state',
    opts.realtime ? 'live' : 'ended',
    { timeout: opts.realtime ? 20_000 : 30_000 },
  );
}
