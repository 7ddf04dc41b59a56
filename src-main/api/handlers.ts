/** The handler map: the engine's implementation of every contract method. */
import {
  ApiError,
  type AppInfo,
  type CaptionStyle,
  type Clip,
  type OutputPreset,
  type Reframe,
  type SessionSource,
} from './contract';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { KeywordService } from '../asr/keyword-service';
import type { RecognizerService } from '../asr/recognizer-service';
import { parseChatUrl } from '../detect/inputs';
import type { DetectService } from '../detect/service';
import type { IngestManager } from '../ingest/manager';
import { listModels, importModelFrom, pullModelWithProgress } from '../models/api';
import type { Store } from '../store';
import { createReviewHandlers, type ReviewHandlerDeps } from './handlers.review';

/** The clip stage as the API sees it (src-main/clips/service.ts). */
export interface ClipsApi {
  list(sessionId: string): Clip[];
  render(
    highlightId: string,
    opts: { reframe?: Reframe; captionStyle?: CaptionStyle; output?: OutputPreset },
  ): Clip;
  cancel(id: string): Clip;
  reveal(id: string): { path: string; shown: boolean };
  /** The ready clip's absolute path (not_found while it has no file). */
  path(id: string): string;
}

export interface HandlerDeps {
  store: Store;
  bus: EventBus;
  appInfo: () => AppInfo;
  ingest: IngestManager;
  keywords: KeywordService;
  recognizer: RecognizerService;
  detect: DetectService;
  /** Absent while the clip stage cannot run (tests of other stages). */
  clips?: ClipsApi;
  /** The review, publish and monitoring stages (absent in tests of other stages). */
  review?: ReviewHandlerDeps['review'];
  publish?: ReviewHandlerDeps['publish'];
  monitor?: ReviewHandlerDeps['monitor'];
  generate?: ReviewHandlerDeps['generate'];
  dataDir: string;
}

const NO_SOURCE: SessionSource = { kind: 'none', uri: null };

