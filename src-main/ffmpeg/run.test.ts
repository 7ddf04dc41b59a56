import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createLineSplitter,
  FfmpegError,
  liveProcesses,
  runToCompletion,
  startProcess,
  type StartProcessOptions,
  stopAll,
} from './run';
import { missing } from '../testing/skip';

const NODE = process.execPath;
const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';
const hasFfmpeg = fs.existsSync(FFMPEG) && fs.existsSync(FFPROBE);
const isWindows = process.platform === 'win32';

/** A node child running `script`; `onStderrLine` collects lines and resolves waiters. */
function nodeChild(script: string, opts: Partial<StartProcessOptions> = {}) {
  const lines: string[] = [];
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const proc = startProcess({
    bin: NODE,
    args: ['-e', script],
    ...opts,
    onStderrLine: (line) => {
      lines.push(line);
      for (const w of waiters.filter((x) => line.includes(x.text))) w.resolve();
      opts.onStderrLine?.(line);
    },
  });
  const waitForLine = (text: string): Promise<void> =>
    lines.some((l) => l.includes(text))
      ? Promise.resolve()
      : new Promise((resolve) => waiters.push({ text, resolve }));
  return { proc, lines, waitForLine };
}

/** Prints "ready" once its handlers are installed, then runs until stopped. */
const LONG_RUNNING = `process.stderr.write('ready\\n'); setInterval(() => {}, 1000);`;

afterEach(async () => {
  await stopAll();
  expect(liveProcesses()).toBe(0);
});

describe('createLineSplitter', () => {
  it.each<[string, string[], string[]]>([
    ['\\n', ['a\nb\n'], ['a', 'b']],
    ['\\r (ffmpeg stats)', ['frame=1\rframe=2\rdone\n'], ['frame=1', 'frame=2', 'done']],
    ['\\r\\n is one break', ['a\r\nb\r\n'], ['a', 'b']],
    ['\\r\\n split across chunks', ['a\r', '\nb\n'], ['a', 'b']],
    ['a line split across chunks', ['hel', 'lo\nwor', 'ld'], ['hello', 'world']],
    ['empty lines dropped', ['\n\n\rx\n\n'], ['x']],
  ])('%s', (_name, chunks, expected) => {
    const out: string[] = [];
    const s = createLineSplitter((l) => out.push(l));
    for (const c of chunks) s.push(c);
    s.end();
    expect(out).toEqual(expected);
  });
});

