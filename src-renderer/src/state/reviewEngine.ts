/**
 * The review, prompt, publishing and monitoring side of the engine link: their events feed the
 * slices, a reconnect reloads what was open, and the operator's actions call the engine. Decisions
 * are shown at once and stay shown while the engine's answer is on its way (an event sent before
 * the engine saw the decision must not flip it back).
 */
import { singleFlight } from './singleFlight';
import type {
  CaptionCue,
  Clip,
  ErrorCode,
  HighlightPrompt,
  MethodInput,
  MethodName,
  MethodOutput,
  PromptTemplate,
  PublishTarget,
  PublishTargetView,
  ReviewDecision,
  ReviewItem,
} from '../contract';
import { toApiError } from '../api/decode';
import type { RendererClient } from '../api/types';
import type { MessageKey } from '../i18n/en';
import { resolveLanguage, translator } from '../i18n/language';
import type { Outcome } from './engine';
import { findItem, withDecision } from './review';
import type { AppStore } from './store';

/** The system notification, behind a seam (tests and browsers without the API). */
export interface Notifier {
  /** 'unsupported' where the Web Notification API is missing. */
  permission(): NotificationPermission | 'unsupported';
  /** Must run from a user gesture (a click on the "notify me" toggle). */
  request(): Promise<NotificationPermission | 'unsupported'>;
  show(title: string, body: string): void;
}

/** The Web Notification API (Electron's renderer and browsers). */
export const browserNotifier: Notifier = {
  permission: () => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission),
  request: async () =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.requestPermission(),
  show: (title, body) => {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    // One notification at a time: a new batch replaces the previous one.
    new Notification(title, { body, tag: 'liveslice-review-ready' });
  },
};

/** Review queue entries asked for per session (the engine's maximum). */
export const REVIEW_LIMIT = 5000;
/** Monitor records read at most. */
export const RECORDS_LIMIT = 2000;

export interface ReviewActions {
  /** Loads a session's queue; review.upserted keeps it current. Concurrent calls share one load. */
  loadReview(sessionId: string): Promise<void>;
  /**
   * Approves, rejects or resets clips (shown at once). Clips the engine refuses (e.g. flagged
   * without an override) go back and are returned with the reason.
   */
  decide(
    clipIds: readonly string[],
    decision: ReviewDecision,
  ): Promise<Outcome<{ refused: Array<{ clipId: string; reason: string }> }>>;
  /** Records the operator's override of a flagged clip, then approves it. */
  approveWithOverride(clipId: string, reason: string): Promise<Outcome<ReviewItem>>;
  /** Reverts the session's last decision. */
  undo(sessionId: string): Promise<Outcome<ReviewItem[]>>;
  loadCaptions(clipId: string): Promise<Outcome<CaptionCue[]>>;
  /** Corrects caption text and re-renders (the new render arrives as events). */
  saveCaptions(
    clipId: string,
    edits: ReadonlyArray<{ index: number; text: string }>,
  ): Promise<Outcome<Clip>>;
  /** Picks the cover frame, seconds into the clip. */
  setCover(clipId: string, at: number): Promise<Outcome<ReviewItem>>;
  loadPrompt(highlightId: string): Promise<Outcome<HighlightPrompt>>;
  /** Saves a highlight's prompt choices (optionally re-rendering its clip). */
  savePrompt(
    input: MethodInput<'prompts.set'>,
  ): Promise<Outcome<{ prompt: HighlightPrompt; clip: Clip | null }>>;
  /** Fills text with a highlight's values (the live preview). */
  previewPrompt(
    highlightId: string,
    text: string,
  ): Promise<Outcome<{ text: string; error: string | null }>>;
  loadTemplates(): Promise<Outcome<PromptTemplate[]>>;
  /** Stores the answer of a call that returns the library (save, import). */
  adoptTemplates(templates: readonly PromptTemplate[]): void;
  loadTargets(): Promise<Outcome<PublishTargetView[]>>;
  /** secret: a new one; null removes it; undefined keeps the stored one. */
  saveTarget(
    target: PublishTarget,
    secret: string | null | undefined,
  ): Promise<Outcome<PublishTargetView[]>>;
  deleteTarget(id: string): Promise<Outcome<PublishTargetView[]>>;
  retryPublication(clipId: string, targetId: string): Promise<Outcome<void>>;
  /** The last ten minutes of pulses (the monitor.sample events add to them). */
  loadSamples(): Promise<void>;
  /** The per-clip records (of one session, or all), into the state. */
  loadRecords(sessionId: string | null): Promise<void>;
  /** Asks for the system notification permission (call from a click). */
  requestNotifications(): Promise<NotificationPermission | 'unsupported'>;
  notificationPermission(): NotificationPermission | 'unsupported';
  /** Any other call, typed, as an outcome (the dialogs' load / save / test buttons). */
  request<M extends MethodName>(
    method: M,
    input: MethodInput<M>,
  ): Promise<Outcome<MethodOutput<M>>>;
  detach(): void;
}

