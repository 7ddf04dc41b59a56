/**
 * Keyword spotting with the real WenetSpeech KWS model, in its worker process: the model's own test
 * recordings, trigger phrases synthesized with espeak-ng (cmn-latn-pinyin), speech without
 * triggers and near misses (false alarms counted), and a worker killed mid-stream.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keywordLines, readTokens } from './keywords';
import { type KeywordHit, KwsHost } from './kws-host';
import { readWavFile } from './wav';
import { KWS_MODEL_DIR } from '../testing/shared';

const MODEL_DIR = KWS_MODEL_DIR;
const FALLBACK = join(
  __dirname,
  '../../../shared/models/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
);
const DIR = existsSync(MODEL_DIR) ? MODEL_DIR : FALLBACK;
const WORKER = join(__dirname, '..', '..', 'out', 'main', 'kws-worker.js');
const missing = !existsSync(join(DIR, 'tokens.txt'))
  ? `the KWS model is not at ${DIR} (see ../shared/models)`
  : !existsSync(WORKER)
    ? `${WORKER} is missing: run \`npm run build\``
    : null;
if (missing) console.warn(`skipping keyword-spotting tests: ${missing}`);

const model = {
  encoder: join(DIR, 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
  decoder: join(DIR, 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx'),
  joiner: join(DIR, 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx'),
  tokens: join(DIR, 'tokens.txt'),
};

/** Streams files one after another (1 s of silence between) on one media clock. */
function streamFiles(
  host: KwsHost,
  files: string[],
  onHalf?: () => void,
  startAt = 0,
): Array<{ file: string; from: number; to: number }> {
  const spans: Array<{ file: string; from: number; to: number }> = [];
  let t = startAt;
  const chunk = 3200;
  const push = (s: Int16Array): void => {
    for (let i = 0; i < s.length; i += chunk) {
      const part = s.subarray(i, i + chunk);
      host.push(part, t);
      t += part.length / 16000;
    }
  };
  files.forEach((f, i) => {
    const s = readWavFile(f).data;
    spans.push({ file: f, from: t, to: t + s.length / 16000 });
    push(s);
    push(new Int16Array(16000));
    if (i === Math.floor(files.length / 2)) onHalf?.();
  });
  return spans;
}

const hosts: KwsHost[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});

function startHost(
  phrases: Array<{ text: string; boost?: number; threshold?: number }>,
  hits: KeywordHit[],
): KwsHost {
  const { lines } = keywordLines(phrases, readTokens(readFileSync(model.tokens, 'utf8')));
  const host = new KwsHost({
    workerPath: WORKER,
    model,
    keywords: lines,
    onKeyword: (h) => hits.push(h),
  });
  hosts.push(host);
  return host;
}

const TRIGGERS = [
  { text: '最后三分钟', boost: 3, threshold: 0.1 },
  { text: '全场五折', boost: 3, threshold: 0.1 },
  { text: '买爆了', boost: 2, threshold: 0.25 },
];

function hitsByFile(hits: KeywordHit[], spans: Array<{ file: string; from: number; to: number }>) {
  const out = new Map<string, string[]>();
  for (const h of hits) {
    // A hit fires 0.3–0.8 s after the keyword ends: attribute it to the file it follows.
    const span = spans.find((s) => h.at >= s.from && h.at <= s.to + 1.0);
    const name = span ? span.file.split('/').pop()! : 'outside';
    out.set(name, [...(out.get(name) ?? []), h.keyword]);
  }
  return out;
}