export function createHandlers({
  store,
  bus,
  appInfo,
  ingest,
  keywords,
  recognizer,
  detect,
  clips,
  review,
  publish,
  monitor,
  generate,
  dataDir,
}: HandlerDeps): Handlers {
  const needClips = (): ClipsApi => {
    if (!clips) throw new ApiError('unavailable', 'Clip rendering is not running in this engine');
    return clips;
  };
  return {
    'app.info': () => appInfo(),
    'settings.get': () => store.settings.getAll(),
    'settings.set': (change) => {
      const all = store.settings.set(change);
      bus.emit('settings.changed', all);
      return all;
    },
    'sessions.list': ({ limit }) => store.sessions.list(limit ?? 100),
    'sessions.get': ({ id }) => {
      const s = store.sessions.get(id);
      if (!s) throw new ApiError('not_found', `No session with id ${id}`);
      return s;
    },
    'sessions.create': ({ title, source }) => {
      const s = store.sessions.create(title, source ?? NO_SOURCE);
      bus.emit('session.upserted', s);
      return s;
    },
    'sessions.rename': ({ id, title }) => {
      const s = store.sessions.rename(id, title);
      if (!s) throw new ApiError('not_found', `No session with id ${id}`);
      bus.emit('session.upserted', s);
      return s;
    },
    'ingest.endpoints': () => ingest.endpoints(),
    'ingest.rotateKey': () => ingest.rotateKey(),
    'ingest.start': async ({ title, source, transcript, chat }) => {
      let chatUrl: URL | null = null;
      if (chat !== undefined) {
        try {
          chatUrl = parseChatUrl(chat);
        } catch (err) {
          throw new ApiError('bad_request', `Chat feed: ${(err as Error).message}`);
        }
      }
      const session = await ingest.start({ title, source, transcript });
      if (chatUrl)
        detect.connectChat(session.id, chatUrl, () => ingest.status(session.id).mediaTimeS);
      return session;
    },
    'highlights.list': ({ sessionId }) => {
      if (!store.sessions.get(sessionId))
        throw new ApiError('not_found', `No session with id ${sessionId}`);
      return { highlights: store.highlights.list(sessionId) };
    },
    'highlights.mark': ({ sessionId, at, source, note }) =>
      detect.mark(sessionId, { at, source: source ?? 'api', note }),
    'highlights.review': ({ id, review }) => {
      const h = store.highlights.review(id, review);
      if (!h) throw new ApiError('not_found', `No highlight with id ${id}`);
      bus.emit('highlight.upserted', h);
      return h;
    },
    'highlights.nudge': ({ id, start, end }) => {
      const h = store.highlights.get(id);
      if (!h) throw new ApiError('not_found', `No highlight with id ${id}`);
      const duration = store.dvr.totals(h.sessionId).durationS;
      if (start >= duration)
        throw new ApiError(
          'bad_request',
          `The in point ${start.toFixed(1)} s is past the recorded media (${duration.toFixed(1)} s)`,
        );
      const moved = store.highlights.nudge(id, start, Math.min(end, Math.max(duration, h.end)))!;
      bus.emit('highlight.upserted', moved);
      return moved;
    },
    'highlights.thumbnail': async ({ id }) => ({ path: await detect.thumbnail(id) }),
    'lexicon.get': () => detect.lexicon(),
    'lexicon.set': ({ lexicon }) => detect.setLexicon(lexicon),
    'lexicon.reset': () => detect.resetLexicon(),
    'detect.presets': () => ({ presets: detect.presets() }),
    'clips.list': ({ sessionId }) => {
      if (!store.sessions.get(sessionId))
        throw new ApiError('not_found', `No session with id ${sessionId}`);
      return { clips: needClips().list(sessionId) };
    },
    'clips.render': ({ highlightId, reframe, captionStyle, output }) =>
      needClips().render(highlightId, {
        ...(reframe ? { reframe } : {}),
        ...(captionStyle ? { captionStyle } : {}),
        ...(output ? { output } : {}),
      }),
    'clips.cancel': ({ id }) => needClips().cancel(id),
    'clips.reveal': ({ id }) => needClips().reveal(id),
    'clips.drag': ({ id }, ctx) => {
      if (!ctx.startDrag)
        throw new ApiError('unavailable', 'Dragging a clip out needs the desktop app: download it');
      ctx.startDrag(needClips().path(id));
      return {};
    },
    'transcript.list': ({ sessionId, afterSeq, limit }) => {
      if (!store.sessions.get(sessionId))
        throw new ApiError('not_found', `No session with id ${sessionId}`);
      return { utterances: store.transcript.list(sessionId, afterSeq, limit) };
    },
    'ingest.stop': ({ sessionId }) => ingest.stop(sessionId),
    'ingest.status': ({ sessionId }) => ingest.status(sessionId),
    'sessions.media': ({ id }) => ingest.media(id),
    'sessions.loudness': ({ id, fromS, toS, maxPoints }) => ({
      frames: ingest.loudness(id, fromS, toS, maxPoints),
    }),
    'models.list': () => listModels(dataDir),
    'models.import': async ({ id, dir }) => {
      const list = await importModelFrom(dataDir, dir, id);
      await Promise.all([keywords.init(), recognizer.init()]);
      return list;
    },
    'models.pull': async ({ id, mirror }) => {
      const list = await pullModelWithProgress(dataDir, id, mirror, (p) =>
        bus.emit('models.progress', p),
      );
      await Promise.all([keywords.init(), recognizer.init()]);
      return list;
    },
    'asr.status': () => ({
      keywordSpotting: keywords.status(),
      recognizer: recognizer.status(),
    }),
    'storage.usage': () => ingest.storageUsage(),
    'storage.prune': () => ingest.prune(),
    ...createReviewHandlers({ store, review, publish, monitor, generate }),
  };
}
