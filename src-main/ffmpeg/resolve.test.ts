import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FfmpegResolution,
  isExecutableFile,
  loadFfmpegStaticDefault,
  resolveFfmpeg,
  type ResolveFfmpegOptions,
  unpackedAsarPath,
} from './resolve';
import { missing } from '../testing/skip';

const existing =
  (...files: string[]) =>
  (p: string): boolean =>
    files.includes(p);
const noStatic = (): null => null;

describe('resolveFfmpeg (table)', () => {
  const found = (p: string, source: 'configured' | 'ffmpeg-static' | 'path'): FfmpegResolution => ({
    found: true,
    path: p,
    source,
  });
  const cases: Array<[string, ResolveFfmpegOptions, FfmpegResolution | RegExp[]]> = [
    [
      'configured path wins over everything',
      {
        configured: '/opt/ff/ffmpeg',
        env: { PATH: '/usr/bin', LIVESLICE_FFMPEG: '/env/ffmpeg' },
        platform: 'linux',
        fileExists: existing('/opt/ff/ffmpeg', '/env/ffmpeg', '/static/ffmpeg', '/usr/bin/ffmpeg'),
        loadFfmpegStatic: () => '/static/ffmpeg',
      },
      found('/opt/ff/ffmpeg', 'configured'),
    ],
    [
      'missing configured path fails instead of falling through',
      {
        configured: '/opt/ff/ffmpeg',
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        fileExists: existing('/static/ffmpeg', '/usr/bin/ffmpeg'),
        loadFfmpegStatic: () => '/static/ffmpeg',
      },
      [/ffmpeg\.path/, /\/opt\/ff\/ffmpeg/, /not an executable/],
    ],
    [
      'LIVESLICE_FFMPEG is the configured path when the setting is null',
      {
        configured: null,
        env: { PATH: '/usr/bin', LIVESLICE_FFMPEG: '/env/ffmpeg' },
        platform: 'linux',
        fileExists: existing('/env/ffmpeg', '/usr/bin/ffmpeg'),
        loadFfmpegStatic: noStatic,
      },
      found('/env/ffmpeg', 'configured'),
    ],
    [
      'missing LIVESLICE_FFMPEG fails and names the variable',
      {
        env: { PATH: '/usr/bin', LIVESLICE_FFMPEG: '/env/ffmpeg' },
        platform: 'linux',
        fileExists: existing('/usr/bin/ffmpeg'),
        loadFfmpegStatic: noStatic,
      },
      [/LIVESLICE_FFMPEG/, /\/env\/ffmpeg/],
    ],
    [
      'blank setting counts as unset',
      {
        configured: '  ',
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        fileExists: existing('/usr/bin/ffmpeg'),
        loadFfmpegStatic: noStatic,
      },
      found('/usr/bin/ffmpeg', 'path'),
    ],
    [
      'a bare configured name is looked up on PATH',
      {
        configured: 'ffmpeg7',
        env: { PATH: '/a:/b' },
        platform: 'linux',
        fileExists: existing('/b/ffmpeg7', '/a/ffmpeg'),
        loadFfmpegStatic: noStatic,
      },
      found('/b/ffmpeg7', 'configured'),
    ],
    [
      'ffmpeg-static before PATH',
      {
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        fileExists: existing('/app/node_modules/ffmpeg-static/ffmpeg', '/usr/bin/ffmpeg'),
        loadFfmpegStatic: () => '/app/node_modules/ffmpeg-static/ffmpeg',
      },
      found('/app/node_modules/ffmpeg-static/ffmpeg', 'ffmpeg-static'),
    ],
    [
      'ffmpeg-static inside app.asar is read from app.asar.unpacked',
      {
        env: {},
        platform: 'darwin',
        fileExists: existing('/A/Resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg'),
        loadFfmpegStatic: () => '/A/Resources/app.asar/node_modules/ffmpeg-static/ffmpeg',
      },
      found('/A/Resources/app.asar.unpacked/node_modules/ffmpeg-static/ffmpeg', 'ffmpeg-static'),
    ],
    [
      'ffmpeg-static whose download failed falls through to PATH',
      {
        env: { PATH: '/usr/local/bin:/usr/bin' },
        platform: 'linux',
        fileExists: existing('/usr/bin/ffmpeg'),
        loadFfmpegStatic: () => '/app/node_modules/ffmpeg-static/ffmpeg',
      },
      found('/usr/bin/ffmpeg', 'path'),
    ],
    [
      'ffmpeg-static that throws on load falls through to PATH',
      {
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        fileExists: existing('/usr/bin/ffmpeg'),
        loadFfmpegStatic: () => {
          throw new Error('boom');
        },
      },
      found('/usr/bin/ffmpeg', 'path'),
    ],
    [
      'PATH order is respected; empty and relative entries are skipped',
      {
        env: { PATH: ':bin:/first:/second' },
        platform: 'linux',
        fileExists: existing('bin/ffmpeg', '/first/ffmpeg', '/second/ffmpeg'),
        loadFfmpegStatic: noStatic,
      },
      found('/first/ffmpeg', 'path'),
    ],
    [
      'win32: ffmpeg.exe on a ;-separated, case-insensitive Path',
      {
        env: { Path: 'C:\\Windows;"C:\\Program Files\\ffmpeg\\bin"' },
        platform: 'win32',
        fileExists: existing('C:\\Program Files\\ffmpeg\\bin\\ffmpeg.exe'),
        loadFfmpegStatic: noStatic,
      },
      found('C:\\Program Files\\ffmpeg\\bin\\ffmpeg.exe', 'path'),
    ],
    [
      'win32: app.asar with backslashes',
      {
        env: {},
        platform: 'win32',
        fileExists: existing('C:\\LS\\resources\\app.asar.unpacked\\ffmpeg.exe'),
        loadFfmpegStatic: () => 'C:\\LS\\resources\\app.asar\\ffmpeg.exe',
      },
      found('C:\\LS\\resources\\app.asar.unpacked\\ffmpeg.exe', 'ffmpeg-static'),
    ],
    [
      'nothing found: the message lists every attempt and the fixes',
      {
        env: { PATH: '/usr/local/bin:/usr/bin' },
        platform: 'linux',
        fileExists: existing(),
        loadFfmpegStatic: noStatic,
      },
      [
        /ffmpeg-static is not installed/,
        /\/usr\/local\/bin:\/usr\/bin/,
        /apt-get install ffmpeg/,
        /ffmpeg\.path/,
        /LIVESLICE_FFMPEG/,
      ],
    ],
    [
      'nothing found with a broken ffmpeg-static download says so',
      {
        env: { PATH: '/usr/bin' },
        platform: 'linux',
        fileExists: existing(),
        loadFfmpegStatic: () => '/app/node_modules/ffmpeg-static/ffmpeg',
      },
      [/\/app\/node_modules\/ffmpeg-static\/ffmpeg is missing/, /npm rebuild ffmpeg-static/],
    ],
    [
      'nothing found on macOS suggests brew',
      { env: {}, platform: 'darwin', fileExists: existing(), loadFfmpegStatic: noStatic },
      [/PATH is empty/, /brew install ffmpeg/],
    ],
  ];

  it.each(cases)('%s', (_name, opts, expected) => {
    const r = resolveFfmpeg(opts);
    if (Array.isArray(expected)) {
      expect(r.found).toBe(false);
      if (!r.found) for (const re of expected) expect(r.message).toMatch(re);
    } else {
      expect(r).toEqual(expected);
    }
  });
});

