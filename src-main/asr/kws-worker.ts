/**
 * The keyword-spotting worker: a child process (never the engine's process — a native abort in
 * the recognizer must not take the app down). Bundled to out/main/kws-worker.js.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FromWorker, ToWorker } from './worker-protocol';

interface Stream {
  acceptWaveform(w: { samples: Float32Array; sampleRate: number }): void;
}
interface Spotter {
  createStream(): Stream;
  isReady(s: Stream): boolean;
  decode(s: Stream): void;
  reset(s: Stream): void;
  getResult(s: Stream): { keyword: string };
}

const send = (m: FromWorker): void => {
  process.send?.(m);
};

let spotter: Spotter | null = null;
let stream: Stream | null = null;
let tmp: string | null = null;

function init(msg: Extract<ToWorker, { type: 'init' }>): void {
  const t0 = Date.now();
  const sherpa = createRequire(__filename)('sherpa-onnx-node') as {
    KeywordSpotter: new (config: unknown) => Spotter;
  };
  tmp = mkdtempSync(join(tmpdir(), 'liveslice-kws-'));
  const keywordsFile = join(tmp, 'keywords.txt');
  writeFileSync(keywordsFile, `${msg.keywords.join('\n')}\n`);
  spotter = new sherpa.KeywordSpotter({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      transducer: {
        encoder: msg.model.encoder,
        decoder: msg.model.decoder,
        joiner: msg.model.joiner,
      },
      tokens: msg.model.tokens,
      numThreads: msg.numThreads,
      provider: 'cpu',
      debug: 0,
    },
    maxActivePaths: 4,
    numTrailingBlanks: 1,
    keywordsScore: 1.0,
    keywordsThreshold: 0.25,
    keywordsFile,
  });
  stream = spotter.createStream();
  send({ type: 'ready', loadMs: Date.now() - t0 });
}

function audio(msg: Extract<ToWorker, { type: 'audio' }>): void {
  if (!spotter || !stream)
    return send({ type: 'error', message: 'audio before init', fatal: false });
  const f = new Float32Array(msg.samples.length);
  for (let i = 0; i < f.length; i++) f[i] = msg.samples[i]! / 32768;
  stream.acceptWaveform({ samples: f, sampleRate: 16000 });
  const at = msg.mediaTime + msg.samples.length / 16000;
  while (spotter.isReady(stream)) {
    spotter.decode(stream);
    const r = spotter.getResult(stream);
    if (r.keyword) {
      send({ type: 'keyword', keyword: r.keyword, at: Math.round(at * 1000) / 1000 });
      spotter.reset(stream);
    }
  }
  send({ type: 'processed', upTo: at });
}

process.on('message', (raw: unknown) => {
  const msg = raw as ToWorker;
  try {
    switch (msg.type) {
      case 'init':
        return init(msg);
      case 'audio':
        return audio(msg);
      case 'ping':
        return send({ type: 'pong', id: msg.id });
      case 'shutdown':
        if (tmp) rmSync(tmp, { recursive: true, force: true });
        process.exit(0);
    }
  } catch (err) {
    send({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      fatal: msg.type === 'init',
    });
  }
});
process.on('disconnect', () => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
});
