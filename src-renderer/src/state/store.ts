/**
 * UI state in zustand slices. Domain slices (connection, settings, app info, sessions, ingest,
 * storage, transcripts, speech & models, highlights & lexicon, clips, the review queue, prompts,
 * publish targets, monitor pulses, generations) are fed by engine results and events (see
 * engine.ts, reviewEngine.ts and generationEngine.ts); the rest is view state (notices, help overlay, the mounted player, the
 * highlight and review filters and selections, the clip preview and re-render dialog).
 */
import { createStore, type StateCreator, type StoreApi } from 'zustand/vanilla';
import type {
  AppInfo,
  AsrStatus,
  Clip,
  ErrorCode,
  Generation,
  GenerationStatus,
  Highlight,
  HighlightPrompt,
  IngestEndpoints,
  IngestStatus,
  Lexicon,
  LoudnessFrame,
  ModelInfo,
  MonitorRecord,
  MonitorSample,
  PromptTemplate,
  Publication,
  PublishTargetView,
  ReviewItem,
  Session,
  SessionMarker,
  SessionMedia,
  Settings,
  StorageUsage,
  Utterance,
} from '../contract';
import type { ConnectionState } from '../api/types';
import type { MessageKey } from '../i18n/en';
import type { LoudnessRing } from '../live/loudnessRing';
import {
  beginLoad as beginClipsLoad,
  endLoad as endClipsLoad,
  upsertClip,
  type ClipsBySession,
} from './clips';
import {
  beginLoad as beginHighlightsLoad,
  DEFAULT_FILTER,
  endLoad as endHighlightsLoad,
  upsertHighlight,
  type HighlightFilter,
  type HighlightsBySession,
} from './highlights';
import {
  beginLoad as beginGenerationsLoad,
  endLoad as endGenerationsLoad,
  upsertGeneration,
  type GenerationsBySession,
} from './generations';
import { mergeMarkers, reduceIngestStatus, reduceLoudness } from './ingest';
import { mergeSamples } from './monitor';
import {
  applyClip as applyReviewClip,
  applyHighlight as applyReviewHighlight,
  applyPublication as applyReviewPublication,
  beginLoad as beginReviewLoad,
  DEFAULT_REVIEW_FILTER,
  endLoad as endReviewLoad,
  findItem,
  isGenerated,
  patchItem,
  sessionOfClip,
  upsertItems,
  type ReviewBySession,
  type ReviewFilter,
} from './review';
import { addKeyword, type KeywordHit, type Keywords } from './keywords';
import { applyProgress, beginPull, endPull, type ModelProgress, type Pulls } from './models';
import {
  addUtterances,
  beginLoad,
  endLoad,
  setPartial,
  type Partial as PartialText,
  type Transcripts,
} from './transcript';

export interface ConnectionSlice {
  connection: ConnectionState;
  transport: 'electron' | 'websocket';
  setConnection(state: ConnectionState): void;
}

export interface SettingsSlice {
  /** null until read from the engine (then the UI follows the system language). */
  settings: Settings | null;
  setSettings(settings: Settings): void;
}

export interface AppInfoSlice {
  appInfo: AppInfo | null;
  setAppInfo(info: AppInfo): void;
}

export interface SessionsSlice {
  sessions: Readonly<Record<string, Session>>;
  sessionsLoaded: boolean;
  selectedSessionId: string | null;
  /** Replaces the list, keeping any newer copy an event already delivered. */
  setSessions(list: readonly Session[]): void;
  upsertSession(session: Session): void;
  selectSession(id: string | null): void;
}

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  /** What was being done, e.g. 'action.createSession' (errors only). */
  action: MessageKey | null;
  /** A dictionary key for info notices, or the engine's message for errors. */
  message: string;
  messageKey: MessageKey | null;
  params: Readonly<Record<string, string>>;
  code: ErrorCode | null;
}
export type NewNotice = Omit<Notice, 'id'>;

export const MAX_NOTICES = 4;

export interface NoticesSlice {
  notices: readonly Notice[];
  pushNotice(notice: NewNotice): void;
  dismissNotice(id: number): void;
}

/** Something that failed to load, shown where the data would be (not as a notice). */
export interface LoadError {
  message: string;
  code: ErrorCode;
}

