/**
 * Renders the whole frame to static HTML (no DOM needed) against a scripted client, to check that
 * every pane, the header controls and the honest empty states are there in both languages.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  SETTING_DEFAULTS,
  type AppInfo,
  type AsrStatus,
  type Highlight,
  type HighlightPrompt,
  type IngestEndpoints,
  type IngestStatus,
  type MethodName,
  type ModelInfo,
  type MonitorRecord,
  type MonitorSample,
  type ReviewItem,
  type Session,
  type SessionMedia,
  type Settings,
  type StorageUsage,
  type Utterance,
} from '../contract';
import type { ConnectionState, RendererClient } from '../api/types';
import { en } from '../i18n/en';
import { zhCN } from '../i18n/zh-CN';
import { PANE_IDS } from '../panes/paneIds';
import { EngineProvider } from '../state/context';
import { connectEngine } from '../state/engine';
import { createAppStore } from '../state/store';
import { App } from './App';

const info: AppInfo = {
  name: 'LiveSlice',
  version: '0.1.0',
  transport: 'electron',
  platform: 'linux',
  dataDir: '/home/op/.config/LiveSlice',
  systemLanguage: 'en',
  ffmpeg: { found: true, path: '/usr/bin/ffmpeg', source: 'path' },
};
const settings: Settings = {
  ...SETTING_DEFAULTS,
  'ui.language': 'en',
  'ui.theme': 'dark',
  'ffmpeg.path': null,
};

const endpoints: IngestEndpoints = {
  rtmp: {
    serverUrl: 'rtmp://127.0.0.1:1935/live',
    streamKey: 'ls_secretkey123',
    listening: true,
    error: null,
  },
  srt: {
    url: 'srt://127.0.0.1:9710?streamid=publish:live&passphrase=pass12345678',
    passphrase: 'pass12345678',
    listening: false,
    error: 'port 9710 is in use',
  },
};

const liveSession: Session = {
  id: 'sess_live0001',
  title: '最后三分钟 flash sale',
  source: { kind: 'rtmp', uri: null },
  status: 'live',
  createdAt: 1,
  updatedAt: 2,
  endedAt: null,
};

const liveStatus: IngestStatus = {
  sessionId: liveSession.id,
  state: 'live',
  message: null,
  code: null,
  video: { codec: 'h264', width: 1280, height: 720, fps: 30 },
  audio: { codec: 'aac', sampleRate: 48000, channels: 2 },
  bitrateKbps: 4500,
  fps: 29.97,
  droppedFrames: 3,
  lateFrames: 0,
  lagMs: 420,
  mediaTimeS: 3725.4,
  segments: 3725,
  bytes: 2_100_000_000,
  runs: 1,
  at: 10,
};

const liveMedia: SessionMedia = {
  sessionId: liveSession.id,
  playlist: 'sessions/sess_live0001/index.m3u8',
  durationS: 3724,
  segments: 3724,
  bytes: 2_100_000_000,
  ended: false,
  markers: [
    {
      sessionId: liveSession.id,
      kind: 'gap',
      mediaTime: 1800,
      at: 5,
      durationMs: 4000,
      message: 'publisher away for 4 s',
    },
  ],
};

const storage: StorageUsage = {
  dataDir: '/home/op/.config/LiveSlice',
  dvrBytes: 12_300_000_000,
  freeBytes: 250_000_000_000,
  totalBytes: 500_000_000_000,
  sessions: [{ id: liveSession.id, bytes: 2_100_000_000, durationS: 3725 }],
  retentionHours: 48,
  retentionGB: null,
};

/** A dictionary string as it appears in the static HTML. */
const html$ = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const models: ModelInfo[] = [
  {
    id: 'kws-zh',
    name: 'Keyword spotter (zh)',
    kind: 'kws',
    languages: ['zh'],
    bytes: 3_300_000,
    license: 'Apache-2.0',
    caveat: null,
    state: 'missing',
    problem: 'encoder.onnx is missing',
  },
  {
    id: 'sensevoice',
    name: 'SenseVoice Small',
    kind: 'offline-sensevoice',
    languages: ['zh', 'en', 'yue'],
    bytes: 240_000_000,
    license: 'FunASR Model License',
    caveat: 'Trained on data that restricts commercial use.',
    state: 'installed',
    problem: null,
  },
  {
    id: 'vad',
    name: 'Silero VAD',
    kind: 'vad',
    languages: [],
    bytes: 600_000,
    license: 'MIT',
    caveat: null,
    state: 'corrupt',
    problem: 'silero_vad.onnx: sha256 mismatch',
  },
];

