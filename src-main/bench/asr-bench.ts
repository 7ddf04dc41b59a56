/**
 * ASR figures for `npm run bench`: VAD and keyword-spotter real-time factors on real recordings;
 * the recognizer's real-time factor on 1 and 2 threads and its final lag (end of an utterance →
 * its final) when a recognizer model is installed, plus the same pipeline run with the KWS model
 * standing in for the transducer (what the worker, IPC and endpointing cost by themselves).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventBus } from '../api/events';
import { keywordLines, readTokens } from '../asr/keywords';
import { KwsHost } from '../asr/kws-host';
import type { FinalResult, RecognizerSpec } from '../asr/recognizer-protocol';
import { RecognizerHost } from '../asr/recognizer-host';
import {
  LIVE_ENDPOINT,
  RECOGNIZER_PREFERENCE,
  RecognizerService,
  SMALL_ZIPFORMER_ID,
} from '../asr/recognizer-service';
import { readWavFile } from '../asr/wav';
import { defaultDataDir } from '../config/paths';
import { createLogger } from '../log/logger';
import { importModel, requireVerifiedModel } from '../models';
import { openStore } from '../store';
import { findTestModel } from '../testing/models';
import { benchVad, findTestRecordingDir } from './vad-bench';

const KWS_DIR_NAME = 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile';

export async function benchAsr(): Promise<object> {
  const out: Record<string, unknown> = {};
  try {
    out['vad'] = ((await benchVad()) as { vad: unknown }).vad;
  } catch (err) {
    out['vad'] = { skipped: err instanceof Error ? err.message : String(err) };
  }
  out['keyword_spotter'] = await benchKws();
  out['recognizer'] = await benchRecognizer();
  out['recognizer_stand_in'] = await benchStandIn();
  return out;
}

const ZH_EN_DIR = 'sherpa-onnx-zh-en-test-wavs';
const RECOGNIZER_WAVS = [
  'bilingual-0.wav',
  'bilingual-1.wav',
  'bilingual-2.wav',
  'bilingual-3.wav',
  'small-bilingual-4.wav',
];

/** An installed recognizer: in the data directory, or a copy in $LIVESLICE_TEST_MODELS / ../shared/models. */
async function findRecognizer(): Promise<{ id: string; dataDir: string; temp: boolean } | null> {
  const dataDir = defaultDataDir();
  for (const id of RECOGNIZER_PREFERENCE) {
    try {
      await requireVerifiedModel(dataDir, id);
      return { id, dataDir, temp: false };
    } catch {
      // not installed there
    }
  }
  for (const id of RECOGNIZER_PREFERENCE) {
    const from = await findTestModel(id);
    if (!from) continue;
    const tmp = mkdtempSync(join(tmpdir(), 'liveslice-bench-asr-'));
    await importModel(tmp, id, from);
    return { id, dataDir: tmp, temp: true };
  }
  return null;
}

async function specFor(dataDir: string, id: string, numThreads: number): Promise<RecognizerSpec> {
  const store = openStore(dataDir);
  try {
    const svc = new RecognizerService({
      dataDir,
      store,
      bus: createEventBus(),
      logger: createLogger({ dir: null, console: false }),
      workerPath: join(__dirname, 'asr-worker.js'),
      settings: () => ({ ...store.settings.getAll(), 'asr.recognizer': id, 'asr.hotwords': [] }),
      numThreads,
    });
    await svc.init();
    const active = svc.active();
    if (!active) throw new Error(svc.status().reason ?? `${id} cannot be used`);
    return active.spec;
  } finally {
    store.close();
  }
}

