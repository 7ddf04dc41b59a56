/** Starts a worker process (keyword spotter, recognizer, text-to-video) the way every host needs it. */
import { type ChildProcess, fork } from 'node:child_process';

/**
 * A Node child with structured-clone IPC (typed arrays cross as they are), stderr piped for the
 * host's diagnostics, and Electron's binary acting as plain Node when the app runs it.
 */
export function forkWorker(workerPath: string): ChildProcess {
  return fork(workerPath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    execArgv: [],
  });
}
