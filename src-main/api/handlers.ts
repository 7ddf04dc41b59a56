/** The handler map: the engine's implementation of every contract method. */
import { ApiError, type AppInfo, type SessionSource } from './contract';
import type { Handlers } from './dispatch';
import type { EventBus } from './events';
import type { IngestManager } from '../ingest/manager';
import type { Store } from '../store';

export interface HandlerDeps {
  store: Store;
  bus: EventBus;
  appInfo: () => AppInfo;
  ingest: IngestManager;
}

const NO_SOURCE: SessionSource = { kind: 'none', uri: null };

export function createHandlers({ store, bus, appInfo, ingest }: HandlerDeps): Handlers {
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
    'storage.usage': () => ingest.storageUsage(),
    'storage.prune': () => ingest.prune(),
  };
}