describe('startProcess', () => {
  it('splits stderr on \\r and \\n and keeps the tail', async () => {
    const { proc, lines } = nodeChild(
      `process.stderr.write('frame=1\\rframe=2\\r'); process.stderr.write('error: boom\\r\\nlast'); process.exit(3);`,
    );
    const exit = await proc.done;
    expect(lines).toEqual(['frame=1', 'frame=2', 'error: boom', 'last']);
    expect(exit).toEqual({
      code: 3,
      signal: null,
      stderrTail: 'frame=1\rframe=2\rerror: boom\r\nlast',
      killed: false,
    });
  });

  it('keeps only the last ~4 KB of stderr', async () => {
    const { proc } = nodeChild(`process.stderr.write('x'.repeat(20000) + 'END');`);
    const exit = await proc.done;
    expect(exit.stderrTail.length).toBeLessThanOrEqual(4096);
    expect(exit.stderrTail.endsWith('xEND')).toBe(true);
  });

  it('resolves done with a non-zero exit code (not a rejection)', async () => {
    const { proc } = nodeChild('process.exit(1)');
    await expect(proc.done).resolves.toMatchObject({ code: 1, killed: false });
  });

  it('rejects done with FfmpegError kind "spawn" for a missing binary', async () => {
    const proc = startProcess({ bin: '/nonexistent/dir/ffmpeg', args: ['-version'] });
    const err: unknown = await proc.done.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect(err).toMatchObject({ kind: 'spawn', code: 'ENOENT' });
    expect((err as FfmpegError).message).toMatch(/\/nonexistent\/dir\/ffmpeg.*not found/);
    expect(liveProcesses()).toBe(0);
    await expect(proc.stop()).rejects.toBeInstanceOf(FfmpegError);
  });

  it.skipIf(missing(isWindows && 'POSIX signals and nice levels are not available on Windows'))(
    'stop() escalates to SIGKILL when SIGTERM is ignored',
    async () => {
      const { proc, waitForLine } = nodeChild(
        `process.on('SIGTERM', () => process.stderr.write('got SIGTERM\\n')); ${LONG_RUNNING}`,
        { killGraceMs: 100 },
      );
      await waitForLine('ready');
      const exit = await proc.stop();
      expect(exit).toMatchObject({ code: null, signal: 'SIGKILL', killed: true });
      expect(exit.stderrTail).toContain('got SIGTERM');
    },
  );

  it('stop() is idempotent and stop() after exit returns the same exit', async () => {
    const { proc, waitForLine } = nodeChild(LONG_RUNNING);
    await waitForLine('ready');
    const [a, b] = await Promise.all([proc.stop(), proc.stop()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ signal: 'SIGTERM', killed: true });
    expect(await proc.stop()).toBe(a);
    expect(await proc.stop({ graceful: true })).toBe(a);
  });

  it('graceful stop writes "q" to a piped stdin and the child exits 0', async () => {
    const { proc, waitForLine } = nodeChild(
      `process.stdin.on('data', (d) => { if (String(d).includes('q')) process.exit(0); }); ${LONG_RUNNING}`,
      { stdin: 'pipe', killGraceMs: 10_000 },
    );
    await waitForLine('ready');
    const exit = await proc.stop({ graceful: true });
    expect(exit).toMatchObject({ code: 0, signal: null, killed: true });
  });

  it.skipIf(missing(isWindows && 'POSIX signals and nice levels are not available on Windows'))(
    'graceful stop sends SIGINT when stdin is not a pipe',
    async () => {
      const { proc, waitForLine } = nodeChild(
        `process.on('SIGINT', () => process.exit(7)); ${LONG_RUNNING}`,
        { killGraceMs: 10_000 },
      );
      await waitForLine('ready');
      await expect(proc.stop({ graceful: true })).resolves.toMatchObject({ code: 7, killed: true });
    },
  );

  it.skipIf(missing(isWindows && 'POSIX signals and nice levels are not available on Windows'))(
    'a plain stop() during a graceful one escalates at once',
    async () => {
      const { proc, waitForLine } = nodeChild(`process.on('SIGINT', () => {}); ${LONG_RUNNING}`, {
        killGraceMs: 60_000,
      });
      await waitForLine('ready');
      void proc.stop({ graceful: true });
      await expect(proc.stop()).resolves.toMatchObject({ signal: 'SIGTERM', killed: true });
    },
  );

  it('the AbortSignal stops the process', async () => {
    const ac = new AbortController();
    const { proc, waitForLine } = nodeChild(LONG_RUNNING, { signal: ac.signal });
    await waitForLine('ready');
    ac.abort();
    await expect(proc.done).resolves.toMatchObject({ killed: true, code: null, signal: 'SIGTERM' });
  });

  it('an already-aborted signal stops the process straight away', async () => {
    const { proc } = nodeChild(LONG_RUNNING, { signal: AbortSignal.abort() });
    await expect(proc.done).resolves.toMatchObject({ killed: true });
  });

  it('stopAll() stops every live child', async () => {
    const children = [nodeChild(LONG_RUNNING), nodeChild(LONG_RUNNING), nodeChild(LONG_RUNNING)];
    await Promise.all(children.map((c) => c.waitForLine('ready')));
    expect(liveProcesses()).toBe(3);
    await stopAll();
    expect(liveProcesses()).toBe(0);
    for (const c of children) await expect(c.proc.done).resolves.toMatchObject({ killed: true });
  });

  it('an extra pipe (fd 3) carries data written by the child', async () => {
    const proc = startProcess({
      bin: NODE,
      args: ['-e', `require('fs').writeSync(3, 'hello')`],
      extraPipes: 1,
    });
    const chunks: Buffer[] = [];
    proc.pipe(3).on('data', (c: Buffer) => chunks.push(c));
    await proc.done;
    expect(Buffer.concat(chunks).toString()).toBe('hello');
    expect(() => proc.pipe(4)).toThrow(RangeError);
    expect(() => proc.pipe(1)).toThrow(RangeError);
  });

  it.skipIf(missing(isWindows && 'POSIX signals and nice levels are not available on Windows'))(
    'lowPriority runs the child at nice 10',
    async () => {
      const { proc, waitForLine } = nodeChild(LONG_RUNNING, { lowPriority: true });
      await waitForLine('ready');
      expect(proc.pid).toBeTypeOf('number');
      expect(os.getPriority(proc.pid)).toBe(10);
      await proc.stop();
    },
  );

  it('passes cwd and env, and never a shell (args are literal)', async () => {
    const dir = fs.realpathSync(os.tmpdir());
    const { exit, stdout } = await runToCompletion({
      bin: NODE,
      args: [
        '-e',
        'console.log(JSON.stringify([process.cwd(), process.env.LS_X, process.argv[1]]))',
        '$HOME; echo hi',
      ],
      cwd: dir,
      env: { ...process.env, LS_X: 'y' },
    });
    expect(exit.code).toBe(0);
    expect(JSON.parse(stdout.toString())).toEqual([dir, 'y', '$HOME; echo hi']);
  });
});

