/**
 * The link between the engine client and the UI state: events feed the slices, every (re)connect
 * reloads what may have changed while away, and user actions call the engine and report failures.
 */
import type { ErrorCode, Session, SettingChange } from '../contract';
import { toApiError } from '../api/decode';
import type { RendererClient } from '../api/types';
import type { MessageKey } from '../i18n/en';
import type { AppStore } from './store';

export interface EngineActions {
  /** Loads app info, settings and sessions (again); failures become notices. */
  refresh(): Promise<void>;
  /** Applies the change at once and persists it; reverts and reports on failure. */
  changeSetting(change: SettingChange): Promise<void>;
  /** Resolves to the created session, or to the reason it was not created (shown inline). */
  createSession(
    title: string,
  ): Promise<{ ok: true; session: Session } | { ok: false; message: string; code: ErrorCode }>;
  /** Stops listening to the client. */
  detach(): void;
}

export const SESSIONS_LIMIT = 200;

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

  const refresh = async (): Promise<void> => {
    await Promise.all([
      attempt('action.loadInfo', () => client.call('app.info', {}), state().setAppInfo),
      attempt('action.loadSettings', () => client.call('settings.get', {}), state().setSettings),
      attempt(
        'action.loadSessions',
        () => client.call('sessions.list', { limit: SESSIONS_LIMIT }),
        state().setSessions,
      ),
    ]);
  };

  const unsubscribers = [
    client.subscribe('session.upserted', (session) => state().upsertSession(session)),
    client.subscribe('settings.changed', (settings) => state().setSettings(settings)),
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

    detach() {
      for (const u of unsubscribers) u();
    },
  };
}
