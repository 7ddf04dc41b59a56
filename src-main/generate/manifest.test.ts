import { cpSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelError } from '../models/verify';
import {
  decodedFrames,
  encodeText,
  latentFrames,
  latentShape,
  loadManifest,
  loadTokenizer,
  parseSize,
  parseT2vManifest,
  vaeDecodeChunks,
  verifyModelDir,
  type T2vManifest,
} from './manifest';

const TINY_DIR = join(__dirname, '..', '..', 'models', 'tiny-t2v');

function tinyJson(): T2vManifest {
  return JSON.parse(readFileSync(join(TINY_DIR, 'manifest.json'), 'utf8')) as T2vManifest;
}

/** The tiny manifest with the latent geometry of another VAE (the I/O shapes made symbolic). */
function withLatent(channels: number, spatialStride: number): T2vManifest {
  const m = tinyJson();
  const latent5 = ['batch', 'channels', 'latent_frames', 'latent_height', 'latent_width'];
  m.latent = { ...m.latent, channels, spatialStride };
  m.io.transformer.latent.shape = latent5;
  m.io.transformer.output.shape = latent5;
  m.io.vaeDecoder.latent.shape = latent5;
  return parseT2vManifest(m);
}

describe('models/tiny-t2v/manifest.json', () => {
  it('loads from the directory or the file path, with every role once', async () => {
    const m = await loadManifest(TINY_DIR);
    expect(await loadManifest(join(TINY_DIR, 'manifest.json'))).toEqual(m);
    expect(m.files.map((f) => f.role).sort()).toEqual(
      [
        'text_encoder',
        'tokenizer',
        'transformer',
        'transformer_high',
        'transformer_low',
        'vae_decoder',
      ].sort(),
    );
    expect(m.defaults.boundary).toBe(0.875);
  });

  it('verifies: every file has the size and sha256 the manifest says', async () => {
    const v = await verifyModelDir(TINY_DIR, { useCache: false });
    expect(v.paths.vae_decoder).toBe(join(TINY_DIR, 'vae_decoder.onnx'));
    expect(v.paths.transformer_high).toBe(join(TINY_DIR, 'transformer_high.onnx'));
    for (const f of v.manifest.files) {
      expect(readFileSync(join(TINY_DIR, f.name)).length, f.name).toBe(f.bytes);
    }
  });

  it('the defaults fit the geometry', async () => {
    const m = await loadManifest(TINY_DIR);
    const { width, height } = parseSize(m.defaults.size);
    expect(latentShape(m, m.defaults.frames, width, height)).toEqual([
      1,
      m.latent.channels,
      (m.defaults.frames - 1) / 4 + 1,
      height / 8,
      width / 8,
    ]);
  });
});

describe('latent geometry', () => {
  const tiny = parseT2vManifest(tinyJson());
  const wan21 = withLatent(16, 8); // Wan2.1 VAE (also Wan2.2 A14B)
  const wan22ti2v = withLatent(48, 16); // Wan2.2 TI2V-5B VAE

  it.each([
    { m: wan21, frames: 81, w: 832, h: 480, want: [1, 16, 21, 60, 104] },
    { m: wan21, frames: 1, w: 832, h: 480, want: [1, 16, 1, 60, 104] },
    { m: wan21, frames: 5, w: 16, h: 16, want: [1, 16, 2, 2, 2] },
    { m: wan22ti2v, frames: 121, w: 1280, h: 704, want: [1, 48, 31, 44, 80] },
    { m: tiny, frames: 17, w: 96, h: 64, want: [1, 4, 5, 8, 12] },
  ])('$frames frames at $w x $h → $want', ({ m, frames, w, h, want }) => {
    expect(latentShape(m, frames, w, h)).toEqual(want);
  });

  it.each([
    { frames: 80, w: 832, h: 480, msg: /frames must be 4k\+1.*got 80; nearest below is 77/ },
    { frames: 0, w: 832, h: 480, msg: /frames must be 4k\+1.*got 0/ },
    { frames: 2.5, w: 832, h: 480, msg: /frames must be 4k\+1.*got 2\.5/ },
    { frames: 81, w: 840, h: 480, msg: /width must be a positive multiple of 16 px.*got 840/ },
    { frames: 81, w: 832, h: 8, msg: /height must be a positive multiple of 16 px.*got 8/ },
  ])('refuses $frames frames at $w x $h', ({ frames, w, h, msg }) => {
    expect(() => latentShape(wan21, frames, w, h)).toThrow(msg);
  });

  it('uses the VAE stride × patch as the size unit (32 px for the Wan2.2 TI2V VAE)', () => {
    expect(() => latentShape(wan22ti2v, 81, 832, 496)).toThrow(/multiple of 32 px/);
    expect(latentShape(wan22ti2v, 81, 832, 480)).toEqual([1, 48, 21, 30, 52]);
  });

  it('latent frames and decoded frames invert each other for every 4k+1', () => {
    for (let k = 0; k <= 40; k++) {
      const frames = 4 * k + 1;
      expect(latentFrames(tiny, frames)).toBe(k + 1);
      expect(decodedFrames(tiny, k + 1)).toBe(frames);
    }
  });
});

