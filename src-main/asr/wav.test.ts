import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTestRecordingDir } from '../bench/vad-bench';
import { parseWav, readWavFile, WavError, wavToMonoFloat } from './wav';
import { missing } from '../testing/skip';

const ZH_EN = findTestRecordingDir('sherpa-onnx-zh-en-test-wavs');
const haveAudio = ZH_EN !== null;
const hasFfmpeg = (() => {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A WAV file in memory: fmt chunk fields as given, optional extra chunks before data. */
function makeWav(opts: {
  format?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  data: Uint8Array;
  dataSize?: number;
  extensibleSub?: number;
  before?: Uint8Array;
}): Buffer {
  const channels = opts.channels ?? 1;
  const bits = opts.bits ?? 16;
  const rate = opts.rate ?? 16000;
  const ext = opts.extensibleSub !== undefined;
  const fmt = Buffer.alloc(ext ? 40 : 16);
  fmt.writeUInt16LE(ext ? 0xfffe : (opts.format ?? 1), 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(rate, 4);
  fmt.writeUInt32LE((rate * channels * bits) / 8, 8);
  fmt.writeUInt16LE((channels * bits) / 8, 12);
  fmt.writeUInt16LE(bits, 14);
  if (ext) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(bits, 18);
    fmt.writeUInt16LE(opts.extensibleSub ?? 1, 24);
  }
  const chunk = (id: string, body: Uint8Array, size = body.length): Buffer => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'ascii');
    h.writeUInt32LE(size, 4);
    return Buffer.concat([h, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    opts.before ?? Buffer.alloc(0),
    chunk('data', opts.data, opts.dataSize),
  ]);
  const h = Buffer.alloc(8);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(body.length, 4);
  return Buffer.concat([h, body]);
}

const s16 = (...v: number[]): Uint8Array => new Uint8Array(Int16Array.from(v).buffer);

describe('WAV reader', () => {
  it.skipIf(
    missing(
      !haveAudio &&
        'the real recordings in ../shared/models/sherpa-onnx-zh-en-test-wavs are absent (set LIVESLICE_SHARED_MODELS)',
    ),
  )('reads the real 16 kHz and 8 kHz mono recordings', () => {
    const a = readWavFile(join(ZH_EN!, 'bilingual-1.wav'));
    expect([a.sampleRate, a.channels]).toEqual([16000, 1]);
    expect(a.frames).toBe((statSync(join(ZH_EN!, 'bilingual-1.wav')).size - 44) / 2);
    const b = readWavFile(join(ZH_EN!, 'bilingual-8k.wav'));
    expect([b.sampleRate, b.channels]).toEqual([8000, 1]);
    expect(b.frames / b.sampleRate).toBeCloseTo(17.64, 1);
    const mono = wavToMonoFloat(a);
    expect(mono.length).toBe(a.frames);
    expect(Math.max(...mono.map(Math.abs))).toBeGreaterThan(0.05);
    expect(Math.max(...mono.map(Math.abs))).toBeLessThanOrEqual(1);
  });

  it('reads stereo, skips unknown chunks (odd-sized too), mixes to mono', () => {
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([3, 0, 0, 0, 1, 2, 3, 0])]);
    const w = parseWav(
      makeWav({ channels: 2, rate: 48000, data: s16(1000, 3000, -32768, 32767), before: list }),
    );
    expect([w.sampleRate, w.channels, w.frames]).toEqual([48000, 2, 2]);
    expect(Array.from(w.data)).toEqual([1000, 3000, -32768, 32767]);
    const m = wavToMonoFloat(w);
    expect(m[0]).toBeCloseTo(2000 / 32768, 6);
    expect(m[1]).toBeCloseTo(-0.5 / 32768, 6);
  });

  it('accepts WAVE_FORMAT_EXTENSIBLE with the PCM sub-format', () => {
    const w = parseWav(makeWav({ extensibleSub: 1, data: s16(5, -5) }));
    expect(Array.from(w.data)).toEqual([5, -5]);
  });

  it('accepts the streaming placeholder data size (0xFFFFFFFF) and keeps whole frames', () => {
    const w = parseWav(makeWav({ channels: 2, data: s16(1, 2, 3), dataSize: 0xffffffff }));
    expect(w.frames).toBe(1);
  });

  it('refuses a truncated header', () => {
    const full = makeWav({ data: s16(1, 2) });
    expect(() => parseWav(full.subarray(0, 8), 'x.wav')).toThrow(/x\.wav: truncated WAV header/);
    expect(() => parseWav(full.subarray(0, 30))).toThrow(/truncated fmt chunk/);
    expect(() => parseWav(full.subarray(0, 12))).toThrow(/truncated WAV header: no fmt chunk/);
    expect(() => parseWav(full.subarray(0, 12))).toThrow(WavError);
  });

  it('refuses a truncated data chunk unless allowTruncated', () => {
    const w = makeWav({ data: s16(1, 2, 3, 4) });
    const cut = w.subarray(0, w.length - 3);
    expect(() => parseWav(cut)).toThrow(/truncated data chunk: header says 8 bytes, file has 5/);
    expect(Array.from(parseWav(cut, 'x', { allowTruncated: true }).data)).toEqual([1, 2]);
  });

  it('refuses non-PCM encodings with the format named', () => {
    expect(() => parseWav(makeWav({ format: 3, bits: 32, data: new Uint8Array(8) }))).toThrow(
      /unsupported encoding IEEE float \(format code 3, 0x3\); only 16-bit PCM/,
    );
    expect(() => parseWav(makeWav({ format: 7, bits: 8, data: new Uint8Array(8) }))).toThrow(
      /µ-law/,
    );
    expect(() =>
      parseWav(makeWav({ extensibleSub: 3, bits: 32, data: new Uint8Array(8) })),
    ).toThrow(/IEEE float/);
  });

  it('refuses 24-bit and 8-bit PCM', () => {
    expect(() => parseWav(makeWav({ bits: 24, data: new Uint8Array(6) }))).toThrow(
      /unsupported 24-bit PCM; only 16-bit PCM is supported/,
    );
    expect(() => parseWav(makeWav({ bits: 8, data: new Uint8Array(6) }))).toThrow(/8-bit PCM/);
  });

  it('refuses files that are not RIFF/WAVE', () => {
    expect(() => parseWav(Buffer.from('ID3\x04\0\0\0\0\0\0\0\0\0\0'))).toThrow(/not a RIFF file/);
    expect(() => parseWav(Buffer.from('RIFF\0\0\0\0AVI LIST'))).toThrow(/not WAVE/);
    expect(() => parseWav(Buffer.from('RF64\0\0\0\0WAVEds64'))).toThrow(/RF64/);
  });

  describe.skipIf(
    missing(
      (!haveAudio &&
        'the real recordings in ../shared/models/sherpa-onnx-zh-en-test-wavs are absent (set LIVESLICE_SHARED_MODELS)') ||
        (!hasFfmpeg && 'ffmpeg is not installed (apt-get install ffmpeg)'),
    ),
  )('files written by ffmpeg', () => {
    const dir = mkdtempSync(join(tmpdir(), 'liveslice-wav-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const convert = (name: string, args: string[]): string => {
      const out = join(dir, name);
      execFileSync('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        join(ZH_EN!, 'bilingual-2.wav'),
        ...args,
        out,
      ]);
      return out;
    };

    it('24-bit and float files get a clear error', () => {
      expect(() => readWavFile(convert('s24.wav', ['-c:a', 'pcm_s24le']))).toThrow(/24-bit PCM/);
      expect(() => readWavFile(convert('f32.wav', ['-c:a', 'pcm_f32le']))).toThrow(/IEEE float/);
    });

    it('48 kHz stereo s16 (with ffmpeg LIST chunk) reads', () => {
      const path = convert('st48.wav', ['-ar', '48000', '-ac', '2', '-c:a', 'pcm_s16le']);
      const w = readWavFile(path);
      expect([w.sampleRate, w.channels]).toEqual([48000, 2]);
      expect(w.frames / 48000).toBeCloseTo(
        readFileSync(join(ZH_EN!, 'bilingual-2.wav')).length / 32000,
        1,
      );
    });
  });

  it('names the path when the file is missing', () => {
    expect(existsSync('/nonexistent/x.wav')).toBe(false);
    expect(() => readWavFile('/nonexistent/x.wav')).toThrow(/ENOENT/);
  });
});