export function connectReview(
  client: RendererClient,
  store: AppStore,
  notifier: Notifier = browserNotifier,
): ReviewActions {
  const state = () => store.getState();

  const request = async <M extends MethodName>(
    method: M,
    input: MethodInput<M>,
  ): Promise<Outcome<MethodOutput<M>>> => {
    try {
      return { ok: true, value: await client.call(method, input) };
    } catch (err) {
      const e = toApiError(err);
      return { ok: false, message: e.message, code: e.code };
    }
  };

  const notice = (
    kind: 'error' | 'info',
    messageKey: MessageKey,
    params: Readonly<Record<string, string>> = {},
  ) => state().pushNotice({ kind, action: null, message: '', messageKey, params, code: null });

  const reportFailure = (action: MessageKey, r: { message: string; code: ErrorCode }) =>
    state().pushNotice({
      kind: 'error',
      action,
      message: r.message,
      messageKey: null,
      params: {},
      code: r.code,
    });

  /** Decisions on their way, per clip: what the last press asked for. */
  const pendingDecisions = new Map<string, { decision: ReviewDecision; seq: number }>();
  let decisionSeq = 0;

  /** Items from the engine, with any decision still on its way kept on top. */
  const upsert = (items: readonly ReviewItem[]) => {
    const shown = items.map((item) => {
      const pending = pendingDecisions.get(item.clip.id);
      return pending ? withDecision(item, pending.decision, Date.now()) : item;
    });
    state().upsertReviewItems(shown);
  };

  const loadReview = singleFlight(async (sessionId: string): Promise<void> => {
    state().beginReviewLoad(sessionId);
    const r = await request('review.list', { sessionId, limit: REVIEW_LIMIT });
    if (r.ok) {
      const items = r.value.items.map((item) => {
        const pending = pendingDecisions.get(item.clip.id);
        return pending ? withDecision(item, pending.decision, Date.now()) : item;
      });
      state().endReviewLoad(sessionId, { items });
    } else state().endReviewLoad(sessionId, { message: r.message, code: r.code });
  });

  const loadSamples = async () => {
    const r = await request('monitor.samples', {});
    if (r.ok) state().addMonitorSamples(r.value.samples);
  };

  const loadTargets = async (): Promise<Outcome<PublishTargetView[]>> => {
    const r = await request('publish.targets', {});
    if (r.ok) state().setPublishTargets(r.value.targets);
    return r.ok ? { ok: true, value: r.value.targets } : r;
  };

  const loadTemplates = async (): Promise<Outcome<PromptTemplate[]>> => {
    const r = await request('prompts.library', {});
    if (r.ok) state().setPromptTemplates(r.value.templates);
    return r.ok ? { ok: true, value: r.value.templates } : r;
  };

  const onReady = (ev: { sessionId: string; clipIds: string[]; pending: number }) => {
    const s = state();
    if (!s.settings?.['review.notify'] || ev.clipIds.length === 0) return;
    const title = s.sessions[ev.sessionId]?.title ?? ev.sessionId;
    const params = { count: String(ev.clipIds.length), pending: String(ev.pending), title };
    notice('info', 'review.readyNotice', params);
    if (notifier.permission() === 'granted') {
      const t = translator(resolveLanguage(s.settings['ui.language'], s.systemLanguages));
      notifier.show(t('review.readyTitle', params), t('review.readyBody', params));
    }
  };

  const unsubscribers = [
    client.subscribe('review.upserted', (item) => upsert([item])),
    client.subscribe('review.ready', onReady),
    client.subscribe('publish.upserted', (p) => state().applyPublication(p)),
    client.subscribe('monitor.sample', (sample) => state().addMonitorSamples([sample])),
    client.subscribe('clip.upserted', (c) => state().applyReviewClip(c)),
    client.subscribe('highlight.upserted', (h) => state().applyReviewHighlight(h)),
    client.onStateChange((connection) => {
      if (connection !== 'connected') return;
      for (const sessionId of Object.keys(state().review)) void loadReview(sessionId);
      if (state().publishTargets !== null) void loadTargets();
      if (state().promptTemplates !== null) void loadTemplates();
      void loadSamples();
    }),
  ];
  if (client.getState() === 'connected') void loadSamples();

  const loadRecords = async (sessionId: string | null) => {
    const before = state().monitorRecords;
    state().setMonitorRecords({ ...before, status: 'loading', sessionId });
    const r = await request('monitor.records', {
      ...(sessionId !== null ? { sessionId } : {}),
      limit: RECORDS_LIMIT,
    });
    // A newer load for another session may have started meanwhile: it wins.
    if (state().monitorRecords.sessionId !== sessionId) return;
    state().setMonitorRecords(
      r.ok
        ? { list: r.value.records, status: 'loaded', error: null, sessionId }
        : {
            list: state().monitorRecords.list,
            status: 'error',
            error: { message: r.message, code: r.code },
            sessionId,
          },
    );
  };

  return {
    loadReview,

    async decide(clipIds, decision) {
      const ids = [...new Set(clipIds)];
      if (ids.length === 0) return { ok: true, value: { refused: [] } };
      const seq = ++decisionSeq;
      const before = new Map<string, ReviewItem>();
      const now = Date.now();
      for (const id of ids) {
        const item = findItem(state().review, id);
        if (!item) continue;
        before.set(id, item);
        pendingDecisions.set(id, { decision, seq });
        state().patchReviewItem(item.clip.sessionId, id, (i) => withDecision(i, decision, now));
      }
      const r = await request('review.decide', { clipIds: ids, decision });
      // Only the last press on a clip settles it.
      const settled = ids.filter((id) => pendingDecisions.get(id)?.seq === seq);
      for (const id of settled) pendingDecisions.delete(id);
      if (!r.ok) {
        for (const id of settled) {
          const item = before.get(id);
          if (item) state().patchReviewItem(item.clip.sessionId, id, () => item);
        }
        reportFailure('action.reviewDecide', r);
        return r;
      }
      upsert(r.value.items);
      for (const refused of r.value.refused) {
        const item = before.get(refused.clipId);
        if (item && settled.includes(refused.clipId)) {
          state().patchReviewItem(item.clip.sessionId, refused.clipId, (now) =>
            now.decision === decision
              ? { ...now, decision: item.decision, decidedAt: item.decidedAt }
              : now,
          );
        }
      }
      return { ok: true, value: { refused: r.value.refused } };
    },

    async approveWithOverride(clipId, reason) {
      const o = await request('review.override', { clipId, reason: reason.trim() });
      if (!o.ok) return o;
      upsert([o.value]);
      const d = await request('review.decide', { clipIds: [clipId], decision: 'approved' });
      if (!d.ok) return d;
      upsert(d.value.items);
      const refused = d.value.refused.find((x) => x.clipId === clipId);
      if (refused) return { ok: false, message: refused.reason, code: 'bad_request' };
      const item = d.value.items.find((x) => x.clip.id === clipId) ?? o.value;
      return { ok: true, value: item };
    },

    async undo(sessionId) {
      const r = await request('review.undo', { sessionId });
      if (!r.ok) {
        reportFailure('action.reviewUndo', r);
        return r;
      }
      for (const item of r.value.items) pendingDecisions.delete(item.clip.id);
      upsert(r.value.items);
      if (r.value.items.length === 0) notice('info', 'review.nothingToUndo');
      return { ok: true, value: r.value.items };
    },

    async loadCaptions(clipId) {
      const r = await request('review.captions', { clipId });
      return r.ok ? { ok: true, value: r.value.cues } : r;
    },

    async saveCaptions(clipId, edits) {
      const r = await request('review.setCaptions', { clipId, edits: [...edits] });
      if (r.ok) {
        state().upsertClip(r.value);
        state().applyReviewClip(r.value);
      }
      return r;
    },

    async setCover(clipId, at) {
      const r = await request('review.cover', { clipId, at: Math.max(0, at) });
      if (r.ok) upsert([r.value]);
      return r;
    },

    async loadPrompt(highlightId) {
      const r = await request('prompts.get', { highlightId });
      if (r.ok) state().setPrompt(r.value);
      return r;
    },

    async savePrompt(input) {
      const r = await request('prompts.set', input);
      if (r.ok) {
        state().setPrompt(r.value.prompt);
        if (r.value.clip) state().upsertClip(r.value.clip);
        // The queue's item shows the new prompt at once (its event follows).
        const s = state();
        for (const [sid, entry] of Object.entries(s.review)) {
          const clipId = entry.byHighlight.get(input.highlightId);
          if (clipId !== undefined) {
            s.patchReviewItem(sid, clipId, (i) => ({ ...i, prompt: r.value.prompt }));
          }
        }
      }
      return r;
    },

    async previewPrompt(highlightId, text) {
      return request('prompts.preview', { highlightId, text });
    },

    loadTemplates,

    adoptTemplates(templates) {
      state().setPromptTemplates(templates);
    },

    loadTargets,

    async saveTarget(target, secret) {
      const r = await request('publish.saveTarget', {
        target,
        ...(secret !== undefined ? { secret } : {}),
      });
      if (r.ok) state().setPublishTargets(r.value.targets);
      return r.ok ? { ok: true, value: r.value.targets } : r;
    },

    async deleteTarget(id) {
      const r = await request('publish.deleteTarget', { id });
      if (r.ok) state().setPublishTargets(r.value.targets);
      return r.ok ? { ok: true, value: r.value.targets } : r;
    },

    async retryPublication(clipId, targetId) {
      const r = await request('publish.retry', { clipId, targetId });
      if (!r.ok) {
        reportFailure('action.publishRetry', r);
        return r;
      }
      for (const p of r.value.publications) state().applyPublication(p);
      return { ok: true, value: undefined };
    },

    loadSamples,
    loadRecords,

    requestNotifications: () => notifier.request(),
    notificationPermission: () => notifier.permission(),

    request,

    detach() {
      for (const u of unsubscribers) u();
    },
  };
}