const asrOff: AsrStatus = {
  keywordSpotting: { enabled: false, reason: 'the keyword model is not installed' },
  recognizer: { enabled: true, reason: null },
};

/** What the fake engine answers (everything else is unavailable). */
const replies: Partial<Record<MethodName, () => unknown>> = {
  'models.list': () => models,
  'asr.status': () => asrOff,
  'models.pull': () => models,
  'models.import': () => models,
};

function render(opts: {
  connection: ConnectionState;
  language?: Settings['ui.language'];
  endpoints?: boolean;
  live?: boolean;
  transcript?: { utterances: Utterance[]; partial?: { start: number; text: string } };
  speech?: boolean;
  keywords?: Array<{ keyword: string; at: number }>;
  highlights?: Highlight[];
  selectedHighlight?: string;
  review?: { items: ReviewItem[]; cursor?: string; checked?: string[] };
  prompts?: HighlightPrompt[];
  samples?: MonitorSample[];
  records?: MonitorRecord[];
}) {
  const client: RendererClient = {
    transport: 'websocket',
    call: (method) => {
      const reply = replies[method];
      return reply
        ? Promise.resolve(reply() as never)
        : Promise.reject(new ApiError('unavailable', 'not in this test'));
    },
    subscribe: () => () => undefined,
    getState: () => opts.connection,
    onStateChange: () => () => undefined,
    start: () => undefined,
    dispose: () => undefined,
  };
  const store = createAppStore({
    transport: 'websocket',
    connection: opts.connection,
    systemLanguages: ['en-US'],
  });
  const actions = connectEngine(client, store);
  if (opts.language) {
    store.getState().setSettings({ ...settings, 'ui.language': opts.language });
    store.getState().setAppInfo(info);
  }
  if (opts.endpoints) store.getState().setEndpoints(endpoints);
  if (opts.live) {
    const s = store.getState();
    s.upsertSession(liveSession);
    s.selectSession(liveSession.id);
    s.applyIngestStatus(liveStatus);
    s.setMedia(liveMedia);
    s.setStorage(storage);
  }
  if (opts.transcript) {
    const s = store.getState();
    s.beginTranscriptLoad(liveSession.id);
    s.addUtterances(liveSession.id, opts.transcript.utterances);
    s.endTranscriptLoad(liveSession.id, null);
    if (opts.transcript.partial) s.setPartial(liveSession.id, opts.transcript.partial);
  }
  if (opts.speech) {
    store.getState().setModels(models);
    store.getState().setAsrStatus(asrOff);
  }
  for (const k of opts.keywords ?? []) {
    store.getState().addKeyword({ sessionId: liveSession.id, ...k });
  }
  if (opts.highlights) {
    const s = store.getState();
    s.beginHighlightsLoad(liveSession.id);
    s.endHighlightsLoad(liveSession.id, { highlights: opts.highlights });
    if (opts.selectedHighlight) s.selectHighlight(opts.selectedHighlight);
  }
  if (opts.review) {
    const s = store.getState();
    s.beginReviewLoad(liveSession.id);
    s.endReviewLoad(liveSession.id, { items: opts.review.items });
    if (opts.review.cursor) s.setReviewCursor(opts.review.cursor);
    if (opts.review.checked) s.setReviewChecked(new Set(opts.review.checked));
  }
  for (const p of opts.prompts ?? []) store.getState().setPrompt(p);
  if (opts.samples) store.getState().addMonitorSamples(opts.samples);
  if (opts.records) {
    store
      .getState()
      .setMonitorRecords({ list: opts.records, status: 'loaded', error: null, sessionId: null });
  }
  // Server rendering reads zustand's initial state; point it at the seeded state.
  const seeded = { ...store, getInitialState: store.getState };
  return renderToStaticMarkup(
    <EngineProvider engine={{ client, store: seeded, actions }}>
      <App />
    </EngineProvider>,
  );
}

