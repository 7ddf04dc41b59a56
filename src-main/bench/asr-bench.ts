/** ASR figures for `npm run bench`: VAD and keyword-spotter real-time factors on real recordings. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { keywordLines, readTokens } from '../asr/keywords';
import { KwsHost } from '../asr/kws-host';
import { readWavFile } from '../asr/wav';
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
  out['recognizer'] = {
    skipped:
      'no recognizer model is installed: `liveslice models pull streaming-zipformer-small-bilingual-zh-en-2023-02-16-mobile` ' +
      '(or import it), then rerun; targets RTF ≤ 0.15 on 1 thread, final lag ≤ 700 ms',
  };
  return out;
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