export interface IngestSlice {
  /** The push endpoints (RTMP/SRT) OBS is pointed at; null until loaded. */
  endpoints: IngestEndpoints | null;
  endpointsError: LoadError | null;
  /** The latest ingest status per session (events and ingest.status calls). */
  ingestStatus: Readonly<Record<string, IngestStatus>>;
  /** The recorded media per session, as sessions.media last reported it. */
  media: Readonly<Record<string, SessionMedia>>;
  /** Timeline markers per session (sessions.media plus session.marker events). */
  markers: Readonly<Record<string, readonly SessionMarker[]>>;
  /** Recent loudness per session (bounded rings; mutated in place, see reduceLoudness). */
  loudness: Readonly<Record<string, LoudnessRing>>;
  setEndpoints(endpoints: IngestEndpoints): void;
  setEndpointsError(error: LoadError | null): void;
  applyIngestStatus(status: IngestStatus): void;
  setMedia(media: SessionMedia): void;
  addMarkers(sessionId: string, markers: readonly SessionMarker[]): void;
  appendLoudness(sessionId: string, frames: readonly LoudnessFrame[]): void;
}

export interface StorageSlice {
  storage: StorageUsage | null;
  storageError: LoadError | null;
  setStorage(usage: StorageUsage): void;
  setStorageError(error: LoadError | null): void;
}

/** What the keyboard shortcuts can ask of the live player while one is shown. */
export interface PlayerHandle {
  togglePlay(): void;
  backToLive(): void;
  seek(mediaTimeS: number): void;
}

export interface TranscriptSlice {
  /** Per session (a few kept): final utterances, load state, partial text. See transcript.ts. */
  transcripts: Transcripts;
  beginTranscriptLoad(sessionId: string): void;
  endTranscriptLoad(sessionId: string, error: LoadError | null): void;
  addUtterances(sessionId: string, utterances: readonly Utterance[]): void;
  setPartial(sessionId: string, partial: PartialText): void;
}

export interface SpeechSlice {
  /** Supported models and their state (models.list); null until loaded. */
  models: readonly ModelInfo[] | null;
  modelsError: LoadError | null;
  /** What keyword spotting and the recognizer can do now (asr.status); null until loaded. */
  asrStatus: AsrStatus | null;
  asrStatusError: LoadError | null;
  /** Downloads started from this window, per model id (see models.ts). */
  pulls: Pulls;
  /** Spotted keywords per session, only those that arrived (see keywords.ts). */
  keywords: Keywords;
  setModels(models: readonly ModelInfo[]): void;
  setModelsError(error: LoadError | null): void;
  setAsrStatus(status: AsrStatus): void;
  setAsrStatusError(error: LoadError | null): void;
  beginPull(id: string): void;
  applyModelProgress(progress: ModelProgress): void;
  endPull(id: string, error: string | null): void;
  addKeyword(hit: KeywordHit): void;
}

/** A highlight's still, as far as this window knows. */
export interface ThumbnailState {
  status: 'loading' | 'ready' | 'none';
  /** Relative to the data directory (ready only). */
  path: string | null;
  /** The highlight's state when it was asked for: a provisional one without a still asks again. */
  forState: Highlight['state'];
}

/** Thumbnails remembered (the oldest asked go first). */
export const MAX_THUMBNAILS = 500;

export interface LexiconState {
  lexicon: Lexicon;
  builtIn: boolean;
}

export interface HighlightsSlice {
  /** Per session (a few kept): highlights by start and the load state. See highlights.ts. */
  highlights: HighlightsBySession;
  /** What the highlights pane shows (J/K move within it). */
  highlightFilter: HighlightFilter;
  selectedHighlightId: string | null;
  thumbnails: Readonly<Record<string, ThumbnailState>>;
  /** The trigger lexicon in use; null until read (lexicon.get) or announced (lexicon.changed). */
  lexicon: LexiconState | null;
  beginHighlightsLoad(sessionId: string): void;
  endHighlightsLoad(
    sessionId: string,
    result: { highlights: readonly Highlight[] } | { message: string; code: ErrorCode },
  ): void;
  upsertHighlight(h: Highlight): void;
  setHighlightFilter(change: Partial<HighlightFilter>): void;
  selectHighlight(id: string | null): void;
  setThumbnail(id: string, state: ThumbnailState): void;
  setLexicon(lexicon: LexiconState): void;
}

