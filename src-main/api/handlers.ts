/** The handler map: the engine's implementation of every contract method. */
import { ApiError, type AppInfo, type SessionSource } from './contract';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { KeywordService } from '../asr/keyword-service';
import type { IngestManager } from '../ingest/manager';
import { listModels, importModelFrom, pullModelWithProgress } from '../models/api';
import type { Store } from '../store';

export interface HandlerDeps {
  store: Store;
  bus: EventBus;
  appInfo: () => AppInfo;
  ingest: IngestManager;
  keywords: KeywordService;
  dataDir: string;
}

const NO_SOURCE: SessionSource = { kind: 'none', uri: null };

export function createHandlers({
  store,
  bus,
  appInfo,
  ingest,
  keywords,
  dataDir,
}: HandlerDeps): Handlers {
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
    'ingest.start': ({ title, source, transcript }) => ingest.start({ title, source, transcript }),
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
      await keywords.init();
      return list;
    },
    'models.pull': async ({ id, mirror }) => {
      const list = await pullModelWithProgress(dataDir, id, mirror, (p) =>
        bus.emit('models.progress', p),
      );
      await keywords.init();
      return list;
    },
    'asr.status': () => ({
      keywordSpotting: keywords.status(),
      recognizer: {
        enabled: false,
        reason:
          'Full speech recognition (streaming zipformer, SenseVoice) is not built into this version yet',
      },
    }),
    'storage.usage': () => ingest.storageUsage(),
    'storage.prune': () => ingest.prune(),
  };
}
