/**
 * A small WAV reader: RIFF/WAVE, 16-bit integer PCM (format code 1, or WAVE_FORMAT_EXTENSIBLE with
 * the PCM sub-format), any number of channels, any sample rate. Anything else (float, µ-law,
 * 8/24/32-bit, RF64, truncated files) is refused with a message that says what the file is.
 */
import { readFileSync } from 'node:fs';

export interface WavAudio {
  sampleRate: number;
  channels: number;
  /** Frames (samples per channel). */
  frames: number;
  /** Interleaved s16 samples, `frames * channels` long. */
  data: Int16Array;
}

export interface ReadWavOptions {
  /**
   * Accept a data chunk that is shorter than its header says (a recording cut off mid-write):
   * keep the whole frames that are there. Default false: a clear error. A data size of 0 or
   * 0xFFFFFFFF (written by streaming encoders that never patch the header) is always accepted.
   */
  allowTruncated?: boolean;
}

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

const FORMAT_NAMES: Record<number, string> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'µ-law',
  0x11: 'IMA ADPCM',
  0x55: 'MP3',
  0xfffe: 'extensible',
};

function formatName(code: number): string {
  return `${FORMAT_NAMES[code] ?? 'unknown'} (format code ${code}, 0x${code.toString(16)})`;
}

/** Parses a WAV file held in memory. `name` only labels error messages. */
export function parseWav(
  bytes: Uint8Array,
  name = 'WAV data',
  opts: ReadWavOptions = {},
): WavAudio {
  const fail = (why: string): never => {
    throw new WavError(`${name}: ${why}`);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string =>
    String.fromCharCode(bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0);

  if (bytes.byteLength < 12) fail(`truncated WAV header (${bytes.byteLength} bytes, need ≥ 12)`);
  const riff = tag(0);
  if (riff === 'RF64') fail('RF64 (>4 GiB) WAV files are not supported');
  if (riff !== 'RIFF') fail(`not a RIFF file (starts with ${JSON.stringify(riff)})`);
  if (tag(8) !== 'WAVE') fail(`RIFF file is not WAVE (form type ${JSON.stringify(tag(8))})`);

  let fmt: { channels: number; sampleRate: number; bits: number; blockAlign: number } | null = null;
  let off = 12;
  while (off + 8 <= bytes.byteLength) {
    const id = tag(off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) {
        fail(`truncated fmt chunk (${Math.min(size, bytes.byteLength - body)} bytes, need 16)`);
      }
      let code = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const blockAlign = view.getUint16(body + 12, true);
      const bits = view.getUint16(body + 14, true);
      if (code === 0xfffe) {
        // WAVE_FORMAT_EXTENSIBLE: cbSize(2) validBits(2) channelMask(4) subFormat GUID(16);
        // the GUID's first two bytes are the real format code.
        if (size < 40 || body + 26 > bytes.byteLength)
          fail('truncated WAVE_FORMAT_EXTENSIBLE fmt chunk');
        code = view.getUint16(body + 24, true);
      }
      if (code !== 1)
        fail(`unsupported encoding ${formatName(code)}; only 16-bit PCM is supported`);
      if (bits !== 16) fail(`unsupported ${bits}-bit PCM; only 16-bit PCM is supported`);
      if (channels < 1) fail('fmt chunk declares 0 channels');
      if (sampleRate < 1) fail('fmt chunk declares a sample rate of 0');
      if (blockAlign !== channels * 2) {
        fail(`inconsistent block align ${blockAlign} for ${channels} channel(s) of 16-bit PCM`);
      }
      fmt = { channels, sampleRate, bits, blockAlign };
    } else if (id === 'data') {
      if (!fmt) fail('data chunk before fmt chunk');
      const f = fmt as NonNullable<typeof fmt>;
      const available = bytes.byteLength - body;
      let len = size;
      if (size === 0 || size === 0xffffffff) len = available;
      else if (size > available) {
        if (!opts.allowTruncated) {
          fail(`truncated data chunk: header says ${size} bytes, file has ${available}`);
        }
        len = available;
      }
      const frames = Math.floor(len / f.blockAlign);
      const data = new Int16Array(frames * f.channels);
      for (let i = 0; i < data.length; i++) data[i] = view.getInt16(body + 2 * i, true);
      return { sampleRate: f.sampleRate, channels: f.channels, frames, data };
    }
    off = body + size + (size & 1); // chunks are word-aligned
  }
  return fail(fmt ? 'no data chunk' : 'truncated WAV header: no fmt chunk');
}

export function readWavFile(path: string, opts: ReadWavOptions = {}): WavAudio {
  return parseWav(readFileSync(path), path, opts);
}

/** Mixes the channels down to mono float samples in [-1, 1). */
export function wavToMonoFloat(wav: WavAudio): Float32Array {
  const { channels, frames, data } = wav;
  const out = new Float32Array(frames);
  const scale = 1 / (32768 * channels);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += data[i * channels + c] ?? 0;
    out[i] = sum * scale;
  }
  return out;
}
