/** The model manager: manifest, verification before every load, download and import. */
export {
  findModel,
  formatBytes,
  getManifest,
  loadManifestFile,
  modelDir,
  modelsRoot,
  parseManifest,
  totalBytes,
  MODEL_KINDS,
  type Manifest,
  type Mirror,
  type ModelEntry,
  type ModelFile,
  type ModelKind,
} from './manifest';
export {
  clearVerifyCache,
  fixHint,
  modelStatus,
  ModelError,
  requireVerifiedModel,
  sha256File,
  verifyFile,
  verifyModel,
  type FileCheck,
  type FileIssue,
  type FileProblem,
  type ModelState,
  type ModelStatus,
} from './verify';
export { downloadFile, DownloadError, type DownloadOptions } from './download';
export {
  detectModelsInDir,
  importModel,
  orderMirrors,
  preferredRegion,
  pullModel,
  type ImportResult,
  type PullOptions,
  type PullProgress,
  type PullResult,
} from './store';