describe('unpackedAsarPath', () => {
  const cases: Array<[string, string]> = [
    ['/r/app.asar/node_modules/x', '/r/app.asar.unpacked/node_modules/x'],
    ['/r/app.asar.unpacked/node_modules/x', '/r/app.asar.unpacked/node_modules/x'],
    ['/r/my-app.asar/x', '/r/my-app.asar/x'],
    ['C:\\r\\app.asar\\x.exe', 'C:\\r\\app.asar.unpacked\\x.exe'],
    ['/usr/bin/ffmpeg', '/usr/bin/ffmpeg'],
  ];
  it.each(cases)('%s', (input, output) => {
    expect(unpackedAsarPath(input)).toBe(output);
  });
});

describe('with real files', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-ffmpeg-'));
    fs.writeFileSync(path.join(tmp, 'ffmpeg'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(tmp, 'not-exec'), 'x', { mode: 0o644 });
    fs.mkdirSync(path.join(tmp, 'dir'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('isExecutableFile accepts only executable regular files', () => {
    expect(isExecutableFile(path.join(tmp, 'ffmpeg'), 'linux')).toBe(true);
    expect(isExecutableFile(path.join(tmp, 'not-exec'), 'linux')).toBe(false);
    expect(isExecutableFile(path.join(tmp, 'dir'), 'linux')).toBe(false);
    expect(isExecutableFile(path.join(tmp, 'missing'), 'linux')).toBe(false);
  });

  it('finds an executable on a real PATH with the default fileExists', () => {
    const r = resolveFfmpeg({ env: { PATH: tmp }, platform: 'linux', loadFfmpegStatic: noStatic });
    expect(r).toEqual({ found: true, path: path.join(tmp, 'ffmpeg'), source: 'path' });
  });

  it('the default ffmpeg-static loader never throws', () => {
    const p = loadFfmpegStaticDefault();
    expect(p === null || typeof p === 'string').toBe(true);
  });

  it.skipIf(
    missing(
      !fs.existsSync('/usr/bin/ffmpeg') &&
        "Debian's ffmpeg is not at /usr/bin/ffmpeg (apt-get install ffmpeg)",
    ),
  )('resolves the system ffmpeg (skipped: /usr/bin/ffmpeg is not installed)', () => {
    const r = resolveFfmpeg({
      configured: null,
      env: { PATH: '/usr/bin' },
      loadFfmpegStatic: noStatic,
    });
    expect(r).toEqual({ found: true, path: '/usr/bin/ffmpeg', source: 'path' });
  });
});
