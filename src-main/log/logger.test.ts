import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, formatConsoleLine, type LogLevel, type LogSink } from './logger';
import { rotatedName } from './rotating-file';

let tmp: string;
let n = 0;
const freshDir = (): string => path.join(tmp, `d${n++}`);
const readLines = (file: string): Array<Record<string, unknown>> =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function captureSink(): LogSink & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-log-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('file output', () => {
  it('writes one valid JSON object per line with time, level, msg, bindings and fields', () => {
    const dir = freshDir();
    const log = createLogger({ dir, console: false });
    log.child({ component: 'ingest' }).info('segment written', { index: 3, path: '/x/seg.ts' });
    log.close();
    const file = path.join(dir, 'liveslice.log');
    expect(fs.readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
    const [entry, ...rest] = readLines(file);
    expect(rest).toEqual([]);
    expect(Object.keys(entry ?? {}).slice(0, 3)).toEqual(['time', 'level', 'msg']);
    expect(entry).toMatchObject({
      level: 'info',
      msg: 'segment written',
      component: 'ingest',
      index: 3,
      path: '/x/seg.ts',
    });
    expect(new Date(String(entry?.['time'])).toISOString()).toBe(entry?.['time']);
  });

  it('keeps time, level and msg when a field collides with them', () => {
    const dir = freshDir();
    const log = createLogger({ dir, console: false });
    log.warn('real', { msg: 'fake', level: 'error' });
    log.close();
    expect(readLines(path.join(dir, 'liveslice.log'))[0]).toMatchObject({
      level: 'warn',
      msg: 'real',
      field_msg: 'fake',
      field_level: 'error',
    });
  });

  it('honours fileName', () => {
    const dir = freshDir();
    const log = createLogger({ dir, console: false, fileName: 'host.log' });
    log.info('x');
    log.close();
    expect(fs.readdirSync(dir)).toEqual(['host.log']);
    expect(log.file).toBe(path.join(dir, 'host.log'));
  });

  it('rotates by size, keeps maxFiles files and drops the oldest', () => {
    const dir = freshDir();
    const maxBytes = 300;
    const log = createLogger({ dir, console: false, maxBytes, maxFiles: 3 });
    for (let i = 0; i < 60; i++) log.info(`line ${i}`, { i });
    log.close();

    expect(fs.readdirSync(dir).sort()).toEqual([
      'liveslice.1.log',
      'liveslice.2.log',
      'liveslice.log',
    ]);
    const current = readLines(path.join(dir, 'liveslice.log'));
    const older = readLines(path.join(dir, 'liveslice.1.log'));
    const oldest = readLines(path.join(dir, 'liveslice.2.log'));
    for (const f of ['liveslice.log', 'liveslice.1.log', 'liveslice.2.log']) {
      expect(fs.statSync(path.join(dir, f)).size).toBeLessThanOrEqual(maxBytes);
    }
    // The newest entry is last in the current file, and the files are in order without gaps.
    expect(current.at(-1)?.['i']).toBe(59);
    const seq = [...oldest, ...older, ...current].map((e) => e['i'] as number);
    expect(seq).toEqual(seq.map((_, k) => (seq[0] ?? 0) + k));
    expect(seq[0]).toBeGreaterThan(0); // the earliest lines were dropped
  });

  it('with maxFiles 1 keeps only the current file', () => {
    const dir = freshDir();
    const log = createLogger({ dir, console: false, maxBytes: 200, maxFiles: 1 });
    for (let i = 0; i < 20; i++) log.info(`line ${i}`);
    log.close();
    expect(fs.readdirSync(dir)).toEqual(['liveslice.log']);
    expect(readLines(path.join(dir, 'liveslice.log')).at(-1)?.['msg']).toBe('line 19');
  });

  it('counts an existing file towards maxBytes', () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'liveslice.log'), '{"old":true}\n'.repeat(20));
    const log = createLogger({ dir, console: false, maxBytes: 250 });
    log.info('new');
    log.close();
    expect(readLines(path.join(dir, 'liveslice.1.log'))[0]).toEqual({ old: true });
    expect(readLines(path.join(dir, 'liveslice.log')).map((e) => e['msg'])).toEqual(['new']);
  });

  it('writes nothing after close, and a child cannot close the shared file', () => {
    const dir = freshDir();
    const log = createLogger({ dir, console: false });
    const child = log.child({ c: 1 });
    child.close();
    child.info('still open');
    log.close();
    log.info('after close');
    expect(readLines(path.join(dir, 'liveslice.log')).map((e) => e['msg'])).toEqual(['still open']);
  });
});

describe('rotatedName', () => {
  const cases: Array<[string, number, string]> = [
    ['liveslice.log', 0, 'liveslice.log'],
    ['liveslice.log', 1, 'liveslice.1.log'],
    ['liveslice.log', 4, 'liveslice.4.log'],
    ['app', 2, 'app.2'],
  ];
  it.each(cases)('%s #%d → %s', (file, i, out) => expect(rotatedName(file, i)).toBe(out));
});

