/** The ffmpeg process layer: binary resolution, supervised children, progress parsing, probing. */
export {
  FFMPEG_ENV_VAR,
  type FfmpegResolution,
  type FfmpegSource,
  isExecutableFile,
  resolveFfmpeg,
  type ResolveFfmpegOptions,
  unpackedAsarPath,
} from './resolve';
export {
  createLineSplitter,
  DEFAULT_KILL_GRACE_MS,
  FfmpegError,
  type FfmpegErrorKind,
  type FfmpegProcess,
  liveProcesses,
  type ProcessExit,
  runToCompletion,
  type RunResult,
  type RunToCompletionOptions,
  startProcess,
  type StartProcessOptions,
  stopAll,
  type StopOptions,
} from './run';
export {
  createProgressParser,
  type FfmpegProgress,
  parseOutTime,
  type ProgressParser,
} from './progress';
export {
  DEFAULT_ANALYZE_DURATION_US,
  DEFAULT_PROBE_TIMEOUT_MS,
  ffprobeFor,
  type FfprobeLookupOptions,
  type MediaProbe,
  ProbeError,
  type ProbeErrorKind,
  probeMedia,
  type ProbeOptions,
} from './probe';
