/**
 * The one place that starts ffmpeg/ffprobe children. Never a shell (an args array, `shell: false`),
 * every live child is tracked in a module-level registry so app shutdown can stop them all, and a
 * `process.on('exit')` hook SIGKILLs whatever is left so no orphan outlives the app.
 *
 * Stopping: `stop()` sends SIGTERM, then SIGKILL after `killGraceMs`. `stop({ graceful: true })`
 * first asks ffmpeg to finish its output files cleanly — `q` on stdin when stdin is a pipe, else
 * SIGINT — and escalates to SIGTERM and SIGKILL, each after `killGraceMs`.
 */
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import os from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface ProcessExit {
  /** Exit code; null when the process died from a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last ~4 KB of stderr (ffmpeg puts its error there). */
  stderrTail: string;
  /** True when we stopped it (stop(), the AbortSignal, a timeout, stopAll()). */
  killed: boolean;
}

export type FfmpegErrorKind = 'spawn' | 'exit';

export class FfmpegError extends Error {
  readonly kind: FfmpegErrorKind;
  readonly exit?: ProcessExit;
  /** The errno code of a spawn failure, e.g. ENOENT or EACCES. */
  readonly code?: string;

  constructor(
    kind: FfmpegErrorKind,
    message: string,
    extra: { exit?: ProcessExit; code?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'FfmpegError';
    this.kind = kind;
    if (extra.exit !== undefined) this.exit = extra.exit;
    if (extra.code !== undefined) this.code = extra.code;
  }
}

export interface StartProcessOptions {
  bin: string;
  args: readonly string[];
  /** Extra fds after stdio 0–2, each a pipe: 2 → fd 3 and fd 4 (read them with `pipe(fd)`). */
  extraPipes?: number;
  /** Default 'ignore'. 'pipe' also lets a graceful stop send `q`. */
  stdin?: 'ignore' | 'pipe';
  /** Default 'pipe'. A piped stdout must be read, or the child blocks once the pipe buffer fills. */
  stdout?: 'ignore' | 'pipe';
  /** Run below normal priority (nice 10) so renders/ingest never starve OBS. */
  lowPriority?: boolean;
  /** Each stderr line; `\r` (ffmpeg's stats line) counts as a line break too. */
  onStderrLine?: (line: string) => void;
  /** Aborting calls `stop()`. */
  signal?: AbortSignal;
  /** Wait between escalation steps; default 3000 ms. */
  killGraceMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface StopOptions {
  /** Ask ffmpeg to finish cleanly first (`q` on a piped stdin, else SIGINT). */
  graceful?: boolean;
}

export interface FfmpegProcess {
  readonly pid: number | undefined;
  readonly child: ChildProcess;
  readonly stdout: Readable | null;
  readonly stdin: Writable | null;
  /** The readable end of extra fd 3, 4, …; throws for an fd that was not requested. */
  pipe(fd: number): Readable;
  /** Resolves when the process has exited and its stdio has closed (any exit code); rejects with
   * an FfmpegError of kind 'spawn' only when the process could not be started at all. */
  readonly done: Promise<ProcessExit>;
  /** Idempotent; resolves like `done`. A plain stop() during a graceful one escalates at once. */
  stop(opts?: StopOptions): Promise<ProcessExit>;
}

export const DEFAULT_KILL_GRACE_MS = 3000;
const STDERR_TAIL_CHARS = 4096;
/** After 'exit', how long to wait for stdio to close (a grandchild may hold a pipe open). */
const CLOSE_AFTER_EXIT_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Registry of live children.

interface Live {
  child: ChildProcess;
  stop: (opts?: StopOptions) => Promise<ProcessExit>;
}

const live = new Set<Live>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const entry of live) {
      try {
        entry.child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });
}

/** How many started children have not exited yet. */
export function liveProcesses(): number {
  return live.size;
}

/** Stops every live child (for app shutdown) and waits until they have all exited. */
export async function stopAll(opts: StopOptions = {}): Promise<void> {
  await Promise.allSettled([...live].map((entry) => entry.stop(opts)));
}

// ---------------------------------------------------------------------------------------------
// Stderr line splitting.

