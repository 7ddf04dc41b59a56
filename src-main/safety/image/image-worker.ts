/**
 * The image-check inference thread (node:worker_threads), bundled to out/main/image-worker.js.
 * tfjs runs here so a check never blocks the engine's event loop, and a cancelled check stops
 * mid-inference by terminating this thread. Plain Node: no Electron import.
 */
import { parentPort } from 'node:worker_threads';
import type { ToWorker } from './protocol';
import { createWorkerCore } from './worker-core';

const port = parentPort;
if (port === null) throw new Error('image-worker.js must run as a worker thread');

const core = createWorkerCore((message) => port.postMessage(message));
port.on('message', (message: ToWorker) => {
  void core.handle(message).then(() => {
    if (message.type === 'shutdown') port.close();
  });
});
