/**
 * The one API contract between the operator UI and the engine.
 *
 * Environment: neutral (imports zod only). It is the single module that the main process, the
 * preload and the renderer all share; the Electron IPC registrar, the preload bridge and the
 * headless WebSocket bridge are all derived from `methods` and `events` below.
 */
import { z } from 'zod';

// ---------- domain shapes ----------

export const UiLanguage = z.enum(['zh-CN', 'en']);
export type UiLanguage = z.infer<typeof UiLanguage>;

export const SessionId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'a session id is 8–64 letters, digits, "_" or "-"');

export const SessionSourceKind = z.enum(['none', 'rtmp', 'srt', 'url', 'file']);

export const SessionSource = z.strictObject({
  kind: SessionSourceKind,
  /** The pull URL or local file path; null for push listeners and "none". */
  uri: z.string().max(4096).nullable(),
});
export type SessionSource = z.infer<typeof SessionSource>;

export const SessionStatus = z.enum(['idle', 'live', 'ended']);

export const Session = z.strictObject({
  id: SessionId,
  title: z.string(),
  source: SessionSource,
  status: SessionStatus,
  /** Wall clock, ms since the epoch. */
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  endedAt: z.number().int().nullable(),
});
export type Session = z.infer<typeof Session>;

// ---------- highlight detection settings ----------

const seconds = (max: number) => z.number().min(0).max(max);
const weight = z.number().gt(0, 'a weight is above 0').max(1, 'a weight is at most 1');

/** Detection settings. The e-commerce preset is the default; presets come from detect.presets. */
export const DetectSettings = z
  .strictObject({
    preset: z.enum(['e-commerce', 'gaming', 'talk-show', 'custom']),
    /** The window starts at a sentence boundary at least this far before the trigger… */
    preRollMinS: seconds(120),
    /** …and at most this far. */
    preRollMaxS: seconds(300),
    /** The window ends at a sentence boundary at least this far after the trigger… */
    postRollMinS: seconds(120),
    /** …and at most this far. */
    postRollMaxS: seconds(300),
    /** A trigger starting at most this long after the previous trigger's sentence ended extends that highlight. */
    mergeGapS: seconds(60),
    /** No new highlight within this long after the previous one ended. */
    cooldownS: seconds(3600),
    maxPerMinute: z.number().int().min(1, 'at least one highlight a minute').max(60),
    /** Highlights scoring below this are not proposed. */
    minScore: z
      .number()
      .gt(0, 'the minimum score is above 0')
      .max(1, 'the minimum score is at most 1'),
    /** A merged highlight never grows beyond this. */
    maxWindowS: z.number().gt(0, 'the window must be longer than 0 s').max(600),
    /** A manual mark clips [mark − pre, mark + post]. */
    markPreRollS: seconds(300),
    markPostRollS: seconds(300),
    excitement: z.strictObject({
      enabled: z.boolean(),
      jumpDb: z.number().gt(0).max(40),
      minDurationS: z.number().gt(0).max(30),
      baselineS: z.number().gt(0).max(600),
      weight,
    }),
    speechRate: z.strictObject({
      enabled: z.boolean(),
      ratio: z.number().gt(1).max(10),
      weight,
    }),
    chat: z.strictObject({
      enabled: z.boolean(),
      ratio: z.number().gt(1).max(100),
      windowS: z.number().gt(0).max(600),
      weight,
    }),
  })
  .superRefine((s, ctx) => {
    const bad = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (s.preRollMinS > s.preRollMaxS)
      bad('preRollMinS', 'the minimum pre-roll is longer than the maximum');
    if (s.postRollMinS > s.postRollMaxS)
      bad('postRollMinS', 'the minimum post-roll is longer than the maximum');
    if (s.markPreRollS + s.markPostRollS <= 0)
      bad('markPostRollS', 'a manual mark needs a window longer than 0 s');
  });
export type DetectSettings = z.infer<typeof DetectSettings>;

export const DETECT_DEFAULTS: DetectSettings = {
  preset: 'e-commerce',
  preRollMinS: 2,
  preRollMaxS: 10,
  // = mergeGapS: the sentence that closes the window also rules out a merge, so the window is
  // final (and its clip ready) the moment that sentence is.
  postRollMinS: 5,
  postRollMaxS: 15,
  mergeGapS: 5,
  cooldownS: 0,
  maxPerMinute: 6,
  minScore: 0.5,
  maxWindowS: 60,
  markPreRollS: 20,
  markPostRollS: 10,
  excitement: { enabled: true, jumpDb: 8, minDurationS: 1, baselineS: 60, weight: 0.4 },
  speechRate: { enabled: true, ratio: 1.6, weight: 0.15 },
  chat: { enabled: true, ratio: 3, windowS: 10, weight: 0.3 },
};

// ---------- clips ----------

export const OutputPreset = z.enum(['720x1280', '1080x1920']);
export type OutputPreset = z.infer<typeof OutputPreset>;
export const Reframe = z.discriminatedUnion('mode', [
  /** Scale to cover the 9:16 frame and crop the middle. */
  z.strictObject({ mode: z.literal('center') }),
  /** The whole picture fitted inside, over a blurred copy of itself. */
  z.strictObject({ mode: z.literal('blur') }),
  /** A crop box the operator drew, as fractions (0..1) of the source frame. */
  z.strictObject({
    mode: z.literal('box'),
    x: z.number().min(0).max(1),
    y: z.number().min(0).max(1),
    w: z.number().gt(0).max(1),
    h: z.number().gt(0).max(1),
  }),
]);
export type Reframe = z.infer<typeof Reframe>;
export const CaptionStyle = z.enum(['clean', 'bold', 'boxed', 'none']);
export type CaptionStyle = z.infer<typeof CaptionStyle>;

/** Where the generation worker runs its model (onnxruntime execution providers). */
export const ExecutionProvider = z.enum(['auto', 'cuda', 'tensorrt', 'dml', 'coreml', 'cpu']);
export type ExecutionProvider = z.infer<typeof ExecutionProvider>;

