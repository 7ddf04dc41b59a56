import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DataDirOptions, defaultDataDir, ensureDataDir } from './paths';

describe('defaultDataDir', () => {
  const cases: Array<[string, DataDirOptions, string]> = [
    [
      'linux default',
      { env: {}, platform: 'linux', homedir: '/home/u' },
      '/home/u/.config/LiveSlice',
    ],
    [
      'linux XDG_CONFIG_HOME',
      { env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', homedir: '/home/u' },
      '/xdg/LiveSlice',
    ],
    [
      'linux relative XDG_CONFIG_HOME is ignored',
      { env: { XDG_CONFIG_HOME: 'rel' }, platform: 'linux', homedir: '/home/u' },
      '/home/u/.config/LiveSlice',
    ],
    [
      'linux empty XDG_CONFIG_HOME is ignored',
      { env: { XDG_CONFIG_HOME: '' }, platform: 'linux', homedir: '/home/u' },
      '/home/u/.config/LiveSlice',
    ],
    [
      'freebsd behaves like linux',
      { env: {}, platform: 'freebsd', homedir: '/home/u' },
      '/home/u/.config/LiveSlice',
    ],
    [
      'darwin',
      { env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'darwin', homedir: '/Users/u' },
      '/Users/u/Library/Application Support/LiveSlice',
    ],
    [
      'win32 APPDATA',
      {
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        platform: 'win32',
        homedir: 'C:\\Users\\u',
      },
      'C:\\Users\\u\\AppData\\Roaming\\LiveSlice',
    ],
    [
      'win32 fallback without APPDATA',
      { env: {}, platform: 'win32', homedir: 'C:\\Users\\u' },
      'C:\\Users\\u\\AppData\\Roaming\\LiveSlice',
    ],
    [
      'LIVESLICE_DATA_DIR overrides on linux',
      {
        env: { LIVESLICE_DATA_DIR: '/data/ls', XDG_CONFIG_HOME: '/xdg' },
        platform: 'linux',
        homedir: '/h',
      },
      '/data/ls',
    ],
    [
      'LIVESLICE_DATA_DIR is normalised',
      { env: { LIVESLICE_DATA_DIR: '/data/./ls/' }, platform: 'darwin', homedir: '/h' },
      '/data/ls',
    ],
    [
      'LIVESLICE_DATA_DIR overrides on win32',
      {
        env: { LIVESLICE_DATA_DIR: 'D:\\ls', APPDATA: 'C:\\A' },
        platform: 'win32',
        homedir: 'C:\\h',
      },
      'D:\\ls',
    ],
    [
      'blank LIVESLICE_DATA_DIR is ignored',
      { env: { LIVESLICE_DATA_DIR: ' ' }, platform: 'linux', homedir: '/home/u' },
      '/home/u/.config/LiveSlice',
    ],
  ];
  it.each(cases)('%s', (_name, opts, expected) => {
    expect(defaultDataDir(opts)).toBe(expected);
  });

  it('resolves a relative LIVESLICE_DATA_DIR against the cwd', () => {
    expect(
      defaultDataDir({ env: { LIVESLICE_DATA_DIR: 'rel/dir' }, platform: 'linux', homedir: '/h' }),
    ).toBe(path.resolve('rel/dir'));
  });
});

describe('ensureDataDir', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-paths-'));
    fs.writeFileSync(path.join(tmp, 'a-file'), 'x');
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('creates nested directories with mode 0700 and returns the absolute path', () => {
    const dir = path.join(tmp, 'x', 'y', 'LiveSlice');
    expect(ensureDataDir(dir)).toBe(dir);
    const st = fs.statSync(dir);
    expect(st.isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect(st.mode & 0o777).toBe(0o700);
  });

  it('is idempotent on an existing directory', () => {
    const dir = path.join(tmp, 'again');
    ensureDataDir(dir);
    expect(ensureDataDir(dir + path.sep)).toBe(dir);
  });

  it('returns an absolute path for a relative input', () => {
    const rel = path.relative(process.cwd(), path.join(tmp, 'rel'));
    expect(ensureDataDir(rel)).toBe(path.join(tmp, 'rel'));
  });

  const refused: Array<[string, () => string, RegExp]> = [
    ['an existing file', () => path.join(tmp, 'a-file'), /exists and is not a directory/],
    ['a path under a file', () => path.join(tmp, 'a-file', 'sub'), /not a directory/],
  ];
  it.each(refused)('refuses %s with a clear error', (_name, dir, message) => {
    expect(() => ensureDataDir(dir())).toThrow(message);
    expect(() => ensureDataDir(dir())).toThrow(/LIVESLICE_DATA_DIR/);
  });

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const readOnlySkip = isRoot
    ? 'running as root (uid 0), which may write into a mode-0500 directory: run the tests as a normal user to check this'
    : process.platform === 'win32'
      ? 'Windows ignores POSIX directory modes: this check needs Linux or macOS'
      : null;
  if (readOnlySkip) console.warn(`skipping "refuses a read-only directory": ${readOnlySkip}`);
  it.skipIf(readOnlySkip !== null)(
    'refuses a read-only directory (skipped as root: root may write anywhere)',
    () => {
      const dir = path.join(tmp, 'readonly');
      fs.mkdirSync(dir, { mode: 0o500 });
      try {
        expect(() => ensureDataDir(dir)).toThrow(/is not writable/);
      } finally {
        fs.chmodSync(dir, 0o700);
      }
    },
  );
});
