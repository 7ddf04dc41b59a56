/**
 * The worker host with in-memory ports: replies routed by request id, a worker that dies failing
 * only its own requests (the next call starts another), a failed model load retried, and a
 * cancelled request that terminates a thread worker but not an in-thread one.
 */
import { describe, expect, it } from 'vitest';
import type { Scores } from './decide';
import type { FromWorker, ToWorker } from './protocol';
import { ImageWorkerClient, type PortEvents, type WorkerPort } from './worker-client';

const SCORES: Scores = { Drawing: 0.1, Hentai: 0.1, Neutral: 0.6, Porn: 0.1, Sexy: 0.1 };

interface FakeWorker {
  events: PortEvents;
  received: ToWorker[];
  busy: boolean[];
  terminated: boolean;
  reply(m: FromWorker): void;
}

/** A port factory whose workers answer by `answer` (null: stay silent), recorded in `workers`. */
function fakePorts(
  answer: (m: ToWorker, w: FakeWorker) => FromWorker | null,
  kind: 'thread' | 'inline' = 'thread',
) {
  const workers: FakeWorker[] = [];
  const factory = (events: PortEvents): WorkerPort => {
    const w: FakeWorker = {
      events,
      received: [],
      busy: [],
      terminated: false,
      reply: (m) => setImmediate(() => events.onMessage(m)),
    };
    workers.push(w);
    return {
      kind,
      post(m) {
        w.received.push(m);
        const r = answer(m, w);
        if (r !== null) w.reply(r);
      },
      setBusy: (b) => w.busy.push(b),
      terminate: () => {
        w.terminated = true;
        return Promise.resolve();
      },
    };
  };
  return { workers, factory };
}

const healthy = (m: ToWorker): FromWorker | null => {
  if (m.type === 'init') {
    return {
      type: 'ready',
      id: m.id,
      model: 'fake',
      backend: m.backend,
      fallbackReason: null,
      loadMs: 1,
    };
  }
  if (m.type === 'classify') {
    // Echo the first byte into a score so each reply is tied to its request.
    return { type: 'scores', id: m.id, scores: { ...SCORES, Drawing: m.rgb[0]! / 255 }, ms: 1 };
  }
  return null;
};

const client = (factory: (e: PortEvents) => WorkerPort) =>
  new ImageWorkerClient({ port: factory, modelDir: () => '/model', backend: 'wasm' });

