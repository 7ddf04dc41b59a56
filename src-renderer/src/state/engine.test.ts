import { describe, expect, it } from 'vitest';
import {
  ApiError,
  DETECT_DEFAULTS,
  type AppInfo,
  type EventName,
  type EventPayload,
  type AsrStatus,
  type Clip,
  type Highlight,
  type MethodName,
  type ModelInfo,
  type Session,
  SETTING_DEFAULTS,
  type Settings,
} from '../contract';
import type { ConnectionState, RendererClient } from '../api/types';
import { toggleClipPreview } from '../clips/commands';
import { onSelected, selectedHighlight, shownHighlights } from '../highlights/commands';
import { effectiveLanguage } from './context';
import { connectEngine } from './engine';
import { createAppStore, MAX_NOTICES, sortedSessions } from './store';

const settings: Settings = {
  ...SETTING_DEFAULTS,
  'ui.language': 'en',
  'ui.theme': 'dark',
  'ffmpeg.path': null,
};
const info: AppInfo = {
  name: 'LiveSlice',
  version: '0.1.0',
  transport: 'websocket',
  platform: 'linux',
  dataDir: '/tmp/data',
  systemLanguage: 'en',
  ffmpeg: { found: false, message: 'ffmpeg not found' },
};
const mk = (id: string, createdAt: number, updatedAt = createdAt, title = id): Session => ({
  id,
  title,
  source: { kind: 'none', uri: null },
  status: 'idle',
  createdAt,
  updatedAt,
  endedAt: null,
});