export interface ClipsSlice {
  /** Per session (a few kept): each highlight's renders, newest first. See clips.ts. */
  clips: ClipsBySession;
  /** The clip the preview plays (null: no preview). */
  previewClipId: string | null;
  /** The highlight whose re-render dialog is open (R), or null. */
  rerenderHighlightId: string | null;
  beginClipsLoad(sessionId: string): void;
  endClipsLoad(
    sessionId: string,
    result: { clips: readonly Clip[] } | { message: string; code: ErrorCode },
  ): void;
  upsertClip(clip: Clip): void;
  setPreviewClip(id: string | null): void;
  setRerenderHighlight(id: string | null): void;
}

/** A dialog the review pane opens for one item (E, an approve that needs an override, captions). */
export interface ReviewDialog {
  kind: 'prompt' | 'override' | 'captions';
  clipId: string;
}

/** Prompts remembered per highlight (the oldest asked go first). */
export const MAX_PROMPTS = 1000;

export interface ReviewSlice {
  /** Per session (a few kept): the review queue. See review.ts (per-item updates are O(1)). */
  review: ReviewBySession;
  reviewFilter: ReviewFilter;
  /** The item J/K moved to (clip id). */
  reviewCursor: string | null;
  /** Items ticked for a bulk approve / reject (clip ids). */
  reviewChecked: ReadonlySet<string>;
  reviewDialog: ReviewDialog | null;
  /** Highlight prompts as last read or saved, by highlight id. */
  prompts: Readonly<Record<string, HighlightPrompt>>;
  /** The template library (current versions); null until loaded. */
  promptTemplates: readonly PromptTemplate[] | null;
  /** Publish targets (secrets never reach the UI); null until loaded. */
  publishTargets: readonly PublishTargetView[] | null;
  beginReviewLoad(sessionId: string): void;
  endReviewLoad(
    sessionId: string,
    result: { items: readonly ReviewItem[] } | { message: string; code: ErrorCode },
  ): void;
  upsertReviewItems(items: readonly ReviewItem[]): void;
  /** Changes one held item in place of the engine's answer (e.g. a decision on its way). */
  patchReviewItem(sessionId: string, clipId: string, change: (i: ReviewItem) => ReviewItem): void;
  applyReviewClip(clip: Clip): void;
  /** A trim or review of a held item's highlight. */
  applyReviewHighlight(h: Highlight): void;
  applyPublication(p: Publication): void;
  setReviewFilter(change: Partial<ReviewFilter>): void;
  setReviewCursor(clipId: string | null): void;
  setReviewChecked(checked: ReadonlySet<string>): void;
  setReviewDialog(dialog: ReviewDialog | null): void;
  setPrompt(prompt: HighlightPrompt): void;
  setPromptTemplates(templates: readonly PromptTemplate[]): void;
  setPublishTargets(targets: readonly PublishTargetView[]): void;
}

export interface MonitorRecords {
  list: readonly MonitorRecord[];
  status: 'idle' | 'loading' | 'loaded' | 'error';
  error: LoadError | null;
  /** The session they are for (null: every session). */
  sessionId: string | null;
}

export interface MonitorSlice {
  /** The engine's pulses of the last ten minutes, by time. */
  monitorSamples: readonly MonitorSample[];
  monitorRecords: MonitorRecords;
  addMonitorSamples(samples: readonly MonitorSample[]): void;
  setMonitorRecords(records: MonitorRecords): void;
}

export interface GenerationsSlice {
  /** Per session (a few kept): its text-to-video jobs, newest first. See generations.ts. */
  generations: GenerationsBySession;
  /** The worker and the installed models (generate.status); null until loaded. */
  generationStatus: GenerationStatus | null;
  generationStatusError: LoadError | null;
  /** The highlight whose "generate video" dialog is open (G), or null. */
  generateHighlightId: string | null;
  beginGenerationsLoad(sessionId: string): void;
  endGenerationsLoad(
    sessionId: string,
    result: { generations: readonly Generation[] } | { message: string; code: ErrorCode },
  ): void;
  upsertGeneration(g: Generation): void;
  setGenerationStatus(status: GenerationStatus): void;
  setGenerationStatusError(error: LoadError | null): void;
  setGenerateHighlight(id: string | null): void;
}