/** Operator settings. Every key has a default, so a fresh data directory works as is. */
export const Settings = z.strictObject({
  /** 'system' follows the OS language (zh* → 简体中文, anything else → English). */
  'ui.language': z.enum(['system', 'zh-CN', 'en']),
  'ui.theme': z.enum(['system', 'dark', 'light']),
  /** An explicit ffmpeg binary; null = ffmpeg-static, then `ffmpeg` on PATH. */
  'ffmpeg.path': z.string().min(1).max(4096).nullable(),
  /** The RTMP push listener's port (OBS: rtmp://127.0.0.1:<port>/live). */
  'ingest.rtmpPort': z.number().int().min(1).max(65535),
  /** The SRT push listener's port. */
  'ingest.srtPort': z.number().int().min(1).max(65535),
  /** Keep at most this many hours of DVR across sessions (null = no limit). */
  'dvr.retentionHours': z
    .number()
    .min(1)
    .max(24 * 365)
    .nullable(),
  /** Keep at most this many GB of DVR across sessions (null = no limit). */
  'dvr.retentionGB': z.number().min(1).max(100_000).nullable(),
  /** Warn when the data disk has less free space than this (GB). */
  'disk.warnFreeGB': z.number().min(0).max(100_000),
  /** Stop recording cleanly when the data disk has less free space than this (GB). */
  'disk.stopFreeGB': z.number().min(0).max(100_000),
  /** How highlights are found: windows, merging, limits and signal weights (see DetectSettings). */
  'detect.settings': DetectSettings,
  /** The speech recognizer: a model id, 'auto' (the first installed of the preferred ones) or 'off'. */
  'asr.recognizer': z
    .string()
    .regex(/^(auto|off|[a-z0-9][a-z0-9._-]{0,100})$/, "a model id, 'auto' or 'off'"),
  /** Product and brand names the streaming recognizer is biased towards (one phrase each). */
  'asr.hotwords': z.array(z.string().trim().min(1).max(64)).max(500),
  /** Render a clip for every highlight as soon as it is proposed. */
  'clips.auto': z.boolean(),
  'clips.output': OutputPreset,
  'clips.reframe': Reframe,
  'clips.captionStyle': CaptionStyle,
  /** A PNG/JPEG logo put in a corner of every clip (null = none). */
  'clips.watermark': z.string().min(1).max(4096).nullable(),
  'clips.copyright': z.string().max(200),
  /** A branded intro/outro template by name ('default' = the built-in one; null = none). */
  'clips.template': z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a template name is letters, digits, _ and -')
    .nullable(),
  /** The product on the template's cards (name, price, an image file on this machine). */
  'clips.product': z
    .strictObject({
      name: z.string().max(200),
      price: z.string().max(50),
      image: z.string().min(1).max(4096).nullable(),
    })
    .nullable(),
  /** The host's name (fills \${host} in prompts). */
  'review.host': z.string().max(100),
  /** The language prompts and action suggestions are written in. */
  'review.promptLanguage': z.enum(['zh', 'en']),
  /** The prompt template new highlights get (null = default-<language>). */
  'review.template': z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
    .nullable(),
  /** The title line burned into clips, with the prompt variables ('' = no title line). */
  'review.titleTemplate': z.string().max(400),
  /** Tell the operator (desktop or browser notification) when clips are ready for review. */
  'review.notify': z.boolean(),
  /** Check sampled frames with the on-device image model. */
  'safety.image': z.boolean(),
  /** Approving a clip publishes it to every enabled target. */
  'publish.onApprove': z.boolean(),
  /** Publish every clip that passes the safety checks without waiting for review. */
  'publish.auto': z.boolean(),
  /** The generation worker's execution provider ('auto': CUDA → DirectML → CoreML → CPU). */
  'generate.provider': ExecutionProvider,
  /** Unload the generation model after this many idle seconds (0 = never). */
  'generate.idleUnloadS': z.number().int().min(0).max(86_400),
  /** The text-to-video model id (null = the first installed). */
  'generate.model': z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,100}$/)
    .nullable(),
});
export type Settings = z.infer<typeof Settings>;
export type SettingKey = keyof Settings;

export const SETTING_DEFAULTS: Settings = {
  'ui.language': 'system',
  'ui.theme': 'system',
  'ffmpeg.path': null,
  'ingest.rtmpPort': 1935,
  'ingest.srtPort': 9710,
  'dvr.retentionHours': null,
  'dvr.retentionGB': null,
  'disk.warnFreeGB': 5,
  'disk.stopFreeGB': 1,
  'detect.settings': DETECT_DEFAULTS,
  'asr.recognizer': 'auto',
  'asr.hotwords': [],
  'clips.auto': true,
  'clips.output': '720x1280',
  'clips.reframe': { mode: 'center' },
  'clips.captionStyle': 'bold',
  'clips.watermark': null,
  'clips.copyright': '',
  'clips.template': null,
  'clips.product': null,
  'review.host': '',
  'review.promptLanguage': 'zh',
  'review.template': null,
  'review.titleTemplate': '${quote}',
  'review.notify': true,
  'safety.image': true,
  'publish.onApprove': true,
  'publish.auto': false,
  'generate.provider': 'auto',
  'generate.idleUnloadS': 300,
  'generate.model': null,
};

const settingChange = <K extends SettingKey>(key: K) =>
  z.strictObject({ key: z.literal(key), value: Settings.shape[key] });

export const SettingChange = z.discriminatedUnion('key', [
  settingChange('ui.language'),
  settingChange('ui.theme'),
  settingChange('ffmpeg.path'),
  settingChange('ingest.rtmpPort'),
  settingChange('ingest.srtPort'),
  settingChange('dvr.retentionHours'),
  settingChange('dvr.retentionGB'),
  settingChange('disk.warnFreeGB'),
  settingChange('disk.stopFreeGB'),
  settingChange('detect.settings'),
  settingChange('asr.recognizer'),
  settingChange('asr.hotwords'),
  settingChange('clips.auto'),
  settingChange('clips.output'),
  settingChange('clips.reframe'),
  settingChange('clips.captionStyle'),
  settingChange('clips.watermark'),
  settingChange('clips.copyright'),
  settingChange('clips.template'),
  settingChange('clips.product'),
  settingChange('review.host'),
  settingChange('review.promptLanguage'),
  settingChange('review.template'),
  settingChange('review.titleTemplate'),
  settingChange('review.notify'),
  settingChange('safety.image'),
  settingChange('publish.onApprove'),
  settingChange('publish.auto'),
  settingChange('generate.provider'),
  settingChange('generate.idleUnloadS'),
  settingChange('generate.model'),
]);
export type SettingChange = z.infer<typeof SettingChange>;

export const FfmpegStatus = z.union([
  z.strictObject({
    found: z.literal(true),
    path: z.string(),
    source: z.enum(['configured', 'ffmpeg-static', 'path']),
  }),
  z.strictObject({ found: z.literal(false), message: z.string() }),
]);

export const AppInfo = z.strictObject({
  name: z.string(),
  version: z.string(),
  transport: z.enum(['electron', 'websocket']),
  platform: z.string(),
  dataDir: z.string(),
  /** The OS/browser language reported by the engine's host, used when ui.language = system. */
  systemLanguage: UiLanguage,
  ffmpeg: FfmpegStatus,
});
export type AppInfo = z.infer<typeof AppInfo>;

// ---------- ingest ----------

/** What the operator asks to ingest. */
export const IngestSourceInput = z.discriminatedUnion('kind', [
  /** OBS pushes to the RTMP listener with the app's stream key. */
  z.strictObject({ kind: z.literal('rtmp') }),
  /** OBS pushes to the SRT listener with the app's passphrase. */
  z.strictObject({ kind: z.literal('srt') }),
  /** Pull an HLS (m3u8), HTTP-FLV, RTMP or SRT URL. */
  z.strictObject({ kind: z.literal('url'), url: z.string().trim().min(1).max(4096) }),
  /** Replay a local file, paced as live (realtime) or as fast as it decodes. */
  z.strictObject({
    kind: z.literal('file'),
    path: z.string().min(1).max(4096),
    realtime: z.boolean().optional(),
  }),
]);
export type IngestSourceInput = z.infer<typeof IngestSourceInput>;

