/**
 * Finds the ffmpeg binary: configured path → ffmpeg-static (bundled) → PATH, and fails fast with a
 * message that says what was tried and how to fix it.
 *
 * Loading ffmpeg-static: `createRequire(import.meta.url)`. Under vitest the module is ESM and
 * `import.meta.url` is this file's URL; in the CommonJS main bundle Vite 8 (Rolldown) rewrites
 * `import.meta.url` to `require("url").pathToFileURL(__filename).href`, so resolution starts from
 * out/main/ (inside app.asar when packaged) and finds the app's own node_modules. A require rooted
 * at `process.cwd()` would not: a packaged app's cwd is often `/` or the user's home. The cwd is
 * only a fallback if `import.meta.url` is unusable.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export type FfmpegSource = 'configured' | 'ffmpeg-static' | 'path';

export type FfmpegResolution =
  { found: true; path: string; source: FfmpegSource } | { found: false; message: string };

export interface ResolveFfmpegOptions {
  /** The `ffmpeg.path` setting; `null`/unset falls back to env `LIVESLICE_FFMPEG`. */
  configured?: string | null | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** True for an executable regular file. */
  fileExists?: (p: string) => boolean;
  /** Returns the path ffmpeg-static exports, or null when it is not installed; may throw. */
  loadFfmpegStatic?: () => string | null;
}

export const FFMPEG_ENV_VAR = 'LIVESLICE_FFMPEG';

