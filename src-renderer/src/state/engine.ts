/**
 * The link between the engine client and the UI state: events feed the slices, every (re)connect
 * reloads what may have changed while away, and user actions call the engine and report failures.
 */
import { singleFlight } from './singleFlight';
import type {
  CaptionStyle,
  Clip,
  DetectSettings,
  ErrorCode,
  Highlight,
  IngestEndpoints,
  IngestSourceInput,
  Lexicon,
  LoudnessFrame,
  MethodOutput,
  ModelInfo,
  OutputPreset,
  Reframe,
  Session,
  SessionMedia,
  SettingChange,
  Settings,
  StorageUsage,
} from '../contract';
import { ApiError } from '../contract';
import { toApiError } from '../api/decode';
import type { RendererClient } from '../api/types';
import type { MessageKey } from '../i18n/en';
import { formatDuration } from '../live/format';
import { connectGeneration, type GenerationActions } from './generationEngine';
import { nudgedWindow, type NudgeEdge } from './highlights';
import { connectReview, type Notifier, type ReviewActions } from './reviewEngine';
import type { AppStore, LexiconState } from './store';

/** An action's outcome for inline display: the value, or the engine's reason. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string; code: ErrorCode };

export interface EngineActions {
  /** Loads app info, settings and sessions (again); failures become notices. */
  refresh(): Promise<void>;
  /** Applies the change at once and persists it; reverts and reports on failure. */
  changeSetting(change: SettingChange): Promise<void>;
  /** Resolves to the created session, or to the reason it was not created (shown inline). */
  createSession(
    title: string,
  ): Promise<{ ok: true; session: Session } | { ok: false; message: string; code: ErrorCode }>;
  /** Loads the RTMP/SRT endpoints; a failure is kept in the state and shown in place. */
  loadEndpoints(): Promise<void>;
  /** A new stream key and passphrase (the old ones stop working at once). */
  rotateKey(): Promise<Outcome<IngestEndpoints>>;
  /**
   * Creates a session for the source, starts ingesting and selects it; `transcript` is a timed-text
   * file (.vtt / .srt) on the engine's machine whose cues become the transcript.
   */
  startIngest(
    source: IngestSourceInput,
    title?: string,
    transcript?: string,
  ): Promise<Outcome<Session>>;
  /**
   * Loads a session's transcript (page by page, from the last seq already held); the
   * transcript.utterance events keep it current afterwards. Concurrent calls share one load.
   */
  loadTranscript(sessionId: string): Promise<void>;
  /** Stops a session's ingest; a failure becomes a notice. */
  stopIngest(sessionId: string): Promise<void>;
  /** Asks for a session's current ingest status (the events keep it current afterwards). */
  loadIngestStatus(sessionId: string): Promise<void>;
  /** Loads a session's recorded media (playlist, duration, markers) into the state. */
  loadMedia(sessionId: string): Promise<Outcome<SessionMedia>>;
  /** Loudness frames for a media-time range (not stored: the waveform keeps what it draws). */
  loadLoudness(
    sessionId: string,
    range: { fromS?: number; toS?: number; maxPoints?: number },
  ): Promise<Outcome<LoudnessFrame[]>>;
  /** Disk use of the DVR; a failure is kept in the state and shown in place. */
  loadStorage(): Promise<void>;
  /** Applies the retention policy now. */
  pruneStorage(): Promise<Outcome<StorageUsage>>;
  /** The model list; a failure is kept in the state and shown in place. */
  loadModels(): Promise<void>;
  /** What the speech stages can do now; a failure is kept in the state and shown in place. */
  loadAsrStatus(): Promise<void>;
  /**
   * Downloads a model (long-running; progress arrives as models.progress). The pull's state and
   * failure are kept per model in the state; on success the list and the ASR status are read again.
   */
  pullModel(id: string, mirror: 'global' | 'cn'): Promise<Outcome<ModelInfo[]>>;
  /** Installs a model from a directory on the engine's machine; then reads the ASR status again. */
  importModel(id: string | null, dir: string): Promise<Outcome<ModelInfo[]>>;
  /**
   * Loads a session's highlights; the highlight.upserted events keep them current afterwards.
   * Concurrent calls share one load.
   */
  loadHighlights(sessionId: string): Promise<void>;
  /** The operator's decision ('new' undoes it); a failure becomes a notice. */
  reviewHighlight(id: string, review: Highlight['review']): Promise<Outcome<Highlight>>;
  /**
   * Moves one edge of a highlight by delta seconds. Shown at once; presses made while one is on
   * its way add up. A refusal puts the window back and becomes a notice.
   */
  nudgeHighlight(id: string, edge: NudgeEdge, delta: number): Promise<void>;
  /**
   * "Clip that!": marks the live moment of the session given (the button under a player), else of
   * the selected session when it is live, else of the newest live one (the M key). The result or
   * the reason (e.g. the session is not live) is shown as a notice.
   */
  mark(source: 'button' | 'hotkey', sessionId?: string): Promise<Outcome<Highlight>>;
  /** Asks for a highlight's still once (again when a provisional one had none). */
  loadThumbnail(h: Highlight): void;
  /** The trigger lexicon in use. */
  loadLexicon(): Promise<Outcome<LexiconState>>;
  /** Replaces the lexicon; the engine's refusal names the bad entry. */
  saveLexicon(lexicon: Lexicon): Promise<Outcome<LexiconState>>;
  /** Back to the built-in lexicon. */
  resetLexicon(): Promise<Outcome<LexiconState>>;
  /** The detection presets (e-commerce, gaming, talk show). */
  loadDetectPresets(): Promise<Outcome<Array<{ name: string; settings: DetectSettings }>>>;
  /** Saves the detection settings; the engine's validation error comes back (not a notice). */
  saveDetectSettings(value: DetectSettings): Promise<Outcome<Settings>>;
  /**
   * Saves several settings in order, stopping at the first refusal (returned, not a notice, with
   * the key it was about).
   */
  saveSettings(changes: readonly SettingChange[]): Promise<Outcome<Settings> & { key?: string }>;
  /**
   * Loads a session's clips (every render of every highlight); the clip.upserted events keep them
   * current afterwards. Concurrent calls share one load.
   */
  loadClips(sessionId: string): Promise<void>;
  /**
   * Renders a highlight's clip (again), with the settings' defaults for what is not given. The new
   * render is shown at once; a refusal becomes a notice ('notice') or is only returned ('inline').
   */
  renderClip(
    highlightId: string,
    options: ClipOptions,
    report: 'notice' | 'inline',
  ): Promise<Outcome<Clip>>;
  /** Stops a queued or running render; a refusal becomes a notice. */
  cancelClip(id: string): Promise<Outcome<Clip>>;
  /** Shows the clip in the file manager (desktop) or just answers its path (browser). */
  revealClip(id: string): Promise<Outcome<{ path: string; shown: boolean }>>;
  /** Starts dragging the clip's file out of the window (desktop only; 'unavailable' otherwise). */
  dragClip(id: string): Promise<Outcome<MethodOutput<'clips.drag'>>>;
  /** The review queue, prompts, safety, publishing and monitoring (reviewEngine.ts). */
  review: ReviewActions;
  /** Text-to-video generations and the generation worker (generationEngine.ts). */
  generate: GenerationActions;
  /** Stops listening to the client. */
  detach(): void;
}

