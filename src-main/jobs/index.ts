/** The job queue's public surface. */
export * from './types';
export {
  SqliteJobQueue,
  type SqliteJobQueueOptions,
  backoffDelay,
  DEFAULT_BACKOFF,
} from './sqlite-queue';
export { type Clock, realClock } from './clock';
export { benchQueue } from './bench';