async function benchRecognizer(): Promise<object | string> {
  const worker = join(__dirname, 'asr-worker.js');
  if (!existsSync(worker)) return `skipped: ${worker} is missing: run npm run build`;
  const wavDir = findTestRecordingDir(ZH_EN_DIR);
  if (!wavDir) return `skipped: the test recordings (${ZH_EN_DIR}) are not present`;
  const found = await findRecognizer();
  if (!found) return `absent: ${SMALL_ZIPFORMER_ID} not installed (liveslice models import <dir>)`;
  try {
    const audio = RECOGNIZER_WAVS.map((f) => readWavFile(join(wavDir, f)).data);
    const spec1 = await specFor(found.dataDir, found.id, 1);
    const spec2 = await specFor(found.dataDir, found.id, 2);
    const rtf1 = await recognizerRtf(worker, spec1, audio);
    const rtf2 = await recognizerRtf(worker, spec2, audio);
    const lag = await finalLag(worker, spec1, audio.slice(0, 4));
    return {
      model: found.id,
      audio_s: round(seconds(audio), 1),
      rtf_1_thread: round(rtf1.rtf, 4),
      rtf_2_threads: round(rtf2.rtf, 4),
      load_ms: rtf1.loadMs,
      final_lag_ms: lag,
      targets: 'small bilingual zipformer: RTF ≤ 0.15 on 1 thread, final lag ≤ 700 ms',
      note: 'RTF: median of 3, including IPC to the worker; final lag: audio pushed in real time',
    };
  } finally {
    if (found.temp) rmSync(found.dataDir, { recursive: true, force: true });
  }
}

