/**
 * The image-check model's files on disk: nsfwjs ships MobileNetV2 (224×224) inside its npm package
 * as two browserify bundles — the Keras topology with its weights manifest, and the weights as one
 * base64 string. They are read from disk here and never fetched. No tfjs import: the engine's
 * thread uses this to check for the model without loading TensorFlow.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import type { io } from '@tensorflow/tfjs';
import { ImageCheckError } from './errors';

/** What the result's `model` says; the package version is appended when known. */
export const MODEL_LABEL = 'nsfwjs MobileNetV2 224';
/** The files of nsfwjs's MobileNetV2 model, inside `dist/models/mobilenet_v2/`. */
export const MODEL_FILES = ['model.min.js', 'group1-shard1of1.min.js'] as const;

export type ModelLocation = { ok: true; dir: string } | { ok: false; reason: string };

/** nsfwjs's `dist/models/mobilenet_v2` as installed, or why it cannot be found. */
export function packageModelDir(): { dir: string } | { reason: string } {
  let main: string;
  try {
    main = createRequire(__filename).resolve('nsfwjs');
  } catch {
    return {
      reason:
        'the nsfwjs package is not installed (it ships the image-check model): run `npm install nsfwjs@4`',
    };
  }
  // main is dist/cjs/index.js; the models sit beside cjs/.
  return { dir: join(dirname(main), '..', 'models', 'mobilenet_v2') };
}

/** Where the model is (`dir` defaults to nsfwjs's package), or exactly which file is missing. */
export function locateModel(dir?: string): ModelLocation {
  let modelDir = dir;
  if (modelDir === undefined) {
    const found = packageModelDir();
    if ('reason' in found) return { ok: false, reason: found.reason };
    modelDir = found.dir;
  }
  for (const name of MODEL_FILES) {
    const file = join(modelDir, name);
    if (!isFile(file)) {
      return {
        ok: false,
        reason: `the image-check model file ${file} is missing (nsfwjs MobileNetV2; reinstall nsfwjs@4 to restore it)`,
      };
    }
  }
  return { ok: true, dir: modelDir };
}

/** "nsfwjs@4.4.0 MobileNetV2 224", or without the version when the package.json is elsewhere. */
export function modelLabel(dir: string): string {
  try {
    const pkg = JSON.parse(
      readFileSync(join(dir, '..', '..', '..', 'package.json'), 'utf8'),
    ) as unknown;
    if (
      typeof pkg === 'object' &&
      pkg !== null &&
      'name' in pkg &&
      pkg.name === 'nsfwjs' &&
      'version' in pkg &&
      typeof pkg.version === 'string'
    ) {
      return MODEL_LABEL.replace('nsfwjs', `nsfwjs@${pkg.version}`);
    }
  } catch {
    // A copied model folder: no version to report.
  }
  return MODEL_LABEL;
}

/**
 * Runs one of nsfwjs's UMD model bundles in an empty context (no require, no process) and returns
 * what it exports. Not a cache-backed require(): the 3.5 MB weight string is freed after loading.
 */
function runBundle(file: string): unknown {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ImageCheckError(
      'model_missing',
      `the image-check model file ${file} cannot be read (${(err as Error).message})`,
    );
  }
  const module = { exports: {} as unknown };
  try {
    vm.runInNewContext(
      source,
      { module, exports: module.exports },
      { filename: file, timeout: 30_000 },
    );
  } catch (err) {
    throw new ImageCheckError(
      'model_corrupt',
      `the image-check model file ${file} is damaged: it does not run as nsfwjs's model bundle (${(err as Error).message}); reinstall nsfwjs@4`,
    );
  }
  return module.exports;
}

const BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2, float32: 4, int32: 4 };

function expectedBytes(specs: readonly io.WeightsManifestEntry[]): number {
  let total = 0;
  for (const spec of specs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    total += count * (BYTES[spec.quantization?.dtype ?? spec.dtype] ?? 4);
  }
  return total;
}

/**
 * The model's topology, weight specs and weights, ready for a tfjs IOHandler. Throws an
 * ImageCheckError ('model_missing' or 'model_corrupt') that names the file at fault.
 */
export function readModelArtifacts(dir: string): io.ModelArtifacts {
  const located = locateModel(dir);
  if (!located.ok) throw new ImageCheckError('model_missing', located.reason);
  const topologyFile = join(dir, MODEL_FILES[0]);
  const exported = runBundle(topologyFile);
  // JSON round trip: the objects were made in another context (their prototypes are not ours).
  const json = JSON.parse(JSON.stringify(exported ?? null)) as Partial<io.ModelJSON> | null;
  if (
    json === null ||
    typeof json.modelTopology !== 'object' ||
    !Array.isArray(json.weightsManifest) ||
    json.weightsManifest.length === 0
  ) {
    throw new ImageCheckError(
      'model_corrupt',
      `the image-check model file ${topologyFile} has no model topology or weights manifest; reinstall nsfwjs@4`,
    );
  }
  const weightSpecs: io.WeightsManifestEntry[] = [];
  const parts: Buffer[] = [];
  for (const group of json.weightsManifest) {
    for (const shard of group.paths) {
      const shardFile = join(dir, `${shard}.min.js`);
      if (!isFile(shardFile)) {
        throw new ImageCheckError(
          'model_missing',
          `the image-check weight file ${shardFile} is missing (listed in ${topologyFile}); reinstall nsfwjs@4`,
        );
      }
      const base64 = runBundle(shardFile);
      if (typeof base64 !== 'string' || base64.length === 0) {
        throw new ImageCheckError(
          'model_corrupt',
          `the image-check weight file ${shardFile} does not hold base64 weights; reinstall nsfwjs@4`,
        );
      }
      parts.push(Buffer.from(base64, 'base64'));
    }
    weightSpecs.push(...group.weights);
  }
  const weights = Buffer.concat(parts);
  const want = expectedBytes(weightSpecs);
  if (weights.length !== want) {
    throw new ImageCheckError(
      'model_corrupt',
      `the image-check weights in ${dir} are ${weights.length} bytes but the manifest needs ${want}: the model files are damaged or mismatched; reinstall nsfwjs@4`,
    );
  }
  // A fresh ArrayBuffer holding exactly the weights (a Buffer may be a view into a larger one).
  const weightData = new Uint8Array(weights).buffer;
  return { modelTopology: json.modelTopology, weightSpecs, weightData };
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}
