import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodedFrames,
  encodeText,
  latentShape,
  loadTokenizer,
  vaeDecodeChunks,
  verifyModelDir,
  type T2vManifest,
  type TensorSpec,
  type VerifiedModelDir,
} from './manifest';
import { attr, encodeModel } from './onnx-writer';

const ROOT = join(__dirname, '..', '..');
const TINY_DIR = join(ROOT, 'models', 'tiny-t2v');

let model: VerifiedModelDir;
let m: T2vManifest;
const sessions = new Map<string, InferenceSession>();

async function session(path: string | undefined): Promise<InferenceSession> {
  if (path === undefined) throw new Error('the tiny manifest lacks this role');
  let s = sessions.get(path);
  if (!s) {
    s = await InferenceSession.create(path, { executionProviders: ['cpu'] });
    sessions.set(path, s);
  }
  return s;
}

beforeAll(async () => {
  // Verification first: a corrupt file must never reach onnxruntime.
  model = await verifyModelDir(TINY_DIR, { useCache: false });
  m = model.manifest;
});

afterAll(async () => {
  for (const s of sessions.values()) await s.release();
});

/** Resolves a declared shape: numbers must match, each symbolic name to one consistent size. */
function expectShape(
  spec: TensorSpec,
  dims: readonly number[],
  symbols: Map<string, number>,
): void {
  expect(dims.length, spec.name).toBe(spec.shape.length);
  spec.shape.forEach((d, i) => {
    const actual = dims[i] as number;
    if (typeof d === 'number') {
      expect(actual, `${spec.name} dim ${i}`).toBe(d);
    } else {
      const seen = symbols.get(d);
      if (seen === undefined) symbols.set(d, actual);
      else expect(actual, `${spec.name} dim ${i} (${d})`).toBe(seen);
    }
  });
}

function expectMetadata(s: InferenceSession, inputs: TensorSpec[], outputs: TensorSpec[]): void {
  const meta = (list: readonly InferenceSession.ValueMetadata[]) =>
    list.map((v) => (v.isTensor ? { name: v.name, dtype: v.type, shape: [...v.shape] } : v));
  expect(meta(s.inputMetadata)).toEqual(inputs);
  expect(meta(s.outputMetadata)).toEqual(outputs);
}