/** A request to move the live player to a media time (the player consumes it). */
export interface SeekRequest {
  sessionId: string;
  mediaTimeS: number;
  /** Distinguishes two requests for the same time. */
  id: number;
}

export interface UiSlice {
  helpOpen: boolean;
  /** navigator.languages at start (the 'system' language). */
  systemLanguages: readonly string[];
  setHelpOpen(open: boolean): void;
  /** The live player currently mounted (at most one), for the L / Space shortcuts. */
  player: PlayerHandle | null;
  setPlayer(player: PlayerHandle | null): void;
  /** The latest seek the player has not applied yet (e.g. from a transcript line). */
  seekRequest: SeekRequest | null;
  requestSeek(sessionId: string, mediaTimeS: number): void;
  /** The player applied it: clears the request if it is still this one. */
  clearSeek(id: number): void;
}

export type AppState = ConnectionSlice &
  SettingsSlice &
  AppInfoSlice &
  SessionsSlice &
  NoticesSlice &
  IngestSlice &
  StorageSlice &
  TranscriptSlice &
  SpeechSlice &
  HighlightsSlice &
  ClipsSlice &
  ReviewSlice &
  MonitorSlice &
  GenerationsSlice &
  UiSlice;
export type AppStore = StoreApi<AppState>;

type Slice<T> = StateCreator<AppState, [], [], T>;

const connectionSlice =
  (transport: 'electron' | 'websocket', initial: ConnectionState): Slice<ConnectionSlice> =>
  (set) => ({
    connection: initial,
    transport,
    setConnection: (connection) => set({ connection }),
  });

const settingsSlice: Slice<SettingsSlice> = (set) => ({
  settings: null,
  setSettings: (settings) => set({ settings }),
});

const appInfoSlice: Slice<AppInfoSlice> = (set) => ({
  appInfo: null,
  setAppInfo: (appInfo) => set({ appInfo }),
});

const sessionsSlice: Slice<SessionsSlice> = (set) => ({
  sessions: {},
  sessionsLoaded: false,
  selectedSessionId: null,
  setSessions: (list) =>
    set((s) => {
      const next: Record<string, Session> = {};
      for (const session of list) next[session.id] = session;
      for (const [id, known] of Object.entries(s.sessions)) {
        const listed = next[id];
        if (!listed || known.updatedAt > listed.updatedAt) next[id] = known;
      }
      return { sessions: next, sessionsLoaded: true };
    }),
  upsertSession: (session) =>
    set((s) => {
      const known = s.sessions[session.id];
      if (known && known.updatedAt > session.updatedAt) return {};
      return { sessions: { ...s.sessions, [session.id]: session } };
    }),
  selectSession: (selectedSessionId) => set({ selectedSessionId }),
});

const noticesSlice: Slice<NoticesSlice> = (set) => {
  let nextId = 1;
  return {
    notices: [],
    pushNotice: (notice) =>
      set((s) => {
        const duplicate = s.notices.some(
          (n) =>
            n.kind === notice.kind &&
            n.action === notice.action &&
            n.message === notice.message &&
            n.messageKey === notice.messageKey,
        );
        if (duplicate) return {};
        return { notices: [...s.notices, { ...notice, id: nextId++ }].slice(-MAX_NOTICES) };
      }),
    dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
  };
};

const ingestSlice: Slice<IngestSlice> = (set) => ({
  endpoints: null,
  endpointsError: null,
  ingestStatus: {},
  media: {},
  markers: {},
  loudness: {},
  setEndpoints: (endpoints) => set({ endpoints, endpointsError: null }),
  setEndpointsError: (endpointsError) => set({ endpointsError }),
  applyIngestStatus: (status) =>
    set((s) => {
      const next = reduceIngestStatus(s.ingestStatus, status);
      return next === s.ingestStatus ? {} : { ingestStatus: next };
    }),
  setMedia: (media) =>
    set((s) => ({
      media: { ...s.media, [media.sessionId]: media },
      markers: {
        ...s.markers,
        [media.sessionId]: mergeMarkers(s.markers[media.sessionId], media.markers),
      },
    })),
  addMarkers: (sessionId, markers) =>
    set((s) => ({
      markers: { ...s.markers, [sessionId]: mergeMarkers(s.markers[sessionId], markers) },
    })),
  appendLoudness: (sessionId, frames) =>
    set((s) => {
      const next = reduceLoudness(s.loudness, sessionId, frames);
      return next === s.loudness ? {} : { loudness: next };
    }),
});