export const IngestEndpoints = z.strictObject({
  rtmp: z.strictObject({
    /** OBS → Settings → Stream → Service "Custom…" → Server. */
    serverUrl: z.string(),
    /** OBS → Stream Key. */
    streamKey: z.string(),
    listening: z.boolean(),
    error: z.string().nullable(),
  }),
  srt: z.strictObject({
    /** OBS → Server (SRT), passphrase included. */
    url: z.string(),
    passphrase: z.string(),
    listening: z.boolean(),
    error: z.string().nullable(),
  }),
});
export type IngestEndpoints = z.infer<typeof IngestEndpoints>;

export const IngestState = z.enum([
  /** Push listener armed, no publisher yet. */
  'waiting',
  /** Probing / connecting to the source. */
  'starting',
  'live',
  /** Connected, but no media for a while. */
  'stalled',
  /** The source dropped; waiting for it to come back (push) or retrying (pull). */
  'reconnecting',
  'stopping',
  'ended',
  'failed',
]);
export type IngestState = z.infer<typeof IngestState>;

export const VideoInfo = z.strictObject({
  codec: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  fps: z.number().nullable(),
});
export const AudioInfo = z.strictObject({
  codec: z.string(),
  sampleRate: z.number().int(),
  channels: z.number().int(),
});

export const IngestStatus = z.strictObject({
  sessionId: SessionId,
  state: IngestState,
  /** The last notable thing that happened, for the operator (English; `code` is stable). */
  message: z.string().nullable(),
  code: z.string().nullable(),
  video: VideoInfo.nullable(),
  audio: AudioInfo.nullable(),
  bitrateKbps: z.number().nullable(),
  fps: z.number().nullable(),
  droppedFrames: z.number().int(),
  /** Frames ffmpeg duplicated to keep the clock (late input). */
  lateFrames: z.number().int(),
  /** Wall time now minus when the newest recorded media was received, ms. */
  lagMs: z.number().nullable(),
  /** The session's media clock: seconds recorded so far (monotonic across reconnects). */
  mediaTimeS: z.number(),
  segments: z.number().int(),
  bytes: z.number(),
  /** How many publishes/connections this session has had. */
  runs: z.number().int(),
  /** Wall clock of this status, ms. */
  at: z.number().int(),
});
export type IngestStatus = z.infer<typeof IngestStatus>;

export const SessionMarkerKind = z.enum(['gap', 'stall', 'resolution', 'restart', 'error', 'disk']);
export const SessionMarker = z.strictObject({
  sessionId: SessionId,
  kind: SessionMarkerKind,
  /** Media time the marker sits at, seconds. */
  mediaTime: z.number(),
  /** Wall clock, ms. */
  at: z.number().int(),
  /** For gaps: how long the source was away, ms. */
  durationMs: z.number().nullable(),
  message: z.string(),
});
export type SessionMarker = z.infer<typeof SessionMarker>;

export const SessionMedia = z.strictObject({
  sessionId: SessionId,
  /** The HLS playlist, relative to the data directory (liveslice-media://session/<it> or /media/<it>). */
  playlist: z.string().nullable(),
  durationS: z.number(),
  segments: z.number().int(),
  bytes: z.number(),
  ended: z.boolean(),
  markers: z.array(SessionMarker),
});
export type SessionMedia = z.infer<typeof SessionMedia>;

export const LoudnessFrame = z.strictObject({
  /** Media time of the frame's start, seconds (frames are 100 ms). */
  t: z.number(),
  /** RMS level, dBFS (−100 for silence). */
  rms: z.number(),
  /** Peak level, dBFS. */
  peak: z.number(),
});
export type LoudnessFrame = z.infer<typeof LoudnessFrame>;

export const StorageUsage = z.strictObject({
  dataDir: z.string(),
  dvrBytes: z.number(),
  freeBytes: z.number().nullable(),
  totalBytes: z.number().nullable(),
  sessions: z.array(z.strictObject({ id: SessionId, bytes: z.number(), durationS: z.number() })),
  retentionHours: z.number().nullable(),
  retentionGB: z.number().nullable(),
});
export type StorageUsage = z.infer<typeof StorageUsage>;

// ---------- transcript ----------

export const Utterance = z.strictObject({
  sessionId: SessionId,
  /** 0-based, in media-time order within the session. */
  seq: z.number().int().nonnegative(),
  /** Media time, seconds. */
  start: z.number(),
  end: z.number(),
  /** As recognized, or as written in the timed-text file (markup tags removed). */
  text: z.string(),
  source: z.enum(['timed-text', 'asr']),
  /** Detector signals the recognizer heard: 'laughter', 'applause', 'emotion:happy', … */
  tags: z.array(z.string().max(64)).max(32).optional(),
});
export type Utterance = z.infer<typeof Utterance>;

// ---------- highlight detection ----------

export const LexiconEntry = z.strictObject({
  id: z.string().max(64),
  pattern: z.string().max(200),
  category: z.string().max(32),
  weight: z.number(),
  lang: z.enum(['zh', 'en', 'any']),
  note: z.string().max(500).optional(),
});
/** The trigger lexicon. Its semantics (patterns, duplicates) are checked by the detector. */
export const Lexicon = z.strictObject({
  version: z.literal(1),
  entries: z.array(LexiconEntry).max(2000),
});
export type Lexicon = z.infer<typeof Lexicon>;

export const HighlightId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,100}$/, 'a highlight id is letters, digits, "_" or "-"');

export const HighlightReason = z.strictObject({
  kind: z.enum(['trigger', 'keyword', 'excitement', 'speech-rate', 'tag', 'chat', 'mark']),
  text: z.string(),
  at: z.number(),
  weight: z.number(),
  entryId: z.string().optional(),
  category: z.string().optional(),
});
export type HighlightReason = z.infer<typeof HighlightReason>;

export const Highlight = z.strictObject({
  /** `<sessionId>-h<n>`: also the clip's file name. */
  id: HighlightId,
  sessionId: SessionId,
  /** Media time, seconds (after the operator's nudges). */
  start: z.number(),
  end: z.number(),
  /** The window as detected, before nudges. */
  detectedStart: z.number(),
  detectedEnd: z.number(),
  score: z.number().min(0).max(1),
  reasons: z.array(HighlightReason),
  /** The transcript inside the window. */
  text: z.string(),
  category: z.string(),
  /** provisional: its window is still open (the end may move); final: closed. */
  state: z.enum(['provisional', 'final']),
  review: z.enum(['new', 'accepted', 'dismissed']),
  /** Wall ms from the trigger's final transcript event (or mark) to the highlight. */
  delayMs: z.number().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Highlight = z.infer<typeof Highlight>;

/** A video's frame size, WIDTHxHEIGHT. */
export const VideoSize = z.string().regex(/^\d{2,4}x\d{2,4}$/, 'a size is WIDTHxHEIGHT');

export const ClipId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,120}$/, 'a clip id is letters, digits, "_" or "-"');

