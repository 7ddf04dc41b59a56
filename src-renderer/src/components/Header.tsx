import { useAppState, useT } from '../state/context';
import { ConnectionStatus } from './ConnectionStatus';
import { LanguageSelect } from './LanguageSelect';

export function Header() {
  const t = useT();
  const setHelpOpen = useAppState((s) => s.setHelpOpen);
  return (
    <header className="header">
      <div className="header__brand">
        <span className="header__name">{t('app.name')}</span>
        <span className="header__tagline">{t('app.tagline')}</span>
      </div>
      <div className="header__tools">
        <ConnectionStatus />
        <LanguageSelect />
        <button
          type="button"
          className="icon-button"
          data-testid="help-button"
          aria-label={t('help.button')}
          title={t('help.button')}
          aria-haspopup="dialog"
          onClick={() => setHelpOpen(true)}
        >
          ?
        </button>
      </div>
    </header>
  );
}
