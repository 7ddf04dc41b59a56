/**
 * The recognizer host's supervision, with a fake worker process (no weights needed): a crash
 * mid-utterance loses and repeats no final, restarts back off, two deaths while loading give a
 * clear error, audio that keeps killing the worker is skipped, the model is verified before every
 * start. The fake worker speaks the real protocol: non-zero samples are "speech", 0.3 s of zeros
 * after speech is an endpoint (a final from the first to the last speech sample); FAKE_DIE_AT makes
 * it die on the chunk holding that media time (once, with FAKE_DIE_ONCE).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FinalResult, StreamingTransducerSpec } from './recognizer-protocol';
import { RecognizerHost, type RecognizerHostOptions } from './recognizer-host';

const FAKE_WORKER = `
const fs = require('node:fs');
const env = process.env;
const dieAt = env.FAKE_DIE_AT ? Number(env.FAKE_DIE_AT) : Infinity;
const once = env.FAKE_DIE_ONCE || null;
let speechStart = null, lastSpeech = 0, committed = -Infinity;
const send = (m) => process.send(m);
const r3 = (x) => Math.round(x * 1000) / 1000;
function final(end, upTo) {
  send({ type: 'final', committedUpTo: r3(upTo),
    result: { start: r3(speechStart), end: r3(end), text: 'utt@' + speechStart.toFixed(1),
      tokens: [], tags: [], lang: null } });
  committed = upTo;
  speechStart = null;
}
process.on('message', (m) => {
  switch (m.type) {
    case 'init':
      if (env.FAKE_INIT === 'die') return process.kill(process.pid, 'SIGKILL');
      if (env.FAKE_INIT === 'error') return send({ type: 'error', message: 'bad model file', fatal: true });
      return setTimeout(() => send({ type: 'ready', loadMs: 5 }), 5);
    case 'audio':
      for (let i = 0; i < m.samples.length; i++) {
        const t = m.mediaTime + i / 16000;
        if (t >= dieAt && t < dieAt + 0.05 && !(once && fs.existsSync(once))) {
          if (once) fs.writeFileSync(once, '');
          process.kill(process.pid, 'SIGKILL');
          return;
        }
        if (m.samples[i] !== 0) {
          if (speechStart === null) speechStart = t;
          lastSpeech = t + 1 / 16000;
        } else if (speechStart !== null && t - lastSpeech >= 0.3) final(lastSpeech, t);
        else if (speechStart === null && t - committed >= 1) {
          committed = t;
          send({ type: 'committed', upTo: r3(t) });
        }
      }
      if (speechStart !== null)
        send({ type: 'partial', start: r3(speechStart), text: 'utt@' + speechStart.toFixed(1) + '…' });
      return send({ type: 'processed', upTo: m.mediaTime + m.samples.length / 16000 });
    case 'finish':
      if (speechStart !== null) final(lastSpeech, lastSpeech);
      return send({ type: 'finished' });
    case 'ping':
      return send({ type: 'pong', id: m.id });
    case 'shutdown':
      process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
`;

/** Speech (non-zero samples) in these media-time spans, silence elsewhere. */
const UTTERANCES: Array<[number, number]> = [
  [1.0, 2.0],
  [3.0, 4.5],
  [5.5, 6.0],
  [7.0, 9.0],
  [10.0, 11.0],
];
const TOTAL_S = 12;

const SPEC: StreamingTransducerSpec = {
  kind: 'streaming-transducer',
  encoder: 'e.onnx',
  decoder: 'd.onnx',
  joiner: 'j.onnx',
  tokens: 't.txt',
  numThreads: 1,
  endpoint: {
    rule1MinTrailingSilence: 2,
    rule2MinTrailingSilence: 0.3,
    rule3MinUtteranceLength: 15,
  },
  hotwords: [],
  hotwordsScore: 1.5,
  modelingUnit: 'cjkchar',
  bpeVocab: null,
};

let dir: string;
let worker: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'liveslice-rechost-'));
  worker = join(dir, 'fake-recognizer.cjs');
  writeFileSync(worker, FAKE_WORKER);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hosts: RecognizerHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

interface Run {
  host: RecognizerHost;
  finals: FinalResult[];
  partials: string[];
  problems: string[];
  spawns: number[];
}

function start(env: Record<string, string> = {}, extra: Partial<RecognizerHostOptions> = {}): Run {
  const run: Run = {
    finals: [],
    partials: [],
    problems: [],
    spawns: [],
    host: null as unknown as RecognizerHost,
  };
  run.host = new RecognizerHost({
    workerPath: worker,
    spec: SPEC,
    onFinal: (r) => run.finals.push(r),
    onPartial: (p) => run.partials.push(p.text),
    onProblem: (m) => run.problems.push(m),
    spawn: (path): ChildProcess => {
      run.spawns.push(Date.now());
      return fork(path, [], {
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...process.env, ...env },
      });
    },
    ...extra,
  });
  hosts.push(run.host);
  return run;
}

