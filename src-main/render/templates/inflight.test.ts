import { describe, expect, it } from 'vitest';
import { SharedWork } from './inflight';

/** Work that resolves when told to, and records the signal it was given. */
function gate(): {
  work: (signal: AbortSignal) => Promise<string>;
  release: (v: string) => void;
  calls: AbortSignal[];
} {
  const calls: AbortSignal[] = [];
  let release: (v: string) => void = () => undefined;
  const work = (signal: AbortSignal): Promise<string> => {
    calls.push(signal);
    return new Promise<string>((resolve, reject) => {
      release = resolve;
      signal.addEventListener('abort', () => reject(new Error('work aborted')));
    });
  };
  return { work, release: (v) => release(v), calls };
}

describe('SharedWork', () => {
  it('runs once per key while it runs; later calls start again', async () => {
    const s = new SharedWork<string>();
    const g = gate();
    const a = s.run('k', undefined, g.work);
    const b = s.run('k', undefined, g.work);
    expect(g.calls).toHaveLength(1);
    g.release('v');
    expect(await Promise.all([a, b])).toEqual(['v', 'v']);
    const c = s.run('k', undefined, g.work);
    expect(g.calls).toHaveLength(2);
    g.release('w');
    expect(await c).toBe('w');
  });

  it('one caller giving up does not abort the work others wait for', async () => {
    const s = new SharedWork<string>();
    const g = gate();
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const a = s.run('k', ac1.signal, g.work);
    const b = s.run('k', ac2.signal, g.work);
    ac1.abort();
    await expect(a).rejects.toThrow(/abort/i);
    expect(g.calls[0]!.aborted).toBe(false);
    g.release('v');
    expect(await b).toBe('v');
  });

  it('the work is aborted when every caller has given up, and a new caller starts afresh', async () => {
    const s = new SharedWork<string>();
    const g = gate();
    const ac1 = new AbortController();
    const ac2 = new AbortController();
    const a = s.run('k', ac1.signal, g.work);
    const b = s.run('k', ac2.signal, g.work);
    ac1.abort();
    ac2.abort();
    await expect(a).rejects.toThrow(/abort/i);
    await expect(b).rejects.toThrow(/abort/i);
    expect(g.calls[0]!.aborted).toBe(true);
    const c = s.run('k', undefined, g.work);
    expect(g.calls).toHaveLength(2);
    g.release('again');
    expect(await c).toBe('again');
  });

  it('a caller without a signal keeps the work alive', async () => {
    const s = new SharedWork<string>();
    const g = gate();
    const ac = new AbortController();
    const pinned = s.run('k', undefined, g.work);
    const a = s.run('k', ac.signal, g.work);
    ac.abort();
    await expect(a).rejects.toThrow(/abort/i);
    expect(g.calls[0]!.aborted).toBe(false);
    g.release('v');
    expect(await pinned).toBe('v');
  });

  it('an already-aborted signal is refused without starting work', async () => {
    const s = new SharedWork<string>();
    const g = gate();
    await expect(s.run('k', AbortSignal.abort(), g.work)).rejects.toThrow(/abort/i);
    expect(g.calls).toHaveLength(0);
  });
});
