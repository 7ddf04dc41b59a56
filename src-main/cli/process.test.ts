/** `liveslice process` as a user runs it: the built CLI, real ffmpeg, real files and sockets. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importModel } from '../models';
import { freePort } from '../testing/ports';
import { FFMPEG, makeClip, NO_FFMPEG } from '../testing/media';
import { findTestModel, testModelAbsent } from '../testing/models';
import { KWS_MODEL_DIR, sharedModelsDir } from '../testing/shared';
import { missing } from '../testing/skip';

const BIN = join(__dirname, 'bin.cjs');
const BUILT = join(__dirname, '..', '..', 'out', 'main', 'cli.js');
let dir: string;
let clip: string;

beforeAll(() => {
  if (!existsSync(BUILT))
    throw new Error(`${BUILT} is missing: run \`npm run build\` before the tests`);
  dir = mkdtempSync(join(tmpdir(), 'liveslice-cli-'));
  if (FFMPEG) clip = makeClip(dir, 'av', { seconds: 4 });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args, '--data-dir', join(dir, 'data')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('liveslice process: arguments', () => {
  it('exits 2 with one line for bad arguments', () => {
    const r = cli(['process', 'x.mp4']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs --out/);
  });
});

(FFMPEG ? describe : describe.skip)('liveslice process', () => {
  it('ingests a file and writes the contract outputs', () => {
    const out = join(dir, 'out1');
    const r = cli(['process', clip, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/transcription skipped/g)).toHaveLength(1);
    expect(readFileSync(join(out, 'transcript.jsonl'), 'utf8')).toBe('');
    expect(readFileSync(join(out, 'highlights.jsonl'), 'utf8')).toBe('');
    expect(existsSync(join(out, 'clips'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report).toMatchObject({
      clips: 0,
      moment_to_clip_ms: { p50: null, p95: null },
      held_back: [],
    });
    expect(report.ingest.state).toBe('ended');
    expect(report.ingest.mediaTimeS).toBeCloseTo(4, 0);
    expect(report.ingest.segments).toBeGreaterThanOrEqual(3);
  });

  it('writes one transcript line per cue of a --transcript file, text as written', () => {
    const vtt = join(dir, 'subs.vtt');
    writeFileSync(
      vtt,
      'WEBVTT\n\n00:00.500 --> 00:01.800\n<b>最后三分钟!</b> Last call\n\n00:02.000 --> 00:03.500\n全场五折 &amp; 50% off\n',
    );
    const out = join(dir, 'out-vtt');
    const r = cli(['process', clip, '--out', out, '--transcript', vtt]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/transcription skipped/);
    const lines = readFileSync(join(out, 'transcript.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { start: 0.5, end: 1.8, text: '最后三分钟! Last call' },
      { start: 2, end: 3.5, text: '全场五折 &amp; 50% off' },
    ]);
  });

  it('exits 3 naming the line of a malformed subtitles file', () => {
    const bad = join(dir, 'bad.srt');
    writeFileSync(
      bad,
      '1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:05,000 --> 00:00:04,000\nbackwards\n',
    );
    const r = cli(['process', clip, '--out', join(dir, 'o-bad'), '--transcript', bad]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.srt:6: the cue ends/);
  });

  it('spots trigger phrases straight from the audio when the KWS model is installed', async () => {
    const kws = KWS_MODEL_DIR;
    if (
      !existsSync(join(kws, 'tokens.txt')) ||
      !existsSync(join(__dirname, '..', '..', 'out', 'main', 'kws-worker.js'))
    ) {
      console.warn('skipping: the KWS model (../shared/models) or the built worker is absent');
      return;
    }
    const data = join(dir, 'data-kws');
    await importModel(data, 'kws-zh-wenetspeech-3.3m-mobile', kws);
    const out = join(dir, 'out-kws');
    const r = spawnSync(
      process.execPath,
      [BIN, 'process', join(kws, 'synthetic', 'pos3_s160.wav'), '--out', out, '--data-dir', data],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.stages.keyword_spotting).toBe('on');
    const words = report.keywords.map((k: { keyword: string }) => k.keyword);
    expect(words).toContain('最后三分钟');
    for (const k of report.keywords) {
      expect(k.at).toBeGreaterThan(0);
      expect(k.at).toBeLessThan(report.ingest.mediaTimeS + 1.5);
    }
  }, 60_000);

  it.each([
    [
      'streaming-zipformer-small-bilingual-zh-en-2023-02-16-mobile',
      /not installed.*models (pull|import)/,
    ],
    ['no-such-model', /no such model/],
  ])('exits 4 with one line when --asr %s is missing or invalid', (id, msg) => {
    const r = cli(['process', clip, '--out', join(dir, 'o-asr'), '--asr', id]);
    expect(r.code).toBe(4);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
  });

  it('stops at --duration on a realtime replay', () => {
    const out = join(dir, 'out2');
    const r = cli(['process', clip, '--out', out, '--realtime', '--duration', '1.5']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.ingest.stoppedBy).toBe('duration');
    expect(report.ingest.mediaTimeS).toBeGreaterThanOrEqual(1.5);
    expect(report.ingest.mediaTimeS).toBeLessThan(3.5);
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.mp4'), /no such file/],
    [
      'a file that is not media',
      () => {
        const f = join(dir, 'junk.mp4');
        writeFileSync(f, Buffer.alloc(10_000, 3));
        return f;
      },
      /cannot read/,
    ],
    [
      'a URL with a scheme ffmpeg must not open',
      () => 'ftp://127.0.0.1/x.ts',
      /Unsupported URL scheme/,
    ],
  ])('exits 3 with one line for %s', (_n, input, msg) => {
    const r = cli(['process', input(), '--out', join(dir, 'o3')]);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(msg);
  });

  it('exits 3 within 10 s for a URL nothing answers', async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = cli(['process', `http://127.0.0.1:${port}/live.m3u8`, '--out', join(dir, 'o4')]);
    expect(r.code).toBe(3);
    expect(Date.now() - t0).toBeLessThan(10_000 + 3_000 /* node start-up and shutdown */);
    expect(r.stderr).toMatch(/127\.0\.0\.1/);
  });

  it('finishes and writes its outputs on SIGINT', async () => {
    const out = join(dir, 'out5');
    const child = spawn(
      process.execPath,
      [BIN, 'process', clip, '--out', out, '--realtime', '--data-dir', join(dir, 'data')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      err += c;
      if (err.includes('transcription skipped'))
        setTimeout(() => child.kill('SIGINT'), 1500).unref();
    });
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code, err).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.ingest.stoppedBy).toBe('interrupted');
    expect(report.ingest.segments).toBeGreaterThanOrEqual(0);
  });
});

