/** The tagged-union protocol between the image checker and its inference worker thread. */
import type { Scores } from './decide';

/** tfjs backends the checker may run on: wasm (SIMD, one thread) or tfjs's plain-JS cpu. */
export type Backend = 'wasm' | 'cpu';

export interface ReadyInfo {
  /** E.g. "nsfwjs@4.4.0 MobileNetV2 224". */
  model: string;
  /** The backend that actually runs: 'cpu' when 'wasm' was asked for and failed. */
  backend: Backend;
  /** Why the asked-for backend is not the one running; null when it is. */
  fallbackReason: string | null;
  /** Reading the model, starting the backend and one warm-up inference. */
  loadMs: number;
}

export type ToWorker =
  | { type: 'init'; id: number; modelDir: string; backend: Backend }
  /** `rgb`: height × width × 3 bytes, row-major RGB. */
  | { type: 'classify'; id: number; rgb: Uint8Array; width: number; height: number }
  | { type: 'shutdown' };

/** Error kinds that cross the boundary keep their meaning (see ImageCheckErrorKind). */
export type WorkerErrorKind = 'model_missing' | 'model_corrupt' | 'worker';

export type FromWorker =
  | ({ type: 'ready'; id: number } & ReadyInfo)
  | { type: 'scores'; id: number; scores: Scores; ms: number }
  | { type: 'error'; id: number; kind: WorkerErrorKind; message: string }
  | { type: 'log'; level: 'info' | 'warn'; msg: string };