/** An existing regular file that this process may execute (on Windows: any regular file). */
export function isExecutableFile(p: string, platform: NodeJS.Platform = process.platform): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    if (platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function loadFfmpegStaticDefault(): string | null {
  let req: NodeJS.Require;
  try {
    req = createRequire(import.meta.url);
  } catch {
    req = createRequire(path.join(process.cwd(), 'noop.js'));
  }
  try {
    const mod: unknown = req('ffmpeg-static');
    if (typeof mod === 'string') return mod;
    // An ESM-interop wrapper, should a bundler ever hand us one.
    if (typeof mod === 'object' && mod !== null && 'default' in mod) {
      const d = (mod as { default: unknown }).default;
      if (typeof d === 'string') return d;
    }
    return null;
  } catch {
    return null;
  }
}

/** Inside a packaged Electron app, binaries live in app.asar.unpacked, not in the archive. */
export function unpackedAsarPath(p: string): string {
  return p.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function envVar(
  env: NodeJS.ProcessEnv,
  name: string,
  platform: NodeJS.Platform,
): string | undefined {
  const direct = env[name];
  if (direct !== undefined || platform !== 'win32') return direct;
  // Windows env names are case-insensitive (`Path`), but a plain object is not.
  const key = Object.keys(env).find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : env[key];
}

/** The absolute directories on PATH (Windows: `Path` in any case, quotes removed). */
export function pathDirs(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const raw = envVar(env, 'PATH', platform) ?? '';
  return raw
    .split(p.delimiter)
    .map((d) => (platform === 'win32' ? d.trim().replace(/^"(.*)"$/, '$1') : d))
    .filter((d) => d.length > 0 && p.isAbsolute(d)); // relative entries would depend on the cwd
}

/** The first `dir/name` among dirs that exists (as an executable, by default), or null. */
export function findInDirs(
  dirs: readonly string[],
  name: string,
  platform: NodeJS.Platform,
  exists: (p: string) => boolean,
): string | null {
  const p = platform === 'win32' ? path.win32 : path.posix;
  for (const dir of dirs) {
    const candidate = p.join(dir, name);
    if (exists(candidate)) return candidate;
  }
  return null;
}

function installHint(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return 'install ffmpeg (e.g. `brew install ffmpeg`)';
    case 'win32':
      return 'install ffmpeg (e.g. `winget install Gyan.FFmpeg`) and make sure ffmpeg.exe is on PATH';
    default:
      return 'install ffmpeg (e.g. `sudo apt-get install ffmpeg` on Debian/Ubuntu, `sudo dnf install ffmpeg` on Fedora)';
  }
}

const settingHint = `set the \`ffmpeg.path\` setting or the ${FFMPEG_ENV_VAR} environment variable to the full path of an ffmpeg executable`;

export function resolveFfmpeg(opts: ResolveFfmpegOptions = {}): FfmpegResolution {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const exists = opts.fileExists ?? ((p: string) => isExecutableFile(p, platform));
  const p = platform === 'win32' ? path.win32 : path.posix;
  const exe = platform === 'win32' ? 'ffmpeg.exe' : 'ffmpeg';
  const dirs = pathDirs(env, platform);

  // 1. An explicit choice: honour it or fail, never silently fall through to another ffmpeg.
  const setting = opts.configured?.trim() || undefined;
  const fromEnv = envVar(env, FFMPEG_ENV_VAR, platform)?.trim() || undefined;
  const configured = setting ?? fromEnv;
  if (configured !== undefined) {
    const origin = setting !== undefined ? 'the `ffmpeg.path` setting' : `${FFMPEG_ENV_VAR}`;
    const isBareName =
      !configured.includes('/') && !(platform === 'win32' && configured.includes('\\'));
    if (isBareName && !p.isAbsolute(configured)) {
      // A command name such as "ffmpeg6": look it up on PATH.
      const name =
        platform === 'win32' && p.extname(configured) === '' ? `${configured}.exe` : configured;
      const hit = findInDirs(dirs, name, platform, exists);
      if (hit !== null) return { found: true, path: hit, source: 'configured' };
      return {
        found: false,
        message:
          `ffmpeg was not found: ${origin} names "${configured}", which is not an executable on PATH ` +
          `(${dirs.join(p.delimiter) || 'PATH is empty'}). Fix ${origin} to point at an ffmpeg ` +
          `executable, or clear it to use the bundled or system ffmpeg.`,
      };
    }
    const full = p.resolve(configured);
    if (exists(full)) return { found: true, path: full, source: 'configured' };
    return {
      found: false,
      message:
        `ffmpeg was not found: ${origin} is "${configured}", but ${full} is not an executable file. ` +
        `Fix ${origin} to point at an ffmpeg executable, or clear it to use the bundled or system ffmpeg.`,
    };
  }

  // 2. The bundled binary from the optional ffmpeg-static dependency.
  let staticNote: string | undefined;
  let staticPath: string | null = null;
  try {
    staticPath = (opts.loadFfmpegStatic ?? loadFfmpegStaticDefault)();
  } catch (err) {
    staticNote = `ffmpeg-static could not be loaded (${err instanceof Error ? err.message : String(err)})`;
  }
  if (staticPath !== null && staticPath.length > 0) {
    const unpacked = unpackedAsarPath(staticPath);
    if (exists(unpacked)) return { found: true, path: unpacked, source: 'ffmpeg-static' };
    staticNote = `ffmpeg-static is installed but its binary ${unpacked} is missing (its download may have failed; \`npm rebuild ffmpeg-static\` retries it)`;
  } else {
    staticNote ??= 'ffmpeg-static is not installed (or has no binary for this platform)';
  }

  // 3. The system ffmpeg on PATH.
  const onPath = findInDirs(dirs, exe, platform, exists);
  if (onPath !== null) return { found: true, path: onPath, source: 'path' };
  const pathNote =
    dirs.length > 0
      ? `"${exe}" is not in any PATH directory (${dirs.join(p.delimiter)})`
      : `PATH is empty, so "${exe}" could not be looked up`;

  return {
    found: false,
    message:
      `ffmpeg was not found. Tried: no \`ffmpeg.path\` setting or ${FFMPEG_ENV_VAR}; ${staticNote}; ${pathNote}. ` +
      `To fix: ${installHint(platform)}, or ${settingHint}.`,
  };
}
