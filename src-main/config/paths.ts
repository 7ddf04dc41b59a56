/**
 * The per-user data directory. Mirrors Electron's `app.getPath('userData')` for productName
 * "LiveSlice", so the desktop app, the headless host and the CLI agree without Electron.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const PRODUCT_NAME = 'LiveSlice';
export const DATA_DIR_ENV_VAR = 'LIVESLICE_DATA_DIR';

export interface DataDirOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

const nonEmpty = (v: string | undefined): string | undefined =>
  v !== undefined && v.trim().length > 0 ? v : undefined;

/**
 * `LIVESLICE_DATA_DIR` (made absolute) overrides everything. Otherwise:
 * linux and other Unixes → `$XDG_CONFIG_HOME/LiveSlice` (ignored unless absolute, as the XDG spec
 * says) or `~/.config/LiveSlice`; darwin → `~/Library/Application Support/LiveSlice`;
 * win32 → `%APPDATA%\LiveSlice` or `~\AppData\Roaming\LiveSlice`.
 */
export function defaultDataDir(opts: DataDirOptions = {}): string {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const home = opts.homedir ?? os.homedir();

  const override = nonEmpty(env[DATA_DIR_ENV_VAR]);
  if (override !== undefined) return p.resolve(override);

  switch (platform) {
    case 'win32': {
      const appData = nonEmpty(env['APPDATA']);
      return appData !== undefined && p.isAbsolute(appData)
        ? p.join(appData, PRODUCT_NAME)
        : p.join(home, 'AppData', 'Roaming', PRODUCT_NAME);
    }
    case 'darwin':
      return p.join(home, 'Library', 'Application Support', PRODUCT_NAME);
    default: {
      const xdg = nonEmpty(env['XDG_CONFIG_HOME']);
      return xdg !== undefined && p.isAbsolute(xdg)
        ? p.join(xdg, PRODUCT_NAME)
        : p.join(home, '.config', PRODUCT_NAME);
    }
  }
}

/**
 * `mkdir -p` with mode 0o700 (applies to directories it creates; an existing directory keeps its
 * mode). Returns the absolute path. Throws an Error naming the directory and the fix when the path
 * exists but is not a directory, or when it cannot be created or written.
 */
export function ensureDataDir(dir: string): string {
  const abs = path.resolve(dir);
  const fix = `Choose another location with the ${DATA_DIR_ENV_VAR} environment variable.`;
  try {
    fs.mkdirSync(abs, { recursive: true, mode: 0o700 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new Error(
        `Data directory ${abs} cannot be created: it or one of its parents exists and is not a directory. ${fix}`,
        { cause: err },
      );
    }
    throw new Error(`Data directory ${abs} cannot be created (${code ?? String(err)}). ${fix}`, {
      cause: err,
    });
  }
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    throw new Error(`Data directory ${abs} cannot be read (${String(err)}). ${fix}`, {
      cause: err,
    });
  }
  if (!st.isDirectory()) {
    throw new Error(`Data directory ${abs} exists and is not a directory. ${fix}`);
  }
  try {
    fs.accessSync(abs, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new Error(`Data directory ${abs} is not writable. ${fix}`, { cause: err });
  }
  return abs;
}
