import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRequestPath, isInside, resolveMediaPath } from './resolve';

describe('checkRequestPath (lexical)', () => {
  const refused: Array<[string, string, RegExp]> = [
    ['empty', '', /empty path/],
    ['raw NUL', 'a\0b.ts', /NUL/],
    ['encoded NUL', 'a%00b.ts', /NUL/],
    ['malformed escape', 'a%zz.ts', /malformed/],
    ['truncated escape', 'a%4', /malformed/],
    ['invalid UTF-8 escape', '%c3%28', /malformed/],
    ['dot-dot', '../secret', /"\.\." segment/],
    ['inner dot-dot', 'sessions/../../secret', /"\.\." segment/],
    ['trailing dot-dot', 'sessions/..', /"\.\." segment/],
    ['dot', './seg.ts', /"\." segment/],
    ['encoded dot-dot', '%2e%2e/secret', /"\.\." segment/],
    ['encoded dot-dot upper', '%2E%2E/secret', /"\.\." segment/],
    ['mixed dot-dot', '.%2E/secret', /"\.\." segment/],
    ['encoded slash hides dot-dot', 'a%2f..%2fsecret', /"\.\." segment/],
    ['dots and spaces', '.. /secret', /dot-only/],
    ['triple dot', '.../secret', /dot-only/],
    ['raw backslash', 'a\\b.ts', /backslash/],
    ['encoded backslash', 'a%5cb.ts', /backslash/],
    ['encoded backslash dot-dot', '..%5csecret', /backslash/],
    ['UNC encoded', '%5c%5cserver%5cshare', /UNC/],
    ['UNC raw', '\\\\server\\share', /backslash/],
    ['absolute', '/etc/passwd', /absolute/],
    ['encoded absolute', '%2fetc%2fpasswd', /absolute/],
    ['protocol-relative', '//host/share', /UNC or protocol-relative/],
    ['drive', 'C:/Windows/win.ini', /drive-letter/],
    ['encoded drive', 'c%3A/Windows', /drive-letter/],
    ['drive relative', 'c:secret', /drive-letter/],
    ['alternate data stream', 'seg.ts:Zone.Identifier', /colon/],
    ['empty segment', 'sessions//seg.ts', /empty path segment/],
    ['trailing slash', 'sessions/', /empty path segment/],
    ['control char', 'a%0ab.ts', /control character/],
  ];
  it.each(refused)('refuses %s', (_name, requested, reason) => {
    const r = checkRequestPath(requested);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  const accepted: Array<[string, string, string[]]> = [
    ['plain', 'sessions/abc/seg.ts', ['sessions', 'abc', 'seg.ts']],
    ['encoded space', 'sessions/abc/seg%201.ts', ['sessions', 'abc', 'seg 1.ts']],
    ['double-encoded dot-dot is a literal name', '%252e%252e', ['%2e%2e']],
    ['dot inside a name', '..seg.ts', ['..seg.ts']],
    ['unicode', 'caf%C3%A9.ts', ['café.ts']],
  ];
  it.each(accepted)('accepts %s', (_name, requested, segments) => {
    expect(checkRequestPath(requested)).toEqual({ ok: true, segments });
  });
});

describe('isInside', () => {
  const cases: Array<[string, string, string, boolean, path.PlatformPath]> = [
    ['same', '/r', '/r', true, path.posix],
    ['child', '/r', '/r/a/b', true, path.posix],
    ['parent', '/r', '/', false, path.posix],
    ['sibling with prefix', '/r', '/r-evil/x', false, path.posix],
    ['name starting with dots', '/r', '/r/..x', true, path.posix],
    ['win child', 'C:\\r', 'C:\\r\\a', true, path.win32],
    ['win other drive', 'C:\\r', 'D:\\r\\a', false, path.win32],
  ];
  it.each(cases)('%s', (_name, root, target, expected, p) => {
    expect(isInside(root, target, p)).toBe(expected);
  });
});

describe('resolveMediaPath (real files and symlinks)', () => {
  let tmp: string;
  let root: string;

  beforeAll(async () => {
    tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'liveslice-media-')));
    root = path.join(tmp, 'media');
    await fs.mkdir(path.join(root, 'sessions', 'abc'), { recursive: true });
    await fs.writeFile(path.join(root, 'sessions', 'abc', 'seg 1.ts'), 'segment');
    await fs.writeFile(path.join(root, 'sessions', 'abc', 'index.m3u8'), '#EXTM3U\n');
    await fs.writeFile(path.join(root, '%2e%2e'), 'literal');
    await fs.mkdir(path.join(tmp, 'outside'));
    await fs.writeFile(path.join(tmp, 'outside', 'secret.txt'), 'secret');
    await fs.mkdir(path.join(tmp, 'media-evil'));
    await fs.writeFile(path.join(tmp, 'media-evil', 'x.ts'), 'evil');
    await fs.symlink(path.join(tmp, 'outside', 'secret.txt'), path.join(root, 'file-out'));
    await fs.symlink('../outside', path.join(root, 'dir-out'), 'dir');
    await fs.symlink('../media-evil/x.ts', path.join(root, 'prefix-out'));
    await fs.symlink('sessions/abc/index.m3u8', path.join(root, 'file-in'));
    await fs.symlink('sessions', path.join(root, 'dir-in'), 'dir');
    await fs.symlink('missing.ts', path.join(root, 'dangling'));
    await fs.symlink('loop-b', path.join(root, 'loop-a'));
    await fs.symlink('loop-a', path.join(root, 'loop-b'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const cases: Array<[string, string, number | string]> = [
    ['plain file', 'sessions/abc/index.m3u8', 'sessions/abc/index.m3u8'],
    ['encoded space', 'sessions/abc/seg%201.ts', 'sessions/abc/seg 1.ts'],
    ['literal %2e%2e name via double encoding', '%252e%252e', '%2e%2e'],
    ['symlink inside to file inside', 'file-in', 'sessions/abc/index.m3u8'],
    ['symlinked dir inside', 'dir-in/abc/seg%201.ts', 'sessions/abc/seg 1.ts'],
    ['dot-dot', '../outside/secret.txt', 400],
    ['encoded dot-dot', '%2e%2e/outside/secret.txt', 400],
    ['mixed-case encoded dot-dot', '%2E%2e/outside/secret.txt', 400],
    ['absolute', '/etc/passwd', 400],
    ['absolute, encoded', '%2Ftmp%2Fmedia%2Ffile-in', 400],
    ['drive', 'C:%5cWindows', 400],
    ['UNC', '%5c%5chost%5cshare', 400],
    ['backslash', 'sessions%5cabc%5cindex.m3u8', 400],
    ['NUL raw', 'sessions/abc/index.m3u8\0.png', 400],
    ['NUL encoded', 'sessions/abc/index.m3u8%00.png', 400],
    ['symlinked file out', 'file-out', 403],
    ['symlinked dir out', 'dir-out/secret.txt', 403],
    ['symlink to a sibling sharing the prefix', 'prefix-out', 403],
    ['missing', 'sessions/abc/nope.ts', 404],
    ['missing under a file', 'sessions/abc/index.m3u8/x', 404],
    ['directory', 'sessions/abc', 404],
    ['dangling symlink', 'dangling', 404],
    ['symlink loop', 'loop-a', 404],
  ];
  it.each(cases)('%s', async (_name, requested, expected) => {
    const r = await resolveMediaPath(root, requested);
    if (typeof expected === 'string') {
      expect(r).toEqual({ ok: true, path: path.join(root, expected) });
    } else {
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.status).toBe(expected);
        expect(r.reason.length).toBeGreaterThan(0);
      }
    }
  });

  it('returns the real path when the root itself is reached through a symlink', async () => {
    const linkedRoot = path.join(tmp, 'root-link');
    await fs.symlink(root, linkedRoot, 'dir');
    expect(await resolveMediaPath(linkedRoot, 'sessions/abc/index.m3u8')).toEqual({
      ok: true,
      path: path.join(root, 'sessions', 'abc', 'index.m3u8'),
    });
  });

  it('says 404 when the root does not exist', async () => {
    const r = await resolveMediaPath(path.join(tmp, 'no-such-root'), 'a.ts');
    expect(r).toEqual({ ok: false, status: 404, reason: 'media root does not exist' });
  });
});