/** What a (re-)render may change; the rest comes from the clip settings. */
export interface ClipOptions {
  reframe?: Reframe;
  captionStyle?: CaptionStyle;
  output?: OutputPreset;
}

export const SESSIONS_LIMIT = 200;
/** Utterances per transcript.list page. */
export const TRANSCRIPT_PAGE = 5000;

export function connectEngine(
  client: RendererClient,
  store: AppStore,
  notifier?: Notifier,
): EngineActions {
  const state = () => store.getState();
  const review = connectReview(client, store, notifier);
  const generate = connectGeneration(client, store);

  const reportFailure = (action: MessageKey, err: unknown): void => {
    const e = toApiError(err);
    state().pushNotice({
      kind: 'error',
      action,
      message: e.message,
      messageKey: null,
      params: {},
      code: e.code,
    });
  };

  const attempt = async <T>(action: MessageKey, run: () => Promise<T>, apply: (v: T) => void) => {
    try {
      apply(await run());
    } catch (err) {
      reportFailure(action, err);
    }
  };

  const outcome = async <T>(run: () => Promise<T>): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await run() };
    } catch (err) {
      const e = toApiError(err);
      return { ok: false, message: e.message, code: e.code };
    }
  };

  const loadEndpoints = async (): Promise<void> => {
    const r = await outcome(() => client.call('ingest.endpoints', {}));
    if (r.ok) state().setEndpoints(r.value);
    else state().setEndpointsError({ message: r.message, code: r.code });
  };

  const loadStorage = async (): Promise<void> => {
    const r = await outcome(() => client.call('storage.usage', {}));
    if (r.ok) state().setStorage(r.value);
    else state().setStorageError({ message: r.message, code: r.code });
  };

  const loadModels = async (): Promise<void> => {
    const r = await outcome(() => client.call('models.list', {}));
    if (r.ok) state().setModels(r.value);
    else state().setModelsError({ message: r.message, code: r.code });
  };

  const loadAsrStatus = async (): Promise<void> => {
    const r = await outcome(() => client.call('asr.status', {}));
    if (r.ok) state().setAsrStatus(r.value);
    else state().setAsrStatusError({ message: r.message, code: r.code });
  };

  const refresh = async (): Promise<void> => {
    await Promise.all([
      attempt('action.loadInfo', () => client.call('app.info', {}), state().setAppInfo),
      attempt('action.loadSettings', () => client.call('settings.get', {}), state().setSettings),
      attempt(
        'action.loadSessions',
        () => client.call('sessions.list', { limit: SESSIONS_LIMIT }),
        state().setSessions,
      ),
      loadEndpoints(),
      loadStorage(),
      loadModels(),
      loadAsrStatus(),
    ]);
  };

  const loadTranscript = singleFlight(async (sessionId: string): Promise<void> => {
    state().beginTranscriptLoad(sessionId);
    for (;;) {
      const list = state().transcripts[sessionId]?.utterances ?? [];
      const afterSeq = list.length > 0 ? (list[list.length - 1]?.seq ?? -1) : -1;
      const r = await outcome(() =>
        client.call('transcript.list', { sessionId, afterSeq, limit: TRANSCRIPT_PAGE }),
      );
      if (!r.ok) {
        state().endTranscriptLoad(sessionId, { message: r.message, code: r.code });
        return;
      }
      state().addUtterances(sessionId, r.value.utterances);
      if (r.value.utterances.length < TRANSCRIPT_PAGE) break;
    }
    state().endTranscriptLoad(sessionId, null);
  });

  const loadHighlights = singleFlight(async (sessionId: string): Promise<void> => {
    state().beginHighlightsLoad(sessionId);
    const r = await outcome(() => client.call('highlights.list', { sessionId }));
    state().endHighlightsLoad(
      sessionId,
      r.ok ? { highlights: r.value.highlights } : { message: r.message, code: r.code },
    );
  });

  const loadClips = singleFlight(async (sessionId: string): Promise<void> => {
    state().beginClipsLoad(sessionId);
    const r = await outcome(() => client.call('clips.list', { sessionId }));
    state().endClipsLoad(
      sessionId,
      r.ok ? { clips: r.value.clips } : { message: r.message, code: r.code },
    );
  });

  const findHighlight = (id: string): Highlight | null => {
    for (const s of Object.values(state().highlights)) {
      const h = s.list.find((x) => x.id === id);
      if (h) return h;
    }
    return null;
  };

  /** Nudges on their way, per highlight: the window the last press asked for. */
  const pendingNudges = new Map<string, { start: number; end: number }>();

  const thumbnailCalls = new Set<string>();

  const unsubscribers = [
    client.subscribe('highlight.upserted', (h) => {
      // A nudge on its way is shown until its own answer arrives.
      const pending = pendingNudges.get(h.id);
      state().upsertHighlight(pending ? { ...h, ...pending } : h);
    }),
    client.subscribe('lexicon.changed', (l) => state().setLexicon(l)),
    client.subscribe('clip.upserted', (c) => state().upsertClip(c)),
    client.subscribe('session.upserted', (session) => {
      const before = state().sessions[session.id];
      state().upsertSession(session);
      // A session that just ended has its final size: read disk use again.
      if (session.status === 'ended' && before !== undefined && before.status !== 'ended') {
        void loadStorage();
      }
    }),
    client.subscribe('settings.changed', (settings) => state().setSettings(settings)),
    client.subscribe('ingest.status', (status) => state().applyIngestStatus(status)),
    client.subscribe('ingest.loudness', (batch) =>
      state().appendLoudness(batch.sessionId, batch.frames),
    ),
    client.subscribe('session.marker', (marker) => state().addMarkers(marker.sessionId, [marker])),
    client.subscribe('transcript.utterance', (u) => state().addUtterances(u.sessionId, [u])),
    client.subscribe('transcript.partial', (p) =>
      state().setPartial(p.sessionId, { start: p.start, text: p.text }),
    ),
    client.subscribe('models.progress', (p) => state().applyModelProgress(p)),
    client.subscribe('asr.keyword', (hit) => state().addKeyword(hit)),
    client.onStateChange((connection) => {
      state().setConnection(connection);
      if (connection === 'connected') void refresh();
    }),
  ];
  state().setConnection(client.getState());
  if (client.getState() === 'connected') void refresh();

  return {
    refresh,

    async changeSetting(change) {
      const before = state().settings;
      if (before) state().setSettings({ ...before, [change.key]: change.value });
      try {
        state().setSettings(await client.call('settings.set', change));
      } catch (err) {
        if (before) state().setSettings(before);
        reportFailure('action.saveSetting', err);
      }
    },

    async createSession(title) {
      try {
        const session = await client.call('sessions.create', { title });
        state().upsertSession(session);
        state().selectSession(session.id);
        state().pushNotice({
          kind: 'info',
          action: null,
          message: '',
          messageKey: 'sessions.created',
          params: { title: session.title },
          code: null,
        });
        return { ok: true, session };
      } catch (err) {
        const e = toApiError(err);
        return { ok: false, message: e.message, code: e.code };
      }
    },

    loadEndpoints,

    async rotateKey() {
      const r = await outcome(() => client.call('ingest.rotateKey', {}));
      if (r.ok) state().setEndpoints(r.value);
      return r;
    },

    async startIngest(source, title, transcript) {
      const trimmed = title?.trim();
      const path = transcript?.trim();
      const r = await outcome(() =>
        client.call('ingest.start', {
          source,
          ...(trimmed ? { title: trimmed } : {}),
          ...(path ? { transcript: path } : {}),
        }),
      );
      if (r.ok) {
        state().upsertSession(r.value);
        state().selectSession(r.value.id);
      }
      return r;
    },

    async stopIngest(sessionId) {
      const r = await outcome(() => client.call('ingest.stop', { sessionId }));
      if (r.ok) {
        state().upsertSession(r.value);
        void loadStorage();
      } else {
        reportFailure('action.stopIngest', new ApiError(r.code, r.message));
      }
    },

    async loadIngestStatus(sessionId) {
      const r = await outcome(() => client.call('ingest.status', { sessionId }));
      if (r.ok) state().applyIngestStatus(r.value);
    },

    async loadMedia(sessionId) {
      const r = await outcome(() => client.call('sessions.media', { id: sessionId }));
      if (r.ok) state().setMedia(r.value);
      return r;
    },

    async loadLoudness(sessionId, range) {
      const r = await outcome(() => client.call('sessions.loudness', { id: sessionId, ...range }));
      return r.ok ? { ok: true, value: r.value.frames } : r;
    },

    loadTranscript,

    loadStorage,

    async pruneStorage() {
      const r = await outcome(() => client.call('storage.prune', {}));
      if (r.ok) state().setStorage(r.value);
      return r;
    },

    loadModels,

    loadAsrStatus,

    async pullModel(id, mirror) {
      if (state().pulls[id]?.running) {
        return { ok: false, message: `${id} is already downloading`, code: 'bad_request' };
      }
      state().beginPull(id);
      const r = await outcome(() => client.call('models.pull', { id, mirror }));
      state().endPull(id, r.ok ? null : r.message);
      if (r.ok) {
        state().setModels(r.value);
        await loadAsrStatus();
      }
      return r;
    },

    async importModel(id, dir) {
      const path = dir.trim();
      const r = await outcome(() =>
        client.call('models.import', { dir: path, ...(id !== null ? { id } : {}) }),
      );
      if (r.ok) {
        state().setModels(r.value);
        await loadAsrStatus();
      }
      return r;
    },

    loadHighlights,

    async reviewHighlight(id, review) {
      const r = await outcome(() => client.call('highlights.review', { id, review }));
      if (r.ok) state().upsertHighlight(r.value);
      else reportFailure('action.reviewHighlight', new ApiError(r.code, r.message));
      return r;
    },

    async nudgeHighlight(id, edge, delta) {
      const held = findHighlight(id);
      if (!held) return;
      const base = pendingNudges.get(id) ?? { start: held.start, end: held.end };
      const target = nudgedWindow(base, edge, delta);
      if (!target) return;
      pendingNudges.set(id, target);
      state().upsertHighlight({ ...held, ...target });
      const r = await outcome(() => client.call('highlights.nudge', { id, ...target }));
      const latest = pendingNudges.get(id);
      const last =
        latest !== undefined && latest.start === target.start && latest.end === target.end;
      if (last) pendingNudges.delete(id);
      if (r.ok) {
        if (last) state().upsertHighlight(r.value);
        return;
      }
      if (last) {
        // Put back what the engine holds (its copy may be newer than the one nudged).
        const now = findHighlight(id);
        state().upsertHighlight({ ...(now ?? held), start: held.start, end: held.end });
        void loadHighlights(held.sessionId);
      }
      reportFailure('action.nudgeHighlight', new ApiError(r.code, r.message));
    },

    async mark(source, sessionId) {
      const s = state();
      const selected = s.selectedSessionId !== null ? s.sessions[s.selectedSessionId] : undefined;
      const live = Object.values(s.sessions)
        .filter((x) => x.status === 'live')
        .sort((a, b) => b.createdAt - a.createdAt)[0];
      const target =
        sessionId !== undefined
          ? s.sessions[sessionId]
          : selected?.status === 'live'
            ? selected
            : (live ?? selected);
      if (!target) {
        s.pushNotice({
          kind: 'error',
          action: null,
          message: '',
          messageKey: 'mark.noSession',
          params: {},
          code: null,
        });
        return { ok: false, message: 'No session to mark', code: 'bad_request' };
      }
      const r = await outcome(() =>
        client.call('highlights.mark', { sessionId: target.id, source }),
      );
      if (r.ok) {
        state().upsertHighlight(r.value);
        state().pushNotice({
          kind: 'info',
          action: null,
          message: '',
          messageKey: 'mark.done',
          params: {
            time: formatDuration(r.value.start),
            end: formatDuration(r.value.end),
            title: target.title,
          },
          code: null,
        });
      } else {
        reportFailure('action.mark', new ApiError(r.code, r.message));
      }
      return r;
    },

    loadThumbnail(h) {
      const known = state().thumbnails[h.id];
      if (thumbnailCalls.has(h.id)) return;
      if (known && (known.status !== 'none' || known.forState === h.state)) return;
      thumbnailCalls.add(h.id);
      state().setThumbnail(h.id, { status: 'loading', path: null, forState: h.state });
      void outcome(() => client.call('highlights.thumbnail', { id: h.id })).then((r) => {
        thumbnailCalls.delete(h.id);
        const path = r.ok ? r.value.path : null;
        state().setThumbnail(h.id, {
          status: path !== null ? 'ready' : 'none',
          path,
          forState: h.state,
        });
      });
    },

    async loadLexicon() {
      const r = await outcome(() => client.call('lexicon.get', {}));
      if (r.ok) state().setLexicon(r.value);
      return r;
    },

    async saveLexicon(lexicon) {
      const r = await outcome(() => client.call('lexicon.set', { lexicon }));
      if (r.ok) state().setLexicon(r.value);
      return r;
    },

    async resetLexicon() {
      const r = await outcome(() => client.call('lexicon.reset', {}));
      if (r.ok) state().setLexicon(r.value);
      return r;
    },

    async loadDetectPresets() {
      const r = await outcome(() => client.call('detect.presets', {}));
      return r.ok ? { ok: true, value: r.value.presets } : r;
    },

    async saveDetectSettings(value) {
      const r = await outcome(() => client.call('settings.set', { key: 'detect.settings', value }));
      if (r.ok) state().setSettings(r.value);
      return r;
    },

    async saveSettings(changes) {
      let last: Settings | null = null;
      for (const change of changes) {
        const r = await outcome(() => client.call('settings.set', change));
        if (!r.ok) {
          if (last) state().setSettings(last);
          return { ...r, key: change.key };
        }
        last = r.value;
      }
      if (last) state().setSettings(last);
      else if (state().settings === null) {
        return { ok: false, message: 'No settings to save', code: 'bad_request' };
      }
      return { ok: true, value: last ?? state().settings! };
    },

    loadClips,

    async renderClip(highlightId, options, report) {
      const r = await outcome(() =>
        client.call('clips.render', {
          highlightId,
          ...(options.reframe ? { reframe: options.reframe } : {}),
          ...(options.captionStyle ? { captionStyle: options.captionStyle } : {}),
          ...(options.output ? { output: options.output } : {}),
        }),
      );
      if (r.ok) state().upsertClip(r.value);
      else if (report === 'notice')
        reportFailure('action.renderClip', new ApiError(r.code, r.message));
      return r;
    },

    async cancelClip(id) {
      const r = await outcome(() => client.call('clips.cancel', { id }));
      if (r.ok) state().upsertClip(r.value);
      else reportFailure('action.cancelClip', new ApiError(r.code, r.message));
      return r;
    },

    async revealClip(id) {
      return outcome(() => client.call('clips.reveal', { id }));
    },

    async dragClip(id) {
      return outcome(() => client.call('clips.drag', { id }));
    },

    review,

    generate,

    detach() {
      for (const u of unsubscribers) u();
      review.detach();
      generate.detach();
    },
  };
}
