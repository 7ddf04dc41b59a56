import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyProbeFailure,
  ffprobeFor,
  parseProbeJson,
  parseRate,
  ProbeError,
  type ProbeErrorKind,
  probeArgs,
  probeMedia,
} from './probe';

const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';
const hasFfprobe = fs.existsSync(FFPROBE) && fs.existsSync(FFMPEG);
if (!hasFfprobe) {
  console.warn(
    `probe.test.ts: ${FFPROBE} or ${FFMPEG} is missing; skipping the real-ffprobe tests`,
  );
}

async function probeError(p: Promise<unknown>): Promise<ProbeError> {
  const err = await p.then(
    () => new Error('expected the probe to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProbeError);
  return err as ProbeError;
}

describe('parseRate', () => {
  it.each<[string | undefined, number | null]>([
    ['30000/1001', 30000 / 1001],
    ['25/1', 25],
    ['30', 30],
    ['0/0', null],
    ['1/0', null],
    ['N/A', null],
    [undefined, null],
  ])('%s → %s', (rate, fps) => {
    expect(parseRate(rate)).toBe(fps);
  });
});

describe('parseProbeJson', () => {
  const stream = (s: Record<string, unknown>) => ({ index: 0, ...s });

  it('takes the first video and audio streams, skipping cover art', () => {
    const probe = parseProbeJson(
      {
        streams: [
          stream({
            codec_type: 'video',
            codec_name: 'mjpeg',
            width: 64,
            height: 64,
            disposition: { default: 0, attached_pic: 1 },
          }),
          stream({ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 }),
          stream({
            codec_type: 'video',
            codec_name: 'h264',
            width: 1920,
            height: 1080,
            pix_fmt: 'yuv420p',
            avg_frame_rate: '0/0',
            r_frame_rate: '30000/1001',
            disposition: { attached_pic: 0 },
          }),
          stream({ codec_type: 'audio', codec_name: 'opus', sample_rate: '44100', channels: 1 }),
        ],
        format: { format_name: 'flv', duration: '12.5', bit_rate: '4500000' },
      },
      'in.flv',
    );
    expect(probe).toEqual({
      formatName: 'flv',
      durationS: 12.5,
      bitRate: 4_500_000,
      video: { codec: 'h264', width: 1920, height: 1080, fps: 30000 / 1001, pixFmt: 'yuv420p' },
      audio: { codec: 'aac', sampleRate: 48000, channels: 2 },
    });
  });

  it('live: no duration; missing format fields are null', () => {
    const probe = parseProbeJson(
      {
        streams: [
          stream({ codec_type: 'audio', codec_name: 'aac', sample_rate: '48000', channels: 2 }),
        ],
        format: { format_name: 'hls', duration: '3600.0' },
      },
      'http://x/live.m3u8',
      { live: true },
    );
    expect(probe).toMatchObject({ formatName: 'hls', durationS: null, bitRate: null, video: null });
  });

  it('no audio or video stream → no_streams', () => {
    const err = (() => {
      try {
        parseProbeJson(
          { streams: [stream({ codec_type: 'data' })], format: { format_name: 'mpegts' } },
          'x.ts',
        );
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ kind: 'no_streams', message: 'x.ts has no audio or video stream' });
  });

  it('JSON of the wrong shape → not_media', () => {
    expect(() => parseProbeJson({ streams: 'nope' }, 'x')).toThrow(ProbeError);
  });
});

describe('classifyProbeFailure (real ffprobe 5.1 stderr)', () => {
  const cases: Array<[string, string, ProbeErrorKind, string]> = [
    [
      'http://127.0.0.1:9/x.m3u8',
      '[tcp @ 0x55f82a909bc0] Connection to tcp://127.0.0.1:9 failed: Connection refused\nhttp://127.0.0.1:9/x.m3u8: Connection refused\n',
      'unreachable',
      'Cannot reach http://127.0.0.1:9/x.m3u8: Connection refused',
    ],
    [
      'http://nonexistent.invalid/x',
      '[tcp @ 0x5588fdf3eac0] Failed to resolve hostname nonexistent.invalid: Name or service not known\nhttp://nonexistent.invalid/x: Input/output error\n',
      'unreachable',
      'Cannot reach http://nonexistent.invalid/x: Failed to resolve hostname nonexistent.invalid: Name or service not known',
    ],
    [
      'http://127.0.0.1:18931/x.m3u8',
      'http://127.0.0.1:18931/x.m3u8: Connection timed out\n',
      'unreachable',
      'Cannot reach http://127.0.0.1:18931/x.m3u8: Connection timed out',
    ],
    [
      'https://cdn.example/live.m3u8',
      '[https @ 0x1] HTTP error 404 Not Found\nhttps://cdn.example/live.m3u8: Server returned 404 Not Found\n',
      'unreachable',
      'Cannot reach https://cdn.example/live.m3u8: Server returned 404 Not Found',
    ],
    [
      'rtmp://user:secret@127.0.0.1:9/live/x',
      '[rtmp @ 0x1] Cannot open connection tcp://127.0.0.1:9?tcp_nodelay=0\nrtmp://user:secret@127.0.0.1:9/live/x: Connection refused\n',
      'unreachable',
      'Cannot reach rtmp://user:***@127.0.0.1:9/live/x: Connection refused',
    ],
    [
      '/tmp/nope.mp4',
      '/tmp/nope.mp4: No such file or directory\n',
      'not_found',
      '/tmp/nope.mp4 does not exist (No such file or directory)',
    ],
    [
      '/tmp/r.bin',
      '/tmp/r.bin: Invalid data found when processing input\n',
      'not_media',
      '/tmp/r.bin is not a media file ffmpeg can read (Invalid data found when processing input)',
    ],
    [
      'foo://bar',
      'foo://bar: Protocol not found\nDid you mean file:foo://bar?\n',
      'not_media',
      'foo://bar uses a protocol this ffmpeg does not support (Protocol not found)',
    ],
    [
      '/tmp/odd.mkv',
      '/tmp/odd.mkv: End of file\n',
      'not_media',
      '/tmp/odd.mkv is not a media file ffmpeg can read (End of file)',
    ],
  ];
  it.each(cases)('%s', (input, stderr, kind, message) => {
    const err = classifyProbeFailure(input, stderr);
    expect(err).toMatchObject({ kind, message });
    expect(err.message).not.toContain('\n');
  });
});

describe('probeArgs', () => {
  const base = { timeoutMs: 10_000, analyzeDurationUs: 2_000_000, live: false };

  it('local file: JSON, streams and format, the input after -i', () => {
    const args = probeArgs('-weird.mp4', base);
    expect(args.slice(0, 7)).toEqual([
      '-v',
      'error',
      '-hide_banner',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
    ]);
    expect(args).toContain('-analyzeduration');
    expect(args).not.toContain('-rw_timeout');
    expect(args.slice(-2)).toEqual(['-i', '-weird.mp4']);
  });

  it('a relative name with a colon is not read as a protocol', () => {
    expect(probeArgs('a:b.mp4', base).at(-1)).toBe('file:a:b.mp4');
    expect(probeArgs('C:\\v\\a.mp4', base).at(-1)).toBe('C:\\v\\a.mp4');
  });

  it('http: socket timeouts well inside the overall limit', () => {
    const args = probeArgs('http://h/x.m3u8', base);
    expect(args[args.indexOf('-rw_timeout') + 1]).toBe('6000000');
    expect(args[args.indexOf('-timeout') + 1]).toBe('6000000');
  });

  it('rtmp: no -timeout (it would mean listen mode)', () => {
    const args = probeArgs('rtmp://h/live/key', { ...base, live: true });
    expect(args).toContain('-rw_timeout');
    expect(args).not.toContain('-timeout');
    expect(args).toContain('-probesize');
  });
});

describe('ffprobeFor', () => {
  const env = { PATH: '/usr/local/bin:/usr/bin' };

  it.each<[string, string, string[], NodeJS.Platform, string]>([
    [
      'beside ffmpeg',
      '/opt/ff/bin/ffmpeg',
      ['/opt/ff/bin/ffprobe', '/usr/bin/ffprobe'],
      'linux',
      '/opt/ff/bin/ffprobe',
    ],
    ['falls back to PATH', '/opt/ff/bin/ffmpeg', ['/usr/bin/ffprobe'], 'linux', '/usr/bin/ffprobe'],
    [
      'windows: ffprobe.exe beside ffmpeg.exe',
      'C:\\ff\\bin\\ffmpeg.exe',
      ['C:\\ff\\bin\\ffprobe.exe'],
      'win32',
      'C:\\ff\\bin\\ffprobe.exe',
    ],
  ])('%s', (_name, ffmpeg, files, platform, expected) => {
    expect(
      ffprobeFor(ffmpeg, {
        env: platform === 'win32' ? { Path: 'C:\\x' } : env,
        platform,
        fileExists: (p) => files.includes(p),
      }),
    ).toBe(expected);
  });

  it('throws ffprobe_missing with an install hint when there is none', () => {
    let err: unknown;
    try {
      ffprobeFor('/tmp/ffmpeg-static/ffmpeg', { env, platform: 'linux', fileExists: () => false });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ProbeError);
    expect(err).toMatchObject({ kind: 'ffprobe_missing' });
    expect((err as Error).message).toMatch(/install ffmpeg, which ships ffprobe/);
  });

  it.skipIf(!hasFfprobe)('finds the real ffprobe beside /usr/bin/ffmpeg', () => {
    expect(ffprobeFor(FFMPEG)).toBe(FFPROBE);
  });
});

describe.skipIf(!hasFfprobe)('probeMedia (real ffprobe)', () => {
  let dir: string;
  const f = (name: string): string => path.join(dir, name);
  const ffmpeg = (...args: string[]): void => {
    execFileSync(FFMPEG, ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: 'ignore' });
  };
  const opts = { ffprobePath: FFPROBE };
  const servers: Array<http.Server | net.Server> = [];
  const sockets: net.Socket[] = [];

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-probe-'));
    const lavfi = [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-t',
      '2',
    ];
    ffmpeg(...lavfi, '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', f('av.mp4'));
    ffmpeg(...lavfi, '-map', '0:v', '-c:v', 'libx264', '-preset', 'ultrafast', f('video.mp4'));
    ffmpeg(...lavfi, '-map', '1:a', '-c:a', 'aac', f('audio.m4a'));
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:size=64x64',
      '-t',
      '2',
      '-map',
      '0:a',
      '-map',
      '1:v',
      '-c:a',
      'libmp3lame',
      '-c:v',
      'mjpeg',
      '-pix_fmt',
      'yuvj420p',
      '-frames:v',
      '1',
      '-disposition:v',
      'attached_pic',
      '-id3v2_version',
      '3',
      f('cover.mp3'),
    );
    fs.writeFileSync(
      f('random.bin'),
      Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 251)),
    );
    fs.writeFileSync(f('slow-ffprobe'), '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const listen = async (server: http.Server | net.Server): Promise<number> => {
    servers.push(server);
    server.on('connection', (socket: net.Socket) => sockets.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return (server.address() as net.AddressInfo).port;
  };

  it('an mp4 with video and audio', async () => {
    const probe = await probeMedia(f('av.mp4'), opts);
    expect(probe).toMatchObject({
      video: { codec: 'h264', width: 320, height: 240, fps: 25, pixFmt: 'yuv420p' },
      audio: { codec: 'aac', sampleRate: 48000, channels: 1 },
    });
    expect(probe.formatName).toContain('mp4');
    expect(probe.durationS).toBeCloseTo(2, 0);
    expect(probe.bitRate).toBeGreaterThan(0);
  });

  it('video only', async () => {
    const probe = await probeMedia(f('video.mp4'), opts);
    expect(probe.video).toMatchObject({ codec: 'h264', width: 320, height: 240 });
    expect(probe.audio).toBeNull();
  });

  it('audio only', async () => {
    const probe = await probeMedia(f('audio.m4a'), opts);
    expect(probe.video).toBeNull();
    expect(probe.audio).toEqual({ codec: 'aac', sampleRate: 48000, channels: 1 });
  });

  it('an mp3 with cover art is audio only', async () => {
    const probe = await probeMedia(f('cover.mp3'), opts);
    expect(probe).toMatchObject({
      formatName: 'mp3',
      video: null,
      audio: { codec: 'mp3', sampleRate: 48000 },
    });
  });

  it('live: durationS is null', async () => {
    const probe = await probeMedia(f('av.mp4'), { ...opts, live: true });
    expect(probe.durationS).toBeNull();
    expect(probe.video?.codec).toBe('h264');
  });

  it('random bytes → not_media', async () => {
    const err = await probeError(probeMedia(f('random.bin'), opts));
    expect(err.kind).toBe('not_media');
    expect(err.message).toBe(
      `${f('random.bin')} is not a media file ffmpeg can read (Invalid data found when processing input)`,
    );
  });

  it('a missing file → not_found', async () => {
    const err = await probeError(probeMedia(f('missing.mp4'), opts));
    expect(err).toMatchObject({
      kind: 'not_found',
      message: `${f('missing.mp4')} does not exist (No such file or directory)`,
    });
  });

  it('a port nothing listens on → unreachable', async () => {
    const port = await listen(net.createServer());
    await new Promise((r) => servers.pop()?.close(r)); // free the port again
    const url = `http://127.0.0.1:${port}/x.m3u8`;
    const err = await probeError(probeMedia(url, opts));
    expect(err).toMatchObject({
      kind: 'unreachable',
      message: `Cannot reach ${url}: Connection refused`,
    });
  });

  it('HTTP 404 → unreachable', async () => {
    const port = await listen(http.createServer((_req, res) => res.writeHead(404).end('nope')));
    const url = `http://127.0.0.1:${port}/live.m3u8`;
    const err = await probeError(probeMedia(url, opts));
    expect(err).toMatchObject({
      kind: 'unreachable',
      message: `Cannot reach ${url}: Server returned 404 Not Found`,
    });
  });

  it('a server that never answers → unreachable (socket timeout inside timeoutMs)', async () => {
    const port = await listen(net.createServer(() => undefined));
    const url = `http://127.0.0.1:${port}/x.m3u8`;
    const err = await probeError(probeMedia(url, { ...opts, timeoutMs: 3000 }));
    expect(err).toMatchObject({
      kind: 'unreachable',
      message: `Cannot reach ${url}: Connection timed out`,
    });
  });

  it('an ffprobe that hangs → timeout', async () => {
    const err = await probeError(
      probeMedia(f('av.mp4'), { ffprobePath: f('slow-ffprobe'), timeoutMs: 300 }),
    );
    expect(err).toMatchObject({
      kind: 'timeout',
      message: `Probing ${f('av.mp4')} timed out after 300 ms`,
    });
  });

  it('a missing ffprobe binary → ffprobe_missing', async () => {
    const err = await probeError(probeMedia(f('av.mp4'), { ffprobePath: f('no-ffprobe') }));
    expect(err.kind).toBe('ffprobe_missing');
    expect(err.message).toMatch(/install ffmpeg, which ships ffprobe/);
  });
});
