/**
 * MobileNetV2 from nsfwjs on TensorFlow.js, wasm backend (SIMD, single-threaded) with the plain-JS
 * cpu backend as the fallback. Loaded only inside the inference worker (or in-thread in tests):
 * importing tfjs costs ~150 ms and memory the engine's thread should not pay.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { unpackedAsarPath } from '../../ffmpeg/resolve';
import { type Scores, scoresFromVector } from './decide';
import { ImageCheckError } from './errors';
import { checkRgb } from './frames';
import { modelLabel, readModelArtifacts } from './model-files';
import type { Backend, ReadyInfo } from './protocol';

/** MobileNetV2's input edge. */
export const INPUT_SIZE = 224;

export interface Classifier extends ReadyInfo {
  /** Scores for one RGB image (height × width × 3 bytes); any size, resized to 224×224. */
  classify(rgb: Uint8Array, width: number, height: number): Scores;
  dispose(): void;
}

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

/** The folder holding tfjs's .wasm binaries (the unpacked copy when the app runs from an asar). */
export function wasmDir(packed = packageWasmDir()): { dir: string } | { reason: string } {
  if (packed === null)
    return { reason: 'the @tensorflow/tfjs-backend-wasm package is not installed' };
  // Emscripten reads the binary with fs; an unpacked copy (asarUnpack) avoids the asar layer.
  const unpacked = unpackedAsarPath(packed);
  const dir = existsSync(join(unpacked, WASM_FILES[1])) ? unpacked : packed;
  const absent = WASM_FILES.map((f) => join(dir, f)).find((f) => !existsSync(f));
  return absent === undefined ? { dir } : { reason: `${absent} is missing` };
}

function packageWasmDir(): string | null {
  try {
    return dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm'));
  } catch {
    return null;
  }
}

async function startWasm(dir: string | undefined): Promise<string | null> {
  const found = wasmDir(dir);
  if ('reason' in found) return found.reason;
  try {
    // One thread: the engine shares the machine with OBS, ingest and speech recognition.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${found.dir}/`);
    if (await tf.setBackend('wasm')) return null;
    return 'tfjs could not initialise it';
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Loads the model on `backend` (falling back to cpu when wasm fails) and warms it up.
 * `opts.wasmDir` replaces the package's folder of .wasm binaries (tests).
 */
export async function loadClassifier(
  modelDir: string,
  backend: Backend,
  opts: { wasmDir?: string } = {},
): Promise<Classifier> {
  const t0 = performance.now();
  const artifacts = readModelArtifacts(modelDir);
  // Production mode: no console banner urging tfjs-node, which cannot install here by design.
  tf.enableProdMode();
  let running: Backend = backend;
  let fallbackReason: string | null = null;
  if (backend === 'wasm') {
    const failed = await startWasm(opts.wasmDir);
    if (failed !== null) {
      running = 'cpu';
      fallbackReason = `the wasm backend failed (${failed}); running on tfjs's plain-JS cpu backend, about 20× slower`;
    }
  }
  if (running === 'cpu' && !(await tf.setBackend('cpu'))) {
    throw new ImageCheckError('worker', "tfjs's cpu backend could not be started");
  }
  await tf.ready();

  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel({ load: () => Promise.resolve(artifacts) });
  } catch (err) {
    throw new ImageCheckError(
      'model_corrupt',
      `the image-check model in ${modelDir} could not be built (${(err as Error).message}); reinstall nsfwjs@4`,
      { cause: err },
    );
  }

  // As nsfwjs's own infer(): pixels / 255, bilinear resize (align corners) to 224, NHWC batch of 1.
  const divisor = tf.scalar(255);
  const classify = (rgb: Uint8Array, width: number, height: number): Scores => {
    checkRgb(rgb, width, height);
    const probs = tf.tidy(() => {
      let x: tf.Tensor3D = tf.tensor3d(rgb, [height, width, 3], 'int32').toFloat().div(divisor);
      if (width !== INPUT_SIZE || height !== INPUT_SIZE) {
        x = tf.image.resizeBilinear(x, [INPUT_SIZE, INPUT_SIZE], true);
      }
      const out = model.predict(x.reshape([1, INPUT_SIZE, INPUT_SIZE, 3]));
      if (Array.isArray(out)) throw new Error('the image model has more than one output');
      return out;
    });
    try {
      return scoresFromVector(probs.dataSync());
    } finally {
      probs.dispose();
    }
  };
  // The first inference compiles kernels and allocates: do it now, not in a user's check.
  classify(new Uint8Array(INPUT_SIZE * INPUT_SIZE * 3), INPUT_SIZE, INPUT_SIZE);

  let disposed = false;
  return {
    model: modelLabel(modelDir),
    backend: running,
    fallbackReason,
    loadMs: performance.now() - t0,
    classify(rgb, width, height) {
      if (disposed) throw new ImageCheckError('closed', 'the image classifier was disposed');
      return classify(rgb, width, height);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
      divisor.dispose();
    },
  };
}
