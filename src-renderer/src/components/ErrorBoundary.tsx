import { Component, type ErrorInfo, type ReactNode } from 'react';
import { en } from '../i18n/en';
import type { Translate } from '../i18n/language';

interface Props {
  /** The translator to use; the boundary must not depend on the state that may have failed. */
  t: Translate | null;
  children: ReactNode;
}
interface State {
  error: Error | null;
}

/** A render error shows what happened and how to continue, never a blank window. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('LiveSlice: the interface failed to render', error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    const t: Translate = this.props.t ?? ((key) => en[key]);
    return (
      <div className="crash" role="alert" data-testid="error-boundary">
        <h1>{t('boundary.title')}</h1>
        <p>{t('boundary.hint')}</p>
        <pre className="crash__message">{error.message}</pre>
        <button type="button" onClick={() => window.location.reload()}>
          {t('boundary.reload')}
        </button>
      </div>
    );
  }
}
