/** The on-device image safety check (nsfwjs MobileNetV2 on tfjs wasm/cpu, in a worker thread). */
export {
  DEFAULT_THRESHOLDS,
  decide,
  type FrameScores,
  type Label,
  LABELS,
  resolveThresholds,
  type Scores,
  type Thresholds,
  type Verdict,
} from './decide';
export { ImageCheckError, type ImageCheckErrorKind } from './errors';
export {
  type CheckOptions,
  DEFAULT_SAMPLES,
  ImageChecker,
  type ImageCheckerOptions,
  type ImageCheckResult,
} from './image-check';
export { locateModel, type ModelLocation } from './model-files';
export type { Backend, ReadyInfo } from './protocol';
export { findImageWorker } from './worker-client';
