/**
 * The engine: everything LiveSlice does, as plain Node. The Electron shell, the headless host
 * and the CLI each create one and put a transport in front of it.
 */
import { arch, platform } from 'node:os';
import { version } from '../package.json';
import type { UiLanguage } from './api/contract';
import type { Handlers } from './api/dispatch';
import { createEventBus, type EventBus } from './api/events';
import { createHandlers } from './api/handlers';
import { resolveFfmpeg } from './ffmpeg/resolve';
import type { Logger } from './log/logger';
import { openStore, type Store } from './store';

export const APP_NAME = 'LiveSlice';
export const APP_VERSION: string = version;

export interface EngineOptions {
  dataDir: string;
  logger: Logger;
  transport: 'electron' | 'websocket';
  /** The OS language, as the host sees it (Electron: app.getLocale(); CLI: the environment). */
  systemLanguage?: UiLanguage;
}

export interface Engine {
  readonly dataDir: string;
  readonly store: Store;
  readonly bus: EventBus;
  readonly handlers: Handlers;
  readonly logger: Logger;
  close(): void;
}

export function createEngine(opts: EngineOptions): Engine {
  const { dataDir, logger } = opts;
  const store = openStore(dataDir);
  const bus = createEventBus((err) =>
    logger.error('event listener failed', {
      error: err instanceof Error ? err.message : String(err),
    }),
  );
  const handlers = createHandlers({
    store,
    bus,
    appInfo: () => ({
      name: APP_NAME,
      version: APP_VERSION,
      transport: opts.transport,
      platform: `${platform()}-${arch()}`,
      dataDir,
      systemLanguage: opts.systemLanguage ?? languageFromLocale(envLocale(process.env)),
      ffmpeg: resolveFfmpeg({ configured: store.settings.getAll()['ffmpeg.path'] }),
    }),
  });
  logger.info('engine started', { dataDir, transport: opts.transport, version: APP_VERSION });
  let closed = false;
  return {
    dataDir,
    store,
    bus,
    handlers,
    logger,
    close() {
      if (closed) return;
      closed = true;
      store.close();
      logger.info('engine stopped');
    },
  };
}

/** zh, zh-CN, zh_TW.UTF-8, zh-Hans … → zh-CN; everything else → en. */
export function languageFromLocale(locale: string | undefined | null): UiLanguage {
  return locale && /^zh([-_.]|$)/i.test(locale.trim()) ? 'zh-CN' : 'en';
}

export function envLocale(env: NodeJS.ProcessEnv): string | undefined {
  for (const key of ['LC_ALL', 'LC_MESSAGES', 'LANG', 'LANGUAGE'] as const) {
    const v = env[key];
    if (v && v !== 'C' && v !== 'POSIX') return v;
  }
  return Intl.DateTimeFormat().resolvedOptions().locale;
}
