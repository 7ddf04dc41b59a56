import { describe, expect, it } from 'vitest';
import { probeArgs } from '../ffmpeg/probe';
import {
  buildIngestArgs,
  classifyInput,
  inputArgs,
  InputError,
  parsePullUrl,
  parseSegmentCsvLine,
  protocolWhitelist,
  segmentPattern,
} from './args';

describe('parsePullUrl', () => {
  it.each([
    'https://cdn.example.com/live/stream.m3u8',
    'http://127.0.0.1:8080/live.flv',
    'rtmp://live.example.com/app/key',
    'srt://10.0.0.2:9000?streamid=abc',
  ])('accepts %s', (u) => expect(parsePullUrl(u).href).toBeTruthy());

  it.each([
    ['file:///etc/passwd', /Unsupported URL scheme file:/],
    ['concat:a.ts|b.ts', /Unsupported URL scheme|Not a valid URL/],
    ['javascript:alert(1)', /Unsupported URL scheme/],
    ['http://exa mple.com/x.m3u8', /spaces/],
    ['not a url', /spaces|Not a valid URL/],
    ['https://', /Not a valid URL|no host/],
    ['pipe:0', /Unsupported URL scheme|Not a valid URL/],
  ])('refuses %s', (u, msg) => expect(() => parsePullUrl(u)).toThrow(msg));
});

describe('classifyInput', () => {
  it('treats scheme://… as a URL and anything else as a file, made absolute', () => {
    expect(classifyInput('https://x.example/a.m3u8', true)).toEqual({
      kind: 'url',
      url: 'https://x.example/a.m3u8',
    });
    expect(classifyInput('clips/a.mp4', false, '/home/op')).toEqual({
      kind: 'file',
      path: '/home/op/clips/a.mp4',
      realtime: false,
    });
    expect(classifyInput('pipe:0', true, '/w')).toEqual({
      kind: 'file',
      path: '/w/pipe:0',
      realtime: true,
    });
    expect(() => classifyInput('ftp://x/y', true)).toThrow(InputError);
  });
});

describe('inputArgs', () => {
  it('opens files through file: with only the file protocol allowed', () => {
    expect(inputArgs({ kind: 'file', path: '/m/-weird name.mp4', realtime: true })).toEqual([
      '-re',
      '-protocol_whitelist',
      'file',
      '-i',
      'file:/m/-weird name.mp4',
    ]);
  });
  it.each([
    ['https://x.example/a.m3u8', 'http,https,tcp,tls,crypto,hls'],
    ['rtmp://x.example/app/k', 'rtmp,rtmps,tcp,tls'],
    ['srt://x.example:9000', 'srt,udp'],
  ])('whitelists protocols for %s', (url, wl) => {
    const args = inputArgs({ kind: 'url', url });
    expect(args[args.indexOf('-protocol_whitelist') + 1]).toBe(wl);
    expect(args).toContain('-rw_timeout');
    expect(args.at(-1)).toBe(new URL(url).href);
  });
});

describe('buildIngestArgs', () => {
  const base = { dvrDir: '/data/sessions/s1/dvr', runTag: 'r001', segmentSeconds: 1 };
  const file = { kind: 'file' as const, path: '/m/a.mp4', realtime: false };

  it('copies h264/aac into segments and taps 16 kHz mono PCM', () => {
    const r = buildIngestArgs({
      ...base,
      input: file,
      streams: { video: { codec: 'h264' }, audio: { codec: 'aac' } },
    });
    expect(r).toMatchObject({ transcodeVideo: false, transcodeAudio: false, pcm: true });
    const a = r.args.join(' ');
    expect(a).toContain('-map 0:v:0 -map 0:a:0 -c:v copy -c:a copy -f segment -segment_time 1');
    expect(a).toContain('-segment_list pipe:3 -segment_list_type csv');
    expect(a).toContain('/data/sessions/s1/dvr/r001-%06d.ts');
    expect(a).toMatch(/-ac 1 -ar 16000 -c:a pcm_s16le -f s16le pipe:1$/);
    expect(a).toContain('-progress pipe:4');
  });

  it('has no PCM tap for a stream without audio', () => {
    const r = buildIngestArgs({
      ...base,
      input: file,
      streams: { video: { codec: 'h264' }, audio: null },
    });
    expect(r.pcm).toBe(false);
    expect(r.args).not.toContain('pipe:1');
    expect(r.args).not.toContain('0:a:0');
  });

  it('transcodes codecs MPEG-TS/hls.js cannot carry, with a GOP of one segment', () => {
    const r = buildIngestArgs({
      ...base,
      fps: 25,
      input: file,
      streams: { video: { codec: 'vp9' }, audio: { codec: 'opus' } },
    });
    expect(r).toMatchObject({ transcodeVideo: true, transcodeAudio: true });
    const a = r.args.join(' ');
    expect(a).toContain('-c:v libx264');
    expect(a).toContain('-g 25 -keyint_min 25');
    expect(a).toContain('-c:a aac');
  });

  it('refuses an input with no audio or video', () => {
    expect(() =>
      buildIngestArgs({ ...base, input: file, streams: { video: null, audio: null } }),
    ).toThrow(/neither video nor audio/);
  });

  it('escapes % in the data directory for the segment pattern', () => {
    expect(segmentPattern('/data/100%/dvr', 'r002')).toBe('/data/100%%/dvr/r002-%06d.ts');
    expect(() => segmentPattern('/d', '../x')).toThrow();
  });
});

describe('parseSegmentCsvLine', () => {
  it.each([
    ['r001-000000.ts,0.000000,1.001000', { file: 'r001-000000.ts', start: 0, end: 1.001 }],
    ['"we,ird.ts",2.5,3.5', { file: 'we,ird.ts', start: 2.5, end: 3.5 }],
    ['garbage', null],
    ['a.ts,2,1', null],
    ['a.ts,x,1', null],
  ])('%s', (line, expected) => expect(parseSegmentCsvLine(line)).toEqual(expected));
});

describe('the probe gets the same protocol whitelist as the ingest', () => {
  it.each([
    [{ kind: 'url' as const, url: 'https://x.example/a.m3u8' }, 'http,https,tcp,tls,crypto,hls'],
    [{ kind: 'file' as const, path: '/m/a.mp4', realtime: false }, 'file'],
    [{ kind: 'push' as const, url: 'rtmp://127.0.0.1:1935/live/k' }, 'rtmp,rtmps,tcp,tls'],
  ])('%j', (input, wl) => {
    expect(protocolWhitelist(input)).toBe(wl);
    const args = probeArgs('x', {
      timeoutMs: 1000,
      analyzeDurationUs: 1,
      live: false,
      protocolWhitelist: wl,
    });
    expect(
      args.slice(args.indexOf('-protocol_whitelist'), args.indexOf('-protocol_whitelist') + 2),
    ).toEqual(['-protocol_whitelist', wl]);
    expect(args.indexOf('-protocol_whitelist')).toBeLessThan(args.indexOf('-i'));
  });
});