export const Clip = z.strictObject({
  /** The highlight's id for its first render; `<highlightId>-r<n>` for re-renders. */
  id: ClipId,
  highlightId: HighlightId,
  sessionId: SessionId,
  state: z.enum(['queued', 'rendering', 'ready', 'failed', 'cancelled']),
  /** 0..1 while rendering. */
  progress: z.number().min(0).max(1).nullable(),
  /** The MP4, relative to the data directory, once ready. */
  file: z.string().nullable(),
  start: z.number(),
  end: z.number(),
  /** The output preset (a generated video: the nearest; its real size is in ReviewItem.generation). */
  output: OutputPreset,
  reframe: Reframe,
  captionStyle: CaptionStyle,
  durationS: z.number().nullable(),
  bytes: z.number().nullable(),
  encoder: z.string().nullable(),
  /** Wall ms from the ingest receiving the window's last media to the clip being ready. */
  latencyMs: z.number().nullable(),
  error: z.string().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Clip = z.infer<typeof Clip>;

// ---------- prompts, review, safety, publishing, monitoring ----------

export const TemplateId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a template id is lowercase letters, digits, _ and -');
export const PromptLanguage = z.enum(['zh', 'en']);
export type PromptLanguage = z.infer<typeof PromptLanguage>;

/** One version of a prompt template. Variables: ${host} ${product} ${price} ${action} ${quote} ${time}. */
export const PromptTemplate = z.strictObject({
  id: TemplateId,
  name: z.string().trim().min(1).max(100),
  language: PromptLanguage,
  text: z.string().min(1).max(4000),
  version: z.number().int().min(1),
  /** ISO 8601. */
  updatedAt: z.string(),
});
export type PromptTemplate = z.infer<typeof PromptTemplate>;
export const TemplateDraft = PromptTemplate.pick({
  id: true,
  name: true,
  language: true,
  text: true,
});
export type TemplateDraft = z.infer<typeof TemplateDraft>;

/** How the clip engine styles a highlight (from the enhancement table). */
export const ClipStyling = z.strictObject({
  /** A punch-in zoom (price cards, product close-ups). */
  punchIn: z.boolean().optional(),
  /** 1 < zoom ≤ 2. */
  zoom: z.number().gt(1).max(2).optional(),
  /** Captions in the emphasis style. */
  emphasis: z.boolean().optional(),
});
export type ClipStyling = z.infer<typeof ClipStyling>;

export const EnhancementRow = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'a row id is lowercase letters, digits, _ and -'),
  /** A detector category, 'manual', 'audio' or '*' (any). */
  category: z.string().min(1).max(40),
  /** Words the highlight's text must contain ('|' separates alternatives); literal, no regex. */
  pattern: z.string().max(200).optional(),
  action: z.strictObject({ zh: z.string().max(200), en: z.string().max(200) }),
  styling: ClipStyling.optional(),
});
export type EnhancementRow = z.infer<typeof EnhancementRow>;
export const EnhancementTable = z.strictObject({
  version: z.literal(1),
  rows: z.array(EnhancementRow).max(1000),
});
export type EnhancementTable = z.infer<typeof EnhancementTable>;

export const Product = z.strictObject({
  name: z.string().trim().min(1).max(200),
  price: z.string().max(50),
  image: z.string().max(4096).optional(),
});
export type Product = z.infer<typeof Product>;

/** A highlight's prompt: the template (or the operator's own text) filled from the highlight. */
export const HighlightPrompt = z.strictObject({
  highlightId: HighlightId,
  templateId: TemplateId,
  templateVersion: z.number().int(),
  /** The operator's own text for this highlight (variables allowed), or null = the template's. */
  custom: z.string().max(4000).nullable(),
  /** The filled prompt. */
  text: z.string(),
  /** The operator's own title line, or null = review.titleTemplate filled. */
  titleCustom: z.string().max(200).nullable(),
  /** The title line burned into the clip ('' = none). */
  title: z.string(),
  /** Every variable's value for this highlight. */
  values: z.record(z.string(), z.string()),
  action: z.string(),
  styling: ClipStyling,
  /** The index of the product used in the product list, or null. */
  productIndex: z.number().int().nullable(),
  updatedAt: z.number().int(),
});
export type HighlightPrompt = z.infer<typeof HighlightPrompt>;

export const SAFETY_WORD_CATEGORIES = [
  'political',
  'adult',
  'violence',
  'ad-law',
  'platform',
  'custom',
] as const;
export const SafetyLexiconEntry = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'an id is letters, digits and _ . : -'),
  term: z.string().min(1).max(100),
  category: z.enum(SAFETY_WORD_CATEGORIES),
  severity: z.enum(['block', 'warn']),
  allow: z.array(z.string().min(1).max(100)).max(100).optional(),
  match: z.enum(['word', 'prefix']).optional(),
});
export type SafetyLexiconEntry = z.infer<typeof SafetyLexiconEntry>;
export const SafetyLexicon = z.strictObject({
  name: z.string().min(1).max(100),
  entries: z.array(SafetyLexiconEntry).max(20_000),
});
export type SafetyLexicon = z.infer<typeof SafetyLexicon>;

export const SafetyWordHit = z.strictObject({
  field: z.enum(['prompt', 'title', 'caption']),
  /** Which caption (0-based) for field 'caption'. */
  captionIndex: z.number().int().optional(),
  term: z.string(),
  category: z.string(),
  severity: z.enum(['block', 'warn']),
  /** The text as written, and its span (UTF-16 indexes) in the field. */
  matched: z.string(),
  start: z.number().int(),
  end: z.number().int(),
});
export type SafetyWordHit = z.infer<typeof SafetyWordHit>;

export const ImageSafety = z.strictObject({
  model: z.string(),
  backend: z.string(),
  flagged: z.boolean(),
  worst: z.strictObject({ label: z.string(), score: z.number(), at: z.number() }).nullable(),
  frames: z.number().int(),
  ms: z.number(),
});
export type ImageSafety = z.infer<typeof ImageSafety>;

/**
 * pending: not checked yet; ok; warn: words to look at (publishable); flagged: a block-severity
 * word or an unsafe frame — not publishable without an override; error: the check could not run.
 */
export const SafetyState = z.enum(['pending', 'ok', 'warn', 'flagged', 'error']);
export type SafetyState = z.infer<typeof SafetyState>;
export const SafetyReport = z.strictObject({
  state: SafetyState,
  /** Why, one sentence each (empty when ok). */
  reasons: z.array(z.string()),
  words: z.array(SafetyWordHit),
  /** null: not run (off, or no model — see reasons). */
  image: ImageSafety.nullable(),
  checkedAt: z.number().int().nullable(),
  ms: z.number().nullable(),
});
export type SafetyReport = z.infer<typeof SafetyReport>;

export const ReviewDecision = z.enum(['pending', 'approved', 'rejected']);
export type ReviewDecision = z.infer<typeof ReviewDecision>;

export const PublishTargetId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a target id is lowercase letters, digits, _ and -');
const targetBase = {
  id: PublishTargetId,
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean(),
};
export const PublishTarget = z.discriminatedUnion('kind', [
  z.strictObject({ ...targetBase, kind: z.literal('folder'), dir: z.string().min(1).max(4096) }),
  z.strictObject({
    ...targetBase,
    kind: z.literal('s3'),
    /** https://s3.<region>.amazonaws.com, https://oss-cn-hangzhou.aliyuncs.com, https://cos.<region>.myqcloud.com … */
    endpoint: z.string().min(1).max(2048),
    region: z.string().min(1).max(64),
    bucket: z.string().min(1).max(255),
    prefix: z.string().max(512),
    pathStyle: z.boolean(),
    accessKeyId: z.string().min(1).max(256),
    /** Base URL for the published object's link (CDN), or null = the endpoint's. */
    publicBaseUrl: z.string().max(2048).nullable(),
  }),
  z.strictObject({
    ...targetBase,
    kind: z.literal('webhook'),
    url: z.string().min(1).max(2048),
    headers: z.record(z.string(), z.string().max(1024)).optional(),
  }),
]);
export type PublishTarget = z.infer<typeof PublishTarget>;
/** A target as the UI sees it: secrets never leave the engine, only whether one is stored. */
export const PublishTargetView = z.strictObject({
  target: PublishTarget,
  hasSecret: z.boolean(),
});
export type PublishTargetView = z.infer<typeof PublishTargetView>;

