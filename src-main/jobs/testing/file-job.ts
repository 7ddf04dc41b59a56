/**
 * Test fixture: a job that writes `<work>/<name>.part`, waits for `hold`, then renames it to
 * `<work>/<name>.out` and appends its name to `effects.log` (the side effect counted by the crash
 * test). Its cleanup removes the `.part` and notes in `cleanup.log` whether one was there.
 */
import { appendFileSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JobHandler } from '../types';

export const FILE_JOB = 'file-job';

export interface FileJobPayload {
  name: string;
}

export interface FileJobResult {
  file: string;
}

export function fileJobHandler(
  work: string,
  hold: (name: string, signal: AbortSignal) => Promise<void>,
): JobHandler<FileJobPayload, FileJobResult> {
  const part = (name: string) => join(work, `${name}.part`);
  return {
    async run(job, ctx) {
      const { name } = job.payload;
      appendFileSync(
        join(work, 'runs.log'),
        `${JSON.stringify({ name, pid: process.pid, attempt: ctx.attempt, stalePart: existsSync(part(name)) })}\n`,
      );
      writeFileSync(part(name), `partial output of ${name} from pid ${process.pid}\n`);
      await hold(name, ctx.signal);
      ctx.signal.throwIfAborted();
      const out = join(work, `${name}.out`);
      renameSync(part(name), out);
      appendFileSync(join(work, 'effects.log'), `${name}\n`);
      return { file: out };
    },
    cleanup(job) {
      const { name } = job.payload;
      appendFileSync(
        join(work, 'cleanup.log'),
        `${JSON.stringify({ name, pid: process.pid, hadPart: existsSync(part(name)) })}\n`,
      );
      rmSync(part(name), { force: true });
    },
  };
}
