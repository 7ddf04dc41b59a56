/**
 * Test fixture, run as a child process by sqlite-queue.test.ts (bundled to .cjs first):
 *   node crash-child.cjs <dataDir> <workDir> <slow names, comma-separated>
 * Opens the app database, enqueues file jobs a, b, c, d (priorities 0..3, concurrency 2) and runs
 * them; the jobs named as slow never finish (the test kills this process with SIGKILL). Every
 * queue change and every partial file is reported as a JSON line on stdout.
 */
import { openDatabase } from '../../store/db';
import { SqliteJobQueue } from '../sqlite-queue';
import { FILE_JOB, type FileJobPayload, fileJobHandler } from './file-job';

const [dataDir, work, slowList] = process.argv.slice(2);
if (!dataDir || !work || slowList === undefined) {
  process.stderr.write('usage: crash-child <dataDir> <workDir> <slow,names>\n');
  process.exit(2);
}
const slow = new Set(slowList.split(','));
const say = (msg: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(msg)}\n`);

const queue = new SqliteJobQueue(openDatabase(dataDir));
queue.register(
  FILE_JOB,
  fileJobHandler(work, (name) => {
    say({ partial: name });
    // A slow job: keeps running (and the process alive) until it is killed.
    return slow.has(name)
      ? new Promise<void>(() => setInterval(() => {}, 60_000))
      : Promise.resolve();
  }),
  { concurrency: 2 },
);
queue.on('changed', (job) =>
  say({ id: job.id, name: (job.payload as FileJobPayload).name, state: job.state }),
);
['a', 'b', 'c', 'd'].forEach((name, i) =>
  queue.enqueue<FileJobPayload>(FILE_JOB, { name }, { key: `file:${name}`, priority: i }),
);
queue.start();
