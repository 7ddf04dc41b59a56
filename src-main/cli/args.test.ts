import { describe, expect, it } from 'vitest';
import { DEFAULT_PORT, parseCli } from './args';

describe('parseCli', () => {
  it.each([
    [[], { kind: 'help', topic: null }],
    [['--help'], { kind: 'help', topic: null }],
    [['help', 'serve'], { kind: 'help', topic: 'serve' }],
    [['--version'], { kind: 'version' }],
    [['-v'], { kind: 'version' }],
    [['serve', '--help'], { kind: 'help', topic: 'serve' }],
    [
      ['serve'],
      {
        kind: 'serve',
        port: DEFAULT_PORT,
        host: '127.0.0.1',
        allowRemote: false,
        dataDir: null,
        logLevel: 'info',
      },
    ],
    [
      ['serve', '--port', '0', '--data-dir', '/tmp/x y', '--log-level', 'debug'],
      {
        kind: 'serve',
        port: 0,
        host: '127.0.0.1',
        allowRemote: false,
        dataDir: '/tmp/x y',
        logLevel: 'debug',
      },
    ],
    [
      ['serve', '--port=8080', '--host', '0.0.0.0', '--allow-remote'],
      {
        kind: 'serve',
        port: 8080,
        host: '0.0.0.0',
        allowRemote: true,
        dataDir: null,
        logLevel: 'info',
      },
    ],
    [
      ['process', 'a.mp4', '--out', 'o'],
      {
        kind: 'process',
        input: 'a.mp4',
        out: 'o',
        realtime: false,
        durationS: null,
        transcript: null,
        asr: null,
        marks: null,
        chat: null,
        lexicon: null,
        preset: null,
        config: null,
        publish: [],
        dataDir: null,
        logLevel: 'warn',
      },
    ],
    [
      ['process', 'https://x.example/a.m3u8', '--out', 'o', '--realtime', '--duration', '12.5'],
      {
        kind: 'process',
        input: 'https://x.example/a.m3u8',
        out: 'o',
        realtime: true,
        durationS: 12.5,
        transcript: null,
        asr: null,
        marks: null,
        chat: null,
        lexicon: null,
        preset: null,
        config: null,
        publish: [],
        dataDir: null,
        logLevel: 'warn',
      },
    ],
    [
      [
        'process',
        'a.mp4',
        '--out',
        'o',
        '--preset',
        'gaming',
        '--marks',
        'm.txt',
        '--chat',
        'ws://127.0.0.1:9/c',
        '--lexicon',
        'l.json',
        '--config',
        'c.json',
        '--publish',
        'folder:/tmp/out',
        '--publish',
        's3:oss',
      ],
      {
        kind: 'process',
        input: 'a.mp4',
        out: 'o',
        realtime: false,
        durationS: null,
        transcript: null,
        asr: null,
        marks: 'm.txt',
        chat: 'ws://127.0.0.1:9/c',
        lexicon: 'l.json',
        preset: 'gaming',
        config: 'c.json',
        publish: ['folder:/tmp/out', 's3:oss'],
        dataDir: null,
        logLevel: 'warn',
      },
    ],
  ])('%j → ok', (argv, expected) => {
    expect(parseCli(argv)).toEqual(expected);
  });

  it.each([
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['--frob'], /unknown option '--frob'/],
    [['serve', '--frob'], /Unknown option '--frob'/],
    [['serve', '--port'], /argument missing/],
    [['serve', '--port', 'abc'], /--port must be a whole number/],
    [['serve', '--port', '70000'], /--port must be a whole number/],
    [['serve', '--port', '-1'], /--port/],
    [['serve', 'extra'], /Unexpected argument 'extra'/],
    [['serve', '--log-level', 'loud'], /--log-level must be one of/],
    [['serve', '--data-dir', ''], /--data-dir must be a directory path/],
    [['serve', '--host', '  '], /--host cannot be empty/],
    [['--version', 'now'], /--version takes no arguments/],
    [['process', '--out', 'o'], /needs an input/],
    [['process', 'a.mp4'], /needs --out/],
    [['process', 'a.mp4', 'b.mp4', '--out', 'o'], /takes one input/],
    [['process', 'a.mp4', '--out', 'o', '--duration', '-3'], /argument is ambiguous|--duration/],
    [
      ['process', 'a.mp4', '--out', 'o', '--duration', 'abc'],
      /--duration must be a positive number/,
    ],
    [['process', 'a.mp4', '--out', 'o', '--publish', 'douyin'], /--publish: .*not understood/],
    [['process', 'a.mp4', '--out', 'o', '--publish', 'ftp:x'], /unknown kind "ftp"/],
    [['process', 'a.mp4', '--out', 'o', '--publish', 'folder:'], /nothing after "folder:"/],
    [['process', 'a.mp4', '--out', 'o', '--publish', 's3:Bad Id'], /not a target id/],
    [['process', 'a.mp4', '--out', 'o', '--preset', 'shopping'], /--preset must be one of/],
    [['process', 'a.mp4', '--out', 'o', '--marks', ' '], /--marks needs a file path/],
    [['process', 'a.mp4', '--out', 'o', '--chat', ''], /--chat needs a file path or a ws/],
  ])('%j → a one-line error', (argv, pattern) => {
    const r = parseCli(argv);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.message).toMatch(pattern);
      expect(r.message).not.toContain('\n');
    }
  });
});