describe('App frame', () => {
  it('renders the header controls and all six panes with honest empty states', () => {
    const html = render({ connection: 'connected', language: 'en' });
    expect(html).toContain('data-testid="connection-status" data-state="connected"');
    expect(html).toContain('data-testid="language-select"');
    expect(html).toContain('data-testid="help-button"');
    for (const pane of PANE_IDS) expect(html).toContain(`data-testid="pane-${pane}"`);
    expect(html).toContain(en['player.noSession']);
    expect(html).toContain('data-testid="source-tabs"');
    expect(html).toContain(en['pane.review.empty']);
    expect(html).not.toContain('data-testid="help-overlay"');
  });

  it('the monitor shows the engine facts', () => {
    const html = render({ connection: 'connected', language: 'en' });
    expect(html).toContain('/home/op/.config/LiveSlice');
    expect(html).toContain('/usr/bin/ffmpeg (from PATH)');
    expect(html).toContain(en['monitor.transport.electron']);
  });

  it('follows the zh-CN setting', () => {
    const html = render({ connection: 'connected', language: 'zh-CN' });
    expect(html).toContain(zhCN['pane.live.title']);
    expect(html).toContain(zhCN['transcript.noSession']);
    expect(html).not.toContain(en['transcript.noSession']);
  });

  it('the source setup shows the RTMP server and the masked stream key with copy buttons', () => {
    const html = render({ connection: 'connected', language: 'en', endpoints: true });
    for (const k of ['rtmp', 'srt', 'url', 'file']) {
      expect(html).toContain(`data-testid="source-tab-${k}"`);
    }
    expect(html).toMatch(/data-testid="source-tab-rtmp"[^>]*aria-selected="true"/);
    expect(html).toMatch(
      /data-testid="rtmp-server-url" type="text"[^>]*value="rtmp:\/\/127\.0\.0\.1:1935\/live"/,
    );
    // Masked by default, but the value is there for Copy (and for e2e's toHaveValue).
    expect(html).toMatch(
      /data-testid="rtmp-stream-key" type="password"[^>]*value="ls_secretkey123"/,
    );
    expect(html).toContain('data-testid="copy-rtmp-server"');
    expect(html).toContain('data-testid="copy-rtmp-key"');
    expect(html).toContain('data-testid="rotate-key"');
    expect(html).toContain('data-testid="rtmp-listening" data-listening="true"');
    expect(html).toContain(en['source.rtmp.hint']);
  });

  it('the source setup says so when the push addresses cannot be loaded', () => {
    const html = render({ connection: 'connected', language: 'zh-CN' });
    expect(html).toContain(zhCN['source.endpointsLoading']);
    expect(html).toContain(zhCN['source.tab.url']);
    expect(html).not.toContain('data-testid="rtmp-stream-key"');
  });

  it('a selected live session shows its status bar, player, markers and waveform', () => {
    const html = render({ connection: 'connected', language: 'en', live: true });
    expect(html).toContain('data-testid="ingest-state" data-state="live"');
    expect(html).toMatch(/data-testid="ingest-resolution">1280×720</);
    expect(html).toMatch(/data-testid="ingest-fps">29\.97</);
    expect(html).toMatch(/data-testid="ingest-bitrate">4\.5 Mbps</);
    expect(html).toMatch(/data-testid="ingest-duration">1:02:05</);
    expect(html).toContain('data-testid="stop-ingest"');
    expect(html).toContain('data-testid="live-video"');
    expect(html).toContain('data-testid="waveform"');
    expect(html).toContain('data-testid="marker-tick" data-kind="gap"');
    expect(html).toContain('left:48.3');
    expect(html).toMatch(/data-testid="session-usage"[^>]*>1:02:05 · 2\.10 GB</);
    expect(html).toMatch(/data-testid="storage-dvr">12\.3 GB</);
    expect(html).toContain('at most 48 h');
    expect(html).toContain('data-testid="prune-now"');
  });

  it('the transcript pane explains an empty transcript (no recognizer; give a .vtt/.srt)', () => {
    const html = render({
      connection: 'connected',
      language: 'en',
      live: true,
      transcript: { utterances: [] },
    });
    expect(html).toContain('data-testid="transcript-empty" data-reason="none-yet"');
    expect(html).toContain(html$(en['transcript.emptyHint']));
    expect(
      render({
        connection: 'connected',
        language: 'zh-CN',
        live: true,
        transcript: { utterances: [] },
      }),
    ).toContain(html$(zhCN['transcript.emptyHint']));
  });

  it('the transcript pane shows the newest lines (virtualized), escaped, with the partial', () => {
    const utterances: Utterance[] = Array.from({ length: 30_000 }, (_, i) => ({
      sessionId: liveSession.id,
      seq: i,
      start: i * 2,
      end: i * 2 + 1.5,
      text: i === 29_999 ? '<script>alert(1)</script> 最后' : `line ${i}`,
      source: 'timed-text',
      ...(i === 29_998 ? { tags: ['laughter', 'emotion:happy'] } : {}),
    }));
    const html = render({
      connection: 'connected',
      language: 'en',
      live: true,
      transcript: { utterances, partial: { start: 60_000, text: 'still talking' } },
    });
    expect(html).toContain('data-testid="transcript-search"');
    expect(html).toMatch(/data-testid="transcript-follow"[^>]*checked=""/);
    const lines = html.match(/data-testid="transcript-line"/g) ?? [];
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.length).toBeLessThan(100);
    expect(html).toContain('data-start="59998"');
    expect(html).toContain('[16:39:58]');
    expect(html).not.toContain('line 0<');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; 最后');
    expect(html).toMatch(/data-testid="transcript-partial"[^>]*>.*still talking/);
    expect(html).toContain('data-testid="transcript-count">30000 lines<');
    // A recognizer's laughter tag shows on its line; other tags do not.
    expect(html.match(/data-testid="transcript-tag"/g) ?? []).toHaveLength(1);
    expect(html).toContain('😂 laughter');
  });

  it('the status bar speaks zh-CN', () => {
    const html = render({ connection: 'connected', language: 'zh-CN', live: true });
    expect(html).toContain('>直播中<');
    expect(html).toContain(zhCN['ingest.dropped']);
  });

  it('unauthorized replaces the workspace with the bilingual token message', () => {
    const html = render({ connection: 'unauthorized' });
    expect(html).toContain('data-state="unauthorized"');
    expect(html).toContain('data-testid="unauthorized"');
    expect(html).toContain(zhCN['unauthorized.title']);
    expect(html).toContain('liveslice serve');
    expect(html).not.toContain('data-testid="pane-live"');
  });

  it('without the engine the monitor says so instead of showing stale or fake data', () => {
    const html = render({ connection: 'disconnected' });
    expect(html).toContain(en['monitor.unavailable']);
    expect(html).toContain(en['sessions.unavailable']);
  });

  it('the monitor lists the speech models with state, caveat, problem and actions', () => {
    const html = render({ connection: 'connected', language: 'en', speech: true });
    expect(html).toContain('data-testid="models-section"');
    expect(html).toMatch(/data-testid="asr-kws" data-enabled="false"[^>]*>Off: the keyword model/);
    expect(html).toMatch(/data-testid="asr-recognizer" data-enabled="true"[^>]*>On</);
    const rows = html.match(/data-testid="model-row"[^>]*/g) ?? [];
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('data-state="missing"');
    expect(rows[1]).toContain('data-state="installed"');
    expect(rows[2]).toContain('data-state="corrupt"');
    expect(html).toContain('>Keyword spotter (zh)<');
    expect(html).toContain('>3.30 MB<');
    expect(html).toContain('>zh, en, yue<');
    expect(html).toContain('>FunASR Model License<');
    expect(html).toMatch(
      /data-testid="model-caveat"[^>]*>Licence note: Trained on data that restricts commercial use\.</,
    );
    expect(html).toContain('What is wrong: silero_vad.onnx: sha256 mismatch');
    // Actions only for models that are not installed.
    expect(html.match(/data-testid="model-download"/g)).toHaveLength(2);
    expect(html.match(/data-testid="model-import-dir"/g)).toHaveLength(2);
    expect(html.match(/data-testid="model-import"/g)).toHaveLength(2);
    expect(html).toContain(en['models.importOpen']);
    expect(html).toMatch(/<option value="cn">中国大陆镜像/);
    expect(html).not.toContain('data-testid="model-error"');
  });

  it('the speech section speaks zh-CN and defaults to the mainland mirror', () => {
    const html = render({ connection: 'connected', language: 'zh-CN', speech: true });
    expect(html).toContain(html$(zhCN['speech.heading']));
    expect(html).toContain(zhCN['speech.kws']);
    expect(html).toContain(zhCN['models.download']);
    expect(html).toContain(zhCN['models.importOpen']);
    expect(html).toContain('>已损坏<');
    expect(html).toMatch(/<option value="cn" selected="">/);
  });

  it('the speech section says when the models are still loading', () => {
    const html = render({ connection: 'connected', language: 'en' });
    expect(html).toContain('data-testid="models-section"');
    expect(html).toContain(en['models.loading']);
    expect(html).toContain(en['speech.statusLoading']);
  });

  it('an empty transcript explains how to turn on speech features when spotting is off', () => {
    const html = render({
      connection: 'connected',
      language: 'en',
      live: true,
      speech: true,
      transcript: { utterances: [] },
    });
    expect(html).toContain('data-testid="transcript-speech-off"');
    expect(html).toContain(html$(en['transcript.speechHint']));
    expect(html).toContain('Keyword spotting is off: the keyword model is not installed');
    expect(
      render({
        connection: 'connected',
        language: 'zh-CN',
        live: true,
        speech: true,
        transcript: { utterances: [] },
      }),
    ).toContain(html$(zhCN['transcript.speechHint']));
  });

  it('spotted keywords show as chips above the lines', () => {
    const html = render({
      connection: 'connected',
      language: 'zh-CN',
      live: true,
      transcript: { utterances: [] },
      keywords: [
        { keyword: '最后三分钟', at: 83.4 },
        { keyword: '上链接', at: 1 },
      ],
    });
    const chips = html.match(/data-testid="keyword-chip"[^>]*>[^<]*/g) ?? [];
    expect(chips).toHaveLength(2);
    expect(chips[0]).toMatch(/>上链接 0:00:01$/);
    expect(chips[1]).toMatch(/>最后三分钟 0:01:23$/);
    expect(html.indexOf('data-testid="keyword-chips"')).toBeLessThan(
      html.indexOf('data-testid="transcript-empty"'),
    );
  });
});