/** A scripted client: replies per method, emits events and state changes on demand. */
function fakeClient(replies: Partial<Record<MethodName, (input: unknown) => unknown>>) {
  let state: ConnectionState = 'connecting';
  const stateListeners = new Set<(s: ConnectionState) => void>();
  const listeners = new Map<EventName, Set<(p: unknown) => void>>();
  const calls: Array<[MethodName, unknown]> = [];
  const client: RendererClient = {
    transport: 'websocket',
    async call(method, input) {
      calls.push([method, input]);
      const reply = replies[method];
      if (!reply) throw new ApiError('unavailable', `${method}: not connected`);
      return reply(input) as never;
    },
    subscribe(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (p: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    getState: () => state,
    onStateChange(l) {
      stateListeners.add(l);
      return () => stateListeners.delete(l);
    },
    start: () => undefined,
    dispose: () => undefined,
  };
  return {
    client,
    calls,
    setState(s: ConnectionState) {
      state = s;
      for (const l of stateListeners) l(s);
    },
    emit<E extends EventName>(event: E, payload: EventPayload<E>) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

function setup(replies: Partial<Record<MethodName, (input: unknown) => unknown>>) {
  const fake = fakeClient(replies);
  const store = createAppStore({
    transport: 'websocket',
    connection: 'connecting',
    systemLanguages: ['zh-CN'],
  });
  const actions = connectEngine(fake.client, store);
  return { ...fake, store, actions };
}

describe('engine wiring', () => {
  it('loads info, settings and sessions when the connection opens', async () => {
    const { store, setState, calls } = setup({
      'app.info': () => info,
      'settings.get': () => settings,
      'sessions.list': () => [mk('sess_aaaaaaaa', 1)],
    });
    expect(calls).toEqual([]);
    setState('connected');
    await settle();
    const s = store.getState();
    expect(s.connection).toBe('connected');
    expect(s.appInfo).toEqual(info);
    expect(s.settings).toEqual(settings);
    expect(Object.keys(s.sessions)).toEqual(['sess_aaaaaaaa']);
    expect(s.sessionsLoaded).toBe(true);
    expect(s.notices).toEqual([]);
  });

  it('a failed load becomes an error notice with the code (what to do next)', async () => {
    const { store, setState } = setup({ 'app.info': () => info, 'settings.get': () => settings });
    setState('connected');
    await settle();
    const notices = store.getState().notices;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({
      kind: 'error',
      action: 'action.loadSessions',
      code: 'unavailable',
    });
  });

  it('session.upserted and settings.changed events feed the store', () => {
    const { store, emit } = setup({});
    emit('session.upserted', mk('sess_bbbbbbbb', 5, 5, 'first'));
    emit('session.upserted', mk('sess_bbbbbbbb', 5, 9, 'renamed'));
    emit('session.upserted', mk('sess_bbbbbbbb', 5, 7, 'stale'));
    emit('settings.changed', { ...settings, 'ui.language': 'zh-CN' });
    expect(store.getState().sessions['sess_bbbbbbbb']?.title).toBe('renamed');
    expect(store.getState().settings?.['ui.language']).toBe('zh-CN');
  });

  it('a list that arrives after a newer event does not roll the session back', () => {
    const { store } = setup({});
    store.getState().upsertSession(mk('sess_cccccccc', 1, 10, 'new title'));
    store.getState().setSessions([mk('sess_cccccccc', 1, 3, 'old title'), mk('sess_dddddddd', 2)]);
    const s = store.getState();
    expect(s.sessions['sess_cccccccc']?.title).toBe('new title');
    expect(sortedSessions(s.sessions).map((x) => x.id)).toEqual(['sess_dddddddd', 'sess_cccccccc']);
  });

  it('changeSetting applies at once and reverts with a notice when saving fails', async () => {
    const { store, actions } = setup({});
    store.getState().setSettings(settings);
    const saving = actions.changeSetting({ key: 'ui.language', value: 'zh-CN' });
    expect(store.getState().settings?.['ui.language']).toBe('zh-CN');
    await saving;
    expect(store.getState().settings?.['ui.language']).toBe('en');
    expect(store.getState().notices[0]).toMatchObject({
      action: 'action.saveSetting',
      code: 'unavailable',
    });
  });

  it('changeSetting keeps what the engine returned', async () => {
    const { store, actions, calls } = setup({
      'settings.set': () => ({ ...settings, 'ui.language': 'zh-CN' }),
    });
    await actions.changeSetting({ key: 'ui.language', value: 'zh-CN' });
    expect(calls).toEqual([['settings.set', { key: 'ui.language', value: 'zh-CN' }]]);
    expect(store.getState().settings?.['ui.language']).toBe('zh-CN');
  });

  it('createSession returns the engine validation message for inline display', async () => {
    const { actions, store } = setup({
      'sessions.create': () => {
        throw new ApiError('bad_request', 'title: a session title cannot be empty');
      },
    });
    const result = await actions.createSession('   ');
    expect(result).toEqual({
      ok: false,
      code: 'bad_request',
      message: 'title: a session title cannot be empty',
    });
    expect(store.getState().notices).toEqual([]);
  });

  it('createSession upserts and selects the new session', async () => {
    const created = mk('sess_eeeeeeee', 3, 3, 'Friday sale');
    const { actions, store } = setup({ 'sessions.create': () => created });
    const result = await actions.createSession('Friday sale');
    expect(result).toEqual({ ok: true, session: created });
    expect(store.getState().selectedSessionId).toBe('sess_eeeeeeee');
    expect(store.getState().sessions['sess_eeeeeeee']).toEqual(created);
  });

  it('detach stops the event feed', () => {
    const { store, emit, actions } = setup({});
    actions.detach();
    emit('session.upserted', mk('sess_ffffffff', 1));
    expect(store.getState().sessions).toEqual({});
  });
});

describe('ingest wiring', () => {
  const endpoints = {
    rtmp: {
      serverUrl: 'rtmp://127.0.0.1:1935/live',
      streamKey: 'k1',
      listening: true,
      error: null,
    },
    srt: { url: 'srt://127.0.0.1:9710', passphrase: 'p1', listening: true, error: null },
  };
  const usage = {
    dataDir: '/tmp/data',
    dvrBytes: 100,
    freeBytes: 1000,
    totalBytes: 2000,
    sessions: [],
    retentionHours: null,
    retentionGB: null,
  };
  const status = (at: number, state: 'live' | 'ended' = 'live') => ({
    sessionId: 'sess_aaaaaaaa',
    state,
    message: null,
    code: null,
    video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
    audio: null,
    bitrateKbps: 2500,
    fps: 30,
    droppedFrames: 0,
    lateFrames: 0,
    lagMs: 300,
    mediaTimeS: at,
    segments: at,
    bytes: at * 1000,
    runs: 1,
    at,
  });

  it('the connect refresh loads endpoints and storage; failures stay in place, not notices', async () => {
    const ok = setup({
      'app.info': () => info,
      'settings.get': () => settings,
      'sessions.list': () => [],
      'ingest.endpoints': () => endpoints,
      'storage.usage': () => usage,
    });
    ok.setState('connected');
    await settle();
    expect(ok.store.getState().endpoints).toEqual(endpoints);
    expect(ok.store.getState().storage).toEqual(usage);

    const bad = setup({
      'app.info': () => info,
      'settings.get': () => settings,
      'sessions.list': () => [],
    });
    bad.setState('connected');
    await settle();
    expect(bad.store.getState().endpointsError).toMatchObject({ code: 'unavailable' });
    expect(bad.store.getState().storageError).toMatchObject({ code: 'unavailable' });
    expect(bad.store.getState().notices).toEqual([]);
  });

  it('ingest.status, ingest.loudness and session.marker events feed the store', () => {
    const { store, emit } = setup({});
    emit('ingest.status', status(5));
    emit('ingest.status', status(3));
    expect(store.getState().ingestStatus['sess_aaaaaaaa']?.mediaTimeS).toBe(5);
    emit('ingest.loudness', {
      sessionId: 'sess_aaaaaaaa',
      frames: [
        { t: 0, rms: -20, peak: -6 },
        { t: 0.1, rms: -22, peak: -8 },
      ],
    });
    emit('ingest.loudness', { sessionId: 'sess_aaaaaaaa', frames: [{ t: 0.2, rms: -1, peak: 0 }] });
    expect(store.getState().loudness['sess_aaaaaaaa']?.size).toBe(3);
    emit('session.marker', {
      sessionId: 'sess_aaaaaaaa',
      kind: 'gap',
      mediaTime: 4,
      at: 9,
      durationMs: 3000,
      message: 'publisher away',
    });
    expect(store.getState().markers['sess_aaaaaaaa']).toHaveLength(1);
  });

  it('startIngest selects the new session; its failure is returned for inline display', async () => {
    const created = { ...mk('sess_gggggggg', 4, 4, 'OBS'), status: 'live' as const };
    const ok = setup({ 'ingest.start': () => created });
    const r = await ok.actions.startIngest({ kind: 'rtmp' }, '  OBS  ');
    expect(r).toEqual({ ok: true, value: created });
    expect(ok.calls).toEqual([['ingest.start', { source: { kind: 'rtmp' }, title: 'OBS' }]]);
    expect(ok.store.getState().selectedSessionId).toBe('sess_gggggggg');

    const bad = setup({
      'ingest.start': () => {
        throw new ApiError('bad_request', 'source.url: not a supported URL');
      },
    });
    const r2 = await bad.actions.startIngest({ kind: 'url', url: 'ftp://x' }, '');
    expect(r2).toEqual({
      ok: false,
      code: 'bad_request',
      message: 'source.url: not a supported URL',
    });
    expect(bad.calls).toEqual([['ingest.start', { source: { kind: 'url', url: 'ftp://x' } }]]);
    expect(bad.store.getState().selectedSessionId).toBeNull();
  });

  it('rotateKey replaces the endpoints; stopIngest failure becomes a notice', async () => {
    const rotated = { ...endpoints, rtmp: { ...endpoints.rtmp, streamKey: 'k2' } };
    const { store, actions } = setup({ 'ingest.rotateKey': () => rotated });
    store.getState().setEndpoints(endpoints);
    await actions.rotateKey();
    expect(store.getState().endpoints?.rtmp.streamKey).toBe('k2');
    await actions.stopIngest('sess_aaaaaaaa');
    expect(store.getState().notices[0]).toMatchObject({
      action: 'action.stopIngest',
      code: 'unavailable',
    });
  });

  it('loadMedia stores the media and its markers; a session that ends reloads storage', async () => {
    const media = {
      sessionId: 'sess_aaaaaaaa',
      playlist: 'sessions/sess_aaaaaaaa/index.m3u8',
      durationS: 12,
      segments: 12,
      bytes: 12_000,
      ended: false,
      markers: [
        {
          sessionId: 'sess_aaaaaaaa',
          kind: 'restart' as const,
          mediaTime: 6,
          at: 2,
          durationMs: null,
          message: 'publisher reconnected',
        },
      ],
    };
    const { store, actions, emit, calls } = setup({
      'sessions.media': () => media,
      'storage.usage': () => usage,
    });
    await actions.loadMedia('sess_aaaaaaaa');
    expect(store.getState().media['sess_aaaaaaaa']).toEqual(media);
    expect(store.getState().markers['sess_aaaaaaaa']).toHaveLength(1);

    emit('session.upserted', { ...mk('sess_aaaaaaaa', 1, 2), status: 'live' });
    emit('session.upserted', { ...mk('sess_aaaaaaaa', 1, 3), status: 'ended', endedAt: 3 });
    await settle();
    expect(calls.filter(([m]) => m === 'storage.usage')).toHaveLength(1);
    expect(store.getState().storage).toEqual(usage);
  });

  it('pruneStorage keeps what is left', async () => {
    const after = { ...usage, dvrBytes: 10 };
    const { store, actions } = setup({ 'storage.prune': () => after });
    const r = await actions.pruneStorage();
    expect(r.ok).toBe(true);
    expect(store.getState().storage?.dvrBytes).toBe(10);
  });
});

describe('notices', () => {
  it('deduplicates identical notices and keeps only the latest few', () => {
    const store = createAppStore({
      transport: 'electron',
      connection: 'connected',
      systemLanguages: [],
    });
    const notice = (message: string) => ({
      kind: 'error' as const,
      action: null,
      message,
      messageKey: null,
      params: {},
      code: 'internal' as const,
    });
    store.getState().pushNotice(notice('same'));
    store.getState().pushNotice(notice('same'));
    expect(store.getState().notices).toHaveLength(1);
    for (let i = 0; i < 10; i++) store.getState().pushNotice(notice(`n${i}`));
    expect(store.getState().notices.map((n) => n.message)).toEqual(
      Array.from({ length: MAX_NOTICES }, (_, i) => `n${10 - MAX_NOTICES + i}`),
    );
    const first = store.getState().notices[0];
    if (first) store.getState().dismissNotice(first.id);
    expect(store.getState().notices).toHaveLength(MAX_NOTICES - 1);
  });
});

describe('effective language', () => {
  it('follows the system language until settings are read, then the setting', () => {
    const store = createAppStore({
      transport: 'websocket',
      connection: 'disconnected',
      systemLanguages: ['zh-CN'],
    });
    expect(effectiveLanguage(store.getState())).toBe('zh-CN');
    store.getState().setSettings({ ...settings, 'ui.language': 'en' });
    expect(effectiveLanguage(store.getState())).toBe('en');
    store.getState().setSettings({ ...settings, 'ui.language': 'system' });
    expect(effectiveLanguage(store.getState())).toBe('zh-CN');
  });

  it('uses the engine host language when the browser reports none', () => {
    const store = createAppStore({
      transport: 'websocket',
      connection: 'connected',
      systemLanguages: [],
    });
    expect(effectiveLanguage(store.getState())).toBe('en');
    store.getState().setAppInfo({ ...info, systemLanguage: 'zh-CN' });
    expect(effectiveLanguage(store.getState())).toBe('zh-CN');
  });

  it('loadTranscript pages with afterSeq until a short page, then follows events', async () => {
    const { TRANSCRIPT_PAGE } = await import('./engine');
    const line = (seq: number) => ({
      sessionId: 'sess_aaaaaaaa',
      seq,
      start: seq,
      end: seq + 0.5,
      text: `l${seq}`,
      source: 'timed-text' as const,
    });
    const { store, actions, calls, emit } = setup({
      'transcript.list': (input) => {
        const { afterSeq = -1 } = input as { afterSeq?: number };
        const from = afterSeq + 1;
        const to = Math.min(TRANSCRIPT_PAGE + 10, from + TRANSCRIPT_PAGE);
        return {
          utterances: Array.from({ length: Math.max(0, to - from) }, (_, i) => line(from + i)),
        };
      },
    });
    const first = actions.loadTranscript('sess_aaaaaaaa');
    const again = actions.loadTranscript('sess_aaaaaaaa');
    expect(again).toBe(first); // one load at a time per session
    await first;
    expect(calls.map(([, input]) => (input as { afterSeq: number }).afterSeq)).toEqual([
      -1,
      TRANSCRIPT_PAGE - 1,
    ]);
    const t = store.getState().transcripts['sess_aaaaaaaa'];
    expect(t?.status).toBe('loaded');
    expect(t?.utterances).toHaveLength(TRANSCRIPT_PAGE + 10);
    // Events: a duplicate is ignored, a new line appended, a partial shown.
    emit('transcript.utterance', line(3));
    emit('transcript.utterance', line(TRANSCRIPT_PAGE + 10));
    emit('transcript.partial', { sessionId: 'sess_aaaaaaaa', start: 99_999, text: 'so…' });
    const after = store.getState().transcripts['sess_aaaaaaaa'];
    expect(after?.utterances).toHaveLength(TRANSCRIPT_PAGE + 11);
    expect(after?.partial).toEqual({ start: 99_999, text: 'so…' });
    // A reload (e.g. after a reconnect) asks only for what came after.
    await actions.loadTranscript('sess_aaaaaaaa');
    expect(calls.at(-1)?.[1]).toMatchObject({ afterSeq: TRANSCRIPT_PAGE + 10 });
  });

  it('a failed transcript load is kept for display', async () => {
    const { store, actions } = setup({
      'transcript.list': () => {
        throw new ApiError('not_found', 'no such session');
      },
    });
    await actions.loadTranscript('sess_bbbbbbbb');
    expect(store.getState().transcripts['sess_bbbbbbbb']).toMatchObject({
      status: 'error',
      error: { code: 'not_found', message: 'no such session' },
    });
  });

  it('startIngest passes a subtitles file as transcript (trimmed, only when given)', async () => {
    const created = mk('sess_cccccccc', 1);
    const { actions, calls } = setup({ 'ingest.start': () => created });
    await actions.startIngest({ kind: 'file', path: '/v.mp4', realtime: true }, '', ' /v.srt ');
    await actions.startIngest({ kind: 'url', url: 'https://x/l.m3u8' }, 'T', '   ');
    expect(calls).toEqual([
      [
        'ingest.start',
        { source: { kind: 'file', path: '/v.mp4', realtime: true }, transcript: '/v.srt' },
      ],
      ['ingest.start', { source: { kind: 'url', url: 'https://x/l.m3u8' }, title: 'T' }],
    ]);
  });

  it('a seek request is replaced by a newer one and cleared only by its own id', () => {
    const { store } = setup({});
    store.getState().requestSeek('sess_a', 12.5);
    const first = store.getState().seekRequest;
    expect(first).toMatchObject({ sessionId: 'sess_a', mediaTimeS: 12.5 });
    store.getState().requestSeek('sess_a', 12.5);
    const second = store.getState().seekRequest;
    expect(second?.id).not.toBe(first?.id);
    store.getState().clearSeek(first?.id ?? -1);
    expect(store.getState().seekRequest).toBe(second);
    store.getState().clearSeek(second?.id ?? -1);
    expect(store.getState().seekRequest).toBeNull();
  });
});

const kwsModel = (state: ModelInfo['state']): ModelInfo => ({
  id: 'kws-zh',
  name: 'Keyword spotter (zh)',
  kind: 'kws',
  languages: ['zh'],
  bytes: 3_300_000,
  license: 'Apache-2.0',
  caveat: null,
  state,
  problem: state === 'installed' ? null : 'encoder.onnx is missing',
});
const asrOff: AsrStatus = {
  keywordSpotting: { enabled: false, reason: 'the keyword model is not installed' },
  recognizer: { enabled: false, reason: 'no recognizer model is installed' },
};
const asrOn: AsrStatus = { ...asrOff, keywordSpotting: { enabled: true, reason: null } };

describe('speech & models wiring', () => {
  it('loads the models and the ASR status on connect; failures stay in place', async () => {
    const ok = setup({ 'models.list': () => [kwsModel('missing')], 'asr.status': () => asrOff });
    ok.setState('connected');
    await settle();
    expect(ok.store.getState().models).toEqual([kwsModel('missing')]);
    expect(ok.store.getState().asrStatus).toEqual(asrOff);
    const bad = setup({});
    bad.setState('connected');
    await settle();
    const s = bad.store.getState();
    expect(s.models).toBeNull();
    expect(s.modelsError?.code).toBe('unavailable');
    expect(s.asrStatusError?.code).toBe('unavailable');
    expect(s.notices.filter((n) => /^(models|asr)\./.test(n.message))).toEqual([]);
  });

  it('a pull shows progress, then refreshes the list and the ASR status', async () => {
    let finish: (v: ModelInfo[]) => void = () => undefined;
    let asr: AsrStatus = asrOff;
    const { store, actions, emit, calls } = setup({
      'models.pull': () => new Promise<ModelInfo[]>((r) => (finish = r)),
      'asr.status': () => asr,
    });
    const pending = actions.pullModel('kws-zh', 'cn');
    expect(store.getState().pulls['kws-zh']?.running).toBe(true);
    emit('models.progress', { id: 'kws-zh', file: 'encoder.onnx', received: 30, total: 120 });
    expect(store.getState().pulls['kws-zh']).toMatchObject({ file: 'encoder.onnx', received: 30 });
    // A second click while running does not start another download.
    expect((await actions.pullModel('kws-zh', 'cn')).ok).toBe(false);
    asr = asrOn;
    finish([kwsModel('installed')]);
    expect((await pending).ok).toBe(true);
    const s = store.getState();
    expect(s.pulls['kws-zh']).toBeUndefined();
    expect(s.models).toEqual([kwsModel('installed')]);
    expect(s.asrStatus).toEqual(asrOn);
    expect(calls.filter(([m]) => m === 'models.pull')).toEqual([
      ['models.pull', { id: 'kws-zh', mirror: 'cn' }],
    ]);
  });

  it('a failed pull keeps the reason for the row', async () => {
    const { store, actions } = setup({
      'models.pull': () => {
        throw new ApiError('unavailable', 'mirror unreachable');
      },
    });
    const r = await actions.pullModel('kws-zh', 'global');
    expect(r).toMatchObject({ ok: false, message: 'mirror unreachable' });
    expect(store.getState().pulls['kws-zh']).toMatchObject({
      running: false,
      error: 'mirror unreachable',
    });
  });

  it('import passes the id and the trimmed folder, then refreshes', async () => {
    const { store, actions, calls } = setup({
      'models.import': () => [kwsModel('installed')],
      'asr.status': () => asrOn,
    });
    const r = await actions.importModel('kws-zh', '  /home/op/models/kws  ');
    expect(r.ok).toBe(true);
    expect(calls).toEqual([
      ['models.import', { id: 'kws-zh', dir: '/home/op/models/kws' }],
      ['asr.status', {}],
    ]);
    expect(store.getState().models).toEqual([kwsModel('installed')]);
    expect(store.getState().asrStatus).toEqual(asrOn);
  });

  it('asr.keyword events become chips for their session', () => {
    const { store, emit } = setup({});
    emit('asr.keyword', { sessionId: 'sess_aaaaaaaa', keyword: '最后三分钟', at: 83 });
    emit('asr.keyword', { sessionId: 'sess_aaaaaaaa', keyword: '最后三分钟', at: 83 });
    expect(store.getState().keywords['sess_aaaaaaaa']).toEqual([
      { sessionId: 'sess_aaaaaaaa', keyword: '最后三分钟', at: 83 },
    ]);
  });
});

describe('highlights wiring', () => {
  const S = 'sess_aaaaaaaa';
  const hl = (id: string, start: number, over: Partial<Highlight> = {}): Highlight => ({
    id,
    sessionId: S,
    start,
    end: start + 10,
    detectedStart: start,
    detectedEnd: start + 10,
    score: 0.8,
    reasons: [{ kind: 'trigger', text: 'trigger "全场五折" (price)', at: start + 1, weight: 0.8 }],
    text: '全场五折',
    category: 'price',
    state: 'final',
    review: 'new',
    delayMs: 1,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  });
  const live = (id: string, createdAt: number): Session => ({
    ...mk(id, createdAt),
    status: 'live',
  });

  it('loads a session, then follows highlight.upserted (other sessions are not kept)', async () => {
    const { store, actions, emit } = setup({
      'highlights.list': () => ({ highlights: [hl(`${S}-h2`, 30), hl(`${S}-h1`, 5)] }),
    });
    emit('highlight.upserted', hl(`${S}-h0`, 1));
    expect(store.getState().highlights[S]).toBeUndefined();
    await actions.loadHighlights(S);
    emit('highlight.upserted', hl(`${S}-h3`, 20, { state: 'provisional' }));
    emit('highlight.upserted', { ...hl('sess_bbbbbbbb-h1', 1), sessionId: 'sess_bbbbbbbb' });
    const entry = store.getState().highlights[S]!;
    expect(entry.status).toBe('loaded');
    expect(entry.list.map((h) => h.id)).toEqual([`${S}-h1`, `${S}-h3`, `${S}-h2`]);
    expect(store.getState().highlights['sess_bbbbbbbb']).toBeUndefined();
  });

  it('quick nudges add up, show at once, and the last answer wins', async () => {
    const pending: Array<(h: Highlight) => void> = [];
    const inputs: unknown[] = [];
    const { store, actions, emit } = setup({
      'highlights.list': () => ({ highlights: [hl('h1', 10)] }),
      'highlights.nudge': (input) => {
        inputs.push(input);
        return new Promise<Highlight>((resolve) => pending.push(resolve));
      },
    });
    await actions.loadHighlights(S);
    const a = actions.nudgeHighlight('h1', 'in', -0.5);
    const b = actions.nudgeHighlight('h1', 'in', -0.5);
    const c = actions.nudgeHighlight('h1', 'out', 0.5);
    expect(inputs).toEqual([
      { id: 'h1', start: 9.5, end: 20 },
      { id: 'h1', start: 9, end: 20 },
      { id: 'h1', start: 9, end: 20.5 },
    ]);
    const shown = () => store.getState().highlights[S]!.list[0]!;
    expect([shown().start, shown().end]).toEqual([9, 20.5]);
    // An event for an earlier press does not pull the window back while the last is on its way.
    emit('highlight.upserted', hl('h1', 9.5, { end: 20, updatedAt: 2 }));
    expect([shown().start, shown().end]).toEqual([9, 20.5]);
    pending[0]!(hl('h1', 9.5, { end: 20, updatedAt: 2 }));
    pending[1]!(hl('h1', 9, { end: 20, updatedAt: 3 }));
    await Promise.all([a, b]);
    expect([shown().start, shown().end]).toEqual([9, 20.5]);
    pending[2]!(hl('h1', 9, { end: 20.5, updatedAt: 4 }));
    await c;
    expect(shown()).toMatchObject({ start: 9, end: 20.5, updatedAt: 4 });
  });

  it('a refused nudge puts the window back and says why', async () => {
    const { store, actions } = setup({
      'highlights.list': () => ({ highlights: [hl('h1', 10)] }),
      'highlights.nudge': () => {
        throw new ApiError('bad_request', 'The in point 10.5 s is past the recorded media');
      },
    });
    await actions.loadHighlights(S);
    await actions.nudgeHighlight('h1', 'in', 0.5);
    await settle();
    expect(store.getState().highlights[S]!.list[0]).toMatchObject({ start: 10, end: 20 });
    expect(store.getState().notices).toEqual([
      expect.objectContaining({
        kind: 'error',
        action: 'action.nudgeHighlight',
        message: 'The in point 10.5 s is past the recorded media',
      }),
    ]);
  });

  it.each([
    ['the given session', 'sess_given001', 'sess_given001'],
    ['the selected session when it is live', undefined, 'sess_selected1'],
  ] as const)('mark targets %s', async (_name, given, expected) => {
    const inputs: unknown[] = [];
    const { store, actions } = setup({
      'highlights.mark': (input) => {
        inputs.push(input);
        return hl('m1', 70, { category: 'manual', score: 1 });
      },
    });
    store
      .getState()
      .setSessions([live('sess_selected1', 1), live('sess_newest01', 5), mk('sess_given001', 2)]);
    store.getState().selectSession('sess_selected1');
    const r = await actions.mark('button', given);
    expect(r.ok).toBe(true);
    expect(inputs).toEqual([{ sessionId: expected, source: 'button' }]);
    expect(store.getState().notices).toEqual([
      expect.objectContaining({ kind: 'info', messageKey: 'mark.done' }),
    ]);
  });

  it('M marks the newest live session when the selected one is not live', async () => {
    const inputs: unknown[] = [];
    const { store, actions } = setup({
      'highlights.mark': (input) => (inputs.push(input), hl('m1', 70)),
    });
    store
      .getState()
      .setSessions([mk('sess_idle0001', 9), live('sess_old00001', 1), live('sess_new00001', 5)]);
    store.getState().selectSession('sess_idle0001');
    await actions.mark('hotkey');
    expect(inputs).toEqual([{ sessionId: 'sess_new00001', source: 'hotkey' }]);
  });

  it('a refused mark shows the engine reason; no session at all says so', async () => {
    const { store, actions } = setup({
      'highlights.mark': () => {
        throw new ApiError(
          'unavailable',
          'This session is not live: marks apply to a live session',
        );
      },
    });
    expect((await actions.mark('hotkey')).ok).toBe(false);
    expect(store.getState().notices.at(-1)).toMatchObject({ messageKey: 'mark.noSession' });
    store.getState().setSessions([mk('sess_ended001', 1)]);
    store.getState().selectSession('sess_ended001');
    await actions.mark('hotkey');
    expect(store.getState().notices.at(-1)).toMatchObject({
      kind: 'error',
      action: 'action.mark',
      message: 'This session is not live: marks apply to a live session',
      code: 'unavailable',
    });
  });

  it('asks for a thumbnail once, and again only when a provisional one had none', async () => {
    let reply: string | null = null;
    const { store, actions, calls } = setup({ 'highlights.thumbnail': () => ({ path: reply }) });
    const open = hl('h1', 5, { state: 'provisional' });
    actions.loadThumbnail(open);
    actions.loadThumbnail(open);
    expect(store.getState().thumbnails['h1']?.status).toBe('loading');
    await settle();
    actions.loadThumbnail(open);
    expect(store.getState().thumbnails['h1']).toEqual({
      status: 'none',
      path: null,
      forState: 'provisional',
    });
    reply = 'sessions/s/thumbs/h1.jpg';
    actions.loadThumbnail({ ...open, state: 'final' });
    await settle();
    actions.loadThumbnail({ ...open, state: 'final' });
    expect(store.getState().thumbnails['h1']).toEqual({
      status: 'ready',
      path: 'sessions/s/thumbs/h1.jpg',
      forState: 'final',
    });
    expect(calls.filter(([m]) => m === 'highlights.thumbnail')).toHaveLength(2);
  });

  it('detection settings: a refusal comes back to the form, not as a notice', async () => {
    const { store, actions } = setup({
      'settings.set': () => {
        throw new ApiError('bad_request', 'value.preRollMinS: the minimum pre-roll is longer');
      },
    });
    const r = await actions.saveDetectSettings({ ...DETECT_DEFAULTS, preRollMinS: 20 });
    expect(r).toMatchObject({ ok: false, code: 'bad_request' });
    expect(store.getState().notices).toEqual([]);
  });

  it('lexicon.changed events keep the lexicon current', () => {
    const { store, emit } = setup({});
    const lexicon = { version: 1 as const, entries: [] };
    emit('lexicon.changed', { lexicon, builtIn: false });
    expect(store.getState().lexicon).toEqual({ lexicon, builtIn: false });
  });

  it('dismissing the selected highlight under the "new" filter selects its neighbour', async () => {
    const { store, actions } = setup({
      'highlights.list': () => ({ highlights: [hl('h1', 1), hl('h2', 2), hl('h3', 3)] }),
      'highlights.review': (input) => {
        const { id, review } = input as { id: string; review: Highlight['review'] };
        return hl(id, Number(id.slice(1)), { review, updatedAt: 2 });
      },
    });
    store.getState().setSessions([mk(S, 1)]);
    store.getState().selectSession(S);
    await actions.loadHighlights(S);
    store.getState().setHighlightFilter({ review: 'new' });
    store.getState().selectHighlight('h2');
    expect(onSelected(store, actions, { type: 'review', review: 'dismissed' })).toBe(true);
    await settle();
    expect(store.getState().selectedHighlightId).toBe('h3');
    expect(shownHighlights(store.getState()).map((h) => h.id)).toEqual(['h1', 'h3']);
    // Accepting under "all" keeps the selection where it is.
    store.getState().setHighlightFilter({ review: 'all' });
    onSelected(store, actions, { type: 'review', review: 'accepted' });
    await settle();
    expect(store.getState().selectedHighlightId).toBe('h3');
    expect(selectedHighlight(store.getState())?.review).toBe('accepted');
  });
});

describe('clips wiring', () => {
  const S = 'sess_aaaaaaaa';
  const H = `${S}-h1`;
  const clip = (id: string, over: Partial<Clip> = {}): Clip => ({
    id,
    highlightId: H,
    sessionId: S,
    state: 'queued',
    progress: null,
    file: null,
    start: 1,
    end: 11,
    output: '720x1280',
    reframe: { mode: 'center' },
    captionStyle: 'bold',
    durationS: null,
    bytes: null,
    encoder: null,
    latencyMs: null,
    error: null,
    createdAt: 10,
    updatedAt: 10,
    ...over,
  });
  const highlight: Highlight = {
    id: H,
    sessionId: S,
    start: 1,
    end: 11,
    detectedStart: 1,
    detectedEnd: 11,
    score: 0.8,
    reasons: [],
    text: '',
    category: 'price',
    state: 'final',
    review: 'new',
    delayMs: null,
    createdAt: 1,
    updatedAt: 1,
  };

  it('loads a session’s clips, then follows clip.upserted (progress, ready)', async () => {
    const { store, actions, emit } = setup({
      'clips.list': () => ({ clips: [clip(H, { state: 'rendering', progress: 0.2 })] }),
    });
    emit('clip.upserted', clip(H));
    expect(store.getState().clips[S]).toBeUndefined();
    await actions.loadClips(S);
    emit('clip.upserted', clip(H, { state: 'rendering', progress: 0.6, updatedAt: 11 }));
    expect(store.getState().clips[S]?.byHighlight[H]?.[0]?.progress).toBe(0.6);
    emit(
      'clip.upserted',
      clip(H, { state: 'ready', progress: 1, file: 'sessions/x/clips/a.mp4', updatedAt: 12 }),
    );
    expect(store.getState().clips[S]?.byHighlight[H]?.[0]?.state).toBe('ready');
  });

  it('a re-render is shown first at once; a refused render is a notice or only returned', async () => {
    let refuse = false;
    const { store, actions, calls } = setup({
      'clips.list': () => ({ clips: [clip(H, { state: 'ready', file: 'f.mp4' })] }),
      'clips.render': (input) => {
        if (refuse) throw new ApiError('not_found', 'No highlight with id x');
        const { reframe } = input as { reframe?: Clip['reframe'] };
        return clip(`${H}-r2`, { createdAt: 20, updatedAt: 20, ...(reframe ? { reframe } : {}) });
      },
      'clips.cancel': (input) =>
        clip((input as { id: string }).id, { state: 'cancelled', createdAt: 20, updatedAt: 21 }),
    });
    await actions.loadClips(S);
    const r = await actions.renderClip(H, { reframe: { mode: 'blur' } }, 'inline');
    expect(r.ok).toBe(true);
    expect(calls.at(-1)).toEqual(['clips.render', { highlightId: H, reframe: { mode: 'blur' } }]);
    const list = store.getState().clips[S]!.byHighlight[H]!;
    expect(list.map((c) => [c.id, c.reframe.mode])).toEqual([
      [`${H}-r2`, 'blur'],
      [H, 'center'],
    ]);
    await actions.cancelClip(`${H}-r2`);
    expect(store.getState().clips[S]!.byHighlight[H]![0]?.state).toBe('cancelled');

    refuse = true;
    expect((await actions.renderClip(H, {}, 'inline')).ok).toBe(false);
    expect(store.getState().notices).toEqual([]);
    await actions.renderClip(H, {}, 'notice');
    expect(store.getState().notices[0]).toMatchObject({
      action: 'action.renderClip',
      code: 'not_found',
    });
  });

  it('C previews the selected highlight’s newest ready clip, and closes it again', async () => {
    const { store, actions } = setup({
      'highlights.list': () => ({ highlights: [highlight] }),
      'clips.list': () => ({
        clips: [
          clip(`${H}-r2`, { state: 'rendering', createdAt: 20 }),
          clip(H, { state: 'ready', file: 'sessions/x/clips/a.mp4' }),
        ],
      }),
    });
    store.getState().setSessions([mk(S, 1)]);
    store.getState().selectSession(S);
    await Promise.all([actions.loadHighlights(S), actions.loadClips(S)]);
    expect(toggleClipPreview(store)).toBe(false);
    store.getState().selectHighlight(H);
    expect(toggleClipPreview(store)).toBe(true);
    expect(store.getState().previewClipId).toBe(H);
    toggleClipPreview(store);
    expect(store.getState().previewClipId).toBeNull();
  });

  it('saveSettings stops at the first refusal and names its key', async () => {
    const { store, actions, calls } = setup({
      'settings.set': (input) => {
        const c = input as { key: string; value: unknown };
        if (c.key === 'clips.watermark') throw new ApiError('bad_request', 'too long');
        return { ...settings, [c.key]: c.value };
      },
    });
    store.getState().setSettings(settings);
    const r = await actions.saveSettings([
      { key: 'clips.auto', value: false },
      { key: 'clips.watermark', value: '/logo.png' },
      { key: 'clips.copyright', value: '© Shop' },
    ]);
    expect(r).toMatchObject({ ok: false, key: 'clips.watermark', code: 'bad_request' });
    expect(calls.map((c) => c[0])).toEqual(['settings.set', 'settings.set']);
    expect(store.getState().settings?.['clips.auto']).toBe(false);
  });
});