/** Pushes the test stream in 0.1 s chunks (all at once: the host queues while the worker starts). */
function pushStream(host: RecognizerHost, from = 0, to = TOTAL_S, offset = 0): void {
  for (let t = from; t < to - 1e-9; t += 0.1) {
    const chunk = new Int16Array(1600);
    for (let i = 0; i < chunk.length; i++) {
      const s = t + i / 16000;
      if (UTTERANCES.some(([a, b]) => s >= a && s < b)) chunk[i] = 1000;
    }
    host.push(chunk, offset + Math.round(t * 10) / 10);
  }
}

const spans = (f: FinalResult[]) => f.map((r) => [r.start, r.end]);

describe('RecognizerHost with a fake worker', () => {
  it('turns the stream into one final per utterance, partials on the way', async () => {
    const run = start();
    await run.host.whenReady();
    pushStream(run.host);
    await run.host.finish();
    expect(spans(run.finals)).toEqual(UTTERANCES);
    expect(run.partials).toContain('utt@7.0…');
    expect(run.host.restarts).toBe(0);
    expect(run.spawns).toHaveLength(1);
  });

  it('a crash mid-utterance loses no final and repeats none (replay from the commit point)', async () => {
    const run = start({ FAKE_DIE_AT: '8.0', FAKE_DIE_ONCE: join(dir, 'died-once') });
    await run.host.whenReady();
    pushStream(run.host);
    await run.host.finish();
    expect(run.host.restarts).toBe(1);
    expect(run.problems.some((p) => /stopped.*restarting/.test(p))).toBe(true);
    expect(spans(run.finals)).toEqual(UTTERANCES);
    expect(new Set(run.finals.map((f) => f.text)).size).toBe(UTTERANCES.length);
    expect(run.host.droppedSeconds).toBe(0);
    expect(run.host.committed).toBeCloseTo(11.3, 3); // the endpoint after the last utterance
  });

  it('a crash while finishing is survived too: the last utterance still comes out once', async () => {
    const run = start({ FAKE_DIE_AT: '11.9', FAKE_DIE_ONCE: join(dir, 'died-finishing') });
    await run.host.whenReady();
    pushStream(run.host, 0, TOTAL_S);
    // The stream ends inside the last utterance's trailing silence; finish flushes it.
    await run.host.finish();
    expect(run.host.restarts).toBe(1);
    expect(spans(run.finals)).toEqual(UTTERANCES);
  });

  it('restarts with backoff; audio that kills the worker three times is skipped, not looped', async () => {
    const run = start({ FAKE_DIE_AT: '8.0' }); // dies on the chunk at 8.0 s, every time
    await run.host.whenReady();
    pushStream(run.host, 0, TOTAL_S);
    await run.host.finish();
    expect(run.spawns.length).toBe(4);
    const waits = run.spawns.slice(1).map((t, i) => t - run.spawns[i]!);
    expect(waits[0]).toBeGreaterThanOrEqual(190);
    expect(waits[1]).toBeGreaterThanOrEqual(390);
    expect(waits[2]).toBeGreaterThanOrEqual(790);
    // Only the 0.1 s chunk it died on is gone (and said so); every utterance still came out once.
    expect(run.problems.some((p) => /skipped 0\.10 s of audio at 8\.00 s/.test(p))).toBe(true);
    expect(run.host.droppedSeconds).toBeCloseTo(0.1, 3);
    expect(spans(run.finals)).toEqual(UTTERANCES);
  }, 15_000);

  it('two deaths while loading: a clear error, no endless restarts', async () => {
    const run = start({ FAKE_INIT: 'die' });
    await expect(run.host.whenReady()).rejects.toThrow(
      /could not be loaded: the worker died while loading it \(SIGKILL\)/,
    );
    expect(run.spawns).toHaveLength(2);
    await expect(run.host.finish()).rejects.toThrow(/could not be loaded/);
    run.host.push(new Int16Array(1600), 0); // ignored, no throw
  });

  it('a model the worker refuses is reported at once', async () => {
    const run = start({ FAKE_INIT: 'error' });
    await expect(run.host.whenReady()).rejects.toThrow(/could not be loaded: bad model file/);
    expect(run.spawns).toHaveLength(1);
  });

  it('verifies the model before every start, and stops when it no longer verifies', async () => {
    let checks = 0;
    const run = start(
      { FAKE_DIE_AT: '3.5' },
      {
        beforeStart: async () => {
          if (++checks === 2) throw new Error('model.onnx has sha256 …, expected …');
        },
      },
    );
    await run.host.whenReady();
    pushStream(run.host);
    await expect(run.host.finish()).rejects.toThrow(/cannot be used: model\.onnx has sha256/);
    expect(checks).toBe(2);
    expect(run.spawns).toHaveLength(1); // the changed model never reached a worker
    expect(spans(run.finals)).toEqual([UTTERANCES[0]]);
  });

  it('does not start a worker when the first verification fails', async () => {
    const run = start({}, { beforeStart: () => Promise.reject(new Error('is not installed')) });
    await expect(run.host.whenReady()).rejects.toThrow(/cannot be used: is not installed/);
    expect(run.spawns).toHaveLength(0);
  });

  it('keeps the media clock of the pushed audio (a session that starts late)', async () => {
    const run = start();
    pushStream(run.host, 0, TOTAL_S, 3600);
    await run.host.finish();
    expect(spans(run.finals)).toEqual(UTTERANCES.map(([a, b]) => [a + 3600, b + 3600]));
  });
});