/** Deterministic test values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sin(seed * 12.9898 + i * 78.233) % 1;
  return out;
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

describe('tiny text encoder', () => {
  it('declares the manifest I/O and encodes a prompt to [1, L, D]', async () => {
    const s = await session(model.paths.text_encoder);
    const io = m.io.textEncoder;
    expectMetadata(s, [io.inputIds], [io.output]);
    const tok = await loadTokenizer(model.paths.tokenizer);
    const ids = encodeText(tok, '直播 highlight ÿ', m.textLength);
    const r = await s.run({ [io.inputIds.name]: new Tensor('int64', ids, [1, m.textLength]) });
    const out = r[io.output.name];
    if (!out) throw new Error('no output');
    expect(out.type).toBe('float32');
    const symbols = new Map<string, number>();
    expectShape(io.inputIds, [1, m.textLength], symbols);
    expectShape(io.output, out.dims, symbols);
    expect(out.dims).toEqual([1, m.textLength, m.hiddenSize]);
  });

  it('takes every id of the tokenizer vocabulary, and different prompts differ', async () => {
    const s = await session(model.paths.text_encoder);
    const tok = await loadTokenizer(model.paths.tokenizer);
    const name = m.io.textEncoder.inputIds.name;
    const out = m.io.textEncoder.output.name;
    const all = BigInt64Array.from({ length: tok.vocabSize }, (_, i) => BigInt(i));
    const r = await s.run({ [name]: new Tensor('int64', all, [1, tok.vocabSize]) });
    expect(r[out]?.dims).toEqual([1, tok.vocabSize, m.hiddenSize]);
    // A session of its own that does not log the expected kernel error.
    const quiet = await InferenceSession.create(model.paths.text_encoder, { logSeverityLevel: 4 });
    try {
      await expect(
        quiet.run({ [name]: new Tensor('int64', BigInt64Array.of(BigInt(tok.vocabSize)), [1, 1]) }),
      ).rejects.toThrow(/out of data bounds/);
    } finally {
      await quiet.release();
    }
    const enc = async (text: string) =>
      (
        await s.run({
          [name]: new Tensor('int64', encodeText(tok, text, m.textLength), [1, m.textLength]),
        })
      )[out]?.data as Float32Array;
    expect(await enc('a cat')).toEqual(await enc('a cat'));
    expect(await enc('a cat')).not.toEqual(await enc('a dog'));
  });
});

describe('tiny transformers', () => {
  const roles = ['transformer', 'transformer_high', 'transformer_low'] as const;

  async function predict(
    role: (typeof roles)[number],
    x: Float32Array,
    shape: number[],
    t: number,
    ctx: Float32Array,
  ): Promise<Tensor> {
    const io = m.io.transformer;
    const s = await session(model.paths[role]);
    const r = await s.run({
      [io.latent.name]: new Tensor('float32', x, shape),
      [io.timestep.name]: new Tensor('float32', Float32Array.of(t), [1]),
      [io.context.name]: new Tensor('float32', ctx, [1, m.textLength, m.hiddenSize]),
    });
    const out = r[io.output.name];
    if (!out) throw new Error('no output');
    return out as Tensor;
  }

  it.each(roles)('%s declares the manifest I/O and predicts the latent shape', async (role) => {
    const io = m.io.transformer;
    expectMetadata(
      await session(model.paths[role]),
      [io.latent, io.timestep, io.context],
      [io.output],
    );
    const shape = latentShape(m, 9, 64, 32);
    const out = await predict(
      role,
      values(size(shape), 1),
      shape,
      999,
      values(m.textLength * m.hiddenSize, 2),
    );
    expect(out.type).toBe('float32');
    const symbols = new Map<string, number>();
    expectShape(io.latent, shape, symbols);
    expectShape(io.output, out.dims, symbols);
    expect(out.dims).toEqual(shape);
  });

  it('is affine in the latent and depends on timestep and context; the experts differ', async () => {
    const shape = latentShape(m, 5, 32, 16);
    const n = size(shape);
    const ctx = values(m.textLength * m.hiddenSize, 3);
    const x = values(n, 4);
    const at = async (role: (typeof roles)[number], xs: Float32Array, t: number, c = ctx) =>
      (await predict(role, xs, shape, t, c)).data as Float32Array;
    const zero = await at('transformer', new Float32Array(n), 500);
    const one = await at('transformer', x, 500);
    const two = await at(
      'transformer',
      x.map((v) => 2 * v),
      500,
    );
    for (let i = 0; i < n; i++) expect(two[i]! - one[i]!).toBeCloseTo(one[i]! - zero[i]!, 5);
    expect(await at('transformer', x, 100)).not.toEqual(one);
    expect(await at('transformer', x, 500, values(ctx.length, 5))).not.toEqual(one);
    const high = await at('transformer_high', x, 900);
    const low = await at('transformer_low', x, 900);
    expect(high).not.toEqual(low);
  });
});

describe('tiny VAE decoder', () => {
  async function decode(latent: Float32Array, shape: readonly number[]): Promise<Tensor> {
    const io = m.io.vaeDecoder;
    const s = await session(model.paths.vae_decoder);
    const r = await s.run({ [io.latent.name]: new Tensor('float32', latent, shape) });
    const out = r[io.output.name];
    if (!out) throw new Error('no output');
    return out as Tensor;
  }

  it.each([
    [1, 16, 16],
    [5, 32, 16],
    [17, 96, 64],
  ])('%i frames at %ix%i: sample is [1, 3, frames, height, width]', async (frames, w, h) => {
    const io = m.io.vaeDecoder;
    expectMetadata(await session(model.paths.vae_decoder), [io.latent], [io.output]);
    const shape = latentShape(m, frames, w, h);
    const out = await decode(values(size(shape), 6), shape);
    expect(out.type).toBe('float32');
    expect(out.dims).toEqual([1, 3, frames, h, w]);
    expectShape(io.latent, shape, new Map());
    expectShape(io.output, out.dims, new Map());
    const data = out.data as Float32Array;
    expect(data.every((v) => v >= -1 && v <= 1)).toBe(true);
  });

  /** Latent frames [from, to) of a [1, C, f, h, w] latent. */
  function sliceFrames(latent: Float32Array, shape: readonly number[], from: number, to: number) {
    const [, c, f, h, w] = shape as [number, number, number, number, number];
    const plane = h * w;
    const out = new Float32Array(c * (to - from) * plane);
    for (let ch = 0; ch < c; ch++) {
      out.set(
        latent.subarray((ch * f + from) * plane, (ch * f + to) * plane),
        ch * (to - from) * plane,
      );
    }
    return { data: out, shape: [1, c, to - from, h, w] };
  }

  it.each([1, 2, 3, 7])(
    'a decode chunked by %i latent frames equals the whole decode',
    async (chunk) => {
      const frames = 33;
      const shape = latentShape(m, frames, 48, 32);
      const latent = values(size(shape), 7);
      const whole = await decode(latent, shape);
      const [, , f, h, w] = shape;
      const framePx = h * 8 * w * 8;
      const chunks = vaeDecodeChunks(m, f, chunk);
      expect(chunks.length).toBe(Math.ceil(f / chunk));
      // Stitch per RGB channel: [3, T, H, W] with the dropped context frames left out.
      const parts: Float32Array[][] = [[], [], []];
      for (const c of chunks) {
        const part = sliceFrames(latent, shape, c.inputStart, c.end);
        const out = await decode(part.data, part.shape);
        const t = decodedFrames(m, c.end - c.inputStart);
        expect(out.dims[2]).toBe(t);
        const data = out.data as Float32Array;
        for (let rgb = 0; rgb < 3; rgb++) {
          parts[rgb]!.push(data.subarray((rgb * t + c.drop) * framePx, (rgb + 1) * t * framePx));
        }
      }
      const stitched = new Float32Array(whole.data.length);
      let o = 0;
      for (const p of parts.flat()) {
        stitched.set(p, o);
        o += p.length;
      }
      expect(o).toBe(whole.data.length);
      expect(stitched).toEqual(whole.data);
    },
  );
});

