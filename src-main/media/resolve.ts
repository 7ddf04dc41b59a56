/**
 * Path containment for session media: maps a requested URL path onto a real file inside the
 * media root, or says why not. Shared by the `liveslice-media://` protocol and the headless
 * host's `/media/` route.
 *
 * `requested` is the raw, still percent-encoded URL path after the route prefix, without query
 * or fragment (pass `url.pathname`, minus the prefix). It is decoded exactly once.
 *
 * Status choices: malformed or hostile input → 400; a path that escapes the root (lexically or
 * through a symlink) → 403; anything that is not an existing regular file — missing, a
 * directory, a FIFO or device — → 404, since there is no directory listing and the client cannot
 * tell a directory from a missing file anyway.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';

export type MediaResolution =
  { ok: true; path: string } | { ok: false; status: 400 | 403 | 404; reason: string };

const bad = (reason: string): MediaResolution => ({ ok: false, status: 400, reason });
const forbidden = (reason: string): MediaResolution => ({ ok: false, status: 403, reason });
const notFound = (reason: string): MediaResolution => ({ ok: false, status: 404, reason });

/** Percent-decodes once; `null` when the encoding is malformed (`%zz`, truncated `%4`, bad UTF-8). */
function decodeOnce(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * Pure, lexical validation of the request path. Returns the decoded relative segments, or the
 * reason the path is refused. Exported for table tests.
 */
export function checkRequestPath(
  requested: string,
): { ok: true; segments: string[] } | { ok: false; reason: string } {
  if (requested.length === 0) return { ok: false, reason: 'empty path' };
  // Checks on the raw form catch what decoding would otherwise hide or what is malformed anyway.
  if (requested.includes('\0')) return { ok: false, reason: 'NUL byte in path' };
  if (requested.includes('\\')) return { ok: false, reason: 'backslash in path' };
  const decoded = decodeOnce(requested);
  if (decoded === null) return { ok: false, reason: 'malformed percent-encoding' };
  if (decoded.includes('\0')) return { ok: false, reason: 'NUL byte in path' };
  if (decoded.includes('\\')) {
    return decoded.startsWith('\\\\')
      ? { ok: false, reason: 'UNC path' }
      : { ok: false, reason: 'backslash in path' };
  }
  if (decoded.startsWith('//')) return { ok: false, reason: 'UNC or protocol-relative path' };
  if (decoded.startsWith('/')) return { ok: false, reason: 'absolute path' };
  if (/^[a-zA-Z]:/.test(decoded)) return { ok: false, reason: 'drive-letter path' };
  if (decoded.length === 0) return { ok: false, reason: 'empty path' };

  const segments = decoded.split('/');
  for (const seg of segments) {
    if (seg === '') return { ok: false, reason: 'empty path segment' };
    if (seg === '.' || seg === '..') return { ok: false, reason: `"${seg}" segment in path` };
    // Windows strips trailing dots and spaces, so ". ." or "... " can act as a parent reference.
    if (/^[. ]+$/.test(seg)) return { ok: false, reason: 'dot-only segment in path' };
    // A colon is a drive letter or an NTFS alternate data stream (`seg.ts:stream`).
    if (seg.includes(':')) return { ok: false, reason: 'colon in path segment' };
    if (hasControlChar(seg)) return { ok: false, reason: 'control character in path' };
  }
  return { ok: true, segments };
}

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** True when `target` is `root` or lies beneath it (both absolute, same `path` flavour). */
export function isInside(root: string, target: string, p: path.PlatformPath = path): boolean {
  const rel = p.relative(root, target);
  if (rel === '') return true;
  if (p.isAbsolute(rel)) return false; // another drive on Windows
  return rel !== '..' && !rel.startsWith('..' + p.sep);
}

export async function resolveMediaPath(
  rootDir: string,
  requested: string,
): Promise<MediaResolution> {
  const checked = checkRequestPath(requested);
  if (!checked.ok) return bad(checked.reason);

  const root = path.resolve(rootDir);
  const lexical = path.resolve(root, ...checked.segments);
  if (!isInside(root, lexical) || lexical === root) return forbidden('path leaves the media root');

  let realRoot: string;
  try {
    realRoot = await fsp.realpath(root);
  } catch {
    return notFound('media root does not exist');
  }

  let realTarget: string;
  try {
    realTarget = await fsp.realpath(lexical);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return notFound('symlink loop');
    if (code === 'EACCES' || code === 'EPERM') return forbidden('permission denied');
    return notFound('not found');
  }
  if (!isInside(realRoot, realTarget) || realTarget === realRoot) {
    return forbidden('path resolves outside the media root');
  }

  try {
    const st = await fsp.stat(realTarget);
    if (st.isDirectory()) return notFound('is a directory');
    if (!st.isFile()) return notFound('not a regular file');
  } catch {
    return notFound('not found');
  }
  return { ok: true, path: realTarget };
}