/** Splits a text stream on `\n`, `\r\n` and lone `\r`; drops empty lines. */
export function createLineSplitter(onLine: (line: string) => void): {
  push(text: string): void;
  end(): void;
} {
  let pending = '';
  return {
    push(text) {
      const parts = (pending + text).split(/\r\n|\r|\n/);
      pending = parts.pop() ?? '';
      // "\r\n" split across chunks yields an empty line here: dropped like any other.
      for (const part of parts) if (part !== '') onLine(part);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

// ---------------------------------------------------------------------------------------------

function describeSpawnError(bin: string, err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return `Cannot start ${bin}: the executable was not found (ENOENT)`;
    case 'EACCES':
      return `Cannot start ${bin}: permission denied (EACCES); is it executable?`;
    default:
      return `Cannot start ${bin}: ${err.message}`;
  }
}

export function startProcess(opts: StartProcessOptions): FfmpegProcess {
  const graceMs = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const extraPipes = Math.max(0, Math.floor(opts.extraPipes ?? 0));
  const stdio: StdioOptions = [
    opts.stdin ?? 'ignore',
    opts.stdout ?? 'pipe',
    'pipe',
    ...Array.from({ length: extraPipes }, () => 'pipe' as const),
  ];

  const child = spawn(opts.bin, [...opts.args], {
    shell: false,
    windowsHide: true,
    stdio,
    cwd: opts.cwd,
    env: opts.env,
  });

  let stderrTail = '';
  let killed = false;
  let exited = false;
  let settled = false;
  let exitCode: number | null = null;
  let exitSignal: NodeJS.Signals | null = null;
  let stopMode: 'none' | 'graceful' | 'hard' = 'none';
  const timers = new Set<NodeJS.Timeout>();

  const clearTimers = (): void => {
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  let resolveDone!: (exit: ProcessExit) => void;
  let rejectDone!: (err: FfmpegError) => void;
  const done = new Promise<ProcessExit>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  // Mark as handled so a caller that only uses stop() cannot cause an unhandled rejection;
  // anyone awaiting `done` still sees the rejection.
  done.catch(() => undefined);

  const lines = createLineSplitter((line) => {
    try {
      opts.onStderrLine?.(line);
    } catch {
      // A throwing listener must not break process supervision.
    }
  });
  const stderrDecoder = new TextDecoder('utf-8');
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = stderrDecoder.decode(chunk, { stream: true });
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_CHARS);
    lines.push(text);
  });
  // EPIPE and friends on our ends of the pipes must not crash the app.
  const ignore = (): void => undefined;
  child.stdin?.on('error', ignore);
  child.stderr?.on('error', ignore);
  child.stdout?.on('error', ignore);
  for (let fd = 3; fd < 3 + extraPipes; fd++) child.stdio[fd]?.on('error', ignore);

  const entry: Live = { child, stop: (o) => stop(o) };
  live.add(entry);
  installExitHook();

  const finish = (): void => {
    if (settled) return;
    settled = true;
    clearTimers();
    live.delete(entry);
    opts.signal?.removeEventListener('abort', onAbort);
    lines.end();
    resolveDone({ code: exitCode, signal: exitSignal, stderrTail, killed });
  };

  child.once('spawn', () => {
    if (opts.lowPriority === true && child.pid !== undefined) {
      try {
        os.setPriority(child.pid, 10);
      } catch {
        // Not permitted or already gone: run at normal priority.
      }
    }
  });

  child.on('error', (err: NodeJS.ErrnoException) => {
    // After a successful spawn, 'error' means a failed kill or send; 'exit' still follows.
    if (child.pid !== undefined || settled) return;
    settled = true;
    exited = true;
    clearTimers();
    live.delete(entry);
    opts.signal?.removeEventListener('abort', onAbort);
    const extra: { code?: string; cause: unknown } = { cause: err };
    if (err.code !== undefined) extra.code = err.code;
    rejectDone(new FfmpegError('spawn', describeSpawnError(opts.bin, err), extra));
  });

  child.once('exit', (code, signal) => {
    exited = true;
    exitCode = code;
    exitSignal = signal;
    clearTimers();
    live.delete(entry);
    // Normally 'close' follows at once; don't hang if a grandchild keeps a pipe open.
    later(CLOSE_AFTER_EXIT_MS, () => {
      for (const s of child.stdio) s?.destroy();
      finish();
    });
  });
  child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
    if (!exited) {
      exitCode = code;
      exitSignal = signal;
    }
    finish();
  });

  const send = (sig: NodeJS.Signals): void => {
    if (exited) return;
    try {
      child.kill(sig);
    } catch {
      // Already gone.
    }
  };

  const hardStop = (): void => {
    stopMode = 'hard';
    clearTimers();
    send('SIGTERM');
    later(graceMs, () => send('SIGKILL'));
  };

  function stop(stopOpts: StopOptions = {}): Promise<ProcessExit> {
    if (settled || exited || child.pid === undefined) return done;
    const graceful = stopOpts.graceful === true;
    if (stopMode === 'hard' || (stopMode === 'graceful' && graceful)) return done;
    killed = true;
    if (!graceful) {
      hardStop();
      return done;
    }
    stopMode = 'graceful';
    const stdin = child.stdin;
    if (stdin !== null && stdin.writable) {
      stdin.write('q', (err) => {
        if (err) send('SIGINT');
      });
    } else {
      send('SIGINT');
    }
    later(graceMs, hardStop);
    return done;
  }

  function onAbort(): void {
    void stop().catch(() => undefined);
  }
  if (opts.signal !== undefined) {
    if (opts.signal.aborted) queueMicrotask(onAbort);
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }

  return {
    get pid() {
      return child.pid;
    },
    child,
    stdout: child.stdout,
    stdin: child.stdin,
    pipe(fd: number): Readable {
      const s = fd >= 3 && fd < 3 + extraPipes ? child.stdio[fd] : undefined;
      if (s === undefined || s === null) {
        throw new RangeError(
          `fd ${fd} is not an extra pipe of this process (extraPipes: ${extraPipes})`,
        );
      }
      return s as Readable;
    },
    done,
    stop,
  };
}

export interface RunToCompletionOptions extends StartProcessOptions {
  /** Stop the process (SIGTERM, then SIGKILL) after this long; the exit then has killed=true. */
  timeoutMs?: number;
}

export interface RunResult {
  exit: ProcessExit;
  stdout: Buffer;
}

/** Runs a short job (e.g. ffprobe) to the end, collecting stdout. Rejects only on spawn failure. */
export async function runToCompletion(opts: RunToCompletionOptions): Promise<RunResult> {
  const proc = startProcess(opts);
  const chunks: Buffer[] = [];
  proc.stdout?.on('data', (c: Buffer) => chunks.push(c));
  // Nobody else can read the extra pipes here: drain them so the child never blocks on them.
  for (let fd = 3; fd < 3 + (opts.extraPipes ?? 0); fd++) proc.pipe(fd).resume();
  let timer: NodeJS.Timeout | undefined;
  if (opts.timeoutMs !== undefined) {
    timer = setTimeout(() => void proc.stop().catch(() => undefined), opts.timeoutMs);
  }
  try {
    const exit = await proc.done;
    return { exit, stdout: Buffer.concat(chunks) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
