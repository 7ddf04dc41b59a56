/**
 * The link between the engine client and the UI state: events feed the slices, every (re)connect
 * reloads what may have changed while away, and user actions call the engine and report failures.
 */
import type {
  ErrorCode,
  IngestEndpoints,
  IngestSourceInput,
  LoudnessFrame,
  ModelInfo,
  Session,
  SessionMedia,
  SettingChange,
  StorageUsage,
} from '../contract';
import { ApiError } from '../contract';
import { toApiError } from '../api/decode';
import type { RendererClient } from '../api/types';
import type { MessageKey } from '../i18n/en';
import type { AppStore } from './store';

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
  /** Stops listening to the client. */
  detach(): void;
}

export const SESSIONS_LIMIT = 200;
/** Utterances per transcript.list page. */
export const TRANSCRIPT_PAGE = 5000;

export function connectEngine(client: RendererClient, store: AppStore): EngineActions {
  const state = () => store.getState();

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

  const transcriptLoads = new Map<string, Promise<void>>();
  const loadTranscript = (sessionId: string): Promise<void> => {
    const running = transcriptLoads.get(sessionId);
    if (running) return running;
    const run = async () => {
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
    };
    const p = run().finally(() => transcriptLoads.delete(sessionId));
    transcriptLoads.set(sessionId, p);
    return p;
  };

  const unsubscribers = [
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

    detach() {
      for (const u of unsubscribers) u();
    },
  };
}
