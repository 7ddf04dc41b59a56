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
  ])('%j → a one-line error', (argv, pattern) => {
    const r = parseCli(argv);
    expect(r.kind).toBe('error');
    if (r.kind === 'error') {
      expect(r.message).toMatch(pattern);
      expect(r.message).not.toContain('\n');
    }
  });
});
