/** The clip engine: progressive rendering of highlight windows from the DVR into finished MP4s. */
export {
  type AudioPart,
  buildAudioArgs,
  buildMuxArgs,
  buildPieceArgs,
  type ClipMetadata,
  CORNERS,
  type Corner,
  DEFAULT_LOUDNESS,
  escapeFilterValue,
  ffconcatList,
  ffconcatQuote,
  type Loudness,
  metadataArgs,
  type Reframe,
  RenderArgsError,
  validateReframe,
  validateWatermark,
  type WatermarkSpec,
} from './args';
export {
  type AssCue,
  buildAss,
  CAPTION_STYLE_NOTES,
  CAPTION_STYLES,
  type CaptionStyle,
  decodeAssText,
  escapeAssText,
} from './ass';
export {
  ClipRender,
  type ClipSpec,
  cleanupClipOutputs,
  type DvrSegment,
  RenderError,
  type RenderErrorCode,
  type RenderPhase,
  type RenderProgress,
  type RenderResult,
  type TranscriptCue,
} from './clip-render';
export {
  AUDIO,
  FPS,
  lowerPriority,
  OUTPUT_PRESETS,
  type OutputPreset,
  probeEncoders,
  RENDER_THREADS,
  softwareEncoder,
  VIDEO_TIMESCALE,
  type VideoEncoder,
  x264Args,
} from './encode';
export { renderClip, type RenderOnceSpec } from './render-once';
export { benchNeighbour, type NeighbourBench, benchRender, type RenderBench } from './bench';