/** The same worker, host and endpoint rules, with the 3.3M KWS model as the transducer. */
async function benchStandIn(): Promise<object | string> {
  const worker = join(__dirname, 'asr-worker.js');
  const kws = findTestRecordingDir(KWS_DIR_NAME);
  const wavDir = findTestRecordingDir(ZH_EN_DIR);
  if (!existsSync(worker)) return `skipped: ${worker} is missing: run npm run build`;
  if (!kws || !wavDir) return 'skipped: ../shared/models is not present';
  const spec: RecognizerSpec = {
    kind: 'streaming-transducer',
    encoder: join(kws, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
    decoder: join(kws, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx'),
    joiner: join(kws, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
    tokens: join(kws, 'tokens.txt'),
    numThreads: 1,
    endpoint: LIVE_ENDPOINT,
    hotwords: [],
    hotwordsScore: 1.5,
    modelingUnit: 'cjkchar',
    bpeVocab: null,
  };
  const audio = RECOGNIZER_WAVS.map((f) => readWavFile(join(wavDir, f)).data);
  const rtf = await recognizerRtf(worker, spec, audio);
  const lag = await finalLag(worker, spec, audio.slice(0, 4));
  return {
    model: `${KWS_DIR_NAME} (keyword-spotting model decoded as a transducer: not a recognizer)`,
    rtf_1_thread: round(rtf.rtf, 4),
    final_lag_ms: lag,
    note: 'what the worker process, IPC, endpoint rules (rule2 0.4 s) and a tiny model cost; the real recognizer adds its own compute',
  };
}

const seconds = (audio: Int16Array[]): number => audio.reduce((n, a) => n + a.length / 16000, 0);
const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

/** Files with 1 s of silence after each, in 0.1 s chunks; `pace` waits for the wall clock. */
async function pushAudio(
  host: RecognizerHost,
  audio: Int16Array[],
  pace: boolean,
): Promise<number> {
  const t0 = Date.now();
  let t = 0;
  const chunks: Int16Array[] = [];
  for (const a of audio) {
    for (let i = 0; i < a.length; i += 1600) chunks.push(a.subarray(i, i + 1600));
    for (let i = 0; i < 10; i++) chunks.push(new Int16Array(1600));
  }
  for (const c of chunks) {
    if (pace) {
      const wait = t0 + t * 1000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    host.push(c, t);
    t += c.length / 16000;
  }
  return t0;
}

async function recognizerRtf(
  worker: string,
  spec: RecognizerSpec,
  audio: Int16Array[],
): Promise<{ rtf: number; loadMs: number | null }> {
  const total = seconds(audio) + audio.length; // the silences pushed after each file
  const rtfs: number[] = [];
  let loadMs: number | null = null;
  for (let run = 0; run < 3; run++) {
    const host = new RecognizerHost({ workerPath: worker, spec, onFinal: () => {} });
    try {
      await host.whenReady();
      loadMs = host.loadMs;
      const t1 = process.hrtime.bigint();
      await pushAudio(host, audio, false);
      await host.finish();
      rtfs.push(Number(process.hrtime.bigint() - t1) / 1e9 / total);
    } finally {
      await host.close();
    }
  }
  rtfs.sort((a, b) => a - b);
  return { rtf: rtfs[1]!, loadMs };
}

/**
 * Audio pushed in real time; a final's lag = when it arrived − when the audio at the end of its
 * utterance was pushed. The end of the utterance is its last token's time (SenseVoice: the end
 * of its speech segment).
 */
async function finalLag(worker: string, spec: RecognizerSpec, audio: Int16Array[]) {
  const arrivals: Array<{ at: number; r: FinalResult }> = [];
  const host = new RecognizerHost({
    workerPath: worker,
    spec,
    onFinal: (r) => arrivals.push({ at: Date.now(), r }),
  });
  try {
    await host.whenReady();
    const t0 = await pushAudio(host, audio, true);
    const pushedAll = arrivals.length;
    await host.finish();
    const lags = arrivals
      .slice(0, Math.max(pushedAll, 1))
      .map(({ at, r }) => at - (t0 + (r.tokens.at(-1)?.t ?? r.end) * 1000))
      .sort((a, b) => a - b);
    const pick = (q: number): number | null =>
      lags.length
        ? Math.round(lags[Math.min(lags.length - 1, Math.floor(q * lags.length))]!)
        : null;
    return { p50: pick(0.5), p95: pick(0.95), max: pick(1), finals: lags.length };
  } finally {
    await host.close();
  }
}

async function benchKws(): Promise<object> {
  const shared = findTestRecordingDir(KWS_DIR_NAME);
  const worker = join(__dirname, 'kws-worker.js');
  if (!shared || !existsSync(join(shared, 'tokens.txt')))
    return { skipped: `the KWS model (${KWS_DIR_NAME}) is not present` };
  if (!existsSync(worker)) return { skipped: `${worker} is missing: run npm run build` };
  const model = {
    encoder: join(shared, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
    decoder: join(shared, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx'),
    joiner: join(shared, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
    tokens: join(shared, 'tokens.txt'),
  };
  const { lines } = keywordLines(
    [{ text: '最后三分钟' }, { text: '全场五折' }, { text: '买爆了' }],
    readTokens(readFileSync(model.tokens, 'utf8')),
  );
  const files = ['3.wav', '4.wav', '5.wav', '6.wav'].map((f) => join(shared, 'test_wavs', f));
  const audio = files.map((f) => readWavFile(f).data);
  const seconds = audio.reduce((n, a) => n + a.length / 16000, 0);
  const rtfs: number[] = [];
  let loadMs = 0;
  for (let run = 0; run < 3; run++) {
    const t0 = Date.now();
    const host = new KwsHost({ workerPath: worker, model, keywords: lines, onKeyword: () => {} });
    await host.whenReady();
    loadMs = Date.now() - t0;
    const t1 = process.hrtime.bigint();
    let t = 0;
    for (const a of audio) {
      for (let i = 0; i < a.length; i += 3200) {
        const part = a.subarray(i, i + 3200);
        host.push(part, t);
        t += part.length / 16000;
      }
    }
    await host.drain();
    rtfs.push(Number(process.hrtime.bigint() - t1) / 1e9 / seconds);
    await host.close();
  }
  rtfs.sort((a, b) => a - b);
  return {
    model: KWS_DIR_NAME,
    rtf_1_thread: Math.round(rtfs[1]! * 10000) / 10000,
    audio_s: Math.round(seconds * 10) / 10,
    load_ms: loadMs,
    runs: 3,
    note: 'median of 3, including IPC to the worker process',
  };
}
