/** Runs one template ffmpeg job: below-normal priority, cancellable, errors that say what failed. */
import { FfmpegError, runToCompletion } from '../../ffmpeg/run';

export function abortError(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

/** The last few meaningful stderr lines, for an error message. */
export function stderrSummary(tail: string, lines = 4): string {
  return tail
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(-lines)
    .join(' | ');
}

export async function runFfmpeg(
  ffmpeg: string,
  args: string[],
  opts: { what: string; cwd?: string; signal?: AbortSignal | undefined },
): Promise<void> {
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const r = await runToCompletion({
    bin: ffmpeg,
    args,
    stdout: 'ignore',
    lowPriority: true,
    ...(opts.cwd === undefined ? {} : { cwd: opts.cwd }),
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
  });
  if (opts.signal?.aborted) throw abortError(opts.signal);
  if (r.exit.code !== 0) {
    const how =
      r.exit.code === null
        ? `was killed (${r.exit.signal ?? 'signal'})`
        : `exited with ${r.exit.code}`;
    throw new FfmpegError(
      'exit',
      `ffmpeg failed to ${opts.what}: it ${how}: ${stderrSummary(r.exit.stderrTail) || 'no error output'}`,
      { exit: r.exit },
    );
  }
}