const storageSlice: Slice<StorageSlice> = (set) => ({
  storage: null,
  storageError: null,
  setStorage: (storage) => set({ storage, storageError: null }),
  setStorageError: (storageError) => set({ storageError }),
});

const transcriptSlice: Slice<TranscriptSlice> = (set) => {
  const update = (f: (t: Transcripts) => Transcripts) =>
    set((s) => {
      const next = f(s.transcripts);
      return next === s.transcripts ? {} : { transcripts: next };
    });
  return {
    transcripts: {},
    beginTranscriptLoad: (sessionId) => update((t) => beginLoad(t, sessionId)),
    endTranscriptLoad: (sessionId, error) => update((t) => endLoad(t, sessionId, error)),
    addUtterances: (sessionId, list) => update((t) => addUtterances(t, sessionId, list)),
    setPartial: (sessionId, partial) => update((t) => setPartial(t, sessionId, partial)),
  };
};

const speechSlice: Slice<SpeechSlice> = (set) => {
  const updatePulls = (f: (p: Pulls) => Pulls) =>
    set((s) => {
      const next = f(s.pulls);
      return next === s.pulls ? {} : { pulls: next };
    });
  return {
    models: null,
    modelsError: null,
    asrStatus: null,
    asrStatusError: null,
    pulls: {},
    keywords: {},
    setModels: (models) => set({ models, modelsError: null }),
    setModelsError: (modelsError) => set({ modelsError }),
    setAsrStatus: (asrStatus) => set({ asrStatus, asrStatusError: null }),
    setAsrStatusError: (asrStatusError) => set({ asrStatusError }),
    beginPull: (id) => updatePulls((p) => beginPull(p, id)),
    applyModelProgress: (progress) => updatePulls((p) => applyProgress(p, progress)),
    endPull: (id, error) => updatePulls((p) => endPull(p, id, error)),
    addKeyword: (hit) =>
      set((s) => {
        const next = addKeyword(s.keywords, hit);
        return next === s.keywords ? {} : { keywords: next };
      }),
  };
};

const highlightsSlice: Slice<HighlightsSlice> = (set) => {
  const update = (f: (h: HighlightsBySession) => HighlightsBySession) =>
    set((s) => {
      const next = f(s.highlights);
      return next === s.highlights ? {} : { highlights: next };
    });
  return {
    highlights: {},
    highlightFilter: DEFAULT_FILTER,
    selectedHighlightId: null,
    thumbnails: {},
    lexicon: null,
    beginHighlightsLoad: (sessionId) => update((h) => beginHighlightsLoad(h, sessionId)),
    endHighlightsLoad: (sessionId, result) =>
      update((h) => endHighlightsLoad(h, sessionId, result)),
    upsertHighlight: (highlight) => update((h) => upsertHighlight(h, highlight)),
    setHighlightFilter: (change) =>
      set((s) => ({ highlightFilter: { ...s.highlightFilter, ...change } })),
    selectHighlight: (selectedHighlightId) => set({ selectedHighlightId }),
    setThumbnail: (id, state) =>
      set((s) => {
        const next: Record<string, ThumbnailState> = { ...s.thumbnails };
        delete next[id];
        next[id] = state;
        const ids = Object.keys(next);
        for (const old of ids.slice(0, Math.max(0, ids.length - MAX_THUMBNAILS))) delete next[old];
        return { thumbnails: next };
      }),
    setLexicon: (lexicon) => set({ lexicon }),
  };
};

