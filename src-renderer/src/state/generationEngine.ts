/**
 * The text-to-video side of the engine link: generation.upserted feeds the generations slice,
 * the worker's status is read again when a job changes stage (not on every step), and the
 * operator starts and cancels jobs. Per-session lists load when a session is shown (the
 * component asks again on a reconnect, as for clips).
 */
import { singleFlight } from './singleFlight';
import type { Generation, MethodInput, Settings } from '../contract';
import { toApiError } from '../api/decode';
import type { RendererClient } from '../api/types';
import type { Outcome } from './engine';
import { changesWorker, findGeneration } from './generations';
import type { AppStore } from './store';

export interface GenerationActions {
  /**
   * Loads a session's generations; generation.upserted keeps them current afterwards. Concurrent
   * calls share one load.
   */
  loadGenerations(sessionId: string): Promise<void>;
  /** Queues a generation; the new job is shown at once. A refusal is returned (shown inline). */
  start(input: MethodInput<'generate.start'>): Promise<Outcome<Generation>>;
  /** Stops a queued or running generation; a refusal becomes a notice. */
  cancel(id: string): Promise<Outcome<Generation>>;
  /**
   * The worker and the installed models; a failure is kept in the state and shown in place.
   * Calls made while one is on its way run once more after it (the last answer is current).
   */
  loadStatus(): Promise<void>;
  detach(): void;
}

const GENERATE_SETTINGS = ['generate.provider', 'generate.idleUnloadS', 'generate.model'] as const;

export function connectGeneration(client: RendererClient, store: AppStore): GenerationActions {
  const state = () => store.getState();

  const outcome = async <T>(run: () => Promise<T>): Promise<Outcome<T>> => {
    try {
      return { ok: true, value: await run() };
    } catch (err) {
      const e = toApiError(err);
      return { ok: false, message: e.message, code: e.code };
    }
  };

  let statusRun: Promise<void> | null = null;
  let statusAgain = false;
  const loadStatus = (): Promise<void> => {
    if (statusRun) {
      statusAgain = true;
      return statusRun;
    }
    const run = async () => {
      do {
        statusAgain = false;
        const r = await outcome(() => client.call('generate.status', {}));
        if (r.ok) state().setGenerationStatus(r.value);
        else state().setGenerationStatusError({ message: r.message, code: r.code });
      } while (statusAgain);
    };
    statusRun = run().finally(() => {
      statusRun = null;
    });
    return statusRun;
  };

  /** Applies a generation; reads the worker's status again when the job changed stage. */
  const apply = (g: Generation) => {
    const known = findGeneration(state().generations, g.id);
    state().upsertGeneration(g);
    const status = state().generationStatus;
    if (status !== null && changesWorker(known, g)) void loadStatus();
  };

  const loadGenerations = singleFlight(async (sessionId: string): Promise<void> => {
    state().beginGenerationsLoad(sessionId);
    const r = await outcome(() => client.call('generate.list', { sessionId }));
    state().endGenerationsLoad(
      sessionId,
      r.ok ? { generations: r.value.generations } : { message: r.message, code: r.code },
    );
  });

  let lastSettings: Settings | null = state().settings;
  const onSettings = (settings: Settings) => {
    const before = lastSettings;
    lastSettings = settings;
    // The provider, the model and the idle unload are the worker's: its status shows them.
    const changed = before === null || GENERATE_SETTINGS.some((k) => before[k] !== settings[k]);
    if (changed && state().generationStatus !== null) void loadStatus();
  };

  const unsubscribers = [
    client.subscribe('generation.upserted', apply),
    client.subscribe('settings.changed', onSettings),
    client.onStateChange((connection) => {
      if (connection === 'connected' && state().generationStatus !== null) void loadStatus();
    }),
  ];

  return {
    loadGenerations,

    async start(input) {
      const r = await outcome(() => client.call('generate.start', input));
      if (r.ok) apply(r.value);
      return r;
    },

    async cancel(id) {
      const r = await outcome(() => client.call('generate.cancel', { id }));
      if (r.ok) apply(r.value);
      else {
        state().pushNotice({
          kind: 'error',
          action: 'action.cancelGeneration',
          message: r.message,
          messageKey: null,
          params: {},
          code: r.code,
        });
      }
      return r;
    },

    loadStatus,

    detach() {
      for (const u of unsubscribers) u();
    },
  };
}
