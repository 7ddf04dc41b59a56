#!/usr/bin/env node
// Builds the tiny Wan2.x-shaped text-to-video models in models/tiny-t2v/ (issue 8):
//   node scripts/make-tiny-t2v.mjs [out-dir]
// The models have the interfaces of a Wan2.x export (tensor names, ranks, dtypes, the VAE's
// 4x temporal / 8x spatial strides, the A14B high/low-noise expert pair) but only a few cheap
// ops and a few kB of deterministic weights, so the whole generation pipeline runs on CPU in tests.
// What each model computes (so a test can check results by hand):
//   text_encoder:  last_hidden_state = tanh(embed[input_ids] @ W + b)
//   transformer*:  out = a ⊙ hidden_states + (mean_L(encoder_hidden_states) @ P) + k ⊙ timestep/1000
//                  (a, k per channel; high and low experts have different weights)
//   vae_decoder:   y = ConvTranspose3d(latent, kernel 1x8x8, stride 1x8x8) per latent frame; output
//                  frame 0 = y[0]; latent frame i ≥ 1 gives 4 frames lerp(y[i-1], y[i], j/4), j = 1..4;
//                  sample = tanh(that). Causal with one latent frame of context, like Wan's VAE
//                  (first latent frame → 1 frame, each next → 4), so decoding in chunks with one frame
//                  of overlap gives the same frames as one decode.
// Output bytes are a pure function of this script, src-main/generate/onnx-writer.ts and prettier's
// JSON formatting (the test regenerates into a temporary directory and compares bytes).
// Needs node_modules (typescript to load the writer, prettier for the JSON files).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = resolve(process.argv[2] ?? join(ROOT, 'models', 'tiny-t2v'));