describe('ImageWorkerClient', () => {
  it('loads once, routes each reply to its request, and is busy only while waiting', async () => {
    const { workers, factory } = fakePorts(healthy);
    const c = client(factory);
    const [a, b] = await Promise.all([
      c.classify(new Uint8Array([51, 0, 0]), 1, 1),
      c.classify(new Uint8Array([102, 0, 0]), 1, 1),
    ]);
    expect(a.scores.Drawing).toBeCloseTo(0.2);
    expect(b.scores.Drawing).toBeCloseTo(0.4);
    expect(workers).toHaveLength(1);
    expect(workers[0]!.received.filter((m) => m.type === 'init')).toHaveLength(1);
    expect(workers[0]!.received[0]).toMatchObject({ type: 'init', modelDir: '/model' });
    expect(workers[0]!.busy.at(-1)).toBe(false);
    expect(workers[0]!.busy).toContain(true);
  });

  it('sends the worker a copy: the caller’s buffer is not detached', async () => {
    const { factory } = fakePorts(healthy);
    const rgb = new Uint8Array([1, 2, 3]);
    await client(factory).classify(rgb, 1, 1);
    expect(rgb.byteLength).toBe(3);
  });

  it('a worker that dies fails its pending requests; the next call starts a new one', async () => {
    // The first worker dies when asked to classify; later ones are healthy.
    const { workers, factory } = fakePorts((m, w) => {
      if (m.type !== 'classify' || w !== workers[0]) return healthy(m);
      w.events.onExit('it exited with code 7');
      return null;
    });
    const c = client(factory);
    await expect(c.classify(new Uint8Array(3), 1, 1)).rejects.toMatchObject({
      name: 'ImageCheckError',
      kind: 'worker',
      message: 'the image-check worker stopped: it exited with code 7',
    });
    const ok = await c.classify(new Uint8Array([255, 0, 0]), 1, 1);
    expect(ok.scores.Drawing).toBe(1);
    expect(workers).toHaveLength(2);
  });

  it('a failed model load rejects with its kind, and the next call tries a fresh worker', async () => {
    let failLoad = true;
    const { workers, factory } = fakePorts((m) =>
      m.type === 'init' && failLoad
        ? { type: 'error', id: m.id, kind: 'model_corrupt', message: 'weights damaged' }
        : healthy(m),
    );
    const c = client(factory);
    await expect(c.ready()).rejects.toMatchObject({
      kind: 'model_corrupt',
      message: 'weights damaged',
    });
    expect(workers[0]!.terminated).toBe(true);
    failLoad = false;
    await expect(c.ready()).resolves.toMatchObject({ model: 'fake', backend: 'wasm' });
    expect(workers).toHaveLength(2);
  });

  /** Workers that never answer a classify; `posted` resolves when one has been sent. */
  function silentOnClassify(kind: 'thread' | 'inline') {
    let sent!: () => void;
    const posted = new Promise<void>((r) => (sent = r));
    const ports = fakePorts((m) => {
      if (m.type !== 'classify') return healthy(m);
      sent();
      return null;
    }, kind);
    return { ...ports, posted };
  }

  it('cancelling terminates a thread worker mid-inference; the next call starts another', async () => {
    const { workers, factory, posted } = silentOnClassify('thread');
    const c = client(factory);
    const ac = new AbortController();
    const pending = c.classify(new Uint8Array(3), 1, 1, ac.signal);
    await posted;
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers[0]!.terminated).toBe(true);
    await c.ready();
    expect(workers).toHaveLength(2);
  });

  it('cancelling before the request is sent sends nothing and keeps the worker', async () => {
    const { workers, factory } = silentOnClassify('thread');
    const c = client(factory);
    await c.ready();
    const ac = new AbortController();
    const pending = c.classify(new Uint8Array(3), 1, 1, ac.signal);
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(workers[0]!.received.map((m) => m.type)).toEqual(['init']);
    expect(workers[0]!.terminated).toBe(false);
  });

  it('cancelling an in-thread request drops its answer and keeps the loaded model', async () => {
    const { workers, factory, posted } = silentOnClassify('inline');
    const c = client(factory);
    const ac = new AbortController();
    const pending = c.classify(new Uint8Array(3), 1, 1, ac.signal);
    await posted;
    ac.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const late = workers[0]!.received.find((m) => m.type === 'classify');
    if (late?.type !== 'classify') throw new Error('no classify was sent');
    workers[0]!.reply({ type: 'scores', id: late.id, scores: SCORES, ms: 1 });
    expect(workers[0]!.terminated).toBe(false);
    expect(workers[0]!.busy.at(-1)).toBe(false);
    await c.ready();
    expect(workers).toHaveLength(1);
  });

  it('forwards the worker’s log lines; after close every call fails as closed', async () => {
    const logs: string[] = [];
    const { workers, factory } = fakePorts(healthy);
    const c = new ImageWorkerClient({
      port: factory,
      modelDir: () => '/model',
      backend: 'wasm',
      onLog: (level, msg) => logs.push(`${level}: ${msg}`),
    });
    await c.ready();
    workers[0]!.events.onMessage({ type: 'log', level: 'warn', msg: 'wasm failed' });
    expect(logs).toEqual(['warn: wasm failed']);
    await c.close();
    expect(workers[0]!.terminated).toBe(true);
    await expect(c.classify(new Uint8Array(3), 1, 1)).rejects.toMatchObject({ kind: 'closed' });
  });

  it('a missing model fails the call without starting a worker', async () => {
    const { workers, factory } = fakePorts(healthy);
    const c = new ImageWorkerClient({
      port: factory,
      modelDir: () => {
        throw new Error('model.min.js is missing');
      },
      backend: 'wasm',
    });
    await expect(c.ready()).rejects.toThrow('model.min.js is missing');
    expect(workers).toHaveLength(0);
  });
});
