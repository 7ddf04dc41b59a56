/** Time for the queue: injectable so tests drive backoff, leases and throttling with a fake clock. */

export interface Clock {
  /** Wall ms. */
  now(): number;
  /** `keepAlive: false` → the timer does not keep the Node process alive on its own. */
  setTimer(cb: () => void, ms: number, opts: { keepAlive: boolean }): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer(cb, ms, { keepAlive }) {
    const t = setTimeout(cb, Math.max(0, ms));
    if (!keepAlive) t.unref();
    return t;
  },
  clearTimer(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * A manual clock for tests: timers fire only from `advance`, in time order, each followed by a
 * drain of pending promise callbacks so the code they start runs before the next one fires.
 */
export class FakeClock implements Clock {
  private t: number;
  private nextId = 1;
  private timers = new Map<number, { at: number; cb: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(cb: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.t + Math.max(0, ms), cb });
    return id;
  }

  clearTimer(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Wall time of the earliest pending timer, or null. */
  nextAt(): number | null {
    let min: number | null = null;
    for (const { at } of this.timers.values()) if (min === null || at < min) min = at;
    return min;
  }

  pending(): number {
    return this.timers.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await drain();
    for (;;) {
      let next: [number, { at: number; cb: () => void }] | null = null;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].cb();
      await drain();
    }
    this.t = end;
    await drain();
  }
}

/** Lets every already-settled promise chain run (a few macrotask turns). */
export async function drain(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((r) => setImmediate(r));
}
