import { abortError } from './exec';

interface Entry<T> {
  promise: Promise<T>;
  controller: AbortController;
  /** Callers that may still abort; the work is aborted when the last of them does. */
  abortable: number;
  /** Callers without a signal: the work never aborts while one waits. */
  pinned: boolean;
}

/**
 * One run of a piece of work per key, shared by every caller that asks while it runs. Each caller
 * may abort its own wait; the work itself is aborted only when every caller has given up, and then
 * the last caller's rejection waits until the work has settled (its temp files are gone).
 */
export class SharedWork<T> {
  private readonly entries = new Map<string, Entry<T>>();

  run(
    key: string,
    signal: AbortSignal | undefined,
    work: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let entry = this.entries.get(key);
    if (entry === undefined || entry.controller.signal.aborted) {
      const controller = new AbortController();
      const e: Entry<T> = {
        controller,
        abortable: 0,
        pinned: false,
        promise: Promise.resolve() as Promise<T>,
      };
      e.promise = work(controller.signal).finally(() => {
        if (this.entries.get(key) === e) this.entries.delete(key);
      });
      e.promise.catch(() => undefined);
      this.entries.set(key, e);
      entry = e;
    }
    const e = entry;
    if (signal === undefined) {
      e.pinned = true;
      return e.promise;
    }
    e.abortable++;
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const leave = (): void => {
        if (left) return;
        left = true;
        signal.removeEventListener('abort', onAbort);
        e.abortable--;
      };
      const onAbort = (): void => {
        leave();
        if (e.abortable === 0 && !e.pinned) {
          // The last caller gave up: stop the work and reject once it has cleaned up after itself.
          e.controller.abort(abortError(signal));
          const done = (): void => reject(abortError(signal));
          e.promise.then(done, done);
        } else {
          reject(abortError(signal));
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      e.promise.then(
        (v) => {
          leave();
          resolve(v);
        },
        (err: unknown) => {
          leave();
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }
}
