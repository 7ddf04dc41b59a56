import { useShortcuts } from '../keyboard/useShortcuts';
import { Workspace } from '../panes/Workspace';
import { useAppState, useT } from '../state/context';
import { useDocumentSync } from '../state/useDocumentSync';
import { ErrorBoundary } from './ErrorBoundary';
import { Header } from './Header';
import { HelpOverlay } from './HelpOverlay';
import { Notices } from './Notices';
import { SessionsPanel } from './SessionsPanel';
import { UnauthorizedScreen } from './UnauthorizedScreen';

function Body() {
  const unauthorized = useAppState((s) => s.connection === 'unauthorized');
  if (unauthorized) return <UnauthorizedScreen />;
  return (
    <div className="body">
      <SessionsPanel />
      <main className="main">
        <Workspace />
      </main>
    </div>
  );
}

export function App() {
  const t = useT();
  useDocumentSync();
  useShortcuts();
  return (
    <div className="app">
      <Header />
      <ErrorBoundary t={t}>
        <Body />
      </ErrorBoundary>
      <Notices />
      <HelpOverlay />
    </div>
  );
}