export const Publication = z.strictObject({
  clipId: ClipId,
  targetId: PublishTargetId,
  targetName: z.string(),
  kind: z.enum(['folder', 's3', 'webhook']),
  state: z.enum(['queued', 'uploading', 'done', 'failed', 'cancelled']),
  progress: z.number().min(0).max(1).nullable(),
  /** Where it went: a file path (folder), an object URL (s3), the hook's URL (webhook). */
  url: z.string().nullable(),
  error: z.string().nullable(),
  bytes: z.number().nullable(),
  updatedAt: z.number().int(),
});
export type Publication = z.infer<typeof Publication>;

// ---------- generation (text-to-video on the GPU worker) ----------

export const GenerationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,120}$/, 'a generation id is letters, digits, "_" or "-"');
export const GenerationSize = VideoSize;

/** A text-to-video job: slow (minutes on a GPU), never on the fast path. */
export const Generation = z.strictObject({
  /** `<highlightId>-g<n>`: also the review clip's id once done. */
  id: GenerationId,
  highlightId: HighlightId.nullable(),
  sessionId: SessionId.nullable(),
  state: z.enum([
    'queued',
    'loading',
    'running',
    'decoding',
    'encoding',
    'done',
    'failed',
    'cancelled',
  ]),
  /** The denoising step running (1-based), of `steps`. */
  step: z.number().int().nullable(),
  steps: z.number().int(),
  progress: z.number().min(0).max(1).nullable(),
  etaS: z.number().nullable(),
  prompt: z.string(),
  negativePrompt: z.string(),
  model: z.string(),
  seed: z.number().int(),
  frames: z.number().int(),
  size: z.string(),
  fps: z.number(),
  scheduler: z.enum(['unipc', 'euler']),
  guidance: z.number(),
  shift: z.number(),
  /** The execution provider that ran it (cuda, cpu, …). */
  provider: z.string().nullable(),
  /** The labelled MP4, relative to the data directory. */
  file: z.string().nullable(),
  error: z.string().nullable(),
  /** Milliseconds per stage (load, encodeText, denoise, decode, encode, label). */
  timings: z.record(z.string(), z.number()),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type Generation = z.infer<typeof Generation>;

export const GenerationStatus = z.strictObject({
  worker: z.strictObject({
    state: z.enum(['stopped', 'loading', 'ready', 'busy']),
    provider: z.string().nullable(),
    /** Why this provider (and why not the better ones). */
    providerReason: z.string().nullable(),
    coldStartMs: z.number().nullable(),
    model: z.string().nullable(),
    idleUnloadS: z.number(),
  }),
  models: z.array(
    z.strictObject({
      id: z.string(),
      dir: z.string(),
      ok: z.boolean(),
      reason: z.string().nullable(),
    }),
  ),
});
export type GenerationStatus = z.infer<typeof GenerationStatus>;

/** A clip as the review queue shows it. */
export const ReviewItem = z.strictObject({
  clip: Clip,
  highlight: Highlight,
  prompt: HighlightPrompt.nullable(),
  safety: SafetyReport,
  decision: ReviewDecision,
  decidedAt: z.number().int().nullable(),
  /** The operator's override of a flagged safety result (logged). */
  override: z.strictObject({ reason: z.string(), at: z.number().int() }).nullable(),
  /** The cover frame: seconds into the clip, and the JPEG (relative to the data directory). */
  cover: z.strictObject({ at: z.number(), path: z.string().nullable() }).nullable(),
  /** 0..1: the highlight's score, the clip's fit (duration) and caption coverage. */
  quality: z.number().min(0).max(1).nullable(),
  publications: z.array(Publication),
  /** Made by the generation engine (carries the AI-generated labels). */
  aiGenerated: z.boolean(),
  /** The generation that made it (its prompt, seed, model, size, provider), or null. */
  generation: Generation.nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const CaptionCue = z.strictObject({
  index: z.number().int().min(0),
  /** Seconds into the clip. */
  start: z.number(),
  end: z.number(),
  text: z.string(),
  /** The transcript's text (before the operator's correction). */
  original: z.string(),
  edited: z.boolean(),
});
export type CaptionCue = z.infer<typeof CaptionCue>;

/** Per job (clip): what went in, how long each stage took, what came out. */
export const MonitorRecord = z.strictObject({
  clipId: ClipId,
  highlightId: HighlightId,
  sessionId: SessionId,
  createdAt: z.number().int(),
  engine: z.enum(['clip', 'generation']),
  encoder: z.string().nullable(),
  prompt: z.string(),
  result: z.string(),
  quality: z.number().nullable(),
  decision: ReviewDecision,
  safety: SafetyState,
  /** Milliseconds per stage (null = not reached): detect (trigger → highlight), queue, render, safety, publish; total = moment → clip ready. */
  stages: z.strictObject({
    detectMs: z.number().nullable(),
    queueMs: z.number().nullable(),
    renderMs: z.number().nullable(),
    safetyMs: z.number().nullable(),
    publishMs: z.number().nullable(),
    momentToClipMs: z.number().nullable(),
  }),
  published: z.array(z.string()),
});
export type MonitorRecord = z.infer<typeof MonitorRecord>;

export const QueueDepth = z.strictObject({ queued: z.number().int(), running: z.number().int() });
/** The engine's pulse, once a second. */
export const MonitorSample = z.strictObject({
  at: z.number().int(),
  queues: z.record(z.string(), QueueDepth),
  /** Clips that became ready / publications that finished in the last second. */
  ready: z.number().int(),
  published: z.number().int(),
});
export type MonitorSample = z.infer<typeof MonitorSample>;

// ---------- models ----------

export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,100}$/, 'a model id is lowercase letters, digits, . _ -');

export const ModelInfo = z.strictObject({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['kws', 'streaming-transducer', 'offline-sensevoice', 'vad']),
  languages: z.array(z.string()),
  bytes: z.number(),
  license: z.string(),
  /** A licence caveat the operator must see (e.g. non-commercial training data). */
  caveat: z.string().nullable(),
  state: z.enum(['installed', 'missing', 'corrupt']),
  /** What is wrong, file by file, when not installed. */
  problem: z.string().nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const AsrStatus = z.strictObject({
  keywordSpotting: z.strictObject({ enabled: z.boolean(), reason: z.string().nullable() }),
  recognizer: z.strictObject({
    enabled: z.boolean(),
    reason: z.string().nullable(),
    /** The model in use, when enabled. */
    model: z.string().optional(),
    /** How hotwords are applied (or why not). */
    note: z.string().optional(),
  }),
});
export type AsrStatus = z.infer<typeof AsrStatus>;

const Empty = z.strictObject({});

// ---------- the contract ----------

export const methods = {
  'app.info': { input: Empty, output: AppInfo },
  'settings.get': { input: Empty, output: Settings },
  'settings.set': { input: SettingChange, output: Settings },
  'sessions.list': {
    input: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    output: z.array(Session),
  },
  'sessions.get': { input: z.strictObject({ id: SessionId }), output: Session },
  'sessions.create': {
    input: z.strictObject({
      title: z.string().trim().min(1, 'a session title cannot be empty').max(200),
      source: SessionSource.optional(),
    }),
    output: Session,
  },
  'sessions.rename': {
    input: z.strictObject({
      id: SessionId,
      title: z.string().trim().min(1, 'a session title cannot be empty').max(200),
    }),
    output: Session,
  },
  'ingest.endpoints': { input: Empty, output: IngestEndpoints },
  /** A new stream key and SRT passphrase; the old ones stop working at once. */
  'ingest.rotateKey': { input: Empty, output: IngestEndpoints },
  /** Creates a session for the source and starts ingesting it. */
  'ingest.start': {
    input: z.strictObject({
      title: z.string().trim().min(1).max(200).optional(),
      source: IngestSourceInput,
      /** A WebVTT or SRT file on this machine whose cues are fed as final utterances. */
      transcript: z.string().min(1).max(4096).optional(),
      /** A chat WebSocket (ws:// or wss://) whose message rate is a highlight signal. */
      chat: z.string().min(1).max(2048).optional(),
    }),
    output: Session,
  },
  'ingest.stop': { input: z.strictObject({ sessionId: SessionId }), output: Session },
  /** The current status of a session's ingest (ended sessions report 'ended'). */
  'ingest.status': { input: z.strictObject({ sessionId: SessionId }), output: IngestStatus },
  /** The session's recorded media: playlist, duration, markers (gaps, stalls…). */
  'sessions.media': { input: z.strictObject({ id: SessionId }), output: SessionMedia },
  /** Loudness frames for a media-time range, downsampled to at most maxPoints. */
  'sessions.loudness': {
    input: z.strictObject({
      id: SessionId,
      fromS: z.number().min(0).optional(),
      toS: z.number().min(0).optional(),
      maxPoints: z.number().int().min(10).max(20_000).optional(),
    }),
    output: z.strictObject({ frames: z.array(LoudnessFrame) }),
  },
  /** A session's final utterances in media-time order, from afterSeq on. */
  'transcript.list': {
    input: z.strictObject({
      sessionId: SessionId,
      afterSeq: z.number().int().min(-1).optional(),
      limit: z.number().int().min(1).max(50_000).optional(),
    }),
    output: z.strictObject({ utterances: z.array(Utterance) }),
  },
  /** A session's highlights, by start time. */
  'highlights.list': {
    input: z.strictObject({ sessionId: SessionId }),
    output: z.strictObject({ highlights: z.array(Highlight) }),
  },
  /** Marks a moment ("clip that!"): now (the live edge) unless `at` is given. */
  'highlights.mark': {
    input: z.strictObject({
      sessionId: SessionId,
      at: z.number().min(0).optional(),
      source: z.enum(['button', 'hotkey', 'api']).optional(),
      note: z.string().max(500).optional(),
    }),
    output: Highlight,
  },
  /** The operator's decision on a highlight ('new' undoes it). */
  'highlights.review': {
    input: z.strictObject({ id: HighlightId, review: z.enum(['new', 'accepted', 'dismissed']) }),
    output: Highlight,
  },
  /** Moves a highlight's in and out points (media time, seconds). */
  'highlights.nudge': {
    input: z
      .strictObject({ id: HighlightId, start: z.number().min(0), end: z.number().min(0) })
      .refine((v) => v.end > v.start, { message: 'the out point must be after the in point' }),
    output: Highlight,
  },
  /** A still of the highlight's trigger moment (JPEG, relative to the data directory). */
  'highlights.thumbnail': {
    input: z.strictObject({ id: HighlightId }),
    output: z.strictObject({ path: z.string().nullable() }),
  },
  /** The trigger lexicon in use and whether it is the built-in one. */
  'lexicon.get': {
    input: Empty,
    output: z.strictObject({ lexicon: Lexicon, builtIn: z.boolean() }),
  },
  /** Replaces the lexicon (refused, naming the entry, when a pattern is invalid or duplicated). */
  'lexicon.set': {
    input: z.strictObject({ lexicon: Lexicon }),
    output: z.strictObject({ lexicon: Lexicon, builtIn: z.boolean() }),
  },
  /** Back to the built-in lexicon. */
  'lexicon.reset': {
    input: Empty,
    output: z.strictObject({ lexicon: Lexicon, builtIn: z.boolean() }),
  },
  /** A session's clips (every render of every highlight), newest first. */
  'clips.list': {
    input: z.strictObject({ sessionId: SessionId }),
    output: z.strictObject({ clips: z.array(Clip) }),
  },
  /** Renders (or re-renders) a highlight's clip, optionally with another reframe or caption style. */
  'clips.render': {
    input: z.strictObject({
      highlightId: HighlightId,
      reframe: Reframe.optional(),
      captionStyle: CaptionStyle.optional(),
      output: OutputPreset.optional(),
    }),
    output: Clip,
  },
  /** Stops a queued or running render (its partial files are removed). */
  'clips.cancel': { input: z.strictObject({ id: ClipId }), output: Clip },
  /** Shows the clip's file in the system file manager (desktop app; the headless host answers with the path). */
  'clips.reveal': {
    input: z.strictObject({ id: ClipId }),
    output: z.strictObject({ path: z.string(), shown: z.boolean() }),
  },
  /**
   * Starts dragging the clip's file out of the app (the desktop window that called, from its
   * dragstart); 'unavailable' over the WebSocket, where the browser offers the download instead.
   */
  'clips.drag': { input: z.strictObject({ id: ClipId }), output: Empty },
  /** The review queue: each highlight's current clip with prompt, safety, decision, publications. */
  'review.list': {
    input: z.strictObject({
      sessionId: SessionId,
      decision: z.array(ReviewDecision).optional(),
      safety: z.array(SafetyState).optional(),
      minQuality: z.number().min(0).max(1).optional(),
      limit: z.number().int().min(1).max(5000).optional(),
    }),
    output: z.strictObject({ items: z.array(ReviewItem) }),
  },
  'review.get': { input: z.strictObject({ clipId: ClipId }), output: ReviewItem },
  /**
   * Approves, rejects or resets clips (bulk). Approving a flagged clip is refused without an
   * override; approving publishes to the enabled targets when publish.onApprove is on.
   */
  'review.decide': {
    input: z.strictObject({
      clipIds: z.array(ClipId).min(1).max(1000),
      decision: ReviewDecision,
      publish: z.boolean().optional(),
    }),
    output: z.strictObject({
      items: z.array(ReviewItem),
      refused: z.array(z.strictObject({ clipId: ClipId, reason: z.string() })),
    }),
  },
  /** Reverts the session's last decision (queued uploads of an undone approval are cancelled). */
  'review.undo': {
    input: z.strictObject({ sessionId: SessionId }),
    output: z.strictObject({ items: z.array(ReviewItem) }),
  },
  /** Lets a flagged clip be published anyway; the reason is logged. */
  'review.override': {
    input: z.strictObject({ clipId: ClipId, reason: z.string().trim().min(3).max(500) }),
    output: ReviewItem,
  },
  /** The clip's captions (times relative to the clip), with the operator's corrections. */
  'review.captions': {
    input: z.strictObject({ clipId: ClipId }),
    output: z.strictObject({ cues: z.array(CaptionCue) }),
  },
  /** Corrects caption text (an empty text restores the transcript's) and re-renders the clip. */
  'review.setCaptions': {
    input: z.strictObject({
      clipId: ClipId,
      edits: z
        .array(z.strictObject({ index: z.number().int().min(0), text: z.string().max(500) }))
        .min(1)
        .max(1000),
    }),
    output: Clip,
  },
  /** Picks the cover frame (seconds into the clip). */
  'review.cover': {
    input: z.strictObject({ clipId: ClipId, at: z.number().min(0) }),
    output: ReviewItem,
  },
  /** A highlight's prompt (made from the template on first use). */
  'prompts.get': { input: z.strictObject({ highlightId: HighlightId }), output: HighlightPrompt },
  /** Changes a highlight's template, own prompt text or own title; optionally re-renders. */
  'prompts.set': {
    input: z.strictObject({
      highlightId: HighlightId,
      templateId: TemplateId.optional(),
      custom: z.string().max(4000).nullable().optional(),
      titleCustom: z.string().max(200).nullable().optional(),
      rerender: z.boolean().optional(),
    }),
    output: z.strictObject({ prompt: HighlightPrompt, clip: Clip.nullable() }),
  },
  /** Fills a text with a highlight's values (live preview); a template error is returned, not thrown. */
  'prompts.preview': {
    input: z.strictObject({ highlightId: HighlightId, text: z.string().max(4000) }),
    output: z.strictObject({ text: z.string(), error: z.string().nullable() }),
  },
  /** The current version of every template. */
  'prompts.library': {
    input: Empty,
    output: z.strictObject({ templates: z.array(PromptTemplate) }),
  },
  /** Saves a template as its next version. */
  'prompts.save': {
    input: z.strictObject({ template: TemplateDraft }),
    output: z.strictObject({ templates: z.array(PromptTemplate) }),
  },
  /** Every version of one template, oldest first. */
  'prompts.history': {
    input: z.strictObject({ id: TemplateId }),
    output: z.strictObject({ versions: z.array(PromptTemplate) }),
  },
  'prompts.export': { input: Empty, output: z.strictObject({ json: z.string() }) },
  /** Imports a library exported as JSON: merged (new versions) or replacing the library. */
  'prompts.import': {
    input: z.strictObject({
      json: z.string().max(4_000_000),
      mode: z.enum(['merge', 'replace']),
    }),
    output: z.strictObject({ templates: z.array(PromptTemplate) }),
  },
  'enhance.get': {
    input: Empty,
    output: z.strictObject({ table: EnhancementTable, builtIn: z.boolean() }),
  },
  'enhance.set': {
    input: z.strictObject({ table: EnhancementTable }),
    output: z.strictObject({ table: EnhancementTable, builtIn: z.boolean() }),
  },
  'enhance.reset': {
    input: Empty,
    output: z.strictObject({ table: EnhancementTable, builtIn: z.boolean() }),
  },
  /** The product list that fills \${product} and \${price}. */
  'products.get': { input: Empty, output: z.strictObject({ products: z.array(Product) }) },
  'products.set': {
    input: z.strictObject({ products: z.array(Product).max(5000) }),
    output: z.strictObject({ products: z.array(Product) }),
  },
  /** Imports products from CSV text (name, price[, image]; a header row is recognized). */
  'products.importCsv': {
    input: z.strictObject({ csv: z.string().max(2_000_000), mode: z.enum(['replace', 'append']) }),
    output: z.strictObject({ products: z.array(Product) }),
  },
  /** The sensitive-word lexicon and whether the image check can run. */
  'safety.get': {
    input: Empty,
    output: z.strictObject({
      lexicon: SafetyLexicon,
      builtIn: z.boolean(),
      image: z.strictObject({ available: z.boolean(), reason: z.string().nullable() }),
    }),
  },
  'safety.set': {
    input: z.strictObject({ lexicon: SafetyLexicon }),
    output: z.strictObject({ lexicon: SafetyLexicon, builtIn: z.boolean() }),
  },
  'safety.reset': {
    input: Empty,
    output: z.strictObject({ lexicon: SafetyLexicon, builtIn: z.boolean() }),
  },
  /** Checks a text against the lexicon (the editor's test box). */
  'safety.test': {
    input: z.strictObject({ text: z.string().max(10_000) }),
    output: z.strictObject({
      verdict: z.enum(['ok', 'warn', 'block']),
      hits: z.array(SafetyWordHit),
    }),
  },
  'publish.targets': {
    input: Empty,
    output: z.strictObject({ targets: z.array(PublishTargetView) }),
  },
  /** Adds or replaces a target; secret: the S3 secret key or webhook signing secret (null removes it, absent keeps it). */
  'publish.saveTarget': {
    input: z.strictObject({
      target: PublishTarget,
      secret: z.string().min(1).max(4096).nullable().optional(),
    }),
    output: z.strictObject({ targets: z.array(PublishTargetView) }),
  },
  'publish.deleteTarget': {
    input: z.strictObject({ id: PublishTargetId }),
    output: z.strictObject({ targets: z.array(PublishTargetView) }),
  },
  /** Tries the target (folder writable, bucket reachable with the key, hook answers). */
  'publish.testTarget': {
    input: z.strictObject({ id: PublishTargetId }),
    output: z.strictObject({ ok: z.boolean(), message: z.string() }),
  },
  /** Publishes an approved clip (to the given targets, default every enabled one). */
  'publish.clip': {
    input: z.strictObject({
      clipId: ClipId,
      targetIds: z.array(PublishTargetId).max(50).optional(),
    }),
    output: z.strictObject({ publications: z.array(Publication) }),
  },
  'publish.retry': {
    input: z.strictObject({ clipId: ClipId, targetId: PublishTargetId }),
    output: z.strictObject({ publications: z.array(Publication) }),
  },
  'publish.list': {
    input: z.strictObject({ sessionId: SessionId }),
    output: z.strictObject({ publications: z.array(Publication) }),
  },
  /** One record per clip: prompt, latency of each stage, engine, result, quality, decision. */
  'monitor.records': {
    input: z.strictObject({
      sessionId: SessionId.optional(),
      limit: z.number().int().min(1).max(50_000).optional(),
    }),
    output: z.strictObject({ records: z.array(MonitorRecord) }),
  },
  /** The records as a CSV or JSON document (the UI offers it as a download). */
  'monitor.export': {
    input: z.strictObject({ sessionId: SessionId.optional(), format: z.enum(['csv', 'json']) }),
    output: z.strictObject({ filename: z.string(), mime: z.string(), text: z.string() }),
  },
  /** The last ten minutes of engine pulses (one a second). */
  'monitor.samples': {
    input: Empty,
    output: z.strictObject({ samples: z.array(MonitorSample) }),
  },
  /** Generates a video from a highlight's prompt (queued at low priority; minutes on a GPU). */
  'generate.start': {
    input: z.strictObject({
      highlightId: HighlightId,
      /** Default: the highlight's prompt. */
      prompt: z.string().trim().min(1).max(2000).optional(),
      model: z.string().max(100).optional(),
      /** 4k+1 frames (81 = 5 s at 16 fps). */
      frames: z.number().int().min(1).max(1001).optional(),
      size: GenerationSize.optional(),
      steps: z.number().int().min(1).max(200).optional(),
      seed: z
        .number()
        .int()
        .min(0)
        .max(2 ** 31 - 1)
        .optional(),
    }),
    output: Generation,
  },
  'generate.cancel': { input: z.strictObject({ id: GenerationId }), output: Generation },
  'generate.list': {
    input: z.strictObject({ sessionId: SessionId }),
    output: z.strictObject({ generations: z.array(Generation) }),
  },
  /** The worker (provider, cold start) and the installed text-to-video models. */
  'generate.status': { input: Empty, output: GenerationStatus },
  /** The detection presets (e-commerce, gaming, talk show). */
  'detect.presets': {
    input: Empty,
    output: z.strictObject({
      presets: z.array(z.strictObject({ name: z.string(), settings: DetectSettings })),
    }),
  },
  /** Supported models and whether each is installed and intact. */
  'models.list': { input: Empty, output: z.array(ModelInfo) },
  /** Installs a model from a directory on this machine, verifying every file first. */
  'models.import': {
    input: z.strictObject({ id: ModelId.optional(), dir: z.string().min(1).max(4096) }),
    output: z.array(ModelInfo),
  },
  /** Downloads a model (explicit user action; resumable; verified). Progress: models.progress. */
  'models.pull': {
    input: z.strictObject({ id: ModelId, mirror: z.enum(['cn', 'global']).optional() }),
    output: z.array(ModelInfo),
  },
  /** What the speech stages can do right now, and why not. */
  'asr.status': { input: Empty, output: AsrStatus },
  'storage.usage': { input: Empty, output: StorageUsage },
  /** Applies the retention policy now; returns what is left. */
  'storage.prune': { input: Empty, output: StorageUsage },
} as const;

export const events = {
  /** A session was created or changed. */
  'session.upserted': Session,
  /** The settings changed (from any window or transport). */
  'settings.changed': Settings,
  /** A session's ingest status changed (about once a second while live). */
  'ingest.status': IngestStatus,
  /** New loudness frames (100 ms each), batched. */
  'ingest.loudness': z.strictObject({ sessionId: SessionId, frames: z.array(LoudnessFrame) }),
  /** Something the timeline should show: a gap, a stall, a resolution change, a restart. */
  'session.marker': SessionMarker,
  /** A final utterance (from timed text now; from the recognizer once it lands). */
  'transcript.utterance': Utterance,
  /** A trigger phrase spotted straight from the audio by the keyword spotter. */
  'asr.keyword': z.strictObject({
    sessionId: SessionId,
    keyword: z.string(),
    /** Media time at which it fired (0.3–0.8 s after the phrase ended). */
    at: z.number(),
  }),
  /** Download progress of models.pull. */
  'models.progress': z.strictObject({
    id: z.string(),
    file: z.string(),
    received: z.number(),
    total: z.number().nullable(),
  }),
  /** A highlight was proposed or changed (window closed, merged, nudged, reviewed). */
  'highlight.upserted': Highlight,
  /** A clip was queued, progressed, finished, failed or was cancelled. */
  'clip.upserted': Clip,
  /** A review item changed (clip, prompt, safety, decision, cover, publications). */
  'review.upserted': ReviewItem,
  /** Clips became ready for review (for a notification). */
  'review.ready': z.strictObject({
    sessionId: SessionId,
    clipIds: z.array(ClipId),
    /** How many wait for a decision in the session. */
    pending: z.number().int(),
  }),
  /** A publication was queued, progressed, finished or failed. */
  'publish.upserted': Publication,
  /** A generation was queued, progressed (per step), finished, failed or was cancelled. */
  'generation.upserted': Generation,
  /** The engine's pulse (once a second while anything is queued, running or just finished). */
  'monitor.sample': MonitorSample,
  /** The trigger lexicon changed. */
  'lexicon.changed': z.strictObject({ lexicon: Lexicon, builtIn: z.boolean() }),
  /** A recognizer's partial (interim) text for the utterance in progress. */
  'transcript.partial': z.strictObject({
    sessionId: SessionId,
    start: z.number(),
    text: z.string(),
  }),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
/** What a caller passes (before defaults and trimming). */
export type MethodInput<M extends MethodName> = z.input<Methods[M]['input']>;
/** What a handler receives (validated). */
export type ParsedInput<M extends MethodName> = z.output<Methods[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Methods[M]['output']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const METHOD_NAMES = Object.keys(methods) as MethodName[];
export const EVENT_NAMES = Object.keys(events) as EventName[];

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(events, name);
}

/** Electron IPC channel names, fixed per method/event: the renderer never names a channel. */
export const methodChannel = (m: MethodName): string => `liveslice:call:${m}`;
export const eventChannel = (e: EventName): string => `liveslice:event:${e}`;

// ---------- errors and results ----------

export const ERROR_CODES = [
  'bad_request',
  'unknown_method',
  'not_found',
  'forbidden',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const SerializedError = z.strictObject({
  code: z.enum(ERROR_CODES),
  message: z.string(),
});
export type SerializedError = z.infer<typeof SerializedError>;

/** Errors cross process boundaries as plain data: Electron drops custom error fields. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
  toJSON(): SerializedError {
    return { code: this.code, message: this.message };
  }
}

export type CallResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

// ---------- the client every UI uses ----------

/** One client interface for the renderer, whichever transport carries it. */
export interface ApiClient {
  readonly transport: 'electron' | 'websocket';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Returns the unsubscribe function. */
  subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void,
  ): () => void;
}

/**
 * The object the preload exposes as `window.liveslice`: one named function per contract
 * method and one `on…` subscription per event — nothing generic.
 */
export interface PreloadBridge {
  readonly transport: 'electron';
  readonly methods: {
    readonly [M in MethodName]: (input: unknown) => Promise<CallResult<unknown>>;
  };
  readonly events: {
    readonly [E in EventName]: (listener: (payload: unknown) => void) => () => void;
  };
}

export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

// ---------- the headless WebSocket wire protocol (derived from the same names) ----------

/** Subprotocols the browser offers: the first names the protocol, the second carries the token. */
export const WS_PROTOCOL = 'liveslice.v1';
export const WS_TOKEN_PREFIX = 'liveslice.token.';
export const WS_PATH = '/api/ws';
/** GET with `Authorization: Bearer <token>`: 204 when the token is right, 401 when not. */
export const AUTH_CHECK_PATH = '/api/auth';
/** Cookie the headless UI sets so <video>/hls.js requests under /media/ carry the token. */
export const MEDIA_COOKIE = 'liveslice_token';

export const WsClientMessage = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('call'),
    id: z.number().int().nonnegative(),
    method: z.string().max(100),
    input: z.unknown(),
  }),
  z.strictObject({ type: z.literal('subscribe'), event: z.string().max(100) }),
  z.strictObject({ type: z.literal('unsubscribe'), event: z.string().max(100) }),
]);
export type WsClientMessage = z.infer<typeof WsClientMessage>;

export type WsServerMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown }
  | { type: 'error'; error: SerializedError };