describe('make-tiny-t2v.mjs', () => {
  it('regenerates the committed files byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'tiny-t2v-'));
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'make-tiny-t2v.mjs'), out], {
        stdio: 'pipe',
      });
      const committed = readdirSync(TINY_DIR).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const name of committed) {
        expect(readFileSync(join(out, name)).equals(readFileSync(join(TINY_DIR, name))), name).toBe(
          true,
        );
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('onnx-writer', () => {
  it('writes float, negative int and tensor attributes and symbolic dims that onnxruntime runs', async () => {
    const bytes = encodeModel({
      graph: {
        name: 'attrs',
        inputs: [{ name: 'x', dtype: 'float32', shape: ['n', 2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: ['n', 4] }],
        initializers: [],
        nodes: [
          {
            op: 'Constant',
            inputs: [],
            outputs: ['c'],
            attrs: {
              value: attr.tensor({ name: 'c', dtype: 'float32', dims: [1, 2], data: [10, -20] }),
            },
          },
          { op: 'Add', inputs: ['x', 'c'], outputs: ['s'] },
          { op: 'LeakyRelu', inputs: ['s'], outputs: ['r'], attrs: { alpha: attr.float(0.5) } },
          { op: 'Concat', inputs: ['r', 'x'], outputs: ['y'], attrs: { axis: attr.int(-1) } },
        ],
      },
    });
    const s = await InferenceSession.create(bytes);
    try {
      expect(s.inputMetadata[0]).toMatchObject({ name: 'x', type: 'float32', shape: ['n', 2] });
      const r = await s.run({ x: new Tensor('float32', Float32Array.of(1, 2, 3, 4), [2, 2]) });
      expect(r['y']?.dims).toEqual([2, 4]);
      // (1+10, 0.5·(2−20)), x; (3+10, 0.5·(4−20)), x
      expect(Array.from(r['y']?.data as Float32Array)).toEqual([11, -9, 1, 2, 13, -8, 3, 4]);
    } finally {
      await s.release();
    }
  });

  it('refuses a graph that reads a name before it is defined, naming it', () => {
    expect(() =>
      encodeModel({
        graph: {
          name: 'bad',
          inputs: [{ name: 'x', dtype: 'float32', shape: [1] }],
          outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
          initializers: [],
          nodes: [{ op: 'Add', name: 'add', inputs: ['x', 'w'], outputs: ['y'] }],
        },
      }),
    ).toThrow(/node add reads 'w' before it is defined/);
  });

  it('refuses initializer data that does not match its dims', () => {
    expect(() =>
      encodeModel({
        graph: {
          name: 'bad',
          inputs: [],
          outputs: [{ name: 'w', dtype: 'float32', shape: [2, 2] }],
          initializers: [{ name: 'w', dtype: 'float32', dims: [2, 2], data: [1, 2, 3] }],
          nodes: [],
        },
      }),
    ).toThrow(/tensor w: 3 values for dims \[2, 2\] \(needs 4\)/);
  });
});