describe('highlights', () => {
  const hl = (n: number, over: Partial<Highlight> = {}): Highlight => ({
    id: `${liveSession.id}-h${n}`,
    sessionId: liveSession.id,
    start: n * 30,
    end: n * 30 + 12,
    detectedStart: n * 30,
    detectedEnd: n * 30 + 12,
    score: 0.82,
    reasons: [
      { kind: 'trigger', text: 'trigger "最后三分钟" (urgency)', at: n * 30 + 3, weight: 0.8 },
      { kind: 'excitement', text: 'loudness +9.5 dB over baseline', at: n * 30 + 4, weight: 0.4 },
    ],
    text: `最后三分钟 <b>${n}</b>`,
    category: 'urgency',
    state: 'final',
    review: 'new',
    delayMs: 1,
    createdAt: 1,
    updatedAt: 1,
    ...over,
  });

  it('lists the highlights (virtualized) with score, reasons, state and review; the lane shows all', () => {
    const list = Array.from({ length: 200 }, (_, i) => hl(i + 1));
    list[0] = hl(1, { state: 'provisional', review: 'accepted' });
    list[1] = hl(2, {
      category: 'manual',
      score: 1,
      reasons: [{ kind: 'mark', text: 'manual mark (hotkey)', at: 65, weight: 1 }],
      text: '',
    });
    const html = render({ connection: 'connected', language: 'en', live: true, highlights: list });
    const rows = html.match(/data-testid="highlight-row"[^>]*/g) ?? [];
    expect(rows.length).toBeGreaterThan(2);
    expect(rows.length).toBeLessThan(30);
    expect(rows[0]).toContain('data-review="accepted"');
    expect(rows[0]).toContain('data-state="provisional"');
    expect(rows[1]).toContain('data-manual="true"');
    expect(html).toMatch(/data-testid="highlight-score"[^>]*>82%</);
    expect(html).toMatch(/data-testid="highlight-reason" data-kind="trigger"[^>]*>最后三分钟</);
    expect(html).toMatch(/data-kind="excitement"[^>]*>loudness jump</);
    expect(html).toMatch(/data-kind="mark"[^>]*>manual mark</);
    expect(html).toContain('&lt;b&gt;1&lt;/b&gt;');
    expect(html).toContain(en['highlights.noText']);
    expect(html).toMatch(/data-testid="highlight-state"[^>]*>Open</);
    expect(html).toContain('data-testid="highlight-thumb" data-status="loading"');
    expect(html.match(/data-testid="highlight-band"/g)).toHaveLength(200);
    expect(html).toMatch(/data-testid="highlight-band" data-id="[^"]+-h2" data-manual="true"/);
    expect(html).toMatch(/data-testid="clip-that" data-live="true"/);
    expect(html).toContain(
      'data-testid="highlights-count" aria-live="polite">200 of 200 highlights<',
    );
    expect(html).toContain(en['highlights.selectHint']);
  });

  it('the selected highlight gets its actions; zh-CN speaks throughout', () => {
    const html = render({
      connection: 'connected',
      language: 'zh-CN',
      live: true,
      highlights: [hl(1), hl(2, { review: 'dismissed' })],
      selectedHighlight: `${liveSession.id}-h1`,
    });
    expect(html).toMatch(/data-testid="highlight-selected" data-id="[^"]+-h1"/);
    expect(html).toMatch(/data-testid="highlight-accept"[^>]*>采纳/);
    expect(html).toMatch(/data-testid="highlight-row"[^>]*-h1"[^>]*aria-current="true"/);
    expect(html).toContain(zhCN['mark.button']);
    expect(html).toContain(zhCN['lexicon.open']);
    expect(html).toMatch(/data-testid="highlight-review">已忽略</);
  });

  it('says why the list is empty: no session, none yet', () => {
    expect(render({ connection: 'connected', language: 'en' })).toContain(
      'data-testid="highlights-empty" data-reason="no-session"',
    );
    const html = render({ connection: 'connected', language: 'en', live: true, highlights: [] });
    expect(html).toContain('data-testid="highlights-empty" data-reason="none-yet"');
    expect(html).toContain(html$(en['highlights.emptyHint']));
  });
});

describe('review queue, prompt editor and monitor', () => {
  const sid = liveSession.id;
  const reviewHl = (n: number, over: Partial<Highlight> = {}): Highlight => ({
    id: `${sid}-h${n}`,
    sessionId: sid,
    start: n * 10,
    end: n * 10 + 8,
    detectedStart: n * 10,
    detectedEnd: n * 10 + 8,
    score: 0.8,
    reasons: [],
    text: `最后三分钟 <b>line ${n}</b> \${host}`,
    category: 'price',
    state: 'final',
    review: 'new',
    delayMs: 100,
    createdAt: n,
    updatedAt: n,
    ...over,
  });
  const item = (n: number, over: Partial<ReviewItem> = {}): ReviewItem => {
    const highlight = reviewHl(n);
    return {
      clip: {
        id: highlight.id,
        highlightId: highlight.id,
        sessionId: sid,
        state: 'ready',
        progress: 1,
        file: `sessions/${sid}/clips/${highlight.id}.mp4`,
        start: highlight.start,
        end: highlight.end,
        output: '720x1280',
        reframe: { mode: 'center' },
        captionStyle: 'bold',
        durationS: 8,
        bytes: 1000,
        encoder: 'libx264',
        latencyMs: 900,
        error: null,
        createdAt: n,
        updatedAt: n,
      },
      highlight,
      prompt: null,
      safety: { state: 'ok', reasons: [], words: [], image: null, checkedAt: 1, ms: 1 },
      decision: 'pending',
      decidedAt: null,
      override: null,
      cover: null,
      quality: 0.72,
      publications: [],
      aiGenerated: false,
      generation: null,
      ...over,
    };
  };
  const flagged: ReviewItem['safety'] = {
    state: 'flagged',
    reasons: ['The title contains “微信” (platform rules).'],
    words: [
      {
        field: 'title',
        term: '微信',
        category: 'platform',
        severity: 'block',
        matched: '微 信',
        start: 1,
        end: 4,
      },
    ],
    image: null,
    checkedAt: 2,
    ms: 3,
  };
  const prompt = (n: number): HighlightPrompt => ({
    highlightId: `${sid}-h${n}`,
    templateId: 'default-zh',
    templateVersion: 2,
    custom: null,
    text: `主播 Anna 说:最后三分钟 \${host}`,
    titleCustom: null,
    title: '加微 信抢购',
    values: { host: 'Anna', quote: '最后三分钟 ${host}' },
    action: '',
    styling: { punchIn: true },
    productIndex: null,
    updatedAt: 5,
  });

  it('500 clips render only the rows in view, with the current clip in full', () => {
    const items = Array.from({ length: 500 }, (_, i) => item(i + 1));
    items[1] = item(2, { safety: flagged, prompt: prompt(2) });
    const html = render({
      connection: 'connected',
      language: 'en',
      live: true,
      review: { items, cursor: `${sid}-h2`, checked: [`${sid}-h1`] },
    });
    const rows = html.match(/data-testid="review-row"/g) ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.length).toBeLessThan(20);
    expect(html).toContain('500 of 500 shown · 500 to review');
    expect(html).toMatch(
      /data-testid="review-detail" data-clip-id="[^"]+-h2" data-decision="pending"/,
    );
    // Flagged: the override replaces the plain approve, and the hit is marked in the title.
    expect(html).toContain('data-testid="review-override-open"');
    expect(html).not.toContain('data-testid="review-approve"');
    expect(html).toMatch(/data-testid="review-title"><span>加<\/span><mark[^>]*>微 信<\/mark>/);
    expect(html).toContain(html$('The title contains “微信” (platform rules).'));
    // The video plays the clip from the media route; text is escaped, never markup.
    expect(html).toMatch(/data-testid="review-video" src="\/media\/sessions\/[^"]+-h2\.mp4"/);
    expect(html).toContain('&lt;b&gt;line 2&lt;/b&gt;');
    expect(html).toContain('data-testid="review-ticked">1 ticked');
    expect(html).toContain('data-testid="review-bulk-approve"');
  });

  it('says why the queue is empty, in both languages', () => {
    expect(render({ connection: 'connected', language: 'en' })).toContain(
      'data-testid="review-empty" data-reason="no-session"',
    );
    const zh = render({
      connection: 'connected',
      language: 'zh-CN',
      live: true,
      review: { items: [] },
    });
    expect(zh).toContain('data-testid="review-empty" data-reason="none-yet"');
    expect(zh).toContain(zhCN['pane.review.empty']);
    expect(zh).toContain(zhCN['targets.open']);
  });

  it('the prompt pane edits the selected highlight, with its filled text as the preview', () => {
    const h = reviewHl(1);
    const html = render({
      connection: 'connected',
      language: 'en',
      live: true,
      highlights: [h],
      selectedHighlight: h.id,
      prompts: [prompt(1)],
    });
    expect(html).toMatch(/data-testid="prompt-form" data-highlight-id="[^"]+-h1"/);
    expect(html).toContain(
      'data-testid="prompt-preview" aria-live="polite">主播 Anna 说:最后三分钟 ${host}<',
    );
    expect(html).toMatch(/data-testid="prompt-text"[^>]*readOnly=""/);
    expect(html).toContain(en['templates.open']);
    expect(render({ connection: 'connected', language: 'en', live: true })).toContain(
      'data-testid="prompt-empty"',
    );
  });

  it('the monitor draws latency, throughput and queue charts from records and pulses', () => {
    const stages = {
      detectMs: 400,
      queueMs: 50,
      renderMs: 2000,
      safetyMs: 30,
      publishMs: null,
      momentToClipMs: 6000,
    };
    const html = render({
      connection: 'connected',
      language: 'en',
      samples: [
        { at: 100_000, queues: { render: { queued: 2, running: 1 } }, ready: 1, published: 0 },
        { at: 101_000, queues: { render: { queued: 1, running: 1 } }, ready: 0, published: 1 },
      ],
      records: [
        {
          clipId: `${sid}-h1`,
          highlightId: `${sid}-h1`,
          sessionId: sid,
          createdAt: 1,
          engine: 'clip',
          encoder: 'libx264',
          prompt: 'prompt text',
          result: 'sessions/x.mp4',
          quality: 0.7,
          decision: 'approved',
          safety: 'ok',
          stages,
          published: ['folder-1'],
        },
      ],
    });
    for (const id of ['chart-latency', 'chart-throughput', 'chart-queues', 'monitor-records']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
    expect(html).toMatch(/data-stage="renderMs" data-count="1"/);
    expect(html).toMatch(/data-stage="publishMs" data-count="0"/);
    expect(html).toContain('render: 1 queued, 1 running');
    expect(html).toContain('Last 1 min: 1 clip(s) ready, 1 published · 1 record(s)');
    // The app facts stay above the charts.
    expect(html).toContain('data-testid="app-info"');
  });
});