describe('levels', () => {
  const all: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const cases: Array<[LogLevel | undefined, LogLevel[]]> = [
    ['debug', ['debug', 'info', 'warn', 'error']],
    ['info', ['info', 'warn', 'error']],
    [undefined, ['info', 'warn', 'error']],
    ['warn', ['warn', 'error']],
    ['error', ['error']],
  ];
  it.each(cases)('level %s writes %j', (level, written) => {
    const dir = freshDir();
    const sink = captureSink();
    const log = createLogger({ dir, console: sink, level });
    for (const l of all) log[l](`m-${l}`);
    log.child({ x: 1 }).debug('child-debug');
    log.close();
    const expected = level === 'debug' ? [...written, 'debug'] : written;
    expect(readLines(path.join(dir, 'liveslice.log')).map((e) => e['level'])).toEqual(expected);
    expect(sink.lines).toHaveLength(expected.length);
  });

  it('rejects an unknown level and bad sizes', () => {
    expect(() => createLogger({ level: 'verbose' as LogLevel, console: false })).toThrow(
      RangeError,
    );
    expect(() => createLogger({ maxBytes: 0, console: false })).toThrow(RangeError);
    expect(() => createLogger({ maxFiles: 0, console: false })).toThrow(RangeError);
    expect(() => createLogger({ fileName: '../x.log', console: false })).toThrow(RangeError);
  });
});

describe('redaction in both outputs', () => {
  const cases: Array<[string, (log: ReturnType<typeof createLogger>) => void, string]> = [
    ['sensitive field key', (log) => log.info('auth', { accessToken: 'LEAK1' }), 'LEAK1'],
    ['nested key', (log) => log.info('cfg', { youtube: { streamKey: 'LEAK2' } }), 'LEAK2'],
    ['key in array', (log) => log.info('cfg', { hdrs: [{ authorization: 'LEAK3' }] }), 'LEAK3'],
    ['query token in message', (log) => log.info('GET /cb?token=LEAK4&x=1'), 'LEAK4'],
    [
      'fragment token in value',
      (log) => log.info('open', { url: 'http://h/#token=LEAK5' }),
      'LEAK5',
    ],
    [
      'registered secret in message',
      (log) => {
        log.addSecret('LEAK6-key');
        log.info('pushing to rtmp://live/app/LEAK6-key');
      },
      'LEAK6',
    ],
    [
      'secret added on a child applies to the parent',
      (log) => {
        log.child({ c: 'publish' }).addSecret('LEAK7');
        log.info('x', { note: 'value LEAK7' });
      },
      'LEAK7',
    ],
    [
      'secret added on the parent applies to a child made earlier',
      (log) => {
        const child = log.child({ c: 'publish' });
        log.addSecret('LEAK8');
        child.error('upload failed', { err: new Error('denied for LEAK8') });
      },
      'LEAK8',
    ],
    [
      'secret in child bindings',
      (log) => {
        const child = log.child({ target: 'rtmp://x/LEAK9' });
        log.addSecret('LEAK9');
        child.info('go');
      },
      'LEAK9',
    ],
    [
      'error passed as fields',
      (log) => log.error('boom', new Error('password=LEAK10') as never),
      'LEAK10',
    ],
  ];
  it.each(cases)('%s', (_name, act, leaked) => {
    const dir = freshDir();
    const sink = captureSink();
    const log = createLogger({ dir, console: sink });
    act(log);
    log.close();
    const file = fs.readFileSync(path.join(dir, 'liveslice.log'), 'utf8');
    expect(file.length).toBeGreaterThan(0);
    expect(sink.lines.length).toBeGreaterThan(0);
    expect(file).not.toContain(leaked);
    expect(sink.lines.join('')).not.toContain(leaked);
    expect(file).toContain('[redacted]');
    expect(sink.lines.join('')).toContain('[redacted]');
  });
});

describe('console output', () => {
  it('formats HH:MM:SS LEVEL msg key=value on one line', () => {
    const t = new Date(2024, 0, 2, 3, 4, 5);
    const line = formatConsoleLine(t, 'warn', 'slow\nsegment', {
      seg: 12,
      file: 'a b.ts',
      plain: 'x',
      obj: { a: 1 },
      err: { name: 'Error', message: 'bad', stack: 'Error: bad\n  at x' },
      skipped: undefined,
    });
    expect(line).toBe(
      '03:04:05 WARN  slow\\nsegment seg=12 file="a b.ts" plain=x obj={"a":1} err="Error: bad"',
    );
  });

  it('writes one newline-terminated line per entry to the sink', () => {
    const sink = captureSink();
    const log = createLogger({ console: sink });
    log.info('hello', { a: 1 });
    expect(sink.lines).toHaveLength(1);
    expect(sink.lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}hello a=1\n$/);
    expect(log.file).toBeNull();
  });

  it('goes to stderr by default', () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      createLogger().info('to stderr');
      expect(spy).toHaveBeenCalledWith(expect.stringMatching(/INFO {2}to stderr\n$/));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('never throws', () => {
  it('reports an unwritable log file on stderr once and keeps the console', () => {
    const blocker = path.join(tmp, 'blocker');
    fs.writeFileSync(blocker, 'not a dir');
    const sink = captureSink();
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const log = createLogger({ dir: path.join(blocker, 'logs'), console: sink });
      expect(() => {
        log.info('one');
        log.info('two');
      }).not.toThrow();
      const reports = spy.mock.calls.filter((c) => String(c[0]).includes('cannot write log file'));
      expect(reports).toHaveLength(1);
      expect(sink.lines).toHaveLength(2);
      log.close();
    } finally {
      spy.mockRestore();
    }
  });

  it('survives a throwing console sink and hostile fields', () => {
    const log = createLogger({
      console: {
        write() {
          throw new Error('sink down');
        },
      },
    });
    const hostile = {
      get x(): number {
        throw new Error('getter');
      },
    };
    const cyclic: Record<string, unknown> = {};
    cyclic['me'] = cyclic;
    expect(() => {
      log.info('a', hostile);
      log.info('b', cyclic);
      log.info(undefined as unknown as string, null as unknown as Record<string, unknown>);
      log.addSecret(undefined as unknown as string);
    }).not.toThrow();
  });
});
