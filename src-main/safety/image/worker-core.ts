/**
 * What the inference worker does with each message, apart from how messages travel: the thread
 * entry (image-worker.ts) wires it to its parentPort, and the in-thread port (tests, or no built
 * worker) calls it directly. Messages are handled one at a time, in order.
 */
import { type Classifier, loadClassifier } from './classifier';
import { ImageCheckError } from './errors';
import type { FromWorker, ToWorker, WorkerErrorKind } from './protocol';

export interface WorkerCore {
  handle(message: ToWorker): Promise<void>;
  dispose(): void;
}

function errorKind(err: unknown): WorkerErrorKind {
  if (
    err instanceof ImageCheckError &&
    (err.kind === 'model_missing' || err.kind === 'model_corrupt')
  ) {
    return err.kind;
  }
  return 'worker';
}

export function createWorkerCore(post: (message: FromWorker) => void): WorkerCore {
  let classifier: Classifier | null = null;
  let queue: Promise<void> = Promise.resolve();

  const run = async (m: ToWorker): Promise<void> => {
    switch (m.type) {
      case 'init': {
        try {
          classifier ??= await loadClassifier(m.modelDir, m.backend);
          const { model, backend, fallbackReason, loadMs } = classifier;
          if (fallbackReason !== null) post({ type: 'log', level: 'warn', msg: fallbackReason });
          post({ type: 'ready', id: m.id, model, backend, fallbackReason, loadMs });
        } catch (err) {
          post({ type: 'error', id: m.id, kind: errorKind(err), message: (err as Error).message });
        }
        return;
      }
      case 'classify': {
        if (classifier === null) {
          post({
            type: 'error',
            id: m.id,
            kind: 'worker',
            message: 'the image model is not loaded (classify before init)',
          });
          return;
        }
        try {
          const t0 = performance.now();
          const scores = classifier.classify(m.rgb, m.width, m.height);
          post({ type: 'scores', id: m.id, scores, ms: performance.now() - t0 });
        } catch (err) {
          post({ type: 'error', id: m.id, kind: errorKind(err), message: (err as Error).message });
        }
        return;
      }
      case 'shutdown':
        classifier?.dispose();
        classifier = null;
        return;
    }
  };

  return {
    handle(message) {
      queue = queue.then(() => run(message));
      return queue;
    },
    dispose() {
      classifier?.dispose();
      classifier = null;
    },
  };
}