describe('runToCompletion', () => {
  it('collects stdout and resolves with the exit', async () => {
    const { exit, stdout } = await runToCompletion({
      bin: NODE,
      args: ['-e', `process.stdout.write('out'); process.stderr.write('err'); process.exit(2)`],
    });
    expect(stdout.toString()).toBe('out');
    expect(exit).toEqual({ code: 2, signal: null, stderrTail: 'err', killed: false });
  });

  it('kills the process on timeout (exit.killed)', async () => {
    const { exit } = await runToCompletion({
      bin: NODE,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      timeoutMs: 200,
      killGraceMs: 200,
    });
    expect(exit.killed).toBe(true);
    expect(exit.code).toBeNull();
  });

  it('rejects with FfmpegError kind "spawn" for a missing binary', async () => {
    await expect(
      runToCompletion({ bin: 'liveslice-no-such-binary', args: [] }),
    ).rejects.toMatchObject({ kind: 'spawn' });
  });
});

describe.skipIf(
  missing(!hasFfmpeg && 'ffmpeg and ffprobe are not installed (apt-get install ffmpeg)'),
)('with the real ffmpeg', () => {
  it('graceful stop ("q") finishes an mp4 that ffprobe can read', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveslice-run-'));
    try {
      const out = path.join(dir, 'out.mp4');
      let sawFrame!: () => void;
      const frame = new Promise<void>((r) => (sawFrame = r));
      const proc = startProcess({
        bin: FFMPEG,
        args: [
          '-hide_banner',
          '-re',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=160x120:rate=25',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-y',
          out,
        ],
        stdin: 'pipe',
        lowPriority: true,
        onStderrLine: (l) => {
          if (/^frame=\s*[1-9]/.test(l)) sawFrame();
        },
      });
      await frame;
      const exit = await proc.stop({ graceful: true });
      expect(exit).toMatchObject({ code: 0, signal: null, killed: true });
      const probe = await runToCompletion({
        bin: FFPROBE,
        args: ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', out],
      });
      expect(probe.exit.code).toBe(0);
      expect(probe.stdout.toString().trim()).toBe('h264');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
