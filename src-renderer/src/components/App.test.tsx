/**
 * Renders the whole frame to static HTML (no DOM needed) against a scripted client, to check that
 * every pane, the header controls and the honest empty states are there in both languages.
 */
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ApiError, type AppInfo, type Settings } from '../contract';
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
const settings: Settings = { 'ui.language': 'en', 'ui.theme': 'dark', 'ffmpeg.path': null };

function render(opts: { connection: ConnectionState; language?: Settings['ui.language'] }) {
  const client: RendererClient = {
    transport: 'websocket',
    call: () => Promise.reject(new ApiError('unavailable', 'not in this test')),
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
    expect(html).toContain(en['pane.live.empty']);
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
    expect(html).toContain(zhCN['pane.transcript.empty']);
    expect(html).not.toContain(en['pane.transcript.empty']);
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
});