describe('vaeDecodeChunks', () => {
  const m = parseT2vManifest(tinyJson());

  it('feeds one context frame to each chunk after the first and drops its output frame', () => {
    expect(vaeDecodeChunks(m, 5, 2)).toEqual([
      { start: 0, end: 2, inputStart: 0, drop: 0 },
      { start: 2, end: 4, inputStart: 1, drop: 1 },
      { start: 4, end: 5, inputStart: 3, drop: 1 },
    ]);
    expect(vaeDecodeChunks(m, 3, 8)).toEqual([{ start: 0, end: 3, inputStart: 0, drop: 0 }]);
  });

  it('keeps exactly the frames of one whole decode, for any chunk size', () => {
    for (let latent = 1; latent <= 12; latent++) {
      for (let size = 1; size <= 13; size++) {
        const chunks = vaeDecodeChunks(m, latent, size);
        const kept = chunks.map((c) => decodedFrames(m, c.end - c.inputStart) - c.drop);
        expect(
          kept.reduce((a, b) => a + b, 0),
          `${latent}/${size}`,
        ).toBe(decodedFrames(m, latent));
        expect(chunks.at(-1)?.end).toBe(latent);
      }
    }
  });

  it('refuses a chunk size below 1', () => {
    expect(() => vaeDecodeChunks(m, 5, 0)).toThrow(/chunk size/);
  });
});

