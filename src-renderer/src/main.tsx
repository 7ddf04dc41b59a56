/** The renderer entry: picks the transport, wires engine events into the store, renders. */
import './zod-setup';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserClient } from './api/createClient';
import { toApiError } from './api/decode';
import { App } from './components/App';
import { ErrorBoundary } from './components/ErrorBoundary';
import { systemLanguage } from './i18n/language';
import { connectEngine } from './state/engine';
import { EngineProvider } from './state/context';
import { createAppStore, type AppStore } from './state/store';
import './styles.css';

const systemLanguages =
  navigator.languages.length > 0 ? [...navigator.languages] : [navigator.language];
document.documentElement.lang = systemLanguage(systemLanguages);

let store: AppStore | null = null;
const client = createBrowserClient((error) => {
  store?.getState().pushNotice({
    kind: 'error',
    action: null,
    message: error.message,
    messageKey: 'notice.serverError',
    params: { message: error.message },
    code: error.code,
  });
});
store = createAppStore({
  transport: client.transport,
  connection: client.getState(),
  systemLanguages,
});
const actions = connectEngine(client, store);

// A failure nobody caught still reaches the operator, with what to do next.
window.addEventListener('unhandledrejection', (ev) => {
  const err = toApiError(ev.reason);
  store?.getState().pushNotice({
    kind: 'error',
    action: 'action.unexpected',
    message: err.message,
    messageKey: null,
    params: {},
    code: err.code,
  });
});

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');
createRoot(rootElement).render(
  <StrictMode>
    <ErrorBoundary t={null}>
      <EngineProvider engine={{ client, store, actions }}>
        <App />
      </EngineProvider>
    </ErrorBoundary>
  </StrictMode>,
);
client.start();