const clipsSlice: Slice<ClipsSlice> = (set) => {
  const update = (f: (c: ClipsBySession) => ClipsBySession) =>
    set((s) => {
      const next = f(s.clips);
      return next === s.clips ? {} : { clips: next };
    });
  return {
    clips: {},
    previewClipId: null,
    rerenderHighlightId: null,
    beginClipsLoad: (sessionId) => update((c) => beginClipsLoad(c, sessionId)),
    endClipsLoad: (sessionId, result) => update((c) => endClipsLoad(c, sessionId, result)),
    upsertClip: (clip) => update((c) => upsertClip(c, clip)),
    setPreviewClip: (previewClipId) => set({ previewClipId }),
    setRerenderHighlight: (rerenderHighlightId) => set({ rerenderHighlightId }),
  };
};

/**
 * Clip ids a batch of items may replace (old → new): a stream item for a clip not held, whose
 * highlight has an item for another clip (a re-render; a generated video replaces nothing). Read before the upsert, which updates in place.
 */
function replacements(map: ReviewBySession, items: readonly ReviewItem[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const entry = map[item.clip.sessionId];
    if (!entry || entry.items.has(item.clip.id) || isGenerated(item)) continue;
    const old = entry.byHighlight.get(item.highlight.id);
    if (old !== undefined) out.set(old, item.clip.id);
  }
  return out;
}

/**
 * The cursor, the ticks and an open dialog point at clip ids; when a re-render replaced a
 * highlight's item with its new clip, they follow it. The usual event (an item already held)
 * replaces nothing and costs nothing here.
 */
function followRenders(
  s: AppState,
  next: ReviewBySession,
  candidates: ReadonlyMap<string, string>,
): Partial<Pick<ReviewSlice, 'reviewCursor' | 'reviewChecked' | 'reviewDialog'>> {
  if (candidates.size === 0) return {};
  const moved = (id: string): string | undefined => {
    const to = candidates.get(id);
    return to !== undefined && findItem(next, id) === null && findItem(next, to) ? to : undefined;
  };
  const out: Partial<Pick<ReviewSlice, 'reviewCursor' | 'reviewChecked' | 'reviewDialog'>> = {};
  const cursor = s.reviewCursor !== null ? moved(s.reviewCursor) : undefined;
  if (cursor !== undefined) out.reviewCursor = cursor;
  const dialogClip = s.reviewDialog ? moved(s.reviewDialog.clipId) : undefined;
  if (s.reviewDialog && dialogClip !== undefined) {
    out.reviewDialog = { ...s.reviewDialog, clipId: dialogClip };
  }
  if ([...candidates.keys()].some((id) => s.reviewChecked.has(id))) {
    out.reviewChecked = new Set([...s.reviewChecked].map((id) => moved(id) ?? id));
  }
  return out;
}

const reviewSlice: Slice<ReviewSlice> = (set) => {
  const update = (f: (r: ReviewBySession) => ReviewBySession) =>
    set((s) => {
      const next = f(s.review);
      return next === s.review ? {} : { review: next };
    });
  return {
    review: {},
    reviewFilter: DEFAULT_REVIEW_FILTER,
    reviewCursor: null,
    reviewChecked: new Set(),
    reviewDialog: null,
    prompts: {},
    promptTemplates: null,
    publishTargets: null,
    beginReviewLoad: (sessionId) => update((r) => beginReviewLoad(r, sessionId)),
    endReviewLoad: (sessionId, result) => update((r) => endReviewLoad(r, sessionId, result)),
    upsertReviewItems: (items) =>
      set((s) => {
        const candidates = replacements(s.review, items);
        const review = upsertItems(s.review, items);
        const pointers = followRenders(s, review, candidates);
        // The engine's prompt rides along with the item: keep the prompt pane in step.
        let prompts = s.prompts;
        for (const item of items) {
          const p = item.prompt;
          const known = p ? prompts[p.highlightId] : undefined;
          if (p && (!known || known.updatedAt <= p.updatedAt) && known !== p) {
            if (prompts === s.prompts) prompts = { ...s.prompts };
            (prompts as Record<string, HighlightPrompt>)[p.highlightId] = p;
          }
        }
        return {
          ...(review !== s.review ? { review } : {}),
          ...(prompts !== s.prompts ? { prompts } : {}),
          ...pointers,
        };
      }),
    patchReviewItem: (sessionId, clipId, change) =>
      update((r) => patchItem(r, sessionId, clipId, change)),
    applyReviewClip: (clip) => update((r) => applyReviewClip(r, clip)),
    applyReviewHighlight: (h) => update((r) => applyReviewHighlight(r, h)),
    applyPublication: (p) =>
      update((r) => applyReviewPublication(r, sessionOfClip(r, p.clipId), p)),
    setReviewFilter: (change) => set((s) => ({ reviewFilter: { ...s.reviewFilter, ...change } })),
    setReviewCursor: (reviewCursor) => set({ reviewCursor }),
    setReviewChecked: (reviewChecked) => set({ reviewChecked }),
    setReviewDialog: (reviewDialog) => set({ reviewDialog }),
    setPrompt: (prompt) =>
      set((s) => {
        const known = s.prompts[prompt.highlightId];
        if (known === prompt) return {};
        const next: Record<string, HighlightPrompt> = { ...s.prompts };
        delete next[prompt.highlightId];
        next[prompt.highlightId] = prompt;
        const ids = Object.keys(next);
        for (const old of ids.slice(0, Math.max(0, ids.length - MAX_PROMPTS))) delete next[old];
        return { prompts: next };
      }),
    setPromptTemplates: (promptTemplates) => set({ promptTemplates }),
    setPublishTargets: (publishTargets) => set({ publishTargets }),
  };
};