(missing ? describe.skip : describe)('keyword spotting (real model)', () => {
  const synth = (n: string) => join(DIR, 'synthetic', n);
  const expected: Record<string, string[]> = {
    'pos1_s160.wav': ['最后三分钟'],
    'pos2_s160.wav': ['买爆了'],
    'pos3_s160.wav': ['全场五折', '最后三分钟'],
    'pos4_s160.wav': ['最后三分钟'],
    'pos5_s160.wav': ['全场五折'],
    'pos6_s160.wav': ['最后三分钟'],
  };
  const negatives = [
    'neg1_s130.wav',
    'neg2_s130.wav',
    'neg3_s130.wav',
    'neg4_s130.wav',
    'near1_s130.wav',
    'near2_s130.wav',
    'near3_s130.wav',
    'near4_s130.wav',
  ];

  it('spots live-stream triggers in synthesized speech with no false alarm on speech without them', async () => {
    const hits: KeywordHit[] = [];
    const host = startHost(TRIGGERS, hits);
    await host.whenReady();
    const files = [...Object.keys(expected), ...negatives].map(synth);
    const spans = streamFiles(host, files);
    await host.drain();
    const byFile = hitsByFile(hits, spans);
    let found = 0;
    const wanted = Object.values(expected).flat().length;
    for (const [file, kws] of Object.entries(expected)) {
      for (const k of kws) if (byFile.get(file)?.includes(k)) found++;
    }
    const falseAlarms = negatives.flatMap((f) => byFile.get(f) ?? []);
    expect(found / wanted).toBeGreaterThanOrEqual(6 / 7);
    expect(falseAlarms).toEqual([]);
    expect(byFile.get('outside')).toBeUndefined();
  }, 60_000);

  it('finds the 8 hits of the model’s own test recordings', async () => {
    const hits: KeywordHit[] = [];
    const phrases = readFileSync(join(DIR, 'test_wavs', 'test_keywords.txt'), 'utf8')
      .trim()
      .split('\n')
      // As upstream ran them: no per-keyword boost (score 1.0), threshold 0.25.
      .map((l) => ({ text: l.split('@')[1]!.trim(), boost: 1, threshold: 0.25 }));
    const host = startHost(phrases, hits);
    await host.whenReady();
    const spans = streamFiles(
      host,
      ['3.wav', '4.wav', '5.wav', '6.wav'].map((f) => join(DIR, 'test_wavs', f)),
    );
    await host.drain();
    const byFile = hitsByFile(hits, spans);
    expect([...byFile.values()].flat()).toHaveLength(8);
    for (const f of ['3.wav', '4.wav', '5.wav', '6.wav']) expect(byFile.get(f)).toHaveLength(2);
  }, 60_000);

  it('survives a worker killed mid-stream: restarted, nothing dropped, the same hits as a clean run', async () => {
    const files = [...Object.keys(expected), ...negatives].map(synth);
    const run = async (crash: boolean) => {
      const hits: KeywordHit[] = [];
      const host = startHost(TRIGGERS, hits);
      await host.whenReady();
      const half = Math.floor(files.length / 2);
      const first = streamFiles(host, files.slice(0, half));
      // The worker has processed (and confirmed) the first half when it dies.
      await host.drain();
      if (crash) process.kill(host.pid!, 'SIGKILL');
      const last = first.at(-1)!;
      const second = streamFiles(host, files.slice(half), undefined, last.to + 1);
      await host.drain();
      return { host, byFile: hitsByFile(hits, [...first, ...second]) };
    };
    const clean = await run(false);
    const crashed = await run(true);
    expect(crashed.host.restarts).toBe(1);
    expect(crashed.host.droppedSeconds).toBe(0);
    const flat = (m: Map<string, string[]>) =>
      [...m.entries()].sort().map(([f, k]) => `${f}:${k.join(',')}`);
    expect(flat(crashed.byFile)).toEqual(flat(clean.byFile));
    expect([...clean.byFile.values()].flat().length).toBeGreaterThanOrEqual(6);
  }, 90_000);

  it('reports a model that cannot load instead of crashing the engine', async () => {
    const host = new KwsHost({
      workerPath: WORKER,
      model: { ...model, encoder: model.tokens },
      keywords: ['z uì :2.0 #0.25 @最'],
      onKeyword: () => {},
    });
    hosts.push(host);
    await expect(host.whenReady()).rejects.toThrow(/could not be loaded|worker/);
  }, 30_000);
});