// The encoder is TypeScript in the engine (one copy, type-checked and used by the tests); plain
// node cannot import .ts, so transpile it (it has no imports) and load it from a data: URL.
async function loadWriter() {
  const src = readFileSync(join(ROOT, 'src-main', 'generate', 'onnx-writer.ts'), 'utf8');
  const { outputText } = ts.transpileModule(src, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
}
const { attr, encodeModel } = await loadWriter();

// Byte-level tokenizer: pad 0, eos 1, unk 2, then UTF-8 byte b → 3 + b.
const BYTE_OFFSET = 3;
const VOCAB = BYTE_OFFSET + 256;
const TEXT_LEN = 16; // Wan pads umT5 output to 512 tokens; the pipeline pads to textLength
const HIDDEN = 8; // umT5-XXL: 4096
const CHANNELS = 4; // Wan2.1 VAE: 16, Wan2.2 TI2V VAE: 48
const SPATIAL = 8; // Wan2.1 VAE: 8, Wan2.2 TI2V VAE: 16
const TEMPORAL = 4;

// mulberry32: deterministic across platforms (integer ops, then an exact division).
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [lo, hi), rounded to float32 here so the bytes do not depend on rounding elsewhere. */
function uniform(seed, n, lo, hi) {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.fround(lo + (hi - lo) * r());
  return out;
}

const f32 = (name, dims, data) => ({ name, dtype: 'float32', dims, data });
const i64 = (name, dims, data) => ({ name, dtype: 'int64', dims, data });
const INT64_MAX = 9223372036854775807n;

const PRODUCER = { producerName: 'liveslice/scripts/make-tiny-t2v.mjs', producerVersion: '1' };

// Symbolic dims, shared with manifest.json's io shapes.
const B = 'batch';
const L = 'text_len';
const LATENT = [B, CHANNELS, 'latent_frames', 'latent_height', 'latent_width'];

function textEncoder() {
  const embed = uniform(1, VOCAB * HIDDEN, -1, 1);
  embed.fill(0, 0, HIDDEN); // the pad token embeds to zero
  return encodeModel({
    ...PRODUCER,
    docString: 'Tiny stand-in for the umT5 text encoder: tanh(embed[input_ids] @ W + b).',
    graph: {
      name: 'tiny_text_encoder',
      inputs: [{ name: 'input_ids', dtype: 'int64', shape: [B, L] }],
      outputs: [{ name: 'last_hidden_state', dtype: 'float32', shape: [B, L, HIDDEN] }],
      initializers: [
        f32('embed', [VOCAB, HIDDEN], embed),
        f32('proj_w', [HIDDEN, HIDDEN], uniform(2, HIDDEN * HIDDEN, -0.5, 0.5)),
        f32('proj_b', [HIDDEN], uniform(3, HIDDEN, -0.1, 0.1)),
      ],
      nodes: [
        {
          op: 'Gather',
          inputs: ['embed', 'input_ids'],
          outputs: ['tok'],
          attrs: { axis: attr.int(0) },
        },
        { op: 'MatMul', inputs: ['tok', 'proj_w'], outputs: ['proj'] },
        { op: 'Add', inputs: ['proj', 'proj_b'], outputs: ['pre'] },
        { op: 'Tanh', inputs: ['pre'], outputs: ['last_hidden_state'] },
      ],
    },
  });
}

/** seed picks the expert's weights: the high- and low-noise experts must give different outputs. */
function transformer(seed, label) {
  return encodeModel({
    ...PRODUCER,
    docString:
      `Tiny stand-in for a Wan2.x DiT (${label}): ` +
      'out = a*hidden_states + mean_L(encoder_hidden_states) @ P + k*timestep/1000.',
    graph: {
      name: `tiny_transformer_${label}`,
      inputs: [
        { name: 'hidden_states', dtype: 'float32', shape: LATENT },
        { name: 'timestep', dtype: 'float32', shape: [B] },
        { name: 'encoder_hidden_states', dtype: 'float32', shape: [B, L, HIDDEN] },
      ],
      outputs: [{ name: 'out', dtype: 'float32', shape: LATENT }],
      initializers: [
        f32('a', [1, CHANNELS, 1, 1, 1], uniform(seed, CHANNELS, 0.5, 1)),
        f32('ctx_proj', [HIDDEN, CHANNELS], uniform(seed + 1, HIDDEN * CHANNELS, -0.5, 0.5)),
        f32('k', [1, CHANNELS, 1, 1, 1], uniform(seed + 2, CHANNELS, -1, 1)),
        f32('per_mille', [], [0.001]),
        i64('chan_shape', [5], [0, CHANNELS, 1, 1, 1]),
        i64('scalar_shape', [5], [-1, 1, 1, 1, 1]),
      ],
      nodes: [
        { op: 'Mul', inputs: ['hidden_states', 'a'], outputs: ['ax'] },
        {
          op: 'ReduceMean',
          inputs: ['encoder_hidden_states'],
          outputs: ['ctx_mean'],
          attrs: { axes: attr.ints([1]), keepdims: attr.int(1) },
        },
        { op: 'MatMul', inputs: ['ctx_mean', 'ctx_proj'], outputs: ['ctx_c'] },
        { op: 'Reshape', inputs: ['ctx_c', 'chan_shape'], outputs: ['ctx_bias'] },
        { op: 'Mul', inputs: ['timestep', 'per_mille'], outputs: ['t01'] },
        { op: 'Reshape', inputs: ['t01', 'scalar_shape'], outputs: ['t5'] },
        { op: 'Mul', inputs: ['t5', 'k'], outputs: ['t_bias'] },
        { op: 'Add', inputs: ['ctx_bias', 't_bias'], outputs: ['bias'] },
        { op: 'Add', inputs: ['ax', 'bias'], outputs: ['out'] },
      ],
    },
  });
}

function vaeDecoder() {
  return encodeModel({
    ...PRODUCER,
    docString:
      'Tiny stand-in for the Wan causal VAE decoder: per-frame ConvTranspose (1x8x8), then the first ' +
      'latent frame gives 1 frame and each next gives 4 frames interpolated from the previous one.',
    graph: {
      name: 'tiny_vae_decoder',
      inputs: [{ name: 'latent', dtype: 'float32', shape: LATENT }],
      outputs: [{ name: 'sample', dtype: 'float32', shape: [B, 3, 'frames', 'height', 'width'] }],
      initializers: [
        f32(
          'up_w',
          [CHANNELS, 3, 1, SPATIAL, SPATIAL],
          uniform(20, CHANNELS * 3 * SPATIAL * SPATIAL, -0.6, 0.6),
        ),
        f32('up_b', [3], uniform(21, 3, -0.1, 0.1)),
        i64('axis_t', [1], [2]),
        i64('zero', [1], [0]),
        i64('one', [1], [1]),
        i64('minus_one', [1], [-1]),
        i64('end', [1], [INT64_MAX]),
        i64('sub_axis', [1], [3]),
        f32('lerp_w', [1, 1, 1, TEMPORAL, 1, 1], [0.25, 0.5, 0.75, 1]),
        i64('frames_x4', [5], [1, 1, TEMPORAL, 1, 1]),
      ],
      nodes: [
        {
          op: 'ConvTranspose',
          inputs: ['latent', 'up_w', 'up_b'],
          outputs: ['y'],
          attrs: {
            kernel_shape: attr.ints([1, SPATIAL, SPATIAL]),
            strides: attr.ints([1, SPATIAL, SPATIAL]),
          },
        },
        { op: 'Slice', inputs: ['y', 'zero', 'one', 'axis_t'], outputs: ['first'] },
        { op: 'Slice', inputs: ['y', 'zero', 'minus_one', 'axis_t'], outputs: ['prev'] },
        { op: 'Slice', inputs: ['y', 'one', 'end', 'axis_t'], outputs: ['cur'] },
        { op: 'Sub', inputs: ['cur', 'prev'], outputs: ['delta'] },
        { op: 'Unsqueeze', inputs: ['prev', 'sub_axis'], outputs: ['prev6'] },
        { op: 'Unsqueeze', inputs: ['delta', 'sub_axis'], outputs: ['delta6'] },
        { op: 'Mul', inputs: ['delta6', 'lerp_w'], outputs: ['step6'] },
        { op: 'Add', inputs: ['prev6', 'step6'], outputs: ['interp6'] },
        // Exact target shape (no -1): with a single latent frame the tensor is empty, and -1
        // cannot be inferred from zero elements.
        { op: 'Shape', inputs: ['delta'], outputs: ['delta_shape'] },
        { op: 'Mul', inputs: ['delta_shape', 'frames_x4'], outputs: ['interp_shape'] },
        { op: 'Reshape', inputs: ['interp6', 'interp_shape'], outputs: ['interp'] },
        {
          op: 'Concat',
          inputs: ['first', 'interp'],
          outputs: ['frames'],
          attrs: { axis: attr.int(2) },
        },
        { op: 'Tanh', inputs: ['frames'], outputs: ['sample'] },
      ],
    },
  });
}

function tokenizer() {
  return {
    type: 'byte-level',
    version: 1,
    vocabSize: VOCAB,
    padId: 0,
    eosId: 1,
    unkId: 2,
    byteOffset: BYTE_OFFSET,
    normalization: 'NFC',
  };
}

const prettierConfig = (await prettier.resolveConfig(join(ROOT, 'models', 'x.json'))) ?? {};
const formatJson = (value) =>
  prettier.format(JSON.stringify(value), { ...prettierConfig, parser: 'json' });

const tensor = (name, dtype, shape) => ({ name, dtype, shape });

const files = [
  { name: 'tokenizer.json', role: 'tokenizer', data: Buffer.from(await formatJson(tokenizer())) },
  { name: 'text_encoder.onnx', role: 'text_encoder', data: textEncoder() },
  { name: 'transformer.onnx', role: 'transformer', data: transformer(10, 'single') },
  { name: 'transformer_high.onnx', role: 'transformer_high', data: transformer(30, 'high_noise') },
  { name: 'transformer_low.onnx', role: 'transformer_low', data: transformer(40, 'low_noise') },
  { name: 'vae_decoder.onnx', role: 'vae_decoder', data: vaeDecoder() },
];

const manifest = {
  version: 1,
  id: 'tiny-t2v',
  name: 'Tiny Wan2.x-shaped text-to-video (test model)',
  family: 'wan2.2',
  description:
    'Built by scripts/make-tiny-t2v.mjs: the interfaces of a Wan2.2 A14B export with a few kB of ' +
    'deterministic weights, for running the generation pipeline end to end on CPU. Its videos are noise.',
  files: files.map((f) => ({
    name: f.name,
    role: f.role,
    bytes: f.data.length,
    sha256: createHash('sha256').update(f.data).digest('hex'),
  })),
  textLength: TEXT_LEN,
  hiddenSize: HIDDEN,
  latent: {
    channels: CHANNELS,
    temporalStride: TEMPORAL,
    spatialStride: SPATIAL,
    patchSize: [1, 2, 2],
    decoderContextFrames: 1,
  },
  io: {
    textEncoder: {
      inputIds: tensor('input_ids', 'int64', [B, L]),
      output: tensor('last_hidden_state', 'float32', [B, L, HIDDEN]),
    },
    transformer: {
      latent: tensor('hidden_states', 'float32', LATENT),
      timestep: tensor('timestep', 'float32', [B]),
      context: tensor('encoder_hidden_states', 'float32', [B, L, HIDDEN]),
      output: tensor('out', 'float32', LATENT),
    },
    vaeDecoder: {
      latent: tensor('latent', 'float32', LATENT),
      output: tensor('sample', 'float32', [B, 3, 'frames', 'height', 'width']),
    },
  },
  defaults: {
    steps: 8,
    shift: 5,
    guidance: 5,
    scheduler: 'unipc',
    fps: 16,
    frames: 17,
    size: '96x64',
    boundary: 0.875,
  },
};

mkdirSync(OUT, { recursive: true });
for (const f of files) writeFileSync(join(OUT, f.name), f.data);
writeFileSync(join(OUT, 'manifest.json'), await formatJson(manifest));
const total = files.reduce((n, f) => n + f.data.length, 0);
console.log(`wrote ${files.length + 1} files (${total} B of model files) to ${OUT}`);