const monitorSlice: Slice<MonitorSlice> = (set) => ({
  monitorSamples: [],
  monitorRecords: { list: [], status: 'idle', error: null, sessionId: null },
  addMonitorSamples: (samples) =>
    set((s) => {
      const next = mergeSamples(s.monitorSamples, samples);
      return next === s.monitorSamples ? {} : { monitorSamples: next };
    }),
  setMonitorRecords: (monitorRecords) => set({ monitorRecords }),
});

const generationsSlice: Slice<GenerationsSlice> = (set) => {
  const update = (f: (g: GenerationsBySession) => GenerationsBySession) =>
    set((s) => {
      const next = f(s.generations);
      return next === s.generations ? {} : { generations: next };
    });
  return {
    generations: {},
    generationStatus: null,
    generationStatusError: null,
    generateHighlightId: null,
    beginGenerationsLoad: (sessionId) => update((g) => beginGenerationsLoad(g, sessionId)),
    endGenerationsLoad: (sessionId, result) =>
      update((g) => endGenerationsLoad(g, sessionId, result)),
    upsertGeneration: (generation) => update((g) => upsertGeneration(g, generation)),
    setGenerationStatus: (generationStatus) =>
      set({ generationStatus, generationStatusError: null }),
    setGenerationStatusError: (generationStatusError) => set({ generationStatusError }),
    setGenerateHighlight: (generateHighlightId) => set({ generateHighlightId }),
  };
};

const uiSlice =
  (systemLanguages: readonly string[]): Slice<UiSlice> =>
  (set) => {
    let nextSeekId = 1;
    return {
      helpOpen: false,
      systemLanguages,
      setHelpOpen: (helpOpen) => set({ helpOpen }),
      player: null,
      setPlayer: (player) => set({ player }),
      seekRequest: null,
      requestSeek: (sessionId, mediaTimeS) =>
        set({ seekRequest: { sessionId, mediaTimeS, id: nextSeekId++ } }),
      clearSeek: (id) => set((s) => (s.seekRequest?.id === id ? { seekRequest: null } : {})),
    };
  };

export interface StoreInit {
  transport: 'electron' | 'websocket';
  connection: ConnectionState;
  systemLanguages: readonly string[];
}

export function createAppStore(init: StoreInit): AppStore {
  return createStore<AppState>()((...a) => ({
    ...connectionSlice(init.transport, init.connection)(...a),
    ...settingsSlice(...a),
    ...appInfoSlice(...a),
    ...sessionsSlice(...a),
    ...noticesSlice(...a),
    ...ingestSlice(...a),
    ...storageSlice(...a),
    ...transcriptSlice(...a),
    ...speechSlice(...a),
    ...highlightsSlice(...a),
    ...clipsSlice(...a),
    ...reviewSlice(...a),
    ...monitorSlice(...a),
    ...generationsSlice(...a),
    ...uiSlice(init.systemLanguages)(...a),
  }));
}

/** Sessions, newest first. */
export function sortedSessions(sessions: Readonly<Record<string, Session>>): Session[] {
  return Object.values(sessions).sort(
    (a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id),
  );
}