describe.skipIf(missing(FFMPEG ? null : NO_FFMPEG))(
  'liveslice process --asr (a real recognizer)',
  () => {
    const ID = 'streaming-zipformer-small-bilingual-zh-en-2023-02-16-mobile';
    const WAV = join(sharedModelsDir(), 'sherpa-onnx-zh-en-test-wavs', 'bilingual-2.wav');

    it('transcribes with the model it names; a --transcript file replaces the recognizer', async (ctx) => {
      const from = await findTestModel(ID);
      if (missing(from && existsSync(WAV) ? null : testModelAbsent(ID))) return ctx.skip();
      const data = join(dir, 'data-asr');
      await importModel(data, ID, from!);
      const run = (out: string, extra: string[] = []) =>
        spawnSync(
          process.execPath,
          [BIN, 'process', WAV, '--out', out, '--data-dir', data, '--asr', ID, ...extra],
          { encoding: 'utf8', timeout: 120_000 },
        );
      const r = run(join(dir, 'out-asr'));
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`transcribing with ${ID}`));
      const lines = readFileSync(join(dir, 'out-asr', 'transcript.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { start: number; end: number; text: string });
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.map((l) => l.text).join('')).toMatch(/频繁|FREQUENTLY/);
      const report = JSON.parse(readFileSync(join(dir, 'out-asr', 'report.json'), 'utf8'));
      expect(report.stages.transcription).toBe(`recognizer: ${ID}`);

      const vtt = join(dir, 'asr-subs.vtt');
      writeFileSync(vtt, 'WEBVTT\n\n00:00.500 --> 00:02.000\nfrom the file\n');
      const t = run(join(dir, 'out-asr-vtt'), ['--transcript', vtt]);
      expect(t.status, t.stderr).toBe(0);
      expect(t.stderr).toMatch(/--asr .* not used: --transcript replaces it/);
      expect(readFileSync(join(dir, 'out-asr-vtt', 'transcript.jsonl'), 'utf8')).toBe(
        '{"start":0.5,"end":2,"text":"from the file"}\n',
      );
    }, 300_000);
  },
);

if (!FFMPEG) console.warn(`skipping liveslice process tests: ${NO_FFMPEG}`);