describe('manifest schema', () => {
  type Edit = (m: T2vManifest) => void;
  const file = (m: T2vManifest, role: string) => {
    const f = m.files.find((x) => x.role === role);
    if (!f) throw new Error(`no ${role}`);
    return f;
  };
  it.each<[string, Edit, RegExp]>([
    [
      'a file name with a path',
      (m) => (file(m, 'transformer').name = '../transformer.onnx'),
      /files\.2\.name/,
    ],
    ['a bad sha256', (m) => (file(m, 'transformer').sha256 = 'abc'), /files\.2\.sha256/],
    [
      'a duplicate role',
      (m) => (file(m, 'transformer_low').role = 'transformer_high'),
      /twice|two files/,
    ],
    [
      'no VAE decoder',
      (m) => (m.files = m.files.filter((f) => f.role !== 'vae_decoder')),
      /no file has role vae_decoder/,
    ],
    [
      'half an expert pair',
      (m) => (m.files = m.files.filter((f) => f.role !== 'transformer_low')),
      /come as a pair/,
    ],
    [
      'experts without a boundary',
      (m) => delete m.defaults.boundary,
      /expert pair needs defaults\.boundary/,
    ],
    ['default frames not 4k+1', (m) => (m.defaults.frames = 80), /frames must be 4k\+1/],
    ['a size that is not WxH', (m) => (m.defaults.size = '832*480'), /WIDTHxHEIGHT/],
    [
      'a context width that is not hiddenSize',
      (m) => (m.io.transformer.context.shape = ['batch', 'text_len', 9]),
      /encoder_hidden_states dim 2 is 9, expected 8/,
    ],
    [
      'a latent with the wrong channel count',
      (m) => (m.io.vaeDecoder.latent.shape = ['batch', 16, 'f', 'h', 'w']),
      /latent dim 1 is 16, expected 4/,
    ],
    [
      'an unknown scheduler',
      (m) => ((m.defaults as { scheduler: string }).scheduler = 'ddim'),
      /scheduler/,
    ],
    ['an unknown field', (m) => Object.assign(m, { extra: 1 }), /extra/],
  ])('refuses %s', (_what, edit, msg) => {
    const m = tinyJson();
    edit(m);
    expect(() => parseT2vManifest(m, 'test.json')).toThrow(msg);
  });

  it('accepts a single transformer without experts or boundary (Wan2.1)', () => {
    const m = tinyJson();
    m.family = 'wan2.1';
    m.files = m.files.filter((f) => !f.role.startsWith('transformer_'));
    delete m.defaults.boundary;
    expect(parseT2vManifest(m).files).toHaveLength(4);
  });

  it('names the file when it cannot be read or parsed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 't2v-manifest-'));
    try {
      await expect(loadManifest(dir)).rejects.toThrow(join(dir, 'manifest.json'));
      writeFileSync(join(dir, 'manifest.json'), '{ nope');
      await expect(loadManifest(dir)).rejects.toThrow(/manifest\.json is not JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('verifyModelDir refuses a bad file before anything is loaded', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 't2v-verify-'));
    cpSync(TINY_DIR, dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function refusal(): Promise<ModelError> {
    const err = await verifyModelDir(dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ModelError);
    return err as ModelError;
  }

  it('a flipped byte, naming the file', async () => {
    const path = join(dir, 'transformer_high.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1] as number) ^ 0x01;
    writeFileSync(path, bytes);
    const err = await refusal();
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/transformer_high\.onnx: .* has sha256 [0-9a-f]{64}, expected/);
    expect(err.issues).toEqual([
      expect.objectContaining({ file: 'transformer_high.onnx', problem: 'hash' }),
    ]);
  });

  it('a file corrupted after it was verified once (the cache does not hide it)', async () => {
    await verifyModelDir(dir);
    const path = join(dir, 'vae_decoder.onnx');
    const bytes = readFileSync(path);
    bytes[10] = (bytes[10] as number) ^ 0xff;
    writeFileSync(path, bytes);
    const later = new Date(Date.now() + 5_000);
    utimesSync(path, later, later);
    const err = await refusal();
    expect(err.issues.map((i) => [i.file, i.problem])).toEqual([['vae_decoder.onnx', 'hash']]);
  });

  it('a truncated file, a missing file and a Git-LFS pointer, each named', async () => {
    const te = join(dir, 'text_encoder.onnx');
    writeFileSync(te, readFileSync(te).subarray(0, 100));
    rmSync(join(dir, 'tokenizer.json'));
    writeFileSync(
      join(dir, 'transformer.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1136\n',
    );
    const err = await refusal();
    expect(err.kind).toBe('corrupt');
    expect(err.issues.map((i) => [i.file, i.problem])).toEqual([
      ['tokenizer.json', 'missing'],
      ['text_encoder.onnx', 'size'],
      ['transformer.onnx', 'lfs-pointer'],
    ]);
  });
});

describe('byte-level tokenizer', () => {
  it('maps UTF-8 bytes, appends eos and pads to the text length', async () => {
    const tok = await loadTokenizer(join(TINY_DIR, 'tokenizer.json'));
    const ids = Array.from(encodeText(tok, 'Hi', 6), Number);
    const off = tok.byteOffset;
    expect(ids).toEqual([off + 0x48, off + 0x69, tok.eosId, tok.padId, tok.padId, tok.padId]);
  });

  it('normalizes to NFC and cuts long text so eos always fits', async () => {
    const tok = await loadTokenizer(join(TINY_DIR, 'tokenizer.json'));
    const off = tok.byteOffset;
    // e + combining acute → é (C3 A9 in UTF-8)
    expect(Array.from(encodeText(tok, 'e\u0301', 4), Number)).toEqual([
      off + 0xc3,
      off + 0xa9,
      tok.eosId,
      tok.padId,
    ]);
    const long = Array.from(encodeText(tok, 'abcdefgh', 4), Number);
    expect(long).toEqual([off + 0x61, off + 0x62, off + 0x63, tok.eosId]);
    expect(Math.max(...Array.from(encodeText(tok, '\u{10ffff}ÿ', 8), Number))).toBeLessThan(
      tok.vocabSize,
    );
  });
});
