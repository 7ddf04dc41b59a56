import type { MessageKey } from '../i18n/en';
import { useT } from '../state/context';

/** The honest empty state of a capability this build does not have yet. */
export function NotBuilt(props: { empty: MessageKey; future: MessageKey }) {
  const t = useT();
  return (
    <div className="not-built" data-testid="not-built">
      <span className="not-built__tag">{t('pane.notBuilt')}</span>
      <p className="not-built__empty">{t(props.empty)}</p>
      <p className="not-built__future">{t(props.future)}</p>
    </div>
  );
}
